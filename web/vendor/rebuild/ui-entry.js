// Preact, its hooks and htm, bundled by build.sh into one ES module for the web client's views.
import { h } from "preact";
import htm from "htm";

export { h, render, Fragment } from "preact";
export { useState, useEffect, useRef, useMemo, useCallback, useReducer, useLayoutEffect } from "preact/hooks";
export const html = htm.bind(h);
