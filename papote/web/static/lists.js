// List items of the chat (rooms, requests, conversations, members), as pure functions:
// data and callbacks in, DOM out. User content only ever becomes text nodes.

import { avatar, h } from "./dom.js";
import { t } from "./i18n.js";
import { bandBadge } from "./messages.js";

const VARIANTS = {
  primary: "button button-primary button-small",
  secondary: "button button-secondary button-small",
  quiet: "button button-quiet button-small",
  danger: "button button-danger-quiet button-small",
};

/** A small button. `key` keeps focus on it across redraws; `label` is its accessible name.
 *  `unavailable` (a reason) leaves it focusable but aria-disabled, the reason as its tooltip. */
export function smallButton(text, onclick, options = {}) {
  const { variant = "secondary", key = null, label = null, unavailable = null } = options;
  return h("button", {
    type: "button",
    class: unavailable ? `${VARIANTS[variant]} button-unavailable` : VARIANTS[variant],
    "data-key": key,
    "aria-label": label,
    "aria-disabled": unavailable ? "true" : null,
    title: unavailable,
    text,
    onclick,
  });
}

export function unreadBadge(count) {
  return h("span", { class: "unread" }, String(count), h("span", { class: "visually-hidden", text: ` ${t("unread.label")}` }));
}

function audienceBadge(audience) {
  const title = t(`audience.${audience}.long`);
  return h("span", { class: `badge badge-audience-${audience}`, title, text: t(`audience.${audience}`) });
}

/** A room in the list: a button, or, for a room this person may not enter, a greyed line saying why. */
export function roomItem(room, { active, onOpen }) {
  if (room.allowed === false) {
    const reason = t(room.audience === "minors" ? "refused.minors" : "refused.adults");
    return h(
      "li",
      { class: "room-item room-refused" },
      h("span", { class: "room-name", text: room.name }),
      audienceBadge(room.audience),
      h("span", { class: "room-reason", text: reason }),
    );
  }
  const badge =
    room.kind === "private"
      ? h("span", { class: "badge badge-private", text: t("rooms.private") })
      : audienceBadge(room.audience);
  const button = h(
    "button",
    {
      type: "button",
      class: "room-button",
      "data-key": `room:${room.id}`,
      "aria-current": active ? "true" : null,
      title: room.topic || null,
      onclick: onOpen,
    },
    h("span", { class: "room-name", text: room.name }),
    badge,
    room.joined ? h("span", { class: "joined-dot", "aria-hidden": "true" }) : null,
    !active && room.unread > 0 ? unreadBadge(room.unread) : null,
  );
  return h("li", { class: "room-item" }, button);
}

/** Accept / decline / block: the three answers to a private request, in the list and in the view. */
export function requestButtons(key, { accept, decline, block }) {
  return h(
    "div",
    { class: "request-actions" },
    smallButton(t("private.accept"), accept, { variant: "primary", key: `accept:${key}` }),
    smallButton(t("private.decline"), decline, { key: `decline:${key}` }),
    smallButton(t("action.block"), block, { variant: "danger", key: `block:${key}` }),
  );
}

/** Who asks, their age band, a preview of their first message, and the answers. */
export function requestItem(conversation, key, actions) {
  const who = h(
    "div",
    { class: "request-who" },
    avatar(conversation.peer),
    h("span", { class: "request-name", text: conversation.peer }),
    bandBadge(conversation.peer_band),
    h("span", { class: "request-asks", text: t("private.request.asks") }),
  );
  const preview = requestPreview(conversation, actions.reveal);
  return h("li", { class: "request" }, who, preview, requestButtons(key, actions));
}

