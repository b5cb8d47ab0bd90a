// The moderators' console (/moderation): the queue as the server orders it, one case with its
// frozen evidence and the person's history, claims, decisions with a required reason, appeals.
//
// Evidence is shown as text; photos are blurred and greyscale until the moderator asks to see them.

import * as api from "./api.js";
import { byId, h, replaceChildrenKeepingFocus, show } from "./dom.js";
import { currentLang, onLangChange, renderLangSwitch, serverText, setLang, t, translateDocument } from "./i18n.js";
import { Connection } from "./socket.js";
import { actionName, dateText, durationText } from "./statements.js";

const POLL_MS = 5000; // no server event announces new cases: the queue is asked for again
const TOAST_MS = 7000;
const MODERATOR_ROLES = new Set(["room_moderator", "moderator", "admin"]);
const GLOBAL_ROLES = new Set(["moderator", "admin"]);
const ACTIONS = ["dismiss", "remove_content", "warn", "mute", "suspend", "ban", "restrict_private"];
const TIMED = new Set(["mute", "suspend"]);
const UNITS = { minutes: 60, hours: 3600, days: 86_400 };
const PARTS = ["item", "image", "context", "person"]; // the evidence parts in reading order

const state = {
  connection: null,
  me: null,
  cases: [],
  known: null, // case ids seen at the last refresh (null before the first one)
  selected: null, // the case id on screen
  detail: null,
  detailError: null,
  appeals: [],
  drafts: new Map(), // appeal id -> the reason being typed (kept across refreshes)
  appealErrors: new Map(),
  poll: null,
};

// --- small helpers ------------------------------------------------------------------------

function toast(text, { error = false } = {}) {
  const item = h("div", { class: `toast${error ? " toast-error" : ""}` }, h("p", { text }));
  const close = () => item.remove();
  const dismiss = { type: "button", class: "toast-close", "aria-label": t("action.dismiss"), text: "×", onclick: close };
  item.append(h("button", dismiss));
  byId("toasts").append(item);
  setTimeout(close, TOAST_MS);
}

function request(frame) {
  if (!state.connection) return Promise.reject(new api.PapoteError("disconnected"));
  return state.connection.request(frame);
}

function when(ms) {
  return ms ? dateText(ms, true) : "";
}

/** "12 min", "3 h", "2 j": how long a case has waited. */
function waited(ms) {
  const seconds = Math.max(60, Math.round((Date.now() - ms) / 1000));
  return durationText(seconds);
}

function categoryName(category) {
  const key = `category.${category}`;
  const text = t(key);
  return text === key ? String(category) : text;
}

function sourceName(source) {
  const key = `mod.source.${source}`;
  const text = t(key);
  return text === key ? String(source) : text;
}

function definitionList(rows, className = "mod-facts") {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "");
  return h("dl", { class: className }, shown.flatMap(([label, value]) => [h("dt", { text: label }), h("dd", {}, value)]));
}

// --- views ---------------------------------------------------------------------------------

function showOnly(id) {
  for (const view of ["mod-login", "mod-refused", "mod-console"]) show(byId(view), view === id);
}

function refuse() {
  stop();
  showOnly("mod-refused");
  byId("mod-refused-title").focus();
}

function stop() {
  clearInterval(state.poll);
  state.poll = null;
  if (state.connection) state.connection.stop();
  state.connection = null;
}

function start(person) {
  state.me = person;
  byId("mod-me").textContent = person.pseudo;
  show(byId("mod-me"), true);
  if (!MODERATOR_ROLES.has(person.role)) {
    refuse();
    return;
  }
  showOnly("mod-console");
  setUpAdministration(person);
  state.connection = new Connection({
    onHello: (hello) => hello_(hello),
    onEvent: () => {}, // the console asks; the person's own chat events are for the chat
    onStatus: (status) => show(byId("connection-status"), status === "reconnecting"),
    checkSession: () => api.me().then((p) => p !== null, () => null),
    onSessionLost: () => {
      stop();
      showOnly("mod-login");
    },
    onSuspended: () => refuse(),
  });
  state.connection.start();
}

