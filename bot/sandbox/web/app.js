// learnpact sandbox page. Plain JS, no build step. Everything that comes
// from messages is put into the DOM as text (textContent/createTextNode),
// never as markup.
"use strict";

const token = document.querySelector('meta[name="sandbox-token"]').content;
const $ = (id) => document.getElementById(id);

let state = null;      // the last /ui/state answer
let me = "";           // who we are
let view = "dm";       // "dm", a channel id, or "home"
let replyTo = "";      // thread_ts the composer replies in
let modalKey = "";     // id+hash+errors of the modal on screen
let modalOpener = null;
let refreshSeq = 0;

// ---- talking to the sandbox ----

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Sandbox-Token": token },
    body: JSON.stringify(Object.assign({ as: me }, body)),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { /* empty answer */ }
  if (res.status === 403 && reloadForToken()) return data;
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

// reloadForToken loads the page again when the sandbox no longer knows its
// token (it restarted without its state file): the new page carries the
// new token, and the hash keeps who we are. It reports whether it did; it
// does not reload twice within ten seconds, so a page that cannot get a
// good token says so instead of reloading for ever.
function reloadForToken() {
  const last = Number(sessionStorage.getItem("lp-token-reload") || 0);
  if (Date.now() - last < 10000) {
    say("The sandbox does not accept this page any more. Reload it to carry on.");
    return false;
  }
  sessionStorage.setItem("lp-token-reload", String(Date.now()));
  location.hash = "as=" + encodeURIComponent(me);
  location.reload();
  return true;
}

async function refresh() {
  if (!me) return;
  const seq = ++refreshSeq;
  const res = await fetch("/ui/state?as=" + encodeURIComponent(me) + "&token=" + encodeURIComponent(token));
  const data = await res.json();
  if (seq !== refreshSeq) return; // a newer refresh is under way
  if (res.status === 403 && reloadForToken()) return;
  if (!res.ok) {
    const fallback = document.querySelector('meta[name="sandbox-person"]').content;
    if (me !== fallback) { me = fallback; return refresh(); } // a stale #as=
    say(data.error || "Could not load the workspace.");
    return;
  }
  state = data;
  render();
}

let refreshQueued = false;
function scheduleRefresh() {
  if (refreshQueued) return;
  refreshQueued = true;
  setTimeout(() => { refreshQueued = false; refresh().catch(e => say(e.message)); }, 30);
}

function say(msg) { $("status").textContent = msg || ""; }

async function act(path, body, button) {
  if (button) button.disabled = true;
  try {
    await post(path, body);
    say("");
  } catch (e) {
    say(e.message);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- helpers ----

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") n.textContent = v;
    else if (k === "className") n.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "for" || k === "type" ||
             k === "id" || k === "name" || k === "placeholder" || k === "maxlength" || k === "rows" || k === "value") n.setAttribute(k, v);
    else n[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) n.append(c);
  return n;
}

function person(id) { return (state.people || []).find(p => p.id === id); }
function displayName(id) { const p = person(id); return p ? p.real_name : id; }
function myTZ() { const p = person(me); return p && p.tz ? p.tz : "UTC"; }

function formatTime(date, withYear) {
  const opts = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: myTZ() };
  if (withYear) opts.year = "numeric";
  try { return new Intl.DateTimeFormat("en-GB", opts).format(date); }
  catch (e) { return date.toISOString(); }
}

// wallValue is date on my wall clock as a datetime-local input writes it,
// "2027-01-29T09:00"; the sandbox reads the picker's value the same way.
function wallValue(date) {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: myTZ(), year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const p = Object.fromEntries(f.formatToParts(date).map(x => [x.type, x.value]));
  return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
}

function unescapeSlack(s) { return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"); }

function safeURL(u) {
  try {
    const p = new URL(unescapeSlack(u));
    return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
  } catch (e) { return null; }
}

// ---- mrkdwn ----

// renderMrkdwn turns Slack mrkdwn into DOM nodes: *bold*, _italic_,
// ~strike~, `code`, ```blocks```, <url|label> (http/https only), <@U…>
// mentions, line breaks; &amp; &lt; &gt; are shown as & < >.
function renderMrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text || "").split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) frag.append(el("pre", { text: unescapeSlack(part.replace(/^\n/, "")) }));
    else frag.append(renderInline(part));
  });
  return frag;
}

