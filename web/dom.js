// Shared by the kiosk and the staff console (the widget stays one self-contained file, embedded with one tag).
"use strict";

/** Build an element; strings become text nodes, never HTML. */
window.iopDom = Object.freeze({
  h(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v == null) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat(Infinity)) if (kid != null && kid !== false) node.append(kid);
    return node;
  },
});