function hello_(hello) {
  state.me = { ...state.me, ...hello.person };
  if (!MODERATOR_ROLES.has(state.me.role)) {
    refuse();
    return;
  }
  refresh();
  clearInterval(state.poll);
  state.poll = setInterval(() => {
    if (!document.hidden) refresh();
  }, POLL_MS);
}

async function refresh() {
  await Promise.all([refreshQueue(), refreshAppeals()]);
}

/** A refusal of the whole console (a role taken away meanwhile) ends it politely. */
function refusedConsole(error) {
  if (error && error.code === "forbidden") {
    refuse();
    return true;
  }
  return false;
}

// --- the queue -----------------------------------------------------------------------------

async function refreshQueue() {
  let data;
  try {
    data = await request({ type: "cases", status: "open" });
  } catch (error) {
    refusedConsole(error);
    return;
  }
  const ids = new Set(data.cases.map((c) => c.id));
  if (state.known) {
    const fresh = data.cases.filter((c) => !state.known.has(c.id)).length;
    if (fresh > 0) byId("mod-announcer").textContent = t("mod.queue.new", { n: fresh });
  }
  state.known = ids;
  state.cases = data.cases; // in the server's order: priority, minor involved, trusted flagger, waiting time
  renderQueue();
}

function renderQueue() {
  const rows = state.cases.map((found) => caseRow(found));
  replaceChildrenKeepingFocus(byId("case-list"), rows);
  byId("queue-count").textContent = `(${state.cases.length})`;
  show(byId("queue-empty"), state.cases.length === 0);
}

function caseRow(found) {
  const badges = [
    h("span", { class: `badge priority priority-${Math.min(3, found.priority)}`, text: t("mod.priority", { n: found.priority }) }),
    found.minor_involved ? h("span", { class: "badge badge-minor", text: t("mod.minor") }) : null,
    found.source === "trusted_flagger" ? h("span", { class: "badge badge-staff", text: sourceName(found.source) }) : null,
    found.status === "claimed" ? h("span", { class: "badge case-claimed", text: t("mod.claimed") }) : null,
  ];
  const button = h(
    "button",
    {
      type: "button",
      class: "case-row",
      "data-key": `case:${found.id}`,
      "aria-current": state.selected === found.id ? "true" : null,
      onclick: () => openCase(found.id),
    },
    h("span", { class: "case-line" }, h("span", { class: "case-category", text: categoryName(found.category) }), badges),
    h(
      "span",
      { class: "case-meta" },
      t("mod.case.row", {
        id: found.id,
        target: found.target_kind ? `${t(`mod.target.${found.target_kind}`)} ${found.target_id ?? ""}` : found.channel || "",
        source: sourceName(found.source),
        waited: waited(found.created_ms),
      }),
    ),
  );
  const target = found.target_kind ? `${found.target_kind}:${found.target_id}` : null;
  return h("li", { class: "case-item", "data-case": String(found.id), "data-target": target }, button);
}

// --- one case ------------------------------------------------------------------------------

async function openCase(id) {
  state.selected = id;
  state.detailError = null;
  renderQueue();
  try {
    const data = await request({ type: "case", case_id: id });
    if (state.selected !== id) return;
    state.detail = data.case;
  } catch (error) {
    if (refusedConsole(error)) return;
    state.detail = null;
    state.detailError = error;
  }
  renderDetail();
  byId("case-title")?.focus();
}

