// Pieces every screen uses: the header, the language switch, the connection badge, toasts and dialogs.

import { html, useEffect } from "ui";
import { getUser } from "../auth.js";
import { LANGUAGES, lang, setLang, t } from "../i18n.js";
import { useObservable } from "../store.js";
import { toasts } from "../toast.js";

/** A user's name as the interface shows it. */
export function userName(user) {
  if (!user) return "—";
  return user.display_name || user.login || user.id;
}

export function LangSwitch() {
  return html`<div class="lang-switch" role="group" aria-label=${t("lang.label")}>
    ${LANGUAGES.map(
      (code) => html`<button type="button" class=${code === lang() ? "active" : ""} aria-pressed=${code === lang()}
        data-testid=${`lang-${code}`} onClick=${() => setLang(code)}>${code.toUpperCase()}</button>`,
    )}
  </div>`;
}

export function Header({ onSignOut, children }) {
  const user = getUser();
  return html`<header class="topbar">
    <a class="brand" href="#/teams">Team Trainer</a>
    <div class="topbar-middle">${children}</div>
    <${LangSwitch} />
    ${user &&
    html`<span class="me" data-testid="me">${userName(user)}</span>
      <button type="button" class="link" data-testid="sign-out" onClick=${onSignOut}>${t("auth.signOut")}</button>`}
  </header>`;
}

/** The room connection's state, always visible, with a way to reconnect when it stopped. */
export function ConnectionBadge({ state, detail, onReconnect }) {
  const label = t(`conn.${state}`);
  const title = detail?.reason ? `${label}: ${detail.reason}` : label;
  return html`<span class=${`conn conn-${state}`} data-testid="connection" data-state=${state} title=${title}>
    <span class="dot"></span>${label}
    ${state === "stopped" &&
    html` <button type="button" class="link" data-testid="reconnect" onClick=${onReconnect}>${t("conn.retry")}</button>`}
  </span>`;
}

export function Toasts() {
  useObservable(toasts);
  return html`<div class="toasts" aria-live="polite">
    ${toasts.items.map(
      (item) => html`<div key=${item.id} class=${`toast toast-${item.kind}`} role=${item.kind === "error" ? "alert" : "status"}
        data-testid="toast" onClick=${() => toasts.dismiss(item.id)}>${item.text}</div>`,
    )}
  </div>`;
}

/** A modal dialog; Escape or the backdrop close it when onClose is given. */
export function Dialog({ title, onClose, children, testid, wide }) {
  useEffect(() => {
    if (!onClose) return undefined;
    const onKey = (event) => event.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return html`<div class="backdrop" onClick=${(event) => event.target === event.currentTarget && onClose?.()}>
    <div class=${`dialog ${wide ? "wide" : ""}`} role="dialog" aria-modal="true" aria-label=${title} data-testid=${testid}>
      <div class="dialog-head"><h2>${title}</h2>
        ${onClose && html`<button type="button" class="close" aria-label=${t("common.close")} onClick=${onClose}>×</button>`}
      </div>
      ${children}
    </div>
  </div>`;
}
