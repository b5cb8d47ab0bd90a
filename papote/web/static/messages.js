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
      copyImage(known, message);
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
    copyImage(item, stored); // the ack of a photo carries its URLs too
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

/** Where a photo message's picture is fetched (same origin, with the session cookie). */
function copyImage(item, message) {
  for (const name of ["image_url", "thumbnail_url", "preview_url"]) {
    if (typeof message[name] === "string") item[name] = message[name];
  }
}

/** What the safety pipeline attached to a message event or history item: a tip, a blur. */
function copySafety(item, message) {
  if (message.tip) item.tip = message.tip;
  if (message.blurred) item.blurred = true;
  if (message.held) item.held = true; // our own message, still awaiting moderation (history only)
}

/** The `safety` of our own message's ack: held for review, delivered blurred, or with a tip. */
export function applySafety(item, safety, flags = "") {
  // A photo blurred for others says so in the ack's flags, with or without a `safety` notice.
  if (typeof flags === "string" && flags.split(/[\s,]+/).includes("blur")) item.blurred = true;
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
export function messageNode(item, { mine, onRetry, onReveal, onBlock, onReport }) {
  if (item.notice) return h("li", { class: "notice", text: t(item.textKey, item.vars) });
  const when = new Date(item.ts || Date.now());
  const classes = ["message"];
  if (mine) classes.push("message-own");
  if (item.kind === "action") classes.push("message-action");
  if (item.kind === "image") classes.push("message-image");
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
    reportButton(item, mine, onReport),
  );
  const content = h("div", { class: "message-body" }, meta, bodyOf(item, masked, { onReveal, onBlock }));
  if (item.held) content.append(heldNote(item));
  if (item.blurred && mine) content.append(h("p", { class: "message-note", text: t("message.blurred.own") }));
  if (item.tip) content.append(tipBox(item.tip));
  if (item.failed) content.append(failureLine(item, onRetry));
  // data-id: the server's message number, which reports and the public report page refer to.
  const id = Number.isInteger(item.id) ? String(item.id) : null;
  return h("li", { class: classes.join(" "), "data-id": id }, avatar(item.sender), content);
}

/** "Signaler", the first of two clicks: on any stored message (or photo) of someone else, even a hidden one. */
function reportButton(item, mine, onReport) {
  if (mine || !onReport || item.pending || !Number.isInteger(item.id)) return null;
  const label = t(item.kind === "image" ? "report.photo.label" : "report.message.label", { pseudo: item.sender });
  return h("button", {
    type: "button",
    class: "message-report",
    "aria-label": label,
    title: label,
    text: t("report.action"),
    onclick: () => onReport(item),
  });
}

function bodyOf(item, masked, { onReveal, onBlock }) {
  if (item.kind !== "image") return masked ? maskedButton(item, onReveal) : textOf(item);
  // A hidden photo hides its caption too: only the server's blurred preview is in the page.
  if (masked) return maskedPhoto(item, onReveal, onBlock);
  return [photoOf(item), item.text ? textOf(item) : null];
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

/** A photo: its thumbnail, opening the full picture in a new tab; our own local copy while it is sent. */
function photoOf(item) {
  const source = item.thumbnail_url || item.localUrl;
  const alt = t("photo.alt", { pseudo: item.sender });
  if (!source) return h("p", { class: "message-text", text: t("photo.preview") });
  const img = h("img", { class: "photo-thumbnail", src: source, alt, decoding: "async" });
  if (item.thumbnail_url && item.localUrl) {
    // The server's thumbnail replaced our local copy: the copy can go once it is on screen.
    img.addEventListener("load", () => releaseLocal(item), { once: true });
  }
  if (!item.image_url) return h("div", { class: "message-photo" }, img);
  // Revealed by its reader: focus lands here, where the button was.
  const props = {
    class: item.blurred ? "message-photo message-photo-link message-revealed" : "message-photo message-photo-link",
    href: item.image_url,
    target: "_blank",
    rel: "noopener",
    "aria-label": t("photo.open", { pseudo: item.sender }),
  };
  return h("a", props, img);
}

function releaseLocal(item) {
  if (!item.localUrl) return;
  URL.revokeObjectURL(item.localUrl);
  delete item.localUrl;
}

/** A photo the server blurred: its blurred preview (blurred again here), and the reader's two choices. */
function maskedPhoto(item, onReveal, onBlock) {
  const preview = item.preview_url
    ? h("img", { class: "photo-preview", src: item.preview_url, alt: "", "aria-hidden": "true" })
    : h("span", { class: "photo-preview photo-preview-empty", "aria-hidden": "true" });
  const reveal = h("button", {
    type: "button",
    class: "button button-secondary button-small photo-reveal",
    title: t("photo.masked.why"),
    text: t("photo.masked"),
    onclick: () => onReveal && onReveal(item),
  });
  const block = onBlock
    ? h("button", {
        type: "button",
        class: "button button-danger-quiet button-small photo-block",
        "aria-label": t("member.block.label", { pseudo: item.sender }),
        text: t("action.block"),
        onclick: () => onBlock(item.sender),
      })
    : null;
  const overlay = h(
    "div",
    { class: "photo-overlay" },
    h("p", { class: "photo-overlay-text", text: t("photo.masked.why") }),
    h("div", { class: "photo-overlay-actions" }, reveal, block),
  );
  return h("div", { class: "message-photo photo-masked" }, preview, overlay);
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