function renderDetail() {
  const box = byId("case-detail");
  if (state.detailError) {
    box.replaceChildren(h("p", { class: "form-error", role: "alert", text: serverText(state.detailError) }));
    return;
  }
  const found = state.detail;
  if (!found) {
    box.replaceChildren(h("p", { class: "side-empty", text: t("mod.case.none") }));
    return;
  }
  const closed = found.status === "closed";
  const target = found.target_kind ? `${t(`mod.target.${found.target_kind}`)} ${found.target_id ?? ""}` : null;
  box.replaceChildren(
    h("h2", {
      id: "case-title",
      class: "case-title",
      tabindex: "-1",
      text: t("mod.case.title", { id: found.id, category: categoryName(found.category) }),
    }),
    definitionList([
      [t("mod.status"), t(`mod.status.${found.status}`)],
      [t("mod.priority.label"), String(found.priority)],
      [t("mod.source"), sourceName(found.source)],
      [t("mod.minor.label"), t(found.minor_involved ? "mod.yes" : "mod.no")],
      [t("mod.target"), target],
      [t("mod.channel"), found.channel],
      [t("mod.opened"), when(found.created_ms)],
      [t("mod.summary"), found.summary],
    ]),
    closed ? null : claimBar(found),
    section(t("mod.reports"), reportsOf(found.reports || [])),
    section(t("mod.evidence"), evidenceOf(found.evidence || [])),
    section(t("mod.history"), historyOf(found.history || {})),
    roomTools(found),
    closed ? h("p", { class: "case-closed-note", role: "status", text: t("mod.case.closed") }) : actionForm(found),
  );
}

function section(title, content) {
  return h("section", { class: "case-section" }, h("h3", { text: title }), content);
}

function claimBar(found) {
  const mine = found.claimed_by !== null && found.claimed_by !== undefined;
  return h(
    "div",
    { class: "case-claim" },
    mine ? h("span", { class: "badge case-claimed", text: t("mod.claimed") }) : null,
    h("button", {
      type: "button",
      class: "button button-secondary button-small",
      text: t(mine ? "mod.claim.again" : "mod.claim"),
      onclick: () => claim(found.id),
    }),
    GLOBAL_ROLES.has(state.me.role) ? assignForm(found) : null,
  );
}

