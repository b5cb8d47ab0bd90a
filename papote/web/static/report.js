// The public report page (/signaler): anyone may report, with or without a session.
// A child-abuse report asks for no name and no e-mail at all.

import * as api from "./api.js";
import { byId, h, show } from "./dom.js";
import { currentLang, onLangChange, renderLangSwitch, serverText, setLang, t, translateDocument } from "./i18n.js";
import { CATEGORIES, CHILD_ABUSE, helpLinks } from "./reporting.js";

const MAX_TEXT = 2000; // the server's limit for the whole note, contact included
const NUMBERED = new Set(["message", "image", "conversation"]);

let error = null; // the refusal shown, redrawn when the language changes
let lastReport = null;

function kind() {
  return document.querySelector("input[name=kind]:checked").value;
}

function category() {
  return byId("public-category").value;
}

function renderCategories() {
  const select = byId("public-category");
  const chosen = select.value;
  const options = [h("option", { value: "", text: t("public.category.choose") })];
  for (const value of CATEGORIES) options.push(h("option", { value, text: t(`category.${value}`) }));
  select.replaceChildren(...options);
  select.value = chosen;
}

/** The label and hint of the "where" field follow what is reported. */
function renderWhere() {
  const which = kind();
  const label = byId("public-where-label");
  const hint = byId("public-where-hint");
  label.dataset.i18n = `public.where.${which}`;
  hint.dataset.i18n = `public.where.${which}.hint`;
  label.textContent = t(label.dataset.i18n);
  hint.textContent = t(hint.dataset.i18n);
}

/** No contact details for a child-abuse report: the fields are not even shown. */
function renderContact() {
  const childAbuse = CHILD_ABUSE.has(category());
  show(byId("public-contact"), !childAbuse);
  show(byId("public-no-contact"), childAbuse);
}

function renderHelp() {
  byId("public-help-links").replaceChildren(helpLinks({ minor: true }));
}

function renderError() {
  const box = byId("public-error");
  box.textContent = error ? (typeof error === "string" ? t(error) : serverText(error)) : "";
  show(box, Boolean(error));
}

function renderDone() {
  if (lastReport !== null) byId("public-done-title").textContent = t("report.done.title", { id: lastReport });
}

/**
 * What the server needs to find the target: a number for a message, a photo or a conversation
 * (the last one in a pasted link), a pseudonym without "@", a room's identifier.
 */
export function targetOf(reported, where) {
  const text = where.trim();
  if (!text) return null;
  if (NUMBERED.has(reported)) {
    const found = text.match(/(\d+)\D*$/);
    return found ? Number(found[1]) : null;
  }
  if (reported === "user") return text.replace(/^@/, "");
  let room = text;
  try {
    const url = new URL(text);
    room = url.searchParams.get("room") || url.pathname.split("/").filter(Boolean).pop() || "";
  } catch {
    // not a link: the identifier itself
  }
  return room.toLowerCase() || null;
}

/** The server has no contact fields: the optional name and e-mail travel with the note. */
function noteWithContact(text, name, email) {
  if (!name && !email) return text;
  const contact = `— Contact : ${[name, email ? `<${email}>` : ""].filter(Boolean).join(" ")}`;
  const room = MAX_TEXT - contact.length - 2;
  return `${text.slice(0, Math.max(0, room))}\n\n${contact}`.trim();
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const reported = kind();
  const target = targetOf(reported, byId("public-where").value);
  if (target === null) {
    error = NUMBERED.has(reported) ? "public.missing.number" : "public.missing.where";
    renderError();
    byId("public-where").focus();
    return;
  }
  if (!category()) {
    error = "public.missing.category";
    renderError();
    byId("public-category").focus();
    return;
  }
  const childAbuse = CHILD_ABUSE.has(category());
  const name = childAbuse ? "" : byId("public-name").value.trim();
  const email = childAbuse ? "" : byId("public-email").value.trim();
  const text = noteWithContact(byId("public-text").value.trim(), name, email);
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    const data = await api.publicReport({ kind: reported, target_id: target, category: category(), text: text || null });
    error = null;
    lastReport = data.report;
    form.reset();
    renderWhere();
    renderContact();
    show(form, false);
    show(byId("public-done"), true);
    renderDone();
    byId("public-done-title").focus();
  } catch (refusal) {
    error = refusal;
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
  renderError();
}

function again() {
  lastReport = null;
  show(byId("public-done"), false);
  show(byId("public-report-form"), true);
  byId("public-where").focus();
}

function renderAll() {
  translateDocument();
  document.title = t("public.page.title");
  renderLangSwitch(byId("lang-switch"));
  renderCategories();
  renderWhere();
  renderContact();
  renderHelp();
  renderError();
  renderDone();
}

function main() {
  byId("public-report-form").addEventListener("submit", submit);
  for (const radio of document.querySelectorAll("input[name=kind]")) radio.addEventListener("change", renderWhere);
  byId("public-category").addEventListener("change", renderContact);
  byId("public-again").addEventListener("click", again);
  byId("lang-switch").addEventListener("click", () => setLang(currentLang() === "fr" ? "en" : "fr"));
  onLangChange(renderAll);
  renderAll();
}

main();
