// Papote web client: entry page, account, language switch, and the chat once inside.
// Plain ES modules, no build step. The CSP allows no inline script or style: all
// behaviour is attached here, all looks are CSS classes.

import * as api from "./api.js";
import { Chat } from "./chat.js";
import { byId, h, show } from "./dom.js";
import { currentLang, onLangChange, serverText, setLang, t, translateDocument } from "./i18n.js";
import { bandBadge } from "./messages.js";
import { Statements } from "./statements.js";

const TOAST_MS = 7000;
const MODERATOR_ROLES = new Set(["room_moderator", "moderator", "admin"]);
// Which field to focus for each refusal of the entry form.
const FIELD_OF_CODE = {
  pseudo_length: "pseudo",
  pseudo_characters: "pseudo",
  pseudo_reserved: "pseudo",
  pseudo_taken: "pseudo",
  pseudo_offensive: "pseudo",
  pseudo_sexual: "pseudo",
  pseudo_contact: "pseudo",
  too_young: "birth-date",
  invalid_birth_date: "birth-date",
  invalid_gender: "pseudo",
  invalid_departement: "departement",
  rules_not_accepted: "accept-rules",
};

const errors = {}; // form error element id -> the error shown, redrawn when the language changes

function showFormError(id, error) {
  errors[id] = error;
  renderFormError(id);
}

function renderFormError(id) {
  const box = byId(id);
  const error = errors[id];
  box.textContent = error ? (typeof error === "string" ? t(error) : serverText(error)) : "";
  show(box, Boolean(error));
}

// --- toasts --------------------------------------------------------------------------------

/** A short message at the top right. `key` lets the chat take it back once it is moot. */
function toast(text, action = null, { error = false, key = null } = {}) {
  if (key) dismissToast(key);
  const item = h("div", { class: `toast${error ? " toast-error" : ""}`, "data-toast": key }, h("p", { text }));
  const close = () => item.remove();
  if (action) {
    item.append(
      h("button", {
        type: "button",
        class: "button button-quiet button-small",
        text: action.label,
        onclick: () => {
          close();
          action.run();
        },
      }),
    );
  }
  item.append(h("button", { type: "button", class: "toast-close", "aria-label": t("action.dismiss"), text: "×", onclick: close }));
  byId("toasts").append(item);
  setTimeout(close, action ? TOAST_MS * 1.5 : TOAST_MS);
}

function dismissToast(key) {
  for (const item of byId("toasts").querySelectorAll("[data-toast]")) {
    if (item.dataset.toast === key) item.remove();
  }
}

// --- views ---------------------------------------------------------------------------------

// Statements of reasons outlive the chat: a suspension stops it, and the suspended page shows them.
const statements = new Statements({ send: (frame) => (chat.online() ? chat.request(frame) : null) });
const chat = new Chat({
  toast,
  dismissToast,
  onSessionLost: () => leaveChat("entry.expired"),
  onSuspended: (texts) => showSuspended(texts),
  onPerson: showPerson,
  statements,
});
statements.attach(byId("statements"));
statements.attach(byId("suspended-statements"));
onLangChange(() => statements.render());
let suspension = null; // {code, texts}: the server's explanation while the suspended page is shown

function showPerson(person) {
  byId("me-pseudo").textContent = person.pseudo;
  const badge = byId("me-band");
  badge.replaceWith(Object.assign(bandBadge(person.age_band) || h("span"), { id: "me-band" }));
  show(byId("me"), true);
  show(byId("account-button"), !person.registered);
  show(byId("logout-button"), true);
  show(byId("moderation-link"), MODERATOR_ROLES.has(person.role));
}

function enterChat(person) {
  statements.setOwner(person.pseudo);
  show(byId("entry-view"), false);
  show(byId("chat-view"), true);
  document.body.classList.add("in-chat");
  showPerson(person);
  chat.start(person);
}

function leaveChat(reason = null) {
  chat.stop();
  statements.clear(); // the next person on this browser does not read them
  suspension = null;
  show(byId("suspended-view"), false);
  byId("toasts").replaceChildren(); // nothing of the last session stays on screen
  byId("me-pseudo").textContent = "";
  show(byId("chat-view"), false);
  show(byId("me"), false);
  show(byId("account-button"), false);
  show(byId("logout-button"), false);
  show(byId("moderation-link"), false);
  document.body.classList.remove("in-chat");
  showEntry();
  if (reason) showFormError("enter-error", reason);
}

/** Suspended pending review: a full page with the reason, and no reconnection behind it. */
function showSuspended(texts) {
  chat.stop();
  suspension = { code: "account_suspended", texts: texts || null };
  byId("toasts").replaceChildren();
  show(byId("chat-view"), false);
  show(byId("entry-view"), false);
  show(byId("me"), false);
  show(byId("account-button"), false);
  show(byId("logout-button"), false);
  show(byId("moderation-link"), false);
  document.body.classList.remove("in-chat");
  renderSuspended();
  show(byId("suspended-view"), true);
  byId("suspended-title").focus();
}

function renderSuspended() {
  if (!suspension) return;
  byId("suspended-text").textContent = serverText(suspension); // our own words if the server gave none
}

