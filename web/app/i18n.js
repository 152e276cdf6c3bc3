// Interface text in English and Russian: chosen from the browser's language, switched and persisted by the user.

import en from "./i18n/en.js";
import ru from "./i18n/ru.js";

const STRINGS = { en, ru };
export const LANGUAGES = ["en", "ru"];
const KEY = "tt.lang";
const listeners = new Set();

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved && STRINGS[saved]) return saved;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (STRINGS[base]) return base;
  }
  return "en";
}

let current = initial();
document.documentElement.lang = current;

/** The language in use ("en" or "ru"). */
export function lang() {
  return current;
}

/** Switch the language, remember it, and redraw whoever listens. */
export function setLang(next) {
  if (!STRINGS[next] || next === current) return;
  current = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** Call back on every language switch; returns the unsubscribe function. */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The text for a key in the current language (English as the fallback), with {name} placeholders filled. */
export function t(key, params = {}) {
  const template = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Russian plural forms: plural(n, "попытка", "попытки", "попыток"); English uses the first two. */
export function plural(n, one, few, many = few) {
  if (current !== "ru") return n === 1 ? one : few;
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}