/** Global moderators give a case to another member of the team (the server checks who may take it). */
function assignForm(found) {
  const input = h("input", { id: "assign-pseudo", class: "assign-pseudo", autocomplete: "off" });
  const form = h(
    "form",
    { class: "case-assign", novalidate: true },
    h("label", { for: "assign-pseudo", text: t("mod.assign.label") }),
    input,
    h("button", { type: "submit", class: "button button-secondary button-small", text: t("mod.assign") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const pseudo = input.value.trim();
    if (pseudo) claim(found.id, pseudo);
  });
  return form;
}

/** Emergency tools of the case's room: slow mode, registered people only, hold newcomers, lock. */
function roomTools(found) {
  if (!found.channel || !found.channel.startsWith("r:")) return null;
  const room = found.channel.slice(2);
  const slow = h("input", { id: "tools-slow", type: "number", min: "0", max: "3600", value: "0" });
  const box = (id, key) =>
    h("label", { class: "tools-flag", for: id }, h("input", { id, type: "checkbox", "data-tool": key }), t(`mod.tools.${key}`));
  const form = h(
    "form",
    { class: "room-tools", novalidate: true },
    h("label", { for: "tools-slow", text: t("mod.tools.slow") }),
    slow,
    box("tools-registered", "registered_only"),
    box("tools-hold", "hold_new_arrivals"),
    box("tools-lock", "locked"),
    h("button", { type: "submit", class: "button button-secondary button-small", text: t("mod.tools.apply") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const frame = { type: "room_tools", room, slow_mode: Number(slow.value) || 0 };
    for (const flag of form.querySelectorAll("[data-tool]")) frame[flag.dataset.tool] = flag.checked;
    try {
      await request(frame);
      toast(t("mod.tools.done", { room }));
    } catch (error) {
      if (!refusedConsole(error)) toast(serverText(error), { error: true });
    }
  });
  return section(t("mod.tools", { room }), form);
}

async function claim(id, assignTo = null) {
  try {
    await request(assignTo ? { type: "claim", case_id: id, assign_to: assignTo } : { type: "claim", case_id: id });
  } catch (error) {
    if (!refusedConsole(error)) toast(serverText(error), { error: true });
    return;
  }
  toast(t("mod.claim.done", { id }));
  await Promise.all([refreshQueue(), openCase(id)]);
}

function reportsOf(reports) {
  if (!reports.length) return h("p", { class: "hint", text: t("mod.reports.none") });
  return h(
    "ol",
    { class: "mod-list" },
    reports.map((report) =>
      h(
        "li",
        { class: "mod-report" },
        h("p", {
          class: "mod-line",
          text: t("mod.report.line", {
            id: report.id,
            category: categoryName(report.category),
            source: sourceName(report.source),
            when: when(report.created_ms),
          }),
        }),
        report.text ? h("blockquote", { class: "mod-quote", text: report.text }) : null,
      ),
    ),
  );
}

function evidenceOf(evidence) {
  if (!evidence.length) return h("p", { class: "hint", text: t("mod.evidence.none") });
  const ordered = [...evidence].sort((a, b) => rank(a.part) - rank(b.part) || a.id - b.id);
  const reported = evidence.find((e) => e.part === "item")?.content?.id ?? null;
  return h("div", { class: "mod-evidence" }, ordered.map((piece) => evidencePiece(piece, reported)));
}

function rank(part) {
  const index = PARTS.indexOf(part);
  return index < 0 ? PARTS.length : index;
}

function evidencePiece(piece, reported) {
  const label = t(`mod.part.${piece.part}`) === `mod.part.${piece.part}` ? piece.part : t(`mod.part.${piece.part}`);
  const seal = h("span", {
    class: piece.intact ? "badge seal seal-ok" : "badge seal seal-broken",
    title: `SHA-256 ${piece.sha256}`,
    text: t(piece.intact ? "mod.intact" : "mod.tampered"),
  });
  return h(
    "article",
    { class: "evidence", "data-part": piece.part },
    h("h4", { class: "evidence-title" }, label, " ", seal),
    contentOf(piece.part, piece.content, reported),
  );
}

function contentOf(part, content, reported) {
  if (content === null || content === undefined) return null;
  if (part === "context" && Array.isArray(content)) {
    if (!content.length) return h("p", { class: "hint", text: t("mod.context.none") });
    return h("ol", { class: "evidence-messages" }, content.map((m) => messageLine(m, m.id === reported)));
  }
  if (part === "item" && content.sender !== undefined) {
    return h("ol", { class: "evidence-messages" }, messageLine(content, true));
  }
  if (part === "person") {
    const people = Array.isArray(content) ? content : [content];
    return h("div", { class: "evidence-people" }, people.map(personCard));
  }
  return keyValues(content);
}

/** A frozen message, as text; its photo blurred and greyscale until asked for. */
function messageLine(message, highlighted) {
  const removed = message.hidden ? h("span", { class: "badge seal-broken", text: t("mod.hidden") }) : null;
  return h(
    "li",
    { class: highlighted ? "evidence-message evidence-reported" : "evidence-message" },
    h(
      "p",
      { class: "mod-line" },
      h("time", { text: when(message.created_ms) }),
      " ",
      h("strong", { text: message.sender || `#${message.sender_id}` }),
      " ",
      h("span", { class: "hint", text: `n° ${message.id}` }),
      " ",
      removed,
    ),
    message.text ? h("p", { class: "evidence-text", text: message.text }) : null,
    message.image_id ? evidencePhoto(message.id) : null,
  );
}

function evidencePhoto(messageId) {
  // The server's blurred preview first; the photo itself is fetched only when the moderator asks for it.
  const base = `/api/moderation/messages/${messageId}`;
  const img = h("img", {
    class: "evidence-image",
    src: `${base}/preview`,
    alt: t("mod.photo.alt", { id: messageId }),
    decoding: "async",
  });
  const box = h("div", { class: "evidence-photo" }, img);
  const toggle = h("button", {
    type: "button",
    class: "button button-secondary button-small evidence-reveal",
    "aria-pressed": "false",
    text: t("mod.photo.show"),
    onclick: () => {
      if (!img.src.endsWith("/image")) img.src = `${base}/image`;
      const revealed = img.classList.toggle("evidence-image-revealed");
      toggle.setAttribute("aria-pressed", String(revealed));
      toggle.textContent = t(revealed ? "mod.photo.hide" : "mod.photo.show");
    },
  });
  // The server serves a message's photo only to people who may see that message (see the report).
  const unavailable = () => box.replaceChildren(h("p", { class: "hint", text: t("mod.photo.unavailable") }));
  img.addEventListener("error", unavailable, { once: true });
  box.append(toggle);
  return box;
}

function personCard(person) {
  if (!person || typeof person !== "object") return null;
  const restrictions = [
    person.suspended_until_ms ? t("mod.person.suspended", { date: when(person.suspended_until_ms) }) : null,
    person.muted_until_ms ? t("mod.person.muted", { date: when(person.muted_until_ms) }) : null,
    person.private_restricted ? t("mod.person.private") : null,
  ].filter(Boolean);
  return h(
    "div",
    { class: "evidence-person" },
    definitionList([
      [t("mod.person.pseudo"), person.pseudo],
      [t("mod.person.band"), person.age_band ? t(`band.${person.age_band}.long`) : null],
      [t("mod.person.role"), person.role],
      [t("mod.person.email"), person.email],
      [t("mod.person.since"), when(person.created_ms)],
      [t("mod.person.restrictions"), restrictions.join(" ; ") || null],
      [t("mod.person.connections"), person.connection_hashes ? String(person.connection_hashes.length) : null],
    ]),
  );
}

/** Anything else (photo hashes, a room, a conversation): its fields as text. */
function keyValues(content) {
  if (typeof content !== "object") return h("p", { text: String(content) });
  const shown = (value) => (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));
  const rows = Object.entries(content).map(([key, value]) => [key, shown(value)]);
  return definitionList(rows, "mod-facts mod-facts-raw");
}

function historyOf(history) {
  const cases = history.cases || [];
  const decisions = history.decisions || [];
  const others = history.other_pseudonyms || [];
  return h(
    "div",
    { class: "mod-history" },
    h("h4", { text: t("mod.history.cases", { n: cases.length }) }),
    cases.length
      ? h(
          "ul",
          { class: "mod-list" },
          cases.map((c) =>
            h("li", {
              text: t("mod.history.case", {
                id: c.id,
                category: categoryName(c.category),
                status: t(`mod.status.${c.status}`),
                when: when(c.created_ms),
              }),
            }),
          ),
        )
      : null,
    h("h4", { text: t("mod.history.decisions", { n: decisions.length }) }),
    decisions.length
      ? h(
          "ul",
          { class: "mod-list" },
          decisions.map((d) =>
            h("li", {
              text: [
                t("mod.history.decision", { id: d.id, action: actionName(d.action), when: when(d.created_ms) }),
                d.automated ? t("mod.automated") : null,
                d.reversed_ms ? t("mod.reversed") : null,
                d.reason,
              ]
                .filter(Boolean)
                .join(" — "),
            }),
          ),
        )
      : null,
    h("h4", { text: t("mod.history.others") }),
    h("p", { text: others.length ? others.join(", ") : t("mod.history.others.none") }),
  );
}

// --- deciding --------------------------------------------------------------------------------

function actionForm(found) {
  const choices = ACTIONS.map((action) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "action", value: action, required: true }),
      h("span", { text: t(`mod.do.${action}`) }),
    ),
  );
  const amount = h("input", { id: "act-duration", type: "number", min: "1", max: "366", value: "1", inputmode: "numeric" });
  const unit = h(
    "select",
    { id: "act-unit", "aria-label": t("mod.duration.unit") },
    Object.keys(UNITS).map((name) => h("option", { value: name, text: t(`mod.unit.${name}`) })),
  );
  unit.value = "hours";
  const duration = h(
    "div",
    { class: "field act-duration", hidden: true },
    h("label", { for: "act-duration", text: t("mod.duration") }),
    h("div", { class: "inline-form" }, amount, unit),
  );
  const reason = h("textarea", { id: "act-reason", rows: "3", maxlength: "2000", required: true });
  const error = h("p", { id: "act-error", class: "form-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { id: "act-form", class: "act-form", novalidate: true },
    h("fieldset", { class: "field" }, h("legend", { text: t("mod.decide") }), h("div", { class: "choices act-choices" }, choices)),
    duration,
    h(
      "div",
      { class: "field" },
      h("label", { for: "act-reason", text: t("mod.reason") }),
      reason,
      h("p", { class: "hint", text: t("mod.reason.hint") }),
    ),
    error,
    h("button", { type: "submit", class: "button button-primary", text: t("mod.act") }),
  );
  form.addEventListener("change", () => {
    const chosen = form.querySelector("input[name=action]:checked");
    show(duration, Boolean(chosen && TIMED.has(chosen.value)));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(found.id, form);
  });
  return section(t("mod.decide"), form);
}

