// Statement HTML comes from contest packages: keep its markup, drop anything that could run code.

// SVG's animation elements can set any attribute of their parent (an <a>'s href to javascript:) after we checked it
const DROP = new Set([
  "SCRIPT", "IFRAME", "OBJECT", "EMBED", "LINK", "META", "BASE", "FORM", "FRAME", "FRAMESET",
  "ANIMATE", "SET", "ANIMATEMOTION", "ANIMATETRANSFORM",
]);
const URL_ATTRS = new Set(["href", "src", "xlink:href", "action", "formaction", "srcset"]);

/** A DocumentFragment-safe HTML string: no scripts, no event handlers, no javascript: URLs, links open safely. */
export function sanitizeHtml(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const walk = (node) => {
    for (const child of [...node.children]) {
      if (DROP.has(child.tagName.toUpperCase())) {
        child.remove();
        continue;
      }
      for (const attr of [...child.attributes]) {
        const name = attr.name.toLowerCase();
        const value = attr.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
        if (name.startsWith("on") || (URL_ATTRS.has(name) && /^(javascript|vbscript|data:text)/.test(value))) {
          child.removeAttribute(attr.name);
        }
      }
      if (child.tagName.toUpperCase() === "A") {
        child.setAttribute("target", "_blank");
        child.setAttribute("rel", "noopener noreferrer");
      }
      walk(child);
    }
  };
  walk(doc.body);
  return doc.body.innerHTML;
}