function showEntry() {
  show(byId("entry-view"), true);
  showForm("enter");
}

function showForm(which) {
  show(byId("enter-form"), which === "enter");
  show(byId("login-form"), which === "login");
}

// --- entry form ----------------------------------------------------------------------------

function entryDetails(form) {
  const data = new FormData(form);
  return {
    pseudo: String(data.get("pseudo") || "").trim(),
    birth_date: String(data.get("birth_date") || ""),
    gender: String(data.get("gender") || "") || null,
    departement: String(data.get("departement") || "").trim() || null,
    accept_rules: byId("accept-rules").checked,
  };
}

/** The obvious mistakes, caught before asking the server (which checks everything again). */
function missingField(details) {
  if (!details.pseudo) return ["entry.missing.pseudo", "pseudo"];
  if (!details.birth_date) return ["entry.missing.birth", "birth-date"];
  if (!details.accept_rules) return ["entry.missing.rules", "accept-rules"];
  return null;
}

async function submitEntry(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const details = entryDetails(form);
  const missing = missingField(details);
  if (missing) {
    showFormError("enter-error", missing[0]);
    markInvalid(missing[1]);
    return;
  }
  await withBusy(form, async () => {
    try {
      const { person } = await api.enter(details);
      showFormError("enter-error", null);
      markInvalid(null);
      enterChat(person);
    } catch (error) {
      showFormError("enter-error", error);
      markInvalid(FIELD_OF_CODE[error.code]);
    }
  });
}

/** Point at the field to fix: focus it and mark it invalid for assistive technologies. */
function markInvalid(fieldId) {
  for (const field of byId("enter-form").querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  if (!fieldId) return;
  const field = byId(fieldId);
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const email = byId("login-email").value.trim();
  const password = byId("login-password").value;
  if (!email || !password) {
    showFormError("login-error", "login.missing");
    return;
  }
  await withBusy(form, async () => {
    try {
      const { person } = await api.login(email, password);
      showFormError("login-error", null);
      form.reset();
      enterChat(person);
    } catch (error) {
      showFormError("login-error", error);
    }
  });
}

async function submitRegister(event) {
  event.preventDefault();
  const form = event.currentTarget;
  await withBusy(form, async () => {
    try {
      const { person } = await api.register(byId("register-email").value.trim(), byId("register-password").value);
      showFormError("register-error", null);
      form.reset();
      byId("account-dialog").close();
      showPerson(person);
      chat.setPerson(person);
      toast(t("account.done", { pseudo: person.pseudo }));
    } catch (error) {
      showFormError("register-error", error);
    }
  });
}

/** Disable a form's submit button while its request runs, so a double click sends once. */
async function withBusy(form, run) {
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    await run();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // leave anyway: the cookie expires on its own
  }
  leaveChat();
}

function limitBirthDate() {
  // A date picker that cannot go into the future; the server decides the rest.
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  byId("birth-date").max = iso(today);
  byId("birth-date").min = iso(new Date(today.getFullYear() - 120, 0, 1));
}

// --- language --------------------------------------------------------------------------------

function renderLangSwitch() {
  const button = byId("lang-switch");
  const other = currentLang() === "fr" ? "en" : "fr";
  // The short label ("EN") is what a phone-width top bar has room for.
  button.replaceChildren(
    h("span", { class: "label-long", text: other === "en" ? "English" : "Français" }),
    h("span", { class: "label-short", "aria-hidden": "true", text: other.toUpperCase() }),
  );
  button.lang = other;
  button.setAttribute("aria-label", other === "en" ? "Switch to English" : "Passer en français");
}

function bind() {
  byId("enter-form").addEventListener("submit", submitEntry);
  byId("login-form").addEventListener("submit", submitLogin);
  byId("register-form").addEventListener("submit", submitRegister);
  byId("show-login").addEventListener("click", () => {
    showForm("login");
    byId("login-email").focus();
  });
  byId("show-enter").addEventListener("click", () => {
    showForm("enter");
    byId("pseudo").focus();
  });
  byId("account-button").addEventListener("click", () => {
    byId("account-dialog").showModal();
    byId("register-email").focus();
  });
  byId("create-room-keep").addEventListener("click", () => byId("account-button").click());
  byId("register-cancel").addEventListener("click", () => byId("account-dialog").close());
  byId("logout-button").addEventListener("click", logout);
  byId("suspended-leave").addEventListener("click", logout);
  byId("lang-switch").addEventListener("click", () => setLang(currentLang() === "fr" ? "en" : "fr"));
  onLangChange(() => {
    renderLangSwitch();
    renderSuspended();
    for (const id of Object.keys(errors)) renderFormError(id);
  });
}

async function main() {
  translateDocument();
  renderLangSwitch();
  limitBirthDate();
  bind();
  let person = null;
  try {
    person = await api.me();
  } catch (error) {
    if (error.code === "account_suspended") {
      showSuspended(error.texts);
      return;
    }
    person = null; // server unreachable: the entry form will say so when used
  }
  if (person) enterChat(person);
  else showEntry();
}

main();