async function act(caseId, form) {
  const error = byId("act-error");
  const chosen = form.querySelector("input[name=action]:checked");
  const reason = byId("act-reason").value.trim();
  const fail = (text) => {
    error.textContent = text;
    show(error, true);
  };
  if (!chosen) return fail(t("mod.missing.action"));
  if (!reason) {
    byId("act-reason").focus();
    return fail(t("mod.missing.reason"));
  }
  const frame = { type: "act", case_id: caseId, action: chosen.value, reason };
  if (TIMED.has(chosen.value)) {
    const amount = Number(byId("act-duration").value);
    if (!Number.isInteger(amount) || amount <= 0) return fail(t("mod.missing.duration"));
    frame.duration = amount * UNITS[byId("act-unit").value];
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  let data;
  try {
    data = await request(frame);
  } catch (refusal) {
    button.disabled = false;
    if (!refusedConsole(refusal)) fail(serverText(refusal));
    return;
  }
  toast(t("mod.act.done", { id: data.decision }));
  byId("mod-announcer").textContent = t("mod.act.done", { id: data.decision });
  await Promise.all([refreshQueue(), openCase(caseId)]);
}

// --- appeals ---------------------------------------------------------------------------------

async function refreshAppeals() {
  let data;
  try {
    data = await request({ type: "appeals" });
  } catch (error) {
    refusedConsole(error);
    return;
  }
  const before = state.appeals.map((a) => a.id).join(",");
  state.appeals = data.appeals;
  // Redrawn only when the list changed: a reason being typed must not be wiped by the poll.
  if (before !== state.appeals.map((a) => a.id).join(",") || !byId("appeal-list").children.length) renderAppeals();
}

function renderAppeals() {
  replaceChildrenKeepingFocus(byId("appeal-list"), state.appeals.map(appealItem));
  byId("appeal-count").textContent = `(${state.appeals.length})`;
  show(byId("appeals-empty"), state.appeals.length === 0);
}

function appealItem(appeal) {
  const id = appeal.id;
  const reason = h("textarea", {
    id: `appeal-reason-${id}`,
    "data-key": `appeal-reason:${id}`,
    rows: "2",
    maxlength: "2000",
    required: true,
  });
  reason.value = state.drafts.get(id) || "";
  reason.addEventListener("input", () => state.drafts.set(id, reason.value));
  const error = state.appealErrors.get(id);
  const decide = (outcome) => decideAppeal(id, outcome);
  return h(
    "li",
    { class: "appeal-item", "data-appeal": String(id) },
    h(
      "p",
      { class: "mod-line" },
      h("strong", { text: t("mod.appeal.title", { id, decision: appeal.decision_id, action: actionName(appeal.action) }) }),
    ),
    h("p", { class: "mod-line", text: t("mod.appeal.who", { pseudo: appeal.pseudo, when: when(appeal.created_ms) }) }),
    h("p", {
      class: "mod-line",
      text: `${t(appeal.automated ? "mod.automated" : "mod.human")} — ${t("mod.appeal.reason")} ${appeal.reason}`,
    }),
    h("blockquote", { class: "mod-quote", text: appeal.text || "—" }),
    h("label", { for: `appeal-reason-${id}`, text: t("mod.appeal.answer") }),
    reason,
    error
      ? h("p", { class: "form-error", role: "alert", text: typeof error === "string" ? t(error) : serverText(error) })
      : null,
    h(
      "div",
      { class: "request-actions" },
      h("button", {
        type: "button",
        class: "button button-secondary button-small",
        "data-key": `uphold:${id}`,
        text: t("mod.appeal.uphold"),
        onclick: () => decide("uphold"),
      }),
      h("button", {
        type: "button",
        class: "button button-danger-quiet button-small",
        "data-key": `reverse:${id}`,
        text: t("mod.appeal.reverse"),
        onclick: () => decide("reverse"),
      }),
    ),
  );
}

async function decideAppeal(id, outcome) {
  const reason = (state.drafts.get(id) || "").trim();
  if (!reason) {
    state.appealErrors.set(id, "mod.missing.reason");
    renderAppeals();
    byId(`appeal-reason-${id}`)?.focus();
    return;
  }
  try {
    await request({ type: "decide_appeal", appeal_id: id, outcome, reason });
  } catch (error) {
    if (refusedConsole(error)) return;
    state.appealErrors.set(id, error);
    renderAppeals();
    return;
  }
  state.drafts.delete(id);
  state.appealErrors.delete(id);
  toast(t(outcome === "reverse" ? "mod.appeal.reversed" : "mod.appeal.upheld", { id }));
  state.appeals = state.appeals.filter((a) => a.id !== id);
  renderAppeals();
}

// --- login, language, start --------------------------------------------------------------------

async function submitLogin(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const box = byId("login-error");
  const email = byId("login-email").value.trim();
  const password = byId("login-password").value;
  const fail = (text) => {
    box.textContent = text;
    show(box, true);
  };
  if (!email || !password) return fail(t("login.missing"));
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const { person } = await api.login(email, password);
    form.reset();
    show(box, false);
    start(person);
  } catch (error) {
    fail(serverText(error));
  } finally {
    button.disabled = false;
  }
}

