// Staff console: search-as-you-type over the passages, matched terms highlighted, keyboard navigation, copy with
// a citation line, and the bot's own short answer to the same query above the results.
(() => {
  "use strict";

  const SEARCH_DELAY = 120; // ms after the last keystroke
  const ANSWER_DELAY = 600; // the answer is dearer than a search: wait for a pause in typing
  const SNIPPET = 260; // characters of a passage shown before it is opened

  const $ = (id) => document.getElementById(id);
  const input = $("q");
  const list = $("results");
  const status = $("status");
  const answer = $("answer");
  const answerBody = $("answer-body");

  let searchTimer = 0;
  let answerTimer = 0;
  let searchCtl = null;
  let answerCtl = null;
  let answerText = "";

  const { h } = window.iopDom; // strings become text nodes, never HTML (web/dom.js)

  /** text[from:to] as text nodes and <mark>s, from character spans (clamped, sorted, overlaps merged). */
  function marked(text, spans, from = 0, to = text.length) {
    const clean = (spans || []).map(([s, e]) => [Math.max(from, s), Math.min(to, e)]).filter(([s, e]) => s < e)
      .sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [s, e] of clean) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    const out = [];
    let at = from;
    for (const [s, e] of merged) {
      if (s > at) out.push(text.slice(at, s));
      out.push(h("mark", {}, text.slice(s, e)));
      at = e;
    }
    if (at < to) out.push(text.slice(at, to));
    return out;
  }

  /** A window of the passage around its first match, with ellipses where it was cut. */
  function snippet(r) {
    const text = r.text;
    if (text.length <= SNIPPET) return marked(text, r.highlights);
    const first = (r.highlights && r.highlights.length) ? Math.min(...r.highlights.map((s) => s[0])) : 0;
    let from = Math.max(0, first - 60);
    if (from > 0) from = text.indexOf(" ", from) + 1 || from;
    let to = Math.min(text.length, from + SNIPPET);
    if (to < text.length) to = text.lastIndexOf(" ", to) > from ? text.lastIndexOf(" ", to) : to;
    return [from > 0 ? "… " : "", marked(text, r.highlights, from, to), to < text.length ? " …" : ""];
  }

  function citationLine(title, section, url) {
    return "— " + [title, section].filter(Boolean).join(", ") + (url ? ` (${url})` : "");
  }

  /** Copy through the async clipboard API; it is missing outside secure contexts (plain http on a LAN host),
   *  where the old execCommand route still works. https://developer.mozilla.org/en-US/docs/Web/API/Clipboard_API */
  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const area = h("textarea", { class: "sr", "aria-hidden": "true" }, text);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    const label = button.textContent;
    button.textContent = "Copied";
    status.textContent = "Copied to the clipboard.";
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  function schedule() {
    clearTimeout(searchTimer);
    clearTimeout(answerTimer);
    const q = input.value.trim();
    if (!q) {
      if (searchCtl) searchCtl.abort();
      if (answerCtl) answerCtl.abort();
      list.replaceChildren();
      answer.hidden = true;
      status.textContent = "";
      return;
    }
    searchTimer = setTimeout(() => search(q), SEARCH_DELAY);
    answerTimer = setTimeout(() => ask(q), ANSWER_DELAY);
  }

  async function search(q) {
    if (searchCtl) searchCtl.abort(); // a late reply to an older query must not replace a newer one
    const ctl = (searchCtl = new AbortController());
    try {
      const res = await fetch("/api/search?" + new URLSearchParams({ q, k: "8" }), { signal: ctl.signal });
      const data = await res.json();
      if (!res.ok) throw new Error((data.error && data.error.message) || "status " + res.status);
      showResults(q, data.results || []);
    } catch (e) {
      if (ctl.signal.aborted) return;
      list.replaceChildren();
      status.textContent = "Search isn't working right now: " + e.message;
    }
  }

  function showResults(q, results) {
    status.textContent = results.length
      ? `${results.length} result${results.length === 1 ? "" : "s"} for “${q}”`
      : `Nothing found for “${q}”. Try other words.`;
    list.replaceChildren(...results.map((r, i) => {
      const id = "passage-" + i;
      const full = h("div", { class: "full", id, hidden: true },
        h("p", { class: "text" }, marked(r.text, r.highlights)),
        h("div", { class: "tools" },
          r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener noreferrer" }, r.url) : h("span", {}, "No web address"),
          h("button", { type: "button", class: "copy", onclick: (e) =>
            copy(`"${r.text}"\n${citationLine(r.title, r.section, r.url)}`, e.currentTarget) }, "Copy passage")));
      const short = h("p", { class: "snippet" }, snippet(r));
      const toggle = h("button", { type: "button", class: "toggle", "aria-expanded": "false", "aria-controls": id,
        onclick: () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          full.hidden = !open;
          short.hidden = open;
        } },
        h("span", { class: "title" }, r.title), r.section ? h("span", { class: "section" }, r.section) : null);
      return h("li", { class: "result" }, toggle, short, full);
    }));
  }

  async function ask(q) {
    if (answerCtl) answerCtl.abort();
    const ctl = (answerCtl = new AbortController());
    try {
      const res = await fetch("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: q, history: [] }), signal: ctl.signal });
      const data = await res.json();
      if (!res.ok || typeof data.answer !== "string") throw new Error((data.error && data.error.message) || "status " + res.status);
      showAnswer(data);
    } catch (e) {
      if (ctl.signal.aborted) return;
      answer.hidden = false;
      answerText = "";
      answerBody.replaceChildren(h("p", { class: "muted" }, "No answer right now: " + e.message));
    }
  }

  function showAnswer(r) {
    const cites = r.citations || [];
    answerText = r.answer + (cites.length ? "\n\n" + cites.map((c) =>
      `[${c.n}] ${citationLine(c.title, c.section, c.url).slice(2)}`).join("\n") : "");
    const kind = { fallback: "No confident answer", crisis: "Crisis reply", smalltalk: "Small talk" }[r.type];
    answerBody.replaceChildren(...[
      kind ? h("p", { class: "kind " + r.type }, kind) : null,
      h("p", { class: "text" }, r.answer),
      r.note ? h("p", { class: "muted" }, r.note) : null,
      (r.resources || []).length ? h("ul", { class: "resources" }, r.resources.map((x) => h("li", {},
        h("strong", {}, x.name), x.phone ? ` · call ${x.phone}` : "",
        x.sms ? ` · text ${x.sms_body ? x.sms_body + " to " : ""}${x.sms}` : ""))) : null,
      cites.length ? h("ol", { class: "cites" }, cites.map((c) => h("li", {}, `[${c.n}] `, h("span", {}, c.title),
        c.section ? h("span", { class: "section" }, " · " + c.section) : null))) : null,
    ].filter(Boolean));
    answer.hidden = false;
  }

  // Keyboard: "/" returns to the search box from anywhere else; arrows walk the results; Escape clears.
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      const first = list.querySelector(".toggle");
      if (first) { e.preventDefault(); first.focus(); }
    } else if (e.key === "Escape" && input.value) {
      input.value = "";
      schedule();
    }
  });
  list.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const toggles = [...list.querySelectorAll(".toggle")];
    const item = e.target.closest(".result");
    const i = toggles.indexOf(item && item.querySelector(".toggle"));
    if (i < 0) return;
    e.preventDefault();
    const next = i + (e.key === "ArrowDown" ? 1 : -1);
    if (next < 0) input.focus();
    else if (next < toggles.length) toggles[next].focus();
  });
  input.addEventListener("input", schedule);
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault(); // Enter: ask now rather than after the pause
    const q = input.value.trim();
    if (q) { clearTimeout(answerTimer); ask(q); }
  });
  $("copy-answer").addEventListener("click", (e) => { if (answerText) copy(answerText, e.currentTarget); });

  const initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; schedule(); }
  input.focus(); // autofocus is skipped in some cases (e.g. restored tabs); focus explicitly too
})();