/** The first message of a request; one the server blurred stays hidden until asked for. */
export function requestPreview(conversation, onReveal) {
  // A photo is seen only once the request is accepted: the preview just says there is one. The
  // `conversations` list gives no kind, but only a photo can have an empty text (its caption).
  const photo = conversation.preview_kind === "image" || conversation.preview === "";
  if (!conversation.preview && !photo) return null;
  if (conversation.preview_blurred && !conversation.preview_revealed) {
    const reveal = () => {
      conversation.preview_revealed = true;
      if (onReveal) onReveal();
    };
    return h(
      "button",
      { type: "button", class: "message-reveal request-preview", title: t("message.masked.why"), onclick: reveal },
      h("span", { class: "masked-shape blurred", "aria-hidden": "true" }),
      h("span", { class: "masked-label", text: t("message.masked") }),
    );
  }
  const text = photo ? [t("photo.preview"), conversation.preview].filter(Boolean).join(" — ") : conversation.preview;
  return h("blockquote", { class: "request-preview", text });
}

export function invitationItem(invitation, { join, decline }) {
  return h(
    "li",
    { class: "request" },
    h("div", { class: "request-who" }, h("span", { class: "request-name", text: invitation.name || invitation.room })),
    h("p", { class: "request-asks", text: t("invitation.from", { pseudo: invitation.from }) }),
    h(
      "div",
      { class: "request-actions" },
      smallButton(t("invitation.join"), join, { variant: "primary" }),
      smallButton(t("private.decline"), decline),
    ),
  );
}

export function conversationItem(conversation, key, { active, state, onOpen }) {
  const text = h(
    "span",
    { class: "conversation-text" },
    h(
      "span",
      { class: "conversation-line" },
      h("span", { class: "conversation-name", text: conversation.peer }),
      bandBadge(conversation.peer_band),
    ),
    state ? h("span", { class: "conversation-state", text: t(state) }) : null,
  );
  const button = h(
    "button",
    {
      type: "button",
      class: "conversation-button",
      "data-key": `conv:${key}`,
      "aria-current": active ? "true" : null,
      onclick: onOpen,
    },
    avatar(conversation.peer),
    text,
    !active && conversation.unread > 0 ? unreadBadge(conversation.unread) : null,
  );
  return h("li", { class: "conversation-item" }, button);
}

/** A member: pseudonym, age band, gender if given; buttons to write in private or to block. */
export function memberItem(member, key, { mine, blocked, ageApart, onWrite, onBlock, onUnblock, onReport }) {
  const pseudo = member.pseudo;
  const staff = member.role && member.role !== "user";
  const details = h(
    "span",
    { class: "member-info" },
    h("span", { class: "member-name", text: pseudo }),
    bandBadge(member.age_band),
    member.gender ? h("span", { class: "member-gender", text: t(`gender.${member.gender}`) }) : null,
    staff ? h("span", { class: "badge badge-staff", text: t("member.moderator") }) : null,
    mine ? h("span", { class: "member-you", text: t("member.you") }) : null,
  );
  let actions = null;
  // Blocking someone does not stop reporting them: "block and report" is the usual way.
  const report =
    !mine && onReport
      ? smallButton(t("report.action"), onReport, {
          variant: "quiet",
          key: `report:${key}`,
          label: t("report.member.label", { pseudo }),
        })
      : null;
  if (blocked) {
    actions = h(
      "span",
      { class: "member-actions" },
      smallButton(t("action.unblock"), onUnblock, {
        variant: "quiet",
        key: `unblock:${key}`,
        label: t("member.unblock.label", { pseudo }),
      }),
      report,
    );
  } else if (!mine) {
    actions = h(
      "span",
      { class: "member-actions" },
      // Adults and minors cannot talk in private (the server refuses anyway): say so up front.
      smallButton(t("member.write"), onWrite, {
        key: `write:${key}`,
        label: t("member.write.label", { pseudo }),
        unavailable: ageApart ? t("member.write.age") : null,
      }),
      smallButton(t("action.block"), onBlock, {
        variant: "danger",
        key: `block:${key}`,
        label: t("member.block.label", { pseudo }),
      }),
      report,
    );
  }
  return h("li", { class: blocked ? "member member-blocked" : "member" }, avatar(pseudo), details, actions);
}
