// One conversation's timeline: messages ordered by sequence number, deduplicated by id,
// plus local items (own messages waiting for their ack, join/leave notices).

import { avatar, h } from "./dom.js";
import { currentLang, localText, serverText, t } from "./i18n.js";

export class Timeline {
  constructor(key) {
    this.key = key; // "r:<room>" or "p:<peer>" (client-side key)
    this.items = []; // sorted by .order
    this.byId = new Map(); // server message id -> item
    this.byClientId = new Map(); // own client id -> item
    this.lastSeq = 0;
    this.firstSeq = null;
    this.mayHaveOlder = false;
    this.notices = 0;
  }

  /** Add a message from the server (event, history, replay). Returns the item, or null if known. */
  addMessage(message) {
    const known = this.byId.get(message.id);
    if (known) {
      // Known from our own ack: take the server's final text (it may have been cleaned).
      if (known.fromAck) Object.assign(known, { text: message.text, kind: message.kind, fromAck: false });
      copySafety(known, message);
      return null;
    }
    const own = message.client_id ? this.byClientId.get(message.client_id) : null;
    if (own) return this.confirm(own, message);
    const item = { ...message, order: message.seq };
    this.track(message.seq);
    this.byId.set(item.id, item);
    this.insert(item);
    return item;
  }

  /** Our own message, shown at once and confirmed by the ack or the echoed event. */
  addPending(item) {
    Object.assign(item, { pending: true, order: Number.POSITIVE_INFINITY });
    this.byClientId.set(item.client_id, item);
    this.items.push(item);
    return item;
  }

  confirm(item, stored) {
    if (this.byId.has(stored.id)) return null;
    this.items.splice(this.items.indexOf(item), 1);
    Object.assign(item, { id: stored.id, seq: stored.seq, order: stored.seq, pending: false, failed: null });
    if (stored.text !== undefined) Object.assign(item, { text: stored.text, kind: stored.kind, ts: stored.ts });
    else item.fromAck = true;
    copySafety(item, stored);
    this.track(stored.seq);
    this.byId.set(item.id, item);
    this.insert(item);
    return item;
  }

  /** A join/leave line, placed after the newest message seen so far (translated when drawn). */
  addNotice(textKey, vars) {
    this.notices += 1;
    const item = { notice: true, textKey, vars, order: this.lastSeq + 0.5, key: `n${this.notices}` };
    this.insert(item);
    return item;
  }

  remove(item) {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
    if (item.client_id) this.byClientId.delete(item.client_id);
  }

  track(seq) {
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.firstSeq === null || seq < this.firstSeq) this.firstSeq = seq;
  }

  insert(item) {
    // Keep order by seq; pending own messages (order Infinity) stay last.
    let index = this.items.length;
    while (index > 0 && this.items[index - 1].order > item.order) index -= 1;
    this.items.splice(index, 0, item);
  }

  next(item) {
    return this.items[this.items.indexOf(item) + 1] ?? null;
  }
}

/** What the safety pipeline attached to a message event or history item: a tip, a blur. */
function copySafety(item, message) {
  if (message.tip) item.tip = message.tip;
  if (message.blurred) item.blurred = true;
  if (message.held) item.held = true; // our own message, still awaiting moderation (history only)
}

/** The `safety` of our own message's ack: held for review, delivered blurred, or with a tip. */
export function applySafety(item, safety) {
  if (!safety || typeof safety !== "object") return;
  if (safety.action === "hold") Object.assign(item, { held: true, reason: safety.reason || null });
  if (safety.action === "blur") item.blurred = true;
  if (safety.tip) item.tip = safety.tip;
}

// --- rendering ----------------------------------------------------------------------------

const timeFormats = new Map();

function timeFormat() {
  const lang = currentLang();
  if (!timeFormats.has(lang)) {
    const locale = lang === "en" ? "en-GB" : "fr-FR";
    timeFormats.set(lang, new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }));
  }
  return timeFormats.get(lang);
}

export function bandBadge(band) {
  if (band !== "minor" && band !== "adult") return null;
  return h("span", { class: `badge badge-${band}`, title: t(`band.${band}.long`), text: t(`band.${band}`) });
}

/** One message as a list item. Every piece of user content is a text node. */
export function messageNode(item, { mine, onRetry, onReveal }) {
  if (item.notice) return h("li", { class: "notice", text: t(item.textKey, item.vars) });
  const when = new Date(item.ts || Date.now());
  const classes = ["message"];
  if (mine) classes.push("message-own");
  if (item.kind === "action") classes.push("message-action");
  if (item.pending) classes.push("message-pending");
  if (item.failed) classes.push("message-failed");
  if (item.held) classes.push("message-held");
  const masked = item.blurred && !mine && !item.revealed;
  if (masked) classes.push("message-masked");
  const meta = h(
    "div",
    { class: "message-meta" },
    h("span", { class: "message-author", text: item.sender }),
    bandBadge(item.sender_band),
    h("time", { class: "message-time", datetime: when.toISOString(), text: timeFormat().format(when) }),
    item.pending ? h("span", { class: "message-state", text: t("message.pending") }) : null,
  );
  const content = h("div", { class: "message-body" }, meta, masked ? maskedButton(item, onReveal) : textOf(item));
  if (item.held) content.append(heldNote(item));
  if (item.blurred && mine) content.append(h("p", { class: "message-note", text: t("message.blurred.own") }));
  if (item.tip) content.append(tipBox(item.tip));
  if (item.failed) content.append(failureLine(item, onRetry));
  return h("li", { class: classes.join(" ") }, avatar(item.sender), content);
}

function textOf(item) {
  // A message revealed by its reader can take focus, so the keyboard stays where the button was.
  const props = { class: item.blurred ? "message-text message-revealed" : "message-text" };
  if (item.blurred) props.tabindex = "-1";
  if (item.kind === "action") return h("p", props, h("em", { text: `* ${item.sender} ${item.text}` }));
  return h("p", { ...props, text: item.text });
}

/** A hidden message: the text is not in the page at all until the reader asks for it. */
function maskedButton(item, onReveal) {
  return h(
    "button",
    {
      type: "button",
      class: "message-reveal",
      title: t("message.masked.why"),
      onclick: () => onReveal && onReveal(item),
    },
    h("span", { class: "masked-shape blurred", "aria-hidden": "true" }),
    h("span", { class: "masked-label", text: t("message.masked") }),
  );
}

function heldNote(item) {
  const note = h("p", { class: "message-held-note" }, h("strong", { text: t("message.held") }));
  const reason = localText(item.reason);
  if (reason) note.append(" — ", reason);
  return note;
}

/** A safety tip from the server (meeting someone, help lines such as 3114), under the message. */
export function tipBox(tip) {
  return h(
    "div",
    { class: "safety-tip", role: "note", "aria-label": t("tip.label") },
    h("span", { class: "safety-tip-icon", "aria-hidden": "true", text: "i" }),
    h("p", { class: "safety-tip-text", text: localText(tip) }),
  );
}

function failureLine(item, onRetry) {
  const failed = h("strong", { text: t("message.failed") });
  const line = h("p", { class: "message-error" }, failed, " — ", serverText(item.failed));
  if (item.retryable && onRetry) {
    const again = h("button", { class: "link-button", type: "button", text: t("composer.send") });
    again.addEventListener("click", () => onRetry(item));
    line.append(" ", again);
  }
  return line;
}