const inlineSource = /<([^<>\n]+)>|`([^`\n]+)`|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|\n/.source;

function renderInline(text) {
  const frag = document.createDocumentFragment();
  const inlineRE = new RegExp(inlineSource, "g"); // one per call: renderInline recurses
  let last = 0;
  let m;
  while ((m = inlineRE.exec(text)) !== null) {
    const before = m.index > 0 ? text[m.index - 1] : "";
    const formatting = m[3] !== undefined || m[4] !== undefined || m[5] !== undefined;
    if (formatting && /[A-Za-z0-9]/.test(before)) { // snake_case, 2*3*4: not formatting
      inlineRE.lastIndex = m.index + 1;
      continue;
    }
    if (m.index > last) frag.append(document.createTextNode(unescapeSlack(text.slice(last, m.index))));
    last = inlineRE.lastIndex;
    if (m[1] !== undefined) frag.append(renderAngle(m[1]));
    else if (m[2] !== undefined) frag.append(el("code", { text: unescapeSlack(m[2]) }));
    else if (m[3] !== undefined) frag.append(el("strong", {}, renderInline(m[3])));
    else if (m[4] !== undefined) frag.append(el("em", {}, renderInline(m[4])));
    else if (m[5] !== undefined) frag.append(el("s", {}, renderInline(m[5])));
    else frag.append(el("br"));
  }
  if (last < text.length) frag.append(document.createTextNode(unescapeSlack(text.slice(last))));
  return frag;
}

function renderAngle(inner) {
  const bar = inner.indexOf("|");
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : "";
  if (target.startsWith("@")) return el("span", { className: "mention", text: "@" + (person(target.slice(1)) ? displayName(target.slice(1)) : unescapeSlack(label || target.slice(1))) });
  if (target.startsWith("#")) return el("span", { className: "mention", text: "#" + unescapeSlack(label || target.slice(1)) });
  if (target.startsWith("!")) return el("span", { className: "mention", text: label ? unescapeSlack(label) : "@" + target.slice(1).split("^")[0] });
  const href = safeURL(target);
  if (!href) return document.createTextNode(unescapeSlack(label || target));
  return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: unescapeSlack(label || target) });
}

function renderTextObj(t) {
  if (!t) return document.createTextNode("");
  if (t.type === "mrkdwn") return renderMrkdwn(t.text);
  return document.createTextNode(t.text || "");
}

// ---- Block Kit ----

function renderBlocks(blocks, where) {
  const frag = document.createDocumentFragment();
  for (const b of blocks || []) frag.append(renderBlock(b, where));
  return frag;
}

function renderBlock(b, where) {
  switch (b.type) {
    case "header":
      return el("h3", { className: "bk-header", text: b.text ? b.text.text : "" });
    case "section": {
      const s = el("div", { className: "bk-section" });
      const body = el("div", { className: "bk-section-body" });
      if (b.text) body.append(el("div", { className: "bk-text" }, renderTextObj(b.text)));
      if (b.fields) body.append(el("div", { className: "bk-fields" }, ...b.fields.map(f => el("div", { className: "bk-field" }, renderTextObj(f)))));
      s.append(body);
      if (b.accessory) s.append(el("div", { className: "bk-accessory" }, renderElement(b.accessory, b.block_id, where)));
      return s;
    }
    case "context":
      return el("div", { className: "bk-context" }, ...(b.elements || []).map(e =>
        e.type === "image" ? el("span", { text: e.alt_text || "" }) : el("span", {}, renderTextObj(e))));
    case "divider":
      return el("hr", { className: "bk-divider" });
    case "actions":
      return el("div", { className: "bk-actions" }, ...(b.elements || []).map(e => renderElement(e, b.block_id, where)));
    case "rich_text":
      return el("div", { className: "bk-text" }, renderMrkdwn(richTextOf(b)));
    case "input":
      return el("div", { className: "bk-context", text: (b.label && b.label.text) || "" });
    default:
      return el("div", { className: "bk-unsupported", text: "[" + b.type + " block]" });
  }
}

function richTextOf(b) {
  let out = "";
  const walk = (n) => {
    if (n.type === "text") out += n.text || "";
    for (const c of n.elements || []) walk(c);
  };
  walk(b);
  return out;
}

function renderElement(e, blockID, where) {
  const id = e.action_id || "";
  if (e.type === "button") {
    const b = el("button", {
      type: "button", className: "bk-button " + (e.style || ""),
      "data-testid": "button-" + id, "data-action-id": id, "data-focus-key": where.key + "|" + id,
      text: e.text ? e.text.text : id,
    });
    if (!where.surface) { b.disabled = true; return b; }
    b.addEventListener("click", () => {
      const href = e.url && safeURL(e.url);
      if (href) window.open(href, "_blank", "noopener,noreferrer");
      act("/ui/click", Object.assign({ action_id: id }, where.target), b);
    });
    return b;
  }
  if (e.type === "static_select") {
    const placeholder = e.placeholder ? e.placeholder.text : "Choose…";
    const s = el("select", { "data-testid": "select-" + id, "data-action-id": id, "aria-label": placeholder, "data-focus-key": where.key + "|" + id });
    s.append(el("option", { value: "", text: placeholder, disabled: true, selected: true }));
    appendOptions(s, e);
    if (!where.surface) { s.disabled = true; return s; }
    s.addEventListener("change", () => act("/ui/select", Object.assign({ action_id: id, value: s.value }, where.target), s));
    return s;
  }
  return el("span", { className: "bk-unsupported", text: "[" + e.type + "]" });
}

function appendOptions(select, e) {
  const opt = (o) => el("option", { value: o.value, text: o.text ? o.text.text : o.value });
  for (const o of e.options || []) select.append(opt(o));
  for (const g of e.option_groups || []) {
    select.append(el("optgroup", { label: g.label ? g.label.text : "" }, ...(g.options || []).map(opt)));
  }
}

// ---- the page ----

function render() {
  renderPeople();
  const now = new Date(state.now);
  $("clock-time").textContent = formatTime(now, true) + " (" + myTZ() + ")";
  $("clock-time").dateTime = state.now;
  const picker = $("clock-to");
  picker.min = wallValue(now);
  if (document.activeElement !== picker && (!picker.value || picker.value < picker.min)) picker.value = picker.min;
  renderNav();
  renderMain();
  renderModal();
}

function renderPeople() {
  const sel = $("person");
  const key = state.people.map(p => p.id).join(",");
  if (sel.dataset.key !== key) {
    sel.replaceChildren(...state.people.filter(p => !p.is_bot).map(p =>
      el("option", { value: p.id, text: p.real_name + (p.role ? " (" + p.role + ")" : "") })));
    sel.dataset.key = key;
  }
  sel.value = me;
}

function dmConversation() { return state.conversations.find(c => c.kind === "dm"); }
function currentConversation() {
  if (view === "dm") return dmConversation();
  return state.conversations.find(c => c.id === view);
}

function renderNav() {
  const items = [];
  for (const c of state.conversations) {
    const key = c.kind === "dm" ? "dm" : c.id;
    const label = c.kind === "dm" ? c.name + " (direct message)" : "#" + c.name;
    const testid = c.kind === "dm" ? "nav-dm" : "nav-channel-" + c.id;
    items.push(navItem(key, label, testid));
  }
  items.push(navItem("home", "Home (App Home tab)", "nav-home"));
  $("nav").replaceChildren(...items);
}

function navItem(key, label, testid) {
  const b = el("button", { type: "button", className: "nav-item", "data-testid": testid, text: label, "data-focus-key": "nav|" + key });
  if (key === view) b.setAttribute("aria-current", "page");
  b.addEventListener("click", () => {
    view = key;
    replyTo = "";
    if (key === "home") act("/ui/home", {});
    render();
  });
  return el("li", {}, b);
}

function renderMain() {
  const box = $("messages");
  const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : "";
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (view === "home") {
    $("title").textContent = "Home";
    $("composer").hidden = true;
    const frag = document.createDocumentFragment();
    if (state.home) frag.append(el("div", { className: "home", "data-testid": "home" }, renderBlocks(state.home.blocks, { surface: "home", key: "home", target: { surface: "home" } })));
    else frag.append(el("p", { className: "muted", text: "The bot has not published a Home tab for you yet." }));
    box.replaceChildren(frag);
  } else {
    const c = currentConversation() || dmConversation();
    if (c && view !== "dm" && c.kind === "dm") view = "dm";
    $("title").textContent = !c ? "" : c.kind === "dm" ? "Direct messages with " + c.name : "#" + c.name;
    $("composer").hidden = !c;
    $("attach-label").hidden = !c || c.kind !== "dm"; // files are shared in the DM only
    const drafts = threadDrafts();
    box.replaceChildren(c ? renderConversation(c) : el("p", { className: "muted", text: "No conversation." }));
    for (const [ts, text] of Object.entries(drafts)) {
      const input = box.querySelector('[data-testid="thread-reply-input"][data-thread-ts="' + CSS.escape(ts) + '"]');
      if (input) input.value = text;
    }
  }
  $("replying").hidden = !replyTo || view === "home";
  if (replyTo) $("replying-text").textContent = "Replying in a thread";
  if (focusKey) {
    const again = document.querySelector('[data-focus-key="' + CSS.escape(focusKey) + '"]');
    if (again) again.focus();
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderConversation(c) {
  const frag = document.createDocumentFragment();
  const replies = {};
  for (const m of c.messages) {
    if (m.thread_ts && m.thread_ts !== m.ts) (replies[m.thread_ts] = replies[m.thread_ts] || []).push(m);
  }
  const top = c.messages.filter(m => !m.thread_ts || m.thread_ts === m.ts);
  if (top.length === 0) frag.append(el("p", { className: "muted", text: "No messages yet. Say hello!" }));
  for (const m of top) {
    const msg = renderMessage(m);
    if (c.kind === "channel" && !m.ephemeral) {
      const reply = el("button", { type: "button", className: "link-button", "data-testid": "reply-button", "data-focus-key": m.ts + "|reply", text: "Reply in thread" });
      reply.addEventListener("click", () => { replyTo = m.ts; render(); $("composer-input").focus(); });
      msg.append(reply);
    }
    const thread = replies[m.ts];
    if (c.kind !== "channel") {
      if (thread) msg.append(el("div", { className: "thread", "data-testid": "thread" }, ...thread.map(renderMessage)));
      frag.append(msg);
      continue;
    }
    // In a channel each message comes with its thread and a reply box.
    const box = el("div", { className: "channel-message", "data-testid": "channel-message", "data-ts": m.ts }, msg);
    if (thread) {
      box.append(el("div", { className: "thread", "data-testid": "thread" }, ...thread.map(r =>
        el("div", { className: "thread-message", "data-testid": "thread-message", "data-ts": r.ts, "data-thread-ts": m.ts }, renderMessage(r)))));
    }
    if (!m.ephemeral) box.append(threadReplyForm(c, m.ts));
    frag.append(box);
  }
  return frag;
}

// threadReplyForm is the reply box under a channel message: it posts in
// the message's thread.
function threadReplyForm(c, ts) {
  const input = el("input", {
    type: "text", className: "thread-reply-input", placeholder: "Reply in thread…", "aria-label": "Reply in thread",
    "data-testid": "thread-reply-input", "data-thread-ts": ts, "data-focus-key": ts + "|thread-reply",
  });
  const send = el("button", { type: "submit", "data-testid": "thread-reply-send", "data-thread-ts": ts, text: "Reply" });
  const form = el("form", { className: "thread-reply", "data-testid": "thread-reply", autocomplete: "off" }, input, send);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) { say("Type a reply first."); return; }
    send.disabled = true;
    try {
      await post("/ui/send", { channel: c.id, text: input.value, thread_ts: ts });
      input.value = "";
      say("");
    } catch (e) {
      say(e.message);
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

// threadDrafts returns the replies being typed, by thread, so a refresh
// keeps them.
function threadDrafts() {
  const drafts = {};
  for (const i of document.querySelectorAll('[data-testid="thread-reply-input"]')) if (i.value) drafts[i.dataset.threadTs] = i.value;
  return drafts;
}

// renderFile is a file shared with a message, to download.
function renderFile(f) {
  const kb = Math.max(1, Math.round((f.size || 0) / 1024));
  return el("a", {
    className: "file", "data-testid": "file", target: "_blank", rel: "noopener",
    href: "/files/" + encodeURIComponent(f.id) + "/" + encodeURIComponent(f.name) + "?token=" + encodeURIComponent(token),
  }, el("span", { className: "file-icon", text: "📄" }),
     el("span", {}, el("strong", { text: f.title || f.name }), el("span", { className: "muted", text: " " + f.name + " · " + kb + " KB" })));
}

function renderMessage(m) {
  const bot = m.user === state.bot;
  const head = el("div", { className: "msg-head" },
    el("strong", { text: displayName(m.user) }),
    bot ? el("span", { className: "badge", text: "APP" }) : null,
    el("time", { className: "muted", dateTime: new Date(parseFloat(m.ts) * 1000).toISOString(), text: formatTime(new Date(parseFloat(m.ts) * 1000)) }),
    m.updated ? el("span", { className: "muted", text: "(edited)" }) : null,
    m.ephemeral ? el("span", { className: "badge ephemeral", text: "Only visible to you" }) : null);
  const where = { surface: "message", key: m.ts, target: { channel: m.channel, ts: m.ts } };
  const body = el("div", { className: "msg-body" });
  if (bot && m.blocks && m.blocks.length) body.append(renderBlocks(m.blocks, where));
  else body.append(renderMrkdwn(m.text));
  for (const f of m.files || []) body.append(renderFile(f));
  return el("article", {
    className: "message" + (m.ephemeral ? " is-ephemeral" : "") + (bot ? " from-bot" : ""),
    "data-testid": "message", "data-ts": m.ts, "data-channel": m.channel, "data-user": m.user,
  }, head, body);
}

// ---- modal ----

function renderModal() {
  const v = state.modal;
  const backdrop = $("modal-backdrop");
  if (!v) {
    if (!backdrop.hidden) {
      backdrop.hidden = true;
      modalKey = "";
      if (modalOpener && document.contains(modalOpener)) modalOpener.focus();
      else $("composer-input").focus();
    }
    return;
  }
  const key = v.id + "|" + v.hash + "|" + JSON.stringify(v.errors || {});
  if (key === modalKey) return;
  const sameView = modalKey.startsWith(v.id + "|");
  const typed = sameView ? modalValues() : {};
  modalKey = key;
  $("modal-title").textContent = v.title || "";
  $("modal-submit").textContent = v.submit || "Submit";
  $("modal-submit").hidden = !v.submit;
  $("modal-close").textContent = v.close || "Cancel";
  $("modal-status").textContent = "";
  const body = $("modal-body");
  body.replaceChildren(...(v.blocks || []).map(b => b.type === "input" ? renderInput(b, v.errors || {}) : renderBlock(b, { key: "modal" })));
  for (const [id, val] of Object.entries(typed)) {
    const f = body.querySelector('[data-block-id="' + CSS.escape(id) + '"]');
    if (f && f.dataset.kind) setChoice(f, val);
    else if (f) f.value = val;
  }
  if (backdrop.hidden) {
    modalOpener = document.activeElement;
    backdrop.hidden = false;
  }
  const firstBad = body.querySelector('[aria-invalid="true"]');
  const first = firstBad || body.querySelector("input, textarea, select");
  (first || $("modal-submit")).focus();
}

function renderInput(b, errors) {
  const e = b.element || {};
  const id = "modal-input-" + b.block_id;
  const err = errors[b.block_id];
  const common = {
    id: id, name: b.block_id, "data-testid": id, "data-block-id": b.block_id,
    "aria-invalid": err ? "true" : null, "aria-describedby": err ? id + "-error" : null,
  };
  let field;
  if (e.type === "static_select") {
    field = el("select", common);
    field.append(el("option", { value: "", text: e.placeholder ? e.placeholder.text : "Choose…" }));
    appendOptions(field, e);
    if (e.initial_option) field.value = e.initial_option.value;
  } else if (e.type === "datepicker") {
    field = el("input", Object.assign({ type: "date" }, common));
    if (e.initial_date) field.value = e.initial_date;
  } else if (e.type === "plain_text_input") {
    const attrs = Object.assign({ placeholder: e.placeholder ? e.placeholder.text : null, maxlength: e.max_length || null }, common);
    field = e.multiline ? el("textarea", Object.assign({ rows: 4 }, attrs)) : el("input", Object.assign({ type: "text" }, attrs));
    if (e.initial_value) field.value = e.initial_value;
  } else if (e.type === "checkboxes" || e.type === "radio_buttons" || e.type === "multi_static_select") {
    return renderChoice(b, e, common, err);
  } else {
    return el("div", { className: "bk-unsupported", text: "[" + e.type + " input]" });
  }
  const label = el("label", { for: id, text: (b.label && b.label.text) || b.block_id });
  if (b.optional) label.append(el("span", { className: "muted", text: " (optional)" }));
  return el("div", { className: "field" }, label, field,
    b.hint ? el("small", { className: "muted", text: b.hint.text }) : null,
    err ? el("p", { className: "error", id: id + "-error", role: "alert", "data-testid": id + "-error", text: err }) : null);
}

// renderChoice shows check boxes, a multi-select menu (as check boxes) or
// radio buttons as a fieldset; its value is the chosen options' values
// joined by commas (see choiceValue).
function renderChoice(b, e, common, err) {
  const multi = e.type !== "radio_buttons";
  const initial = multi ? (e.initial_options || []) : (e.initial_option ? [e.initial_option] : []);
  const chosen = new Set(initial.map(o => o.value));
  const set = el("fieldset", Object.assign({ className: "choice", "data-kind": e.type }, common));
  const legend = el("legend", { text: (b.label && b.label.text) || b.block_id });
  if (b.optional) legend.append(el("span", { className: "muted", text: " (optional)" }));
  set.append(legend);
  (e.options || []).forEach((o, i) => {
    const oid = common.id + "-" + i;
    const box = el("input", { type: multi ? "checkbox" : "radio", id: oid, name: common.id, value: o.value, "data-testid": "modal-option-" + b.block_id });
    box.checked = chosen.has(o.value);
    set.append(el("div", { className: "choice-option" }, box, el("label", { for: oid }, renderTextObj(o.text))));
  });
  if (err) set.append(el("p", { className: "error", id: common.id + "-error", role: "alert", "data-testid": common.id + "-error", text: err }));
  return el("div", { className: "field" }, set);
}

function choiceValue(set) {
  return [...set.querySelectorAll("input:checked")].map(i => i.value).join(",");
}

function setChoice(set, value) {
  const chosen = new Set(String(value).split(",").filter(v => v));
  for (const i of set.querySelectorAll("input")) i.checked = chosen.has(i.value);
}

function modalValues() {
  const values = {};
  for (const f of $("modal-body").querySelectorAll("[data-block-id]")) {
    values[f.dataset.blockId] = f.dataset.kind ? choiceValue(f) : f.value;
  }
  return values;
}

async function submitModal(ev) {
  ev.preventDefault();
  const b = $("modal-submit");
  b.disabled = true;
  try {
    await post("/ui/submit", { values: modalValues() });
    $("modal-status").textContent = "";
  } catch (e) {
    $("modal-status").textContent = e.message;
  } finally {
    b.disabled = false;
  }
}

async function closeModal() {
  try { await post("/ui/close", {}); } catch (e) { $("modal-status").textContent = e.message; }
}

// ---- wiring ----

async function send(ev) {
  ev.preventDefault();
  const input = $("composer-input");
  const text = input.value;
  if (!text.trim()) { say("Type a message first."); return; }
  const c = currentConversation();
  if (!c) return;
  $("send").disabled = true;
  try {
    await post("/ui/send", { channel: c.id, text: text, thread_ts: replyTo });
    input.value = "";
    replyTo = "";
    say("");
    render();
  } catch (e) {
    say(e.message);
  } finally {
    $("send").disabled = false;
    input.focus();
  }
}

// shareFile shares the chosen file in the DM, with the composer's text as
// its comment.
async function shareFile(ev) {
  const input = ev.target;
  const file = input.files && input.files[0];
  input.value = "";
  const c = currentConversation();
  if (!file || !c) return;
  const text = $("composer-input").value;
  const q = new URLSearchParams({ as: me, name: file.name, text: text });
  say("Sharing " + file.name + "…");
  try {
    const res = await fetch("/ui/file?" + q.toString(), {
      method: "POST", headers: { "X-Sandbox-Token": token, "Content-Type": "application/octet-stream" }, body: file,
    });
    let data = {};
    try { data = await res.json(); } catch (e) { /* empty answer */ }
    if (!res.ok) throw new Error(data.error || res.statusText);
    $("composer-input").value = "";
    say("");
  } catch (e) {
    say(e.message);
  }
}

function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  me = hash.get("as") || document.querySelector('meta[name="sandbox-person"]').content;
  $("composer").addEventListener("submit", send);
  $("attach").addEventListener("change", shareFile);
  $("composer-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $("composer").requestSubmit(); }
  });
  $("replying-cancel").addEventListener("click", () => { replyTo = ""; render(); $("composer-input").focus(); });
  $("person").addEventListener("change", (ev) => {
    me = ev.target.value;
    location.hash = "as=" + encodeURIComponent(me);
    replyTo = "";
    modalKey = "";
    $("modal-backdrop").hidden = true;
    if (view === "home") act("/ui/home", {});
    refresh().catch(e => say(e.message));
  });
  $("plus-hour").addEventListener("click", (ev) => act("/ui/clock", { advance: "1h" }, ev.target));
  $("plus-day").addEventListener("click", (ev) => act("/ui/clock", { advance: "24h" }, ev.target));
  $("plus-week").addEventListener("click", (ev) => act("/ui/clock", { advance: "168h" }, ev.target));
  $("morning").addEventListener("click", (ev) => act("/ui/clock", { to: "morning" }, ev.target));
  $("clock-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("/ui/clock", { to: $("clock-to").value }, ev.submitter);
  });
  $("modal-form").addEventListener("submit", submitModal);
  $("modal-close").addEventListener("click", closeModal);
  $("modal-backdrop").addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeModal(); });

  connect();
  refresh().catch(e => say(e.message));
}

// connect listens for the sandbox's changes. While the sandbox is down the
// browser keeps retrying; an error answer (a restart that lost the page's
// token) ends that, and recover takes over.
function connect() {
  const events = new EventSource("/events?token=" + encodeURIComponent(token));
  events.onmessage = scheduleRefresh;
  events.onopen = () => { say(""); scheduleRefresh(); };
  events.onerror = () => {
    say("Connection to the sandbox lost; reconnecting…");
    if (events.readyState === EventSource.CLOSED) setTimeout(recover, 1000);
  };
}

// recover asks the sandbox whether this page's token still works: yes,
// listen again; no, load the page again for the new one; no answer, try
// again shortly.
async function recover() {
  try {
    const res = await fetch("/ui/state?as=" + encodeURIComponent(me) + "&token=" + encodeURIComponent(token));
    if (res.status === 403 && reloadForToken()) return;
    if (res.ok) { connect(); return; }
  } catch (e) { /* still down */ }
  setTimeout(recover, 2000);
}

document.addEventListener("DOMContentLoaded", start);
