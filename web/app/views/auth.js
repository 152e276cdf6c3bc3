// Sign in and sign up: POST /auth/token or POST /users, then the token is kept for REST and the WebSocket.

import { html, useState } from "ui";
import { api } from "../api.js";
import { saveLogin } from "../auth.js";
import { t } from "../i18n.js";
import { router } from "../router.js";
import { LangSwitch } from "./common.js";

export function AuthScreen({ mode }) {
  const signUp = mode === "signup";
  const [form, setForm] = useState({ login: "", password: "", firstName: "", lastName: "" });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const field = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = signUp
        ? await api.register(form.login.trim(), form.password, form.firstName.trim(), form.lastName.trim())
        : await api.login(form.login.trim(), form.password);
      saveLogin(answer.token, answer.user);
      router.go("/teams");
    } catch (err) {
      setError(err.status === 401 ? t("auth.badLogin") : err.status === 409 ? t("auth.loginTaken") : err.message);
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="auth">
    <div class="auth-card">
      <div class="auth-head"><h1>Team Trainer</h1><${LangSwitch} /></div>
      <p class="muted">${t("auth.tagline")}</p>
      <form onSubmit=${submit} data-testid=${signUp ? "signup-form" : "signin-form"}>
        <h2>${signUp ? t("auth.signUp") : t("auth.signIn")}</h2>
        <label>${t("auth.login")}<input name="login" autocomplete="username" required maxlength="64"
          value=${form.login} onInput=${field("login")} /></label>
        <label>${t("auth.password")}<input name="password" type="password" required minlength=${signUp ? 6 : 1}
          autocomplete=${signUp ? "new-password" : "current-password"} value=${form.password} onInput=${field("password")} /></label>
        ${signUp &&
        html`<label>${t("auth.firstName")}<input name="first_name" autocomplete="given-name" value=${form.firstName}
            onInput=${field("firstName")} /></label>
          <label>${t("auth.lastName")}<input name="last_name" autocomplete="family-name" value=${form.lastName}
            onInput=${field("lastName")} /></label>`}
        ${error && html`<p class="form-error" role="alert" data-testid="auth-error">${error}</p>`}
        <button type="submit" class="primary" disabled=${busy}>${signUp ? t("auth.signUp") : t("auth.signIn")}</button>
      </form>
      <p class="switch-mode">
        ${signUp
          ? html`${t("auth.haveAccount")} <a href="#/signin">${t("auth.signIn")}</a>`
          : html`${t("auth.noAccount")} <a href="#/signup" data-testid="to-signup">${t("auth.signUp")}</a>`}
      </p>
    </div>
  </main>`;
}
