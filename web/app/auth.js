// Who is signed in: the token and user kept in localStorage (shared by every tab).
//
// The access_token cookie is the server's: it sets it at sign-up and sign-in (HttpOnly, so no script
// on the page can read it; SameSite=Lax; Secure over HTTPS) and clears it at sign-out. The browser
// sends it with the WebSocket handshake, so no token appears in a URL. This client never writes it.

const TOKEN_KEY = "tt.token";
const USER_KEY = "tt.user";

/** The stored token, or null when signed out. */
export function getToken() {
  return localStorage.getItem(TOKEN_KEY);
}

/** The stored user object ({id, login, ...}), or null. */
export function getUser() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) || "null");
  } catch {
    return null;
  }
}

/** Remember a login in this browser (every tab sees it); the server has set its cookie in the same answer. */
export function saveLogin(token, user) {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Refresh the stored user object (after GET /user/me). */
export function saveUser(user) {
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Forget the login here and in every other tab (the server revokes the token and clears its cookie). */
export function clearLogin() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
}

/** Call back when another tab signs in or out. */
export function onLoginChange(callback) {
  window.addEventListener("storage", (event) => {
    if (event.key === TOKEN_KEY) callback(getToken());
  });
}
