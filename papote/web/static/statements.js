// Statements of reasons (DSA art. 17) and appeals (art. 20), as the person affected sees them.
//
// Statements are kept in sessionStorage: a suspension closes the socket right after the
// statement, and the suspended page (even after a reload) must still show what was decided.

import { PapoteError, fileAppeal } from "./api.js";
import { h } from "./dom.js";
import { currentLang, localText, serverText, t } from "./i18n.js";

const STORAGE_KEY = "papote.statements";
const PERMANENT_AFTER_MS = 100 * 365 * 86_400_000; // a ban's "until" is the year 9999

export class Statements {
  /** send(frame) -> Promise of the reply's data, or null when there is no open connection. */
  constructor({ send }) {
    this.send = send;
    this.items = load();
    this.containers = [];
    this.owner = null; // the pseudonym these statements are about
  }

  /** Where the panels are drawn (the chat, the suspended page): every container shows them all. */
  attach(container) {
    this.containers.push(container);
    this.render();
  }

  /** A new person on this tab: statements about someone else are not theirs to read. */
  setOwner(pseudo) {
    if (this.owner && pseudo && this.owner !== pseudo) this.clear();
    this.owner = pseudo || this.owner;
  }

  clear() {
    this.items = [];
    this.owner = null;
    this.save();
    this.render();
  }

  /** A `statement_of_reasons` event. */
  received(frame) {
    if (!Number.isInteger(frame.decision_id)) return;
    const known = this.items.find((item) => item.decision_id === frame.decision_id);
    if (known) return;
    this.items.unshift({ ...pick(frame), received_ms: Date.now(), hidden: false, appeal: null, outcome: null });
    this.save();
    this.render();
  }

  /** An `appeal_decided` event. */
  decided(frame) {
    const item = this.items.find((i) => i.decision_id === frame.decision_id);
    if (!item) return false;
    Object.assign(item, { outcome: { status: frame.outcome, message: frame.message || null }, hidden: false });
    this.save();
    this.render();
    return true;
  }

  save() {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.items));
    } catch {
      // not kept across a reload, but shown for as long as the page lives
    }
  }

  render() {
    const visible = this.items.filter((item) => !item.hidden);
    this.containers.forEach((container, index) => {
      const focused = container.contains(document.activeElement) ? document.activeElement.dataset.key : null;
      // Every container shows the same panels: ids get a suffix per container so labels stay tied to their field.
      container.replaceChildren(...visible.map((item) => uniqueIds(this.panel(item), index)));
      container.hidden = visible.length === 0;
      if (focused) container.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
    });
  }

  panel(item) {
    const id = item.decision_id;
    const rows = [
      [t("statement.what"), whatWasDone(item)],
      [t("statement.facts"), item.facts],
      [t("statement.reason"), item.reason],
      [t("statement.rule"), item.rule],
      [t("statement.how"), t(item.automated ? "statement.automated" : "statement.human")],
    ];
    if (item.appeal_until) {
      rows.push([t("statement.appeal.until"), t("statement.appeal.free", { date: dateText(item.appeal_until) })]);
    }
    const list = h(
      "dl",
      { class: "statement-facts" },
      rows.filter(([, value]) => value).flatMap(([label, value]) => [h("dt", { text: label }), h("dd", { text: value })]),
    );
    const hide = h("button", {
      type: "button",
      class: "button button-quiet button-small statement-hide",
      "data-key": `hide:${id}`,
      text: t("statement.hide"),
      onclick: () => {
        item.hidden = true;
        this.save();
        this.render();
      },
    });
    return h(
      "section",
      { class: "statement", "aria-labelledby": `statement-${id}`, "data-decision": String(id) },
      h(
        "header",
        { class: "statement-header" },
        h("h2", {
          id: `statement-${id}`,
          class: "statement-title",
          text: t("statement.title", { id, action: actionName(item.action) }),
        }),
        hide,
      ),
      h("p", { class: "statement-lead", text: t("statement.lead") }),
      list,
      this.appealPart(item),
    );
  }

  appealPart(item) {
    const id = item.decision_id;
    if (item.outcome) {
      const key = item.outcome.status === "reversed" ? "statement.appeal.reversed" : "statement.appeal.upheld";
      return h(
        "div",
        { class: `statement-outcome statement-outcome-${item.outcome.status}`, role: "status" },
        h("strong", { text: t(key) }),
        item.outcome.message ? h("p", { text: localText(item.outcome.message) }) : null,
      );
    }
    if (item.appeal && item.appeal.id) {
      return h("p", { class: "statement-appealed", role: "status", text: t("statement.appeal.done", { id: item.appeal.id }) });
    }
    if (item.appeal_until && Date.now() > item.appeal_until) return null;
    if (!item.appeal || !item.appeal.open) {
      return h("button", {
        type: "button",
        class: "button button-secondary statement-appeal",
        "data-key": `appeal:${id}`,
        text: t("statement.appeal"),
        onclick: (event) => {
          const container = this.containers.find((c) => c.contains(event.currentTarget));
          item.appeal = { open: true, error: null, text: "" };
          this.render();
          container?.querySelector(`[data-key="appeal-text:${id}"]`)?.focus();
        },
      });
    }
    return this.appealForm(item);
  }

  appealForm(item) {
    const id = item.decision_id;
    const text = h("textarea", {
      id: `appeal-text-${id}`,
      class: "appeal-text",
      "data-key": `appeal-text:${id}`,
      rows: "3",
      maxlength: "2000",
      required: true,
    });
    text.value = item.appeal.text || "";
    text.addEventListener("input", () => {
      item.appeal.text = text.value;
    });
    const error = item.appeal.error;
    const form = h(
      "form",
      { class: "appeal-form", novalidate: true },
      h("label", { for: `appeal-text-${id}`, text: t("statement.appeal.label") }),
      text,
      error ? h("p", { class: "form-error", role: "alert", text: errorText(error, id) }) : null,
      h(
        "div",
        { class: "dialog-actions" },
        h("button", {
          type: "button",
          class: "button button-quiet",
          text: t("action.cancel"),
          onclick: () => {
            item.appeal = null;
            this.render();
          },
        }),
        h("button", {
          type: "submit",
          class: "button button-primary",
          "data-key": `send:${id}`,
          text: t("statement.appeal.send"),
        }),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.appeal(item, text.value.trim(), form);
    });
    return form;
  }

  async appeal(item, text, form) {
    if (!text) {
      item.appeal.error = "statement.appeal.empty";
      this.render();
      return;
    }
    form.querySelector("[type=submit]").disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      // Over HTTP: the server accepts it from a suspended session too (the chat's connection is closed then).
      const data = await fileAppeal(item.decision_id, text);
      item.appeal = { id: data.appeal };
    } catch (error) {
      item.appeal = { open: true, text, error };
    }
    this.save();
    this.render();
  }
}

