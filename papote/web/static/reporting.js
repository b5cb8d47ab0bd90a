// Reporting from the chat in two clicks: "Signaler", then a category (which sends at once).
// The acknowledgement says where else to turn: PHAROS for illegal content, the 3018 for minors.

import { h } from "./dom.js";
import { serverText, t } from "./i18n.js";

/** The safety labels plus `illegal_other` and `other`, the most urgent first (the server's order). */
export const CATEGORIES = [
  "minor_sexual_risk",
  "csam_signal",
  "ncii",
  "self_harm",
  "threat",
  "hate",
  "harassment",
  "sexual_solicitation",
  "contact_offplatform",
  "meetup_risk",
  "drug_sale",
  "scam_spam",
  "illegal_other",
  "other",
];
/** Child-abuse reports: no name or e-mail is ever asked for them. */
export const CHILD_ABUSE = new Set(["csam_signal", "minor_sexual_risk"]);
export const PHAROS_URL = "https://www.internet-signalement.gouv.fr";
export const HELPLINE_3018_URL = "https://www.e-enfance.org/numero-3018/";

/** PHAROS always; the 3018 when a minor is involved (the reporter, the person reported, or the category). */
export function helpLinks({ minor }) {
  const external = { target: "_blank", rel: "noopener noreferrer" };
  const links = [
    h(
      "p",
      { class: "help-line help-pharos" },
      t("report.pharos"),
      " ",
      h("a", { ...external, href: PHAROS_URL, text: t("report.pharos.link") }),
    ),
  ];
  if (minor) {
    links.push(
      h(
        "p",
        { class: "help-line help-3018" },
        t("report.3018"),
        " ",
        h("a", { ...external, href: HELPLINE_3018_URL, text: t("report.3018.link") }),
      ),
    );
  }
  links.push(h("p", { class: "help-line help-danger", text: t("report.danger") }));
  return h("div", { class: "help-links" }, links);
}

/**
 * The report dialog. `send(frame)` sends a command and resolves with the reply's data;
 * `me()` gives the person reporting (for their age band); `onBlock(pseudo)` blocks.
 */
export class ReportDialog {
  constructor({ send, me, onBlock }) {
    this.send = send;
    this.me = me;
    this.onBlock = onBlock;
    this.target = null; // {kind, id, pseudo, band}
    // The server's report_received event comes just before the reply: while a report is on its
    // way, or once its number is shown here, the event is not shown a second time.
    this.acknowledged = new Set();
    this.sending = 0;
    this.dialog = h("dialog", { id: "report-dialog", class: "dialog report-dialog", "aria-labelledby": "report-title" });
    this.dialog.addEventListener("close", () => {
      this.target = null;
      this.dialog.replaceChildren();
    });
    document.body.append(this.dialog);
  }

  /** target: {kind: "message"|"image"|"user", id (message id or pseudonym), pseudo, band}. */
  open(target) {
    this.target = target;
    this.renderChoice();
    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.querySelector(".report-category")?.focus();
  }

  /** Whether this dialog shows (or is about to show) the acknowledgement of this report. */
  shows(reportId) {
    return this.sending > 0 || this.acknowledged.has(reportId);
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  renderChoice(error = null) {
    const { kind, pseudo } = this.target;
    const text = h("textarea", { id: "report-text", class: "report-text", rows: "2", maxlength: "2000" });
    const buttons = CATEGORIES.map((category) =>
      h("button", {
        type: "button",
        class: CHILD_ABUSE.has(category) ? "report-category report-category-urgent" : "report-category",
        "data-category": category,
        text: t(`category.${category}`),
        onclick: () => this.submit(category, text.value),
      }),
    );
    this.dialog.replaceChildren(
      h("h2", { id: "report-title", text: t(`report.title.${kind}`, { pseudo }) }),
      h("p", { class: "hint", text: t("report.lead") }),
      h(
        "div",
        { class: "field" },
        h("label", { for: "report-text", text: t("report.text.label") }),
        text,
      ),
      h(
        "div",
        { class: "report-categories", role: "group", "aria-label": t("report.categories") },
        buttons,
      ),
      error ? h("p", { class: "form-error", role: "alert", text: serverText(error) }) : null,
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "button", class: "button button-quiet", text: t("action.cancel"), onclick: () => this.close() }),
      ),
    );
  }

  async submit(category, text) {
    const target = this.target;
    if (!target) return;
    for (const button of this.dialog.querySelectorAll("button")) button.disabled = true;
    this.dialog.setAttribute("aria-busy", "true");
    const note = text.trim();
    let data;
    this.sending += 1;
    try {
      data = await this.send({ type: "report", kind: target.kind, target_id: target.id, category, text: note || null });
    } catch (error) {
      if (this.target === target) this.renderChoice(error);
      return;
    } finally {
      this.sending -= 1;
      this.dialog.removeAttribute("aria-busy");
    }
    this.acknowledged.add(data.report);
    if (this.target !== target) return; // closed meanwhile: the report is filed all the same
    this.renderDone(data.report, category);
  }

  renderDone(reportId, category) {
    const { pseudo, band } = this.target;
    const me = this.me() || {};
    const minor = me.age_band === "minor" || band === "minor" || CHILD_ABUSE.has(category);
    const block = this.onBlock
      ? h("button", {
          type: "button",
          class: "button button-danger-quiet",
          text: t("report.done.block", { pseudo }),
          onclick: () => {
            this.close();
            this.onBlock(pseudo);
          },
        })
      : null;
    const close = h("button", {
      type: "button",
      class: "button button-primary",
      text: t("action.close"),
      onclick: () => this.close(),
    });
    this.dialog.replaceChildren(
      h(
        "div",
        { class: "report-done", role: "status" },
        h("h2", { id: "report-title", class: "report-done-title", text: t("report.done.title", { id: reportId }) }),
        h("p", { text: t("report.done.text") }),
      ),
      helpLinks({ minor }),
      h("div", { class: "dialog-actions" }, block, close),
    );
    close.focus();
  }
}
