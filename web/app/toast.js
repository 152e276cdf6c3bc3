// Short messages in a corner: server ERROR replies, failed calls, and notices.

import { Observable } from "./store.js";

const SHOW_MS = 6000;
let nextId = 1;

class Toasts extends Observable {
  constructor() {
    super();
    this.items = [];
  }

  /** Show a message; kind is "error", "info" or "success". */
  show(text, kind = "info") {
    const id = nextId++;
    this.items = [...this.items.filter((item) => item.text !== text), { id, text, kind }].slice(-5);
    this.changed();
    setTimeout(() => this.dismiss(id), kind === "error" ? SHOW_MS * 1.5 : SHOW_MS);
  }

  dismiss(id) {
    this.items = this.items.filter((item) => item.id !== id);
    this.changed();
  }
}

export const toasts = new Toasts();

/** Show an error (an ApiError or any Error) as a toast. */
export function showError(error) {
  toasts.show(error?.message || String(error), "error");
}
