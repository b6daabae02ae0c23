/*! IOP questions chat widget. Zero dependencies; see README-widget.md.
 *  <script src="https://HOST/widget.js" data-endpoint="https://HOST" defer></script>
 */
(() => {
  "use strict";

  // Captured now: document.currentScript is only set while this file first runs.
  const SCRIPT = document.currentScript;
  const TAG = "iop-chat";
  const MAX_HISTORY = 10; // the API accepts at most 10 earlier questions
  const MAX_TURNS = 20; // transcript kept in sessionStorage across page loads
  const STARTERS = ["What is an IOP?", "How long does an IOP last?", "Does insurance cover IOP?"];

  const CSS = `
:host{all:initial!important;display:block!important}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.root{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2730;
 -webkit-text-size-adjust:100%;text-align:left;letter-spacing:normal}
button,input{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
:focus-visible{outline:3px solid var(--ink);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:fixed;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;min-height:52px;
 padding:12px 20px 12px 16px;border:0;border-radius:999px;background:var(--brand);color:var(--on-brand);
 font-size:16px;font-weight:600;box-shadow:0 6px 20px rgba(16,32,48,.25)}
.launcher svg,.send svg,.icon svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;
 stroke-linecap:round;stroke-linejoin:round;flex:none}
.left .launcher,.left .panel{left:20px}.right .launcher,.right .panel{right:20px}
.panel{position:fixed;bottom:20px;z-index:2147483001;display:flex;flex-direction:column;width:384px;
 height:min(660px,calc(100vh - 40px));background:#fff;border-radius:16px;overflow:hidden;
 box-shadow:0 12px 40px rgba(16,32,48,.28),0 0 0 1px rgba(16,32,48,.08)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:4px;padding:10px 8px 10px 18px;background:var(--brand);color:var(--on-brand)}
h2{flex:1;margin:0;font-size:17px;font-weight:600;line-height:1.3}
.hbtn{border:0;background:transparent;color:inherit;border-radius:8px;min-height:40px;min-width:40px;padding:6px 10px;
 font-size:14px;display:inline-flex;align-items:center;justify-content:center}
.hbtn:hover{background:rgba(127,127,127,.2)}
.hbtn:focus-visible{outline-color:var(--on-brand);outline-offset:-3px}
.help{background:#fff;color:#8a1f1f;font-weight:600}
.help:hover{background:#fdecec}
.log{position:relative;flex:1;overflow-y:auto;overscroll-behavior:contain;padding:18px 16px 8px;background:#f7f9fa}
.log:focus-visible{outline-offset:-3px}
.msg{margin:0 0 14px}
.msg p{margin:0 0 8px}.msg p:last-child{margin-bottom:0}
.user{margin-left:auto;width:fit-content;max-width:85%;padding:10px 14px;border-radius:16px 16px 4px 16px;background:var(--brand);
 color:var(--on-brand);white-space:pre-wrap;overflow-wrap:anywhere}
.bot{padding:12px 14px;border-radius:16px 16px 16px 4px;background:#fff;border:1px solid #dde3e8;white-space:pre-line;overflow-wrap:break-word}
.cite{color:var(--ink);font-size:13px;font-weight:600;vertical-align:2px}
.note{font-size:14px;color:#44515c;border-left:3px solid var(--ink);padding-left:8px}
.label{font-size:13px;font-weight:600;color:#44515c;margin:12px 0 6px}
ol{list-style:none;margin:0;padding:0;white-space:normal}
li{margin:0 0 6px}
details{border:1px solid #dde3e8;border-radius:10px;background:#fbfcfd}
summary{display:flex;gap:8px;align-items:baseline;padding:8px 10px;font-size:14px;cursor:pointer;list-style:none;border-radius:10px}
summary::-webkit-details-marker{display:none}/* Safari ignores list-style:none on summary */
summary::after{content:"+";margin-left:auto;color:#44515c;font-weight:600}
details[open] summary::after{content:"\\2212"}
summary b{color:var(--ink)}
summary .s{display:block;color:#44515c;font-size:13px}
blockquote{margin:0;padding:0 12px 10px;font-size:14px;white-space:pre-line;color:#1d2730}
blockquote a{display:inline-block;margin-top:6px;color:var(--ink)}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 14px}
.chip{border:1px solid var(--ink);background:#fff;color:var(--ink);border-radius:999px;padding:7px 14px;font-size:14px;text-align:left}
.chip:hover{background:var(--tint)}
.typing{display:flex;gap:5px;width:fit-content;padding:16px}
.typing i{width:8px;height:8px;border-radius:50%;background:#7b8791;animation:b 1.2s infinite ease-in-out}
.typing i:nth-child(3){animation-delay:.15s}.typing i:nth-child(4){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none;opacity:.7}}
.error{border-color:#e3b3b3;background:#fff7f7}
.retry{margin-top:8px;border:1px solid #8a1f1f;color:#8a1f1f;background:#fff;border-radius:8px;padding:6px 14px;font-size:14px;font-weight:600}
.crisis{border:2px solid #b42318;background:#fff;white-space:normal}
.crisis h3{margin:0 0 6px;font-size:16px;color:#8a1f1f}
.crisis .msgtext{white-space:pre-line}
.res{margin:10px 0 0;padding:10px 0 0;border-top:1px solid #f0d5d5}
.res strong{display:block}
.res p{font-size:14px;color:#44515c;margin:2px 0 8px}
.acts{display:flex;flex-wrap:wrap;gap:8px}
.act{display:inline-block;padding:8px 14px;border-radius:8px;background:#8a1f1f;color:#fff;font-weight:600;font-size:15px;text-decoration:none}
.act.alt{background:#fff;color:#8a1f1f;border:1px solid #8a1f1f}
form{display:flex;gap:8px;padding:10px 12px 4px;border-top:1px solid #dde3e8;background:#fff}
input{flex:1;min-width:0;font-size:16px;padding:10px 14px;border:1px solid #8795a1;border-radius:999px;background:#fff}
input:focus-visible{outline-offset:0}
.send{flex:none;width:46px;height:46px;border:0;border-radius:50%;background:var(--brand);color:var(--on-brand);
 display:flex;align-items:center;justify-content:center}
.send:disabled{opacity:.6;cursor:default}
.disclaimer{margin:0;padding:4px 16px 10px;font-size:12px;line-height:1.4;color:#5b6670;background:#fff}
@media (max-width:599px){
 /* Phones: the panel is the whole screen. 100dvh follows the browser's bars; the on-screen keyboard only shrinks
    the visual viewport (iOS Safari), so script copies visualViewport's height and offset into --vvh/--vvt. */
 .panel{left:0!important;right:0!important;bottom:auto;top:var(--vvt,0);width:100%;height:100vh;
  height:var(--vvh,100dvh);border-radius:0}
 .open .launcher{display:none}
}
@media (max-width:419px){.help{order:5;flex-basis:100%;margin:2px 10px 0 0}}
@media (forced-colors:active){.bot,.user,.launcher,.send,.chip,.act{border:1px solid CanvasText}}
`;

  /** Build an element; strings become text nodes (never HTML), attributes are set one by one. */
  function h(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v == null) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat(Infinity)) if (kid != null && kid !== false) node.append(kid);
    return node;
  }

  const ICONS = {
    chat: "M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z",
    send: "M4 12l16-8-6 16-2.5-6.5z",
    close: "M6 6l12 12M18 6L6 18",
  };
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  // Colour: the brand colour fills the header and launcher; text on it and "ink" (brand-coloured text on white)
  // are chosen to keep WCAG AA contrast (4.5:1) whatever colour a site configures.
  function rgb(hex) {
    const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return null;
    const s = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map((i) => parseInt(s.slice(i, i + 2), 16));
  }
  function luminance(c) {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  const contrast = (a, b) => (Math.max(luminance(a), luminance(b)) + 0.05) / (Math.min(luminance(a), luminance(b)) + 0.05);
  const css = (c) => `rgb(${c.map(Math.round).join(",")})`;
  function palette(hex) {
    const brand = rgb(hex) || rgb("#1f5f7a");
    const white = [255, 255, 255];
    const onBrand = contrast(brand, white) >= 4.5 ? white : [17, 24, 32];
    let ink = brand;
    while (contrast(ink, white) < 4.5) ink = ink.map((v) => v * 0.9); // darken until readable on white
    const tint = brand.map((v) => 255 - (255 - v) * 0.1);
    return { brand: css(brand), onBrand: css(onBrand), ink: css(ink), tint: css(tint) };
  }

  /** Only http(s) links are ever rendered: a javascript: or data: URL from a document never becomes a link. */
  function safeUrl(url) {
    try {
      const u = new URL(url);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  const digits = (phone) => String(phone || "").replace(/[^0-9+]/g, "");

  /** sessionStorage can throw (Safari private mode, storage disabled, sandboxed frames): fall back to memory. */
  function store(key) {
    let memory = null;
    return {
      get() {
        try { return JSON.parse(sessionStorage.getItem(key)) || memory; } catch (e) { return memory; }
      },
      set(value) {
        memory = value;
        try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* memory copy is enough */ }
      },
      clear() {
        memory = null;
        try { sessionStorage.removeItem(key); } catch (e) { /* nothing stored */ }
      },
    };
  }

  function readConfig(el) {
    const d = el.dataset;
    const endpoint = (d.endpoint || location.origin).replace(/\/+$/, "");
    const timeout = parseFloat(d.timeout);
    return {
      endpoint,
      title: d.title || "Questions about IOP",
      greeting: d.greeting ||
        "Hi! I answer questions about intensive outpatient programs (IOPs): what they are, how long they last, " +
        "cost and insurance, and how to start. What would you like to know?",
      colors: palette(d.color),
      position: d.position === "left" ? "left" : "right",
      open: d.open != null && d.open !== "false",
      timeout: (timeout > 0 ? timeout : 15) * 1000,
    };
  }

  class IopChatElement extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.cfg = readConfig(this);
      this.store = store("iop-chat:" + this.cfg.endpoint);
      const saved = this.store.get();
      const usable = saved && Array.isArray(saved.turns) && saved.turns.every((t) => t && t.r && typeof t.q === "string");
      // data-open only decides the first page view; after that the visitor's own open/closed choice wins.
      this.state = usable ? { resources: [], ...saved } : { turns: [], resources: [], open: this.cfg.open };
      this.busy = false;
      this.render();
      for (const turn of this.state.turns) this.showTurn(turn);
      const last = this.state.turns[this.state.turns.length - 1];
      if (last) this.showChips(last.r.suggestions || []);
      else this.showGreeting();
      this.updateHelp();
      if (this.state.open) this.open(false);
    }

    disconnectedCallback() {
      if (this.vvCleanup) this.vvCleanup();
    }

    render() {
      const root = this.attachShadow({ mode: "open" });
      adoptStyles(root, CSS);
      const c = this.cfg;
      this.launcher = h("button", { class: "launcher", type: "button", "aria-expanded": "false",
        "aria-controls": "panel", onclick: () => this.open(true) }, icon("chat"), c.title);
      this.helpBtn = h("button", { class: "hbtn help", type: "button", hidden: true, onclick: () => this.showHelp() },
        "Need help now?");
      this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation",
        tabindex: "0" });
      this.input = h("input", { id: "q", type: "text", autocomplete: "off", enterkeyhint: "send", maxlength: "1000",
        placeholder: "Type your question…" });
      this.sendBtn = h("button", { class: "send", type: "submit" }, icon("send"), h("span", { class: "sr" }, "Send"));
      this.disclaimer = h("p", { class: "disclaimer" },
        "Information only, not medical advice. In an emergency call 911 or 988.");
      this.panel = h("div", { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title", hidden: true,
        onkeydown: (e) => { if (e.key === "Escape") { e.preventDefault(); this.close(); } } },
        h("header", {},
          h("h2", { id: "title" }, c.title),
          this.helpBtn,
          h("button", { class: "hbtn", type: "button", "aria-label": "Clear conversation",
            onclick: () => this.clear() }, "Clear"),
          h("button", { class: "hbtn icon", type: "button", "aria-label": "Close chat",
            onclick: () => this.close() }, icon("close"))),
        this.log,
        h("form", { onsubmit: (e) => { e.preventDefault(); this.send(this.input.value); } },
          h("label", { class: "sr", for: "q" }, "Your question"), this.input, this.sendBtn),
        this.disclaimer);
      this.wrap = h("div", { class: `root ${c.position}` }, this.launcher, this.panel);
      for (const [k, v] of Object.entries({ brand: c.colors.brand, "on-brand": c.colors.onBrand,
        ink: c.colors.ink, tint: c.colors.tint })) this.wrap.style.setProperty("--" + k, v); // CSSOM: allowed by CSP
      root.append(this.wrap);
    }

    open(focus) {
      this.panel.hidden = false;
      this.wrap.classList.add("open");
      this.launcher.setAttribute("aria-expanded", "true");
      this.trackViewport();
      this.save({ open: true });
      this.scrollToEnd();
      if (focus) this.input.focus();
    }

    close() {
      this.panel.hidden = true;
      this.wrap.classList.remove("open");
      this.launcher.setAttribute("aria-expanded", "false");
      if (this.vvCleanup) this.vvCleanup();
      this.save({ open: false });
      this.launcher.focus();
    }

    // iOS Safari keeps the layout viewport (and so 100dvh) full height when the on-screen keyboard opens, which
    // would hide the input behind the keyboard; visualViewport reports the visible part.
    // https://developer.mozilla.org/en-US/docs/Web/API/Visual_Viewport_API
    trackViewport() {
      const vv = window.visualViewport;
      if (!vv || this.vvCleanup) return;
      const fit = () => {
        this.panel.style.setProperty("--vvh", vv.height + "px");
        this.panel.style.setProperty("--vvt", vv.offsetTop + "px");
      };
      fit();
      vv.addEventListener("resize", fit);
      vv.addEventListener("scroll", fit);
      this.vvCleanup = () => {
        vv.removeEventListener("resize", fit);
        vv.removeEventListener("scroll", fit);
        this.vvCleanup = null;
      };
    }

    save(patch) {
      Object.assign(this.state, patch);
      this.store.set(this.state);
    }

    clear() {
      this.store.clear();
      this.state = { turns: [], resources: [], open: true };
      this.save({});
      this.log.replaceChildren();
      this.showGreeting();
      this.updateHelp();
      this.input.value = "";
      this.input.focus();
    }

    showGreeting() {
      this.append(h("div", { class: "msg bot" }, h("span", { class: "sr" }, "Assistant: "), this.cfg.greeting));
      this.showChips(STARTERS);
    }

    /** Send a question with the questions before it as history; `retry` re-sends without repeating the bubble. */
    async send(text, retry) {
      const question = String(text || "").trim();
      if (!question || this.busy) return;
      this.busy = true;
      this.sendBtn.disabled = true;
      if (!retry) {
        this.input.value = "";
        this.removeChips();
        this.append(h("div", { class: "msg user" }, h("span", { class: "sr" }, "You: "), question));
      }
      const history = this.state.turns.map((t) => t.q).slice(-MAX_HISTORY);
      const typing = this.append(h("div", { class: "msg bot typing" },
        h("span", { class: "sr" }, "Assistant is typing"), h("i"), h("i"), h("i")));
      const result = await this.ask(question, history);
      typing.remove();
      this.busy = false;
      this.sendBtn.disabled = false;
      if (result.reply) {
        const turn = { q: question, r: result.reply };
        if (turn.r.type === "crisis" && turn.r.resources && turn.r.resources.length) {
          this.state.resources = turn.r.resources;
        }
        this.save({ turns: this.state.turns.concat([turn]).slice(-MAX_TURNS) });
        this.showReply(turn.r, true);
        this.updateHelp();
      } else {
        this.showError(result.error, question);
      }
    }

    async ask(question, history) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), this.cfg.timeout);
      try {
        const res = await fetch(this.cfg.endpoint + "/api/ask", {
          method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
          body: JSON.stringify({ question, history }), signal: ctrl.signal,
        });
        let data = null;
        try { data = await res.json(); } catch (e) { /* not JSON: treated as a server error below */ }
        if (res.ok && data && typeof data.answer === "string") return { reply: data };
        const err = (data && data.error) || {};
        return { error: { status: res.status, message: err.message, retryAfter: res.headers.get("Retry-After"),
          resources: data && data.resources } };
      } catch (e) {
        return { error: { status: 0, timeout: ctrl.signal.aborted } };
      } finally {
        clearTimeout(timer);
      }
    }

    showTurn(turn) {
      this.append(h("div", { class: "msg user" }, h("span", { class: "sr" }, "You: "), turn.q));
      this.showReply(turn.r, false);
    }

    showReply(r, latest) {
      if (r.disclaimer) this.disclaimer.textContent = r.disclaimer;
      let node;
      if (r.type === "crisis") {
        node = this.crisisCard(r.answer, r.resources || [], "Help is available now");
      } else {
        node = h("div", { class: "msg bot" }, h("span", { class: "sr" }, "Assistant: "),
          paragraphs(r.answer),
          r.note ? h("p", { class: "note" }, r.note) : null,
          sources(r.citations || []));
      }
      this.append(node, latest);
      if (latest) this.showChips(r.suggestions || []);
    }

    crisisCard(message, resources, heading) {
      return h("div", { class: "msg bot crisis", tabindex: "-1" },
        h("h3", {}, heading),
        message ? h("p", { class: "msgtext" }, message) : null,
        resources.map((res) => {
          const acts = [];
          if (res.phone) acts.push(h("a", { class: "act", href: "tel:" + digits(res.phone) }, "Call " + res.phone));
          if (res.sms) {
            // "sms:NUMBER?&body=TEXT" pre-fills the message on both iOS (which wants "&body") and Android (which
            // wants "?body"). https://stackoverflow.com/questions/6480462/how-to-pre-populate-the-sms-body-text-via-an-html-link
            const body = res.sms_body ? "?&body=" + encodeURIComponent(res.sms_body) : "";
            acts.push(h("a", { class: "act", href: "sms:" + digits(res.sms) + body },
              res.sms_body ? `Text ${res.sms_body} to ${res.sms}` : "Text " + res.sms));
          }
          const url = safeUrl(res.url);
          if (url) acts.push(h("a", { class: "act alt", href: url, target: "_blank", rel: "noopener noreferrer" },
            "Website", h("span", { class: "sr" }, " (opens in a new tab)")));
          return h("div", { class: "res" }, h("strong", {}, res.name), res.description ? h("p", {}, res.description) : null,
            h("div", { class: "acts" }, acts));
        }));
    }

    showHelp() {
      const card = this.crisisCard("", this.state.resources, "Help is available now");
      this.append(card, true);
      card.focus();
    }

    updateHelp() {
      this.helpBtn.hidden = !(this.state.resources && this.state.resources.length);
    }

    showError(err, question) {
      let text;
      let canRetry = true;
      if (err.status === 429) {
        const wait = parseInt(err.retryAfter, 10);
        text = "You've sent a lot of questions in a short time. " +
          (wait > 0 ? `Please wait ${wait} seconds, then try again.` : "Please wait a moment, then try again.");
      } else if (err.status === 0) {
        text = err.timeout ? "The answer is taking too long. The service may be busy."
          : "We couldn't reach the service. Check your connection, then try again.";
      } else if (err.status >= 500) {
        text = "Something went wrong on our side.";
      } else {
        text = err.message || "That question couldn't be sent. Try asking it in a shorter way.";
        canRetry = false;
      }
      const box = h("div", { class: "msg bot error" }, h("span", { class: "sr" }, "Error: "), h("p", {}, text));
      if (canRetry) {
        box.append(h("button", { class: "retry", type: "button", onclick: () => {
          box.remove();
          this.send(question, true);
        } }, "Retry"));
      }
      this.append(box, true);
      if (err.resources && err.resources.length) this.append(this.crisisCard("", err.resources, "If you need to talk to someone now"));
    }

    showChips(list) {
      if (!list.length) return;
      this.append(h("div", { class: "chips", role: "group", "aria-label": "Suggested questions" },
        list.map((q) => h("button", { class: "chip", type: "button", onclick: () => this.send(q) }, q))));
    }

    removeChips() {
      for (const c of this.log.querySelectorAll(".chips")) c.remove();
    }

    /** Add to the transcript; a new reply scrolls so that its first line is in view, not its last. */
    append(node, reveal) {
      this.log.append(node);
      if (reveal) this.log.scrollTop = Math.max(0, node.offsetTop - 12);
      else this.scrollToEnd();
      return node;
    }

    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  /** Answer text: line breaks split paragraphs (table cells come one per line), citation markers like [1] are set apart. */
  function paragraphs(text) {
    return String(text || "").split(/\n+/).filter((para) => para.trim()).map((para) =>
      h("p", {}, para.split(/(\[\d+\])/).map((part) => (/^\[\d+\]$/.test(part) ? h("span", { class: "cite" }, part) : part))));
  }

  /** A section heading worth showing: not empty, and not already in the document's title. */
  const sectionOf = (c) => (c.section && !String(c.title).toLowerCase().includes(c.section.toLowerCase()) ? c.section : "");

  /** Source cards: title and section; the whole passage opens in place; a link only where there is a URL. */
  function sources(citations) {
    if (!citations.length) return null;
    return [h("p", { class: "label" }, "Sources"), h("ol", {}, citations.map((c) => {
      const url = safeUrl(c.url);
      const section = sectionOf(c);
      return h("li", {}, h("details", {},
        h("summary", {}, h("b", {}, `[${c.n}]`), h("span", {}, c.title, section ? h("span", { class: "s" }, section) : null)),
        h("blockquote", {}, c.text, url ? h("br") : null, url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" },
          "Read the full page", h("span", { class: "sr" }, " (opens in a new tab)")) : null)));
    }))];
  }

  /** A constructed stylesheet is not subject to the host page's style-src CSP, unlike a <style> element.
   *  Safari before 16.4 lacks them: https://caniuse.com/mdn-api_document_adoptedstylesheets */
  function adoptStyles(root, text) {
    if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(h("style", {}, text));
    }
  }

  // Registration is separate from the class, so a page can also write <iop-chat data-endpoint="..."> itself.
  function register() {
    if (!customElements.get(TAG)) customElements.define(TAG, IopChatElement);
  }

  /** Add one <iop-chat> to the page, configured from the <script> tag's data-* attributes. */
  function mount(script) {
    if (!script || document.querySelector(TAG)) return;
    const el = document.createElement(TAG);
    Object.assign(el.dataset, script.dataset);
    if (!el.dataset.endpoint && script.src) el.dataset.endpoint = new URL(script.src, location.href).origin;
    document.body.append(el);
  }

  register();
  if (document.body) mount(SCRIPT);
  else document.addEventListener("DOMContentLoaded", () => mount(SCRIPT));
})();
