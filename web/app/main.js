// The web client's entry: picks the screen for the route, keeps the sign-in state, redraws on a language switch.

import { html, render, useEffect, useState } from "ui";
import { api, setUnauthorizedHandler } from "./api.js";
import { clearLogin, getToken, onLoginChange, saveUser } from "./auth.js";
import { onLangChange, t } from "./i18n.js";
import { router } from "./router.js";
import { useObservable } from "./store.js";
import { toasts } from "./toast.js";
import { AuthScreen } from "./views/auth.js";
import { Header, Toasts } from "./views/common.js";
import { LobbyScreen } from "./views/lobby.js";
import { TeamsScreen } from "./views/teams.js";
import { WorkspaceScreen } from "./views/workspace.js";

/** Sign out: the server revokes this token and clears its cookie; the login is forgotten here either way. */
async function signOut() {
  try {
    await api.logout();
  } catch {
    // offline, or the token was already gone: nothing more to revoke from here
  }
  clearLogin();
  router.go("/signin");
}

setUnauthorizedHandler(() => {
  toasts.show(t("auth.expired"), "error");
  router.go("/signin");
});

// another tab signed in or out: follow it
onLoginChange((token) => {
  if (!token) router.go("/signin");
  else location.reload();
});

function Screen() {
  const { name, params } = router.route;
  const signedIn = Boolean(getToken());
  if (!signedIn && name !== "signup") return html`<${AuthScreen} mode="signin" />`;
  switch (name) {
    case "signin":
    case "signup":
      if (signedIn) break;
      return html`<${AuthScreen} mode=${name} />`;
    case "lobby":
      return html`<${LobbyScreen} key=${params[0]} teamId=${Number(params[0])} onSignOut=${signOut} />`;
    case "training":
      return html`<${WorkspaceScreen} key=${params[0]} sessionId=${params[0].toLowerCase()} onSignOut=${signOut} />`;
    case "teams":
      return html`<div class="screen"><${Header} onSignOut=${signOut} /><${TeamsScreen} /></div>`;
    default:
      break;
  }
  queueMicrotask(() => router.go("/teams"));
  return null;
}

function App() {
  useObservable(router);
  const [, setLang] = useState(0);
  useEffect(() => onLangChange(() => setLang((n) => n + 1)), []);
  return html`<${Screen} /><${Toasts} />`;
}

// a stored token is checked once at start (a 401 signs out)
if (getToken()) {
  api.me().then(saveUser, () => {});
}
render(html`<${App} />`, document.getElementById("app"));
