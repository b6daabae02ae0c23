// Waiting-room kiosk: topic buttons, an on-screen keyboard, answers with sources that open in place, and an idle
// reset that forgets the visitor. Runs against the local server only; nothing is stored in the browser.
(() => {
  "use strict";

  const MAX_HISTORY = 10;
  const TIMEOUT_MS = 15000;
  const idleSeconds = Math.max(1, parseInt(document.body.dataset.idleSeconds, 10) || 90);
  // Warn for the last 15 s, or the last third of a short timeout, so a tiny test value still warns first.
  const warnSeconds = Math.min(15, Math.ceil(idleSeconds / 3));

  const $ = (id) => document.getElementById(id);
  const ui = {
    start: $("start"), chat: $("chat"), asked: $("asked"), reply: $("reply"), restart: $("restart"),
    keyboard: $("keyboard"), input: $("kq"), keys: $("keys"), idle: $("idle"), idleCount: $("idle-count"),
    main: $("main"),
  };

  let history = []; // questions asked so far, oldest first; dropped on reset
  let pending = null; // AbortController of the request in flight
  let lastTouch = Date.now();
  let dirty = false; // anything to forget?

  const { h } = window.iopDom; // strings become text nodes, never HTML (web/dom.js)

  /** A URL as plain text: the kiosk never links away from itself. */
  function plainUrl(url) {
    try {
      const u = new URL(url);
      return (u.host + u.pathname).replace(/\/$/, "");
    } catch (e) {
      return "";
    }
  }

  /** A section heading worth showing: not empty, and not already in the document's title. */
  const sectionOf = (c) => (c.section && !String(c.title).toLowerCase().includes(c.section.toLowerCase()) ? c.section : "");

  function show(screen) {
    ui.start.hidden = screen !== "start";
    ui.chat.hidden = screen !== "chat";
    ui.restart.hidden = !dirty;
    ui.main.scrollTop = 0;
  }

  function markDirty() {
    dirty = true;
    ui.restart.hidden = false;
  }

  async function ask(question) {
    question = question.trim();
    if (!question) return;
    closeKeyboard();
    markDirty();
    if (pending) pending.abort();
    const ctrl = (pending = new AbortController());
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
    ui.asked.textContent = question;
    ui.asked.hidden = false;
    ui.reply.replaceChildren(h("p", { class: "waiting" }, "Finding an answer", h("span", { class: "dots" }, "…")));
    show("chat");
    try {
      const res = await fetch("/api/ask", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question, history: history.slice(-MAX_HISTORY) }), signal: ctrl.signal,
      });
      const data = await res.json().catch(() => null);
      if (!res.ok || !data || typeof data.answer !== "string") throw new Error("status " + res.status);
      history.push(question);
      render(data);
    } catch (e) {
      if (ctrl !== pending) return; // superseded by a newer question or a reset
      ui.reply.replaceChildren(h("div", { class: "error" },
        h("p", {}, "Sorry, answers aren't available right now. Please try again, or ask at the front desk."),
        h("button", { type: "button", class: "ask", onclick: () => ask(question) }, "Try again")));
    } finally {
      clearTimeout(timer);
      if (ctrl === pending) pending = null;
    }
  }

  function render(r) {
    const parts = [];
    // On a shared screen, a message that raised a crisis reply is not repeated in large type for the room.
    ui.asked.hidden = r.type === "crisis";
    if (r.type === "crisis") {
      parts.push(h("div", { class: "crisis" },
        h("p", { class: "crisis-msg" }, r.answer),
        (r.resources || []).map((res) => h("div", { class: "res" },
          h("p", { class: "res-name" }, res.name),
          res.phone ? h("p", { class: "big" }, "Call ", h("strong", {}, res.phone)) : null,
          res.sms ? h("p", { class: "big" }, "Text ", res.sms_body ? h("strong", {}, res.sms_body) : null,
            res.sms_body ? " to " : "", h("strong", {}, res.sms)) : null,
          res.description ? h("p", {}, res.description) : null)),
        h("p", { class: "desk" }, "You can also tell the front desk. Someone will help you right away.")));
    } else {
      parts.push(String(r.answer).split(/\n+/).filter((p) => p.trim()).map((p) => h("p", { class: "answer" },
        p.split(/(\[\d+\])/).map((s) => (/^\[\d+\]$/.test(s) ? h("span", { class: "cite" }, s) : s)))));
      if (r.note) parts.push(h("p", { class: "note" }, r.note));
      const cites = r.citations || [];
      if (cites.length) {
        parts.push(h("h2", { class: "label" }, "Sources"), h("ul", { class: "sources" }, cites.map((c) => {
          const id = "src-" + c.n;
          const body = h("div", { id, class: "passage", hidden: true }, h("p", {}, c.text),
            plainUrl(c.url) ? h("p", { class: "url" }, "From " + plainUrl(c.url)) : null);
          const btn = h("button", { type: "button", "aria-expanded": "false", "aria-controls": id, onclick: () => {
            const open = btn.getAttribute("aria-expanded") !== "true";
            btn.setAttribute("aria-expanded", String(open));
            body.hidden = !open;
          } }, h("span", { class: "n" }, `[${c.n}]`), h("span", {}, c.title,
            sectionOf(c) ? h("span", { class: "section" }, sectionOf(c)) : null));
          return h("li", {}, btn, body);
        })));
      }
    }
    const more = r.suggestions || [];
    if (more.length) {
      parts.push(h("h2", { class: "label" }, "You could also ask"), h("div", { class: "suggestions" },
        more.map((q) => h("button", { type: "button", class: "suggestion", onclick: () => ask(q) }, q))));
    }
    if (r.disclaimer) parts.push(h("p", { class: "disclaimer" }, r.disclaimer));
    ui.reply.replaceChildren(...parts.flat());
  }

  // On-screen keyboard. Keys are real buttons, so a screen reader or switch user can use them too.
  const ROWS = ["1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,.?"];
  function buildKeys() {
    const key = (label, insert, cls, name) => h("button", { type: "button", class: "key " + (cls || ""),
      "aria-label": name || null, onclick: () => type(insert) }, label);
    for (const row of ROWS) ui.keys.append(h("div", { class: "row" }, [...row].map((c) => key(c, c))));
    ui.keys.append(h("div", { class: "row" }, key("Space", " ", "wide", "Space"), key("⌫", "\b", "back", "Delete")));
  }

  function type(ch) {
    const v = ui.input.value;
    if (ch === "\b") ui.input.value = v.slice(0, -1);
    else if (v.length < ui.input.maxLength) ui.input.value = v ? v + ch : ch.toUpperCase();
    markDirty();
  }

  function openKeyboard() {
    markDirty();
    ui.keyboard.hidden = false;
    document.body.classList.add("kb-open");
    ui.input.focus();
  }

  function closeKeyboard() {
    ui.keyboard.hidden = true;
    document.body.classList.remove("kb-open");
    ui.input.value = "";
  }

  /** Forget the visitor: the conversation, any typed text, the request in flight. */
  function reset() {
    if (pending) pending.abort();
    pending = null;
    history = [];
    dirty = false;
    closeKeyboard();
    ui.reply.replaceChildren();
    ui.asked.textContent = "";
    ui.idle.hidden = true;
    show("start");
    document.activeElement && document.activeElement.blur();
  }

  // Idle: any touch, click, key or wheel counts as presence. Checked on an interval against the clock, since
  // timers in background or throttled tabs can fire late.
  function touched() {
    lastTouch = Date.now();
    if (!ui.idle.hidden) ui.idle.hidden = true;
  }
  function tick() {
    if (!dirty) return;
    const left = Math.ceil(idleSeconds - (Date.now() - lastTouch) / 1000);
    if (left <= 0) reset();
    else if (left <= warnSeconds) {
      ui.idleCount.textContent = `Starting over in ${left} second${left === 1 ? "" : "s"}.`;
      if (ui.idle.hidden) {
        ui.idle.hidden = false;
        $("idle-continue").focus();
      }
    }
  }

  for (const event of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    document.addEventListener(event, touched, { capture: true, passive: true });
  }
  // A long press would open the browser's menu (copy, search the web...), a way out of the kiosk.
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  setInterval(tick, 250);

  for (const btn of document.querySelectorAll(".topic")) btn.addEventListener("click", () => ask(btn.dataset.question));
  for (const btn of document.querySelectorAll("[data-open-keyboard]")) btn.addEventListener("click", openKeyboard);
  $("topics").addEventListener("click", () => show("start"));
  $("restart").addEventListener("click", reset);
  $("kb-close").addEventListener("click", closeKeyboard);
  $("idle-continue").addEventListener("click", touched);
  $("ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    ask(ui.input.value);
  });
  buildKeys();
  show("start");
})();
