// The shared editor's text per problem: coalesced sending, own echoes told apart, and re-sync after a drop.
//
// When is the local text "newer" than the server's after a reconnect? The tab remembers a fingerprint of
// every text of a problem it has seen from the server or sent to it. If the ROOM_STATE text is one of
// those, nobody changed the problem behind our back (the server has at most an older version of ours,
// e.g. after a crash lost the last snapshot interval), so what the user typed offline is newer and is sent
// again — when the user may still edit (holds control, or nobody does). If the server's text is one the
// tab has never seen, a teammate changed it meanwhile: the server's text wins, and the caller is told which
// problems lost local edits so the user hears about it.

const MIN_INTERVAL_MS = 50; // at most one update per ~50 ms (about one per animation frame at 20 fps)
const SEEN_LIMIT = 256;

/** A 53-bit string fingerprint (cyrb53); collisions only matter between texts of one problem. */
export function fingerprint(text) {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

class ProblemText {
  constructor(text) {
    this.text = text; // what the editor shows
    this.server = text; // the last text the server broadcast (in the room's order)
    this.inflight = []; // texts sent by this tab and not yet echoed back
    this.pending = false; // edited since the last send
    this.seen = new Set([fingerprint(text)]);
  }

  remember(text) {
    this.seen.add(fingerprint(text));
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value);
  }

  get local() {
    return this.pending || this.inflight.length > 0;
  }
}

/**
 * @param {{send: (alias: string, code: string) => boolean, me: string,
 *          onRemote: (alias: string, code: string) => void, now?: () => number}} options
 */
export class CodeSync {
  constructor({ send, me, onRemote, now = () => performance.now() }) {
    this.sendUpdate = send;
    this.me = String(me);
    this.onRemote = onRemote;
    this.now = now;
    this.problems = new Map();
    this.lastSent = -Infinity;
    this.timer = null;
  }

  problem(alias) {
    let p = this.problems.get(alias);
    if (!p) {
      p = new ProblemText("");
      this.problems.set(alias, p);
    }
    return p;
  }

  /** The text the editor should show for a problem. */
  text(alias) {
    return this.problem(alias).text;
  }

  /** Whether a problem has local edits the server has not confirmed. */
  hasLocal(alias) {
    return this.problem(alias).local;
  }

  /** The user changed the text: remember it and send it soon (coalesced, always the latest text). */
  edit(alias, text) {
    const p = this.problem(alias);
    if (p.text === text) return;
    p.text = text;
    p.pending = true;
    this.schedule();
  }

  schedule() {
    if (this.timer !== null) return;
    const wait = this.lastSent + MIN_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Send the latest text of every problem edited since the last send. */
  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    for (const [alias, p] of this.problems) {
      if (!p.pending) continue;
      if (!this.sendUpdate(alias, p.text)) return; // offline: kept pending, resolved at the next ROOM_STATE
      p.pending = false;
      p.inflight.push(p.text);
      p.remember(p.text);
      this.lastSent = this.now();
    }
  }

  /** A CODE_EDITOR_UPDATE from the server (any sender, this tab included). */
  received({ code, problemAlias, userId }) {
    const p = this.problem(problemAlias);
    p.remember(code);
    p.server = code;
    const mine = String(userId) === this.me ? p.inflight.indexOf(code) : -1;
    if (mine >= 0) {
      // our own echo: everything sent before it was applied or superseded on the server
      p.inflight.splice(0, mine + 1);
      return;
    }
    // another user or another tab of ours; while our newer text is on its way it will win on the server
    if (p.local) return;
    if (p.text !== code) {
      p.text = code;
      this.onRemote(problemAlias, code);
    }
  }

  /** The server refused our update (NOT_IN_CONTROL...): show the server's text again. */
  rejected(alias) {
    const targets = alias ? [this.problem(alias)] : [...this.problems.values()];
    for (const p of targets) {
      p.inflight = [];
      p.pending = false;
    }
    for (const [a, p] of this.problems) {
      if ((!alias || a === alias) && p.text !== p.server) {
        p.text = p.server;
        this.onRemote(a, p.server);
      }
    }
  }

  /** The server dropped an update unapplied (RATE_LIMITED): send the latest text again (idempotent). */
  retry() {
    for (const p of this.problems.values()) if (p.inflight.length) p.pending = true;
    this.schedule();
  }

  /**
   * ROOM_STATE after a (re)connect: adopt the server's texts, or send ours again where they are newer.
   * @returns {{resent: string[], discarded: string[]}} aliases whose local text was sent again / lost
   */
  resync(codeByAlias, mayEdit) {
    const resent = [];
    const discarded = [];
    for (const [alias, code] of Object.entries(codeByAlias)) {
      const p = this.problem(alias);
      const local = p.local || p.text !== p.server;
      p.inflight = [];
      if (p.text === code) {
        p.pending = false;
      } else if (local && p.seen.has(fingerprint(code)) && mayEdit) {
        p.pending = true; // ours is newer: the server's text is one we already knew
        resent.push(alias);
      } else {
        if (local) discarded.push(alias);
        p.pending = false;
        p.text = code;
        this.onRemote(alias, code);
      }
      p.server = code;
      p.remember(code);
    }
    if (resent.length) this.flush();
    return { resent, discarded };
  }
}
