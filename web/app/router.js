// Hash routes (#/lobby/1): the server serves one page at / and never needs a catch-all route.

import { Observable } from "./store.js";

const ROUTES = [
  ["signin", /^\/signin$/],
  ["signup", /^\/signup$/],
  ["teams", /^\/teams$/],
  ["lobby", /^\/lobby\/(\d+)$/],
  ["training", /^\/training\/([0-9a-fA-F-]{36})$/],
];

class Router extends Observable {
  constructor() {
    super();
    this.route = parse(location.hash);
    window.addEventListener("hashchange", () => {
      this.route = parse(location.hash);
      this.changed();
    });
  }

  /** Go to a path such as "/lobby/1" (adds a history entry; no-op when already there). */
  go(path) {
    if (location.hash !== `#${path}`) location.hash = path;
  }
}

/** {name, params} for a location.hash; unknown paths are {name: null}. */
export function parse(hash) {
  const path = hash.replace(/^#/, "") || "/";
  for (const [name, pattern] of ROUTES) {
    const match = path.match(pattern);
    if (match) return { name, params: match.slice(1) };
  }
  return { name: null, params: [] };
}

export const router = new Router();
