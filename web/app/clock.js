// The contest's remaining time, counted down from the server's clock, not the browser's.
//
// The browser's clock may be minutes off the server's, so the countdown never compares the two: it
// anchors on the server's own "seconds left" (participantLeftTime) at the moment that answer was made,
// estimated as the middle of the request on the browser's monotonic clock (performance.now). The server
// truncates to whole seconds, so the true value lies in [left, left + 1): the anchor takes the middle.
// It is re-anchored every minute and after every reconnect, so drift never builds up.

export class Countdown {
  constructor() {
    this.endsAt = null; // performance.now() value at which the time runs out
    this.finished = false;
  }

  /** Anchor on a /participation answer fetched between two performance.now() readings. */
  anchor(participation, sentAt, receivedAt) {
    this.finished = participation.contestState === "FINISHED";
    const left = Number(participation.participantLeftTime) || 0;
    const madeAt = (sentAt + receivedAt) / 2;
    this.endsAt = this.finished ? madeAt : madeAt + (left + 0.5) * 1000;
  }

  /** Whole seconds left now (0 when over), or null before the first anchor. */
  secondsLeft(now = performance.now()) {
    if (this.endsAt === null) return null;
    return Math.max(0, Math.floor((this.endsAt - now) / 1000));
  }
}

/** "1:05:09" / "5:09" for a number of seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
