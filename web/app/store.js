// A tiny observable for models the views watch, and the hook that redraws a view when one changes.

import { useEffect, useState } from "ui";

export class Observable {
  constructor() {
    this.listeners = new Set();
    this.version = 0;
  }

  /** Call back on every change; returns the unsubscribe function. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell every view that something changed (views redraw on the next frame). */
  changed() {
    this.version++;
    for (const listener of [...this.listeners]) listener(this.version);
  }
}

/** Redraw the calling component whenever the observable changes. */
export function useObservable(observable) {
  const [, setVersion] = useState(0);
  useEffect(() => (observable ? observable.subscribe((v) => setVersion(v)) : undefined), [observable]);
  return observable;
}
