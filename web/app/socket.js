// One room's WebSocket (docs/protocol.md, WebSocket protocol) that stays connected: reconnects with exponential backoff and jitter.

import { unauthorized } from "./api.js";

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const STABLE_MS = 5000; // a connection that lived this long resets the backoff

/**
 * States: "connecting" (first attempt), "open", "reconnecting" (waiting or retrying after a drop),
 * "stopped" (closed for good: refused by the server, replaced by another tab, or stop() was called).
 */
export class RoomSocket {
  /**
   * @param {string} path "/ws/lobby" or "/ws/training"
   * @param {Record<string,string>} params query parameters (team_id or training_session_id, user_id)
   * @param {{onMessage: (type: string, payload: object) => void, onState: (state: string, detail?: {reason: string}) => void}} handlers
   */
  constructor(path, params, handlers) {
    this.path = path;
    this.params = params;
    this.handlers = handlers;
    this.state = "connecting";
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.openedAt = 0;
    this.stopped = false;
    this.retryNow = () => this.state === "reconnecting" && this.connect();
  }

  /** Connect, and keep reconnecting after drops until stop(). */
  start() {
    window.addEventListener("online", this.retryNow);
    this.connect();
  }

  /** Close for good (leaving the screen). */
  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.retryNow);
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  /** Send one envelope; false when the socket is not open (the caller decides what that means). */
  send(type, payload) {
    if (this.state !== "open" || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type, payload }));
    return true;
  }

  /** Try again now (the "reconnect" button after a stop or a refusal). */
  restart() {
    this.stopped = false;
    this.attempt = 0;
    window.addEventListener("online", this.retryNow);
    this.connect();
  }

  setState(state, detail = null) {
    this.state = state;
    this.handlers.onState(state, detail);
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.ws) {
      this.ws.onclose = this.ws.onmessage = this.ws.onopen = null;
      this.ws.close();
    }
    // the handshake authenticates with the server's access_token cookie, which the browser sends itself
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = new URLSearchParams(this.params).toString();
    const ws = new WebSocket(`${scheme}://${location.host}${this.path}?${query}`);
    this.ws = ws;
    if (this.state !== "reconnecting") this.setState("connecting");
    ws.onopen = () => {
      this.openedAt = Date.now();
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message || typeof message.type !== "string") return;
      // the room is ours once its state arrived; until then a refusal may still follow
      if (message.type === "ROOM_STATE") this.setState("open");
      this.handlers.onMessage(message.type, message.payload || {});
    };
    ws.onclose = (event) => this.closed(ws, event);
  }

  closed(ws, event) {
    if (ws !== this.ws || this.stopped) return;
    this.ws = null;
    const reason = event.reason || "";
    if (this.openedAt && Date.now() - this.openedAt > STABLE_MS) this.attempt = 0;
    this.openedAt = 0;
    // 1008: refused (not a member, bad token...) — retrying cannot help, except when the room is full.
    // 1000 / 4000: another tab of this user took our place — retrying would just push it out in turn.
    const refused = event.code === 1008 && !/full/i.test(reason);
    const replaced = event.code === 1000 || event.code === 4000;
    if (refused || replaced) {
      this.stopped = true;
      window.removeEventListener("online", this.retryNow);
      this.setState("stopped", { reason });
      // no usable token (expired, revoked, signed out elsewhere): the same as a 401 — sign in again
      if (refused && /token/i.test(reason)) unauthorized(new Error(reason));
      return;
    }
    const delay = backoff(this.attempt++);
    this.setState("reconnecting", { reason });
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, so tabs don't retry in lockstep. */
export function backoff(attempt) {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}
