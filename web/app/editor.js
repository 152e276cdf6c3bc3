// The shared editor: one CodeMirror 6 view, one editor state per problem (each keeps its own undo history).

import {
  Annotation, Compartment, EditorState, EditorView, StreamLanguage, bracketMatching, closeBrackets,
  closeBracketsKeymap, cpp, defaultHighlightStyle, defaultKeymap, drawSelection, highlightActiveLine,
  highlightActiveLineGutter, highlightSelectionMatches, highlightSpecialChars, history, historyKeymap,
  indentOnInput, indentUnit, indentWithTab, java, keymap, kotlin, lineNumbers, python, searchKeymap,
  syntaxHighlighting, textDiff,
} from "codemirror-bundle";

const remote = Annotation.define(); // marks changes that came from the server, so they are not sent back
const kotlinLanguage = StreamLanguage.define(kotlin);

/** The language support for a compiler's style (from GET /compilers). */
function languageFor(style) {
  switch (style) {
    case "python":
      return python();
    case "java":
      return java();
    case "kotlin":
      return kotlinLanguage;
    case "c":
    case "cpp":
      return cpp();
    default:
      return [];
  }
}

/**
 * The changes turning `from` into `to`, as a character diff (CodeMirror's own, from @codemirror/merge): the
 * local cursor and selection map through each change, so an edit elsewhere never moves them off their text.
 * Bounded so a huge rewrite falls back to a coarser diff instead of stalling the page.
 */
export function changesBetween(from, to) {
  return textDiff(from, to, { scanLimit: 20000, timeout: 25 }).map((c) => ({
    from: c.fromA,
    to: c.toA,
    insert: to.slice(c.fromB, c.toB),
  }));
}

export class SharedEditor {
  /**
   * @param {HTMLElement} parent
   * @param {{onChange: (alias: string, text: string) => void, onSubmit: () => void}} handlers
   */
  constructor(parent, handlers) {
    this.handlers = handlers;
    this.states = new Map();
    this.alias = null;
    this.readOnly = true;
    this.style = null;
    this.readOnlyConf = new Compartment();
    this.languageConf = new Compartment();
    this.view = new EditorView({ parent, state: this.createState("") });
  }

  createState(text) {
    return EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of("    "),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        keymap.of([
          { key: "Mod-Enter", run: () => (this.handlers.onSubmit(), true) },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        this.readOnlyConf.of(EditorState.readOnly.of(this.readOnly)),
        this.languageConf.of(languageFor(this.style)),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || !this.alias) return;
          if (update.transactions.some((tr) => tr.annotation(remote))) return;
          this.handlers.onChange(this.alias, update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "code", "data-testid": "code-editor" }),
      ],
    });
  }

  /** Show a problem's text (its saved state when it was shown before). */
  show(alias, text) {
    if (alias === this.alias) {
      this.setText(alias, text);
      return;
    }
    if (this.alias) this.states.set(this.alias, this.view.state);
    this.alias = alias;
    let state = this.states.get(alias);
    if (!state) state = this.createState(text);
    this.view.setState(state);
    this.view.dispatch({
      effects: [
        this.readOnlyConf.reconfigure(EditorState.readOnly.of(this.readOnly)),
        this.languageConf.reconfigure(languageFor(this.style)),
      ],
    });
    this.setText(alias, text);
  }

  /** Apply a text that came from the server, keeping the local cursor where it was (mapped through the change). */
  setText(alias, text) {
    const visible = alias === this.alias;
    const state = visible ? this.view.state : this.states.get(alias);
    if (!state) return;
    const current = state.doc.toString();
    if (current === text) return;
    const spec = { changes: changesBetween(current, text), annotations: [remote.of(true)] };
    if (visible) this.view.dispatch(spec);
    else this.states.set(alias, state.update(spec).state);
  }

  /** The text shown now for a problem. */
  text(alias) {
    const state = alias === this.alias ? this.view.state : this.states.get(alias);
    return state ? state.doc.toString() : null;
  }

  setReadOnly(readOnly) {
    if (readOnly === this.readOnly) return;
    this.readOnly = readOnly;
    this.view.dispatch({ effects: this.readOnlyConf.reconfigure(EditorState.readOnly.of(readOnly)) });
  }

  setLanguage(style) {
    if (style === this.style) return;
    this.style = style;
    this.view.dispatch({ effects: this.languageConf.reconfigure(languageFor(style)) });
  }

  focus() {
    this.view.focus();
  }

  destroy() {
    this.view.destroy();
  }
}