function uniqueIds(panel, index) {
  if (index === 0) return panel;
  const suffix = `-${index}`;
  for (const element of [panel, ...panel.querySelectorAll("[id], [for], [aria-describedby], [aria-labelledby]")]) {
    if (element.id) element.id += suffix;
    if (element.htmlFor) element.htmlFor += suffix;
    for (const name of ["aria-describedby", "aria-labelledby"]) {
      const value = element.getAttribute(name);
      if (value) element.setAttribute(name, value.split(" ").map((ref) => ref + suffix).join(" "));
    }
  }
  return panel;
}

function pick(frame) {
  const keys = ["decision_id", "action", "reason", "facts", "rule", "automated", "duration", "appeal_until", "message"];
  return Object.fromEntries(keys.map((key) => [key, frame[key] ?? null]));
}

function load() {
  try {
    const items = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "[]");
    return Array.isArray(items) ? items.filter((item) => Number.isInteger(item.decision_id)) : [];
  } catch {
    return [];
  }
}

function errorText(error, id) {
  if (typeof error === "string") return t(error);
  if (error.code === "account_suspended") return t("statement.appeal.suspended", { id });
  return serverText(error);
}

export function actionName(action) {
  const key = `action.name.${action}`;
  const text = t(key);
  return text === key ? String(action) : text;
}

/** "Avertissement", or "Écriture bloquée — 2 h, jusqu'au 3 mai 2025 à 14:05". */
function whatWasDone(item) {
  const name = actionName(item.action);
  if (!item.duration) return name;
  const until = item.received_ms + item.duration * 1000;
  if (until - item.received_ms > PERMANENT_AFTER_MS) return `${name} — ${t("statement.permanent")}`;
  return `${name} — ${t("statement.until", { duration: durationText(item.duration), date: dateText(until, true) })}`;
}

export function durationText(seconds) {
  if (seconds >= 86_400) return t("duration.days", { n: Math.round(seconds / 86_400) });
  if (seconds >= 3600) return t("duration.hours", { n: Math.round(seconds / 3600) });
  return t("duration.minutes", { n: Math.max(1, Math.round(seconds / 60)) });
}

export function dateText(ms, withTime = false) {
  const locale = currentLang() === "en" ? "en-GB" : "fr-FR";
  const options = withTime ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" };
  return new Intl.DateTimeFormat(locale, options).format(new Date(ms));
}