function renderAll() {
  translateDocument();
  document.title = t("mod.page.title");
  renderLangSwitch(byId("lang-switch"));
  if (!byId("mod-console").hidden) {
    renderQueue();
    renderAppeals();
    renderDetail();
  }
}

async function main() {
  byId("login-form").addEventListener("submit", submitLogin);
  byId("lang-switch").addEventListener("click", () => setLang(currentLang() === "fr" ? "en" : "fr"));
  onLangChange(renderAll);
  renderAll();
  let person = null;
  try {
    person = await api.me();
  } catch (error) {
    if (error.code === "account_suspended") {
      refuse();
      return;
    }
  }
  if (person) start(person);
  else showOnly("mod-login");
}

main();


/** Administrators only (the server checks again): the transparency report and giving roles. */
function setUpAdministration(person) {
  const panel = byId("admin-panel");
  show(panel, person.role === "admin");
  if (person.role !== "admin" || panel.dataset.ready) return;
  panel.dataset.ready = "1";
  const today = new Date().toISOString().slice(0, 10);
  byId("transparency-to").value = today;
  byId("transparency-from").value = `${today.slice(0, 4)}-01-01`;
  byId("transparency-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams({
      from: byId("transparency-from").value,
      to: byId("transparency-to").value,
      format: byId("transparency-format").value,
    });
    window.open(`/api/admin/transparency?${query}`, "_blank", "noopener");
  });
  byId("role-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = byId("role-result");
    const body = {
      pseudo: byId("role-pseudo").value.trim(),
      role: byId("role-role").value,
      room: byId("role-room").value.trim(),
    };
    try {
      const answer = await api.setRole(body);
      result.textContent = t("admin.role.done", { pseudo: body.pseudo, role: answer.role, previous: answer.previous });
    } catch (error) {
      result.textContent = serverText(error);
    }
    show(result, true);
  });
}
