// Everything the web client's editor uses from CodeMirror 6, bundled by build.sh into one ES module.
export { EditorState, Compartment, Annotation } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, dropCursor, rectangularSelection, crosshairCursor,
} from "@codemirror/view";
export {
  defaultKeymap, history, historyKeymap, indentWithTab, insertNewlineAndIndent,
} from "@codemirror/commands";
export {
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, indentUnit,
  foldGutter, foldKeymap, StreamLanguage,
} from "@codemirror/language";
export { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { cpp } from "@codemirror/lang-cpp";
export { python } from "@codemirror/lang-python";
export { java } from "@codemirror/lang-java";
export { kotlin, csharp } from "@codemirror/legacy-modes/mode/clike";
export { diff as textDiff } from "@codemirror/merge";
