// Who is signed in: the token and user kept in localStorage (shared by every tab), and the access_token cookie.

const TOKEN_KEY = "tt.token";
const USER_KEY = "tt.user";
const COOKIE_DAYS = 30;

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

/** Remember a login in this browser (every tab sees it) and set the cookie the original client reads. */
export function saveLogin(token, user) {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, JSON.stringify(user));
  setAccessCookie(token);
}

/** Refresh the stored user object (after GET /user/me). */
export function saveUser(user) {
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}

/** Forget the login here and in every other tab. */
export function clearLogin() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  setAccessCookie(null);
}

/**
 * The one place that writes the `access_token` cookie. The original React client, served from the same
 * origin, reads its token from it, and the WebSocket handshake sends it (so no token goes in a URL).
 * When the server sets this cookie itself at login (HttpOnly), the browser ignores this write and the
 * server's cookie, holding the same token, stays.
 */
export function setAccessCookie(token) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = token
    ? `access_token=${encodeURIComponent(token)}; Path=/; Max-Age=${COOKIE_DAYS * 86400}; SameSite=Lax${secure}`
    : `access_token=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}

/** Call back when another tab signs in or out. */
export function onLoginChange(callback) {
  window.addEventListener("storage", (event) => {
    if (event.key === TOKEN_KEY) callback(getToken());
  });
}
