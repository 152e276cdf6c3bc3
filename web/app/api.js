// The REST API of docs/protocol.md, one function per call; every failure is an ApiError with a short message.

import { clearLogin, getToken } from "./auth.js";
import { t } from "./i18n.js";

/** The verdict of a submission still being judged ("testing" on screen). */
export const PENDING = "No report";

/** A failed call: HTTP status (0 when the server was not reached) and a message to show. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let onUnauthorized = () => {};

/** What to do when the server no longer accepts the token (it signs the user out). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

/** The server refused the token (a 401, or a socket refused for its token): forget it and say so. */
export function unauthorized(error) {
  if (!getToken()) return;
  clearLogin();
  onUnauthorized(error);
}

async function call(method, path, { json, form, auth = true, raw = false, signOutOn401 = true } = {}) {
  const headers = {};
  const token = getToken();
  if (auth && token) headers.Authorization = `OAuth ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  if (raw && resp.ok) return resp;
  const type = resp.headers.get("Content-Type") || "";
  const data = resp.status === 204 ? null : type.includes("json") ? await resp.json().catch(() => null) : await resp.text();
  if (!resp.ok) {
    // the original backend's duplicate-submission answer puts its message in detail.message
    const fields = data?.error?.details?.fields;
    const message =
      data?.detail?.message ||
      (fields && typeof fields === "object" ? fieldMessages(fields) : null) ||
      data?.error?.message ||
      `${resp.status} ${resp.statusText}`;
    const error = new ApiError(resp.status, message);
    if (resp.status === 401 && auth && signOutOn401) unauthorized(error);
    throw error;
  }
  return data;
}

/** "password: Shorter than minimum length 6." from a 422's details.fields. */
function fieldMessages(fields) {
  const flat = (value) => (Array.isArray(value) ? value.map(flat).join(", ") : typeof value === "object" ? fieldMessages(value) : String(value));
  return Object.entries(fields).map(([name, value]) => `${name}: ${flat(value)}`).join("; ");
}

/** GET that answers null for 404 (e.g. "no running session"). */
async function getOrNull(path) {
  try {
    return await call("GET", path);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

const ts = (id) => `/training-sessions/${encodeURIComponent(id)}`;
const alias = (a) => encodeURIComponent(a);

export const api = {
  register: (login, password, firstName, lastName) =>
    call("POST", "/users", {
      auth: false,
      json: { login, password, ...(firstName ? { first_name: firstName } : {}), ...(lastName ? { last_name: lastName } : {}) },
    }),
  login: (login, password) => call("POST", "/auth/token", { auth: false, json: { login, password } }),
  me: () => call("GET", "/user/me"),
  logout: () => call("DELETE", "/auth/token", { signOutOn401: false }), // the caller signs out anyway
  logoutEverywhere: () => call("DELETE", "/auth/tokens"),
  changePassword: (current, next) =>
    call("POST", "/user/me/password", { json: { current_password: current, new_password: next } }),

  teams: () => call("GET", "/teams"),
  team: (teamId) => call("GET", `/teams/${teamId}`),
  createTeam: (name, memberLogins) => call("POST", "/teams", { json: { name, member_logins: memberLogins } }),
  addMember: (teamId, login) => call("POST", `/teams/${teamId}/members`, { json: { login } }),
  removeMember: (teamId, userId) => call("DELETE", `/teams/${teamId}/members/${userId}`),
  invitations: () => call("GET", "/user/me/invitations"),
  acceptInvitation: (teamId) => call("POST", `/user/me/invitations/${teamId}/accept`),
  declineInvitation: (teamId) => call("POST", `/user/me/invitations/${teamId}/decline`),

  contests: () => call("GET", "/contests"),
  compilers: () => call("GET", "/compilers"),

  startTraining: (teamId, contestId) => call("POST", "/training-sessions", { json: { team_id: teamId, contest_id: contestId } }),
  runningSession: (teamId) => getOrNull(`/training-sessions/team/${teamId}/reconnect`),
  session: (id) => call("GET", ts(id)),
  complete: (id) => call("POST", `${ts(id)}/complete`, { json: {} }),
  participation: (id) => call("GET", `${ts(id)}/participation`),

  sessionContest: (id) => call("GET", `/contests/${encodeURIComponent(id)}`),
  problems: (id) => call("GET", `/contests/${encodeURIComponent(id)}/problems`),
  statement: (id, a) => call("GET", `/contests/${encodeURIComponent(id)}/problems/${alias(a)}/statement`),
  standings: (id) => call("GET", `/contests/${encodeURIComponent(id)}/standings`),

  submissions: (id) => call("GET", `${ts(id)}/submissions`),
  submissionFull: (id, runId) => call("GET", `${ts(id)}/submissions/${runId}/full`),
  submit: (id, problemAlias, compiler, source, fileName) => {
    const form = new FormData();
    form.append("file", new Blob([source], { type: "text/plain" }), fileName);
    form.append("compiler", compiler);
    form.append("problem", problemAlias);
    return call("POST", `${ts(id)}/submissions`, { form });
  },

  comments: (id, a) => call("GET", `${ts(id)}/problem/${alias(a)}/comments`),
  addComment: (id, a, content) => call("POST", `${ts(id)}/problem/${alias(a)}/comments`, { json: { content } }),
  editComment: (id, commentId, content) => call("PATCH", `${ts(id)}/comments/${commentId}`, { json: { content } }),
  deleteComment: (id, commentId) => call("DELETE", `${ts(id)}/comments/${commentId}`),
};
