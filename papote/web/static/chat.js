// The chat once inside: rooms, private conversations, members, the composer.
//
// State lives here; the server is the authority on everything (age bands, who may
// talk to whom): the client only shows what the server says, including its refusals.

import * as api from "./api.js";
import { byId, clientId, h, isWide, replaceChildrenKeepingFocus, show } from "./dom.js";
import { localText, onLangChange, serverText, t } from "./i18n.js";
import {
  conversationItem,
  invitationItem,
  memberItem,
  requestButtons,
  requestItem,
  requestPreview,
  roomItem,
  smallButton,
} from "./lists.js";
import { applySafety, messageNode, Timeline } from "./messages.js";
import { ReportDialog } from "./reporting.js";
import { Connection } from "./socket.js";

const VIEW_KEY = "papote.view";
const READ_DELAY_MS = 800;
const NEAR_BOTTOM_PX = 80;
const PRIVATE_HISTORY = 100;
// Refusals worth sending again as they are (the link or the server hiccuped).
const RETRYABLE = new Set(["disconnected", "internal_error"]);

/** Pseudonyms compare case-insensitively on the server: key conversations the same way. */
function keyOf(pseudo) {
  return String(pseudo).toLowerCase();
}

export class Chat {
  constructor({ toast, dismissToast, onSessionLost, onSuspended, onPerson, statements }) {
    this.toast = toast;
    this.statements = statements; // statements of reasons: they outlive the chat (a suspension stops it)
    this.dismissToast = dismissToast;
    this.onSessionLost = onSessionLost;
    this.onSuspended = onSuspended;
    this.onPerson = onPerson;
    this.nodes = new WeakMap(); // timeline item -> its <li>
    this.el = {
      view: byId("chat-view"),
      roomList: byId("room-list"),
      requestList: byId("request-list"),
      conversationList: byId("conversation-list"),
      privateEmpty: byId("private-empty"),
      title: byId("chat-title"),
      badge: byId("chat-badge"),
      topic: byId("chat-topic"),
      notice: byId("chat-notice"),
      requestCard: byId("request-card"),
      empty: byId("chat-empty"),
      messages: byId("message-list"),
      composer: byId("composer"),
      composerNotice: byId("composer-notice"),
      input: byId("composer-input"),
      send: byId("send-button"),
      photoButton: byId("photo-button"),
      photoInput: byId("photo-input"),
      upload: byId("upload-status"),
      uploadLabel: byId("upload-label"),
      uploadProgress: byId("upload-progress"),
      uploadCancel: byId("upload-cancel"),
      count: byId("char-count"),
      leave: byId("leave-room"),
      blockPeer: byId("block-peer"),
      showMembers: byId("show-members"),
      memberList: byId("member-list"),
      membersCount: byId("members-count"),
      membersEmpty: byId("members-empty"),
      status: byId("connection-status"),
      announcer: byId("announcer"),
      inviteToggle: byId("invite-toggle"),
      inviteForm: byId("invite-form"),
      createToggle: byId("create-room-toggle"),
      createForm: byId("create-room-form"),
    };
    this.reset();
    this.reportDialog = new ReportDialog({
      send: (frame) => this.request(frame),
      me: () => this.me,
      onBlock: (pseudo) => this.block(pseudo),
    });
    this.bindControls();
    onLangChange(() => this.renderAll());
  }

  reset() {
    if (this.upload) this.upload.cancel(); // nothing of the last session goes on in the background
    this.upload = null; // the photo being uploaded: {key, target, caption, file, fraction, cancel}
    this.me = null;
    this.connection = null;
    this.rooms = new Map(); // id -> room as listed by the server (+ local unread)
    // peer key -> {peer, peer_band, status, requested_by_me, id, channel, unread, preview}
    this.conversations = new Map();
    this.invitations = new Map(); // room id -> {room, name, from}
    this.timelines = new Map(); // "r:<room>" / "p:<peer key>" -> Timeline
    this.loaded = new Set(); // timelines whose history was fetched
    this.members = new Map(); // room id -> Map(pseudo key -> member)
    this.blocked = new Set(); // pseudo keys blocked during this session
    this.view = null; // {type: "room", id} | {type: "private", peer: key}
    this.membersRoom = null; // the room whose members are listed
    this.notice = null; // the last refusal shown above the messages
    this.refusal = null; // {key, error}: the last message refused in a view, shown by the composer
    this.composerShown = null; // what the composer notice shows, so an unchanged alert is not re-announced
    this.readSent = new Map();
  }

  // --- session --------------------------------------------------------------------------

  start(person) {
    this.reset();
    this.me = person;
    this.connection = new Connection({
      onHello: (hello, reconnected) => this.hello(hello, reconnected),
      onEvent: (frame) => this.event(frame),
      onStatus: (status) => this.connectionStatus(status),
      checkSession: () => api.me().then((p) => p !== null, () => null),
      onSessionLost: () => this.onSessionLost(),
      onSuspended: (texts) => this.suspend(texts),
    });
    this.connection.start();
    this.setPane(isWide() ? "chat" : "rooms");
    this.renderAll();
  }

  stop() {
    if (this.connection) this.connection.stop();
    this.reportDialog.close();
    this.reset();
    show(this.el.status, false);
    document.title = "Papote";
  }

  async hello(hello, reconnected) {
    this.me = { ...this.me, ...hello.person };
    this.statements.setOwner(this.me.pseudo);
    this.onPerson(this.me);
    await Promise.all([this.refreshRooms(), this.refreshConversations()]);
    if (!reconnected) {
      this.restoreView(hello.rooms || []);
    } else if (this.membersRoom) {
      this.refreshMembers(this.membersRoom);
    }
  }

  /** The person changed (registered): keep the chat's copy in step. */
  setPerson(person) {
    this.me = { ...this.me, ...person };
    if (this.me.registered) show(byId("create-room-locked"), false);
    // An open WebSocket keeps the person as it was when it connected: reconnect (and resume).
    if (this.connection) this.connection.reconnect();
  }

  connectionStatus(status) {
    // Only a lost connection is worth showing; the first connection is near-instant.
    show(this.el.status, status === "reconnecting");
  }

  restoreView(joinedRooms) {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(VIEW_KEY) || "null");
    } catch {
      saved = null;
    }
    const quietly = { focus: false };
    if (saved && saved.type === "room" && joinedRooms.includes(saved.id)) this.openRoom(saved.id, quietly);
    else if (saved && saved.type === "private" && this.conversations.has(saved.peer)) this.openPrivate(saved.peer, quietly);
    else if (joinedRooms.length) this.openRoom(joinedRooms[0], quietly);
  }

  request(frame, options) {
    if (!this.connection) return Promise.reject(new api.PapoteError("disconnected"));
    return this.connection.request(frame, options);
  }

  /** Whether commands can go out now (the statements' appeals fall back to a connection of their own). */
  online() {
    return Boolean(this.connection && this.connection.ready);
  }

  isMine(pseudo) {
    return this.me && keyOf(pseudo) === keyOf(this.me.pseudo);
  }

  isBlocked(pseudo) {
    return this.blocked.has(keyOf(pseudo));
  }

  isMyPrivateRoom(room) {
    return Boolean(room && room.kind === "private" && room.mine === true);
  }

  /** Adults and minors cannot talk in private: the server refuses, the page says so first. */
  bandsApart(band) {
    const own = this.me && this.me.age_band;
    return Boolean(own && (band === "minor" || band === "adult") && band !== own);
  }

  ageApartFrom(conversation) {
    return Boolean(conversation.age_refused || this.bandsApart(conversation.peer_band));
  }

  timeline(key) {
    if (!this.timelines.has(key)) this.timelines.set(key, new Timeline(key));
    return this.timelines.get(key);
  }

  viewKey() {
    if (!this.view) return null;
    return this.view.type === "room" ? `r:${this.view.id}` : `p:${this.view.peer}`;
  }

  // --- lists from the server ----------------------------------------------------------------

  async refreshRooms() {
    let data;
    try {
      data = await this.request({ type: "rooms" });
    } catch {
      return; // disconnected again: the next hello refreshes
    }
    const previous = this.rooms;
    this.rooms = new Map();
    for (const room of data.rooms) {
      const viewing = this.view && this.view.type === "room" && this.view.id === room.id;
      this.rooms.set(room.id, { ...previous.get(room.id), ...room, unread: viewing ? 0 : room.unread });
    }
    this.renderRooms();
  }

  async refreshConversations() {
    let data;
    try {
      data = await this.request({ type: "conversations" });
    } catch {
      return;
    }
    for (const found of data.conversations) {
      if (!found.peer) continue;
      const key = keyOf(found.peer);
      const known = this.conversations.get(key) || {};
      const viewing = this.view && this.view.type === "private" && this.view.peer === key;
      const unread = viewing ? 0 : found.requested_by_me && found.status === "pending" ? 0 : found.unread;
      const seen = known.seenSeq ? Math.max(0, found.last_seq - known.seenSeq) : unread;
      this.conversations.set(key, { ...known, ...found, unread: seen });
    }
    this.invitations = new Map((data.invitations || []).map((i) => [i.room, i]));
    // Whom we blocked, as the server remembers it (across reloads and devices).
    if (Array.isArray(data.blocked)) this.blocked = new Set(data.blocked.map(keyOf));
    this.renderConversations();
    this.renderMembers();
    if (this.view) this.renderView();
  }

  async refreshMembers(roomId) {
    try {
      const data = await this.request({ type: "members", room: roomId });
      this.setMembers(roomId, data.members);
    } catch {
      // keep the list we have
    }
  }

  setMembers(roomId, members) {
    this.members.set(roomId, new Map(members.map((m) => [keyOf(m.pseudo), m])));
    if (this.membersRoom === roomId) this.renderMembers();
  }

  // --- events -------------------------------------------------------------------------------

  event(frame) {
    const handler = EVENT_HANDLERS[frame.type];
    if (handler) handler.call(this, frame);
  }

  onRoomMessage(frame) {
    if (this.isBlocked(frame.sender)) return;
    const key = `r:${frame.room}`;
    const timeline = this.timeline(key);
    const item = timeline.addMessage(frame);
    if (!item) return;
    if (this.viewKey() === key) {
      this.drawItem(timeline, item);
      this.announce(item);
      this.scheduleRead();
    } else if (!this.isMine(frame.sender)) {
      const room = this.rooms.get(frame.room);
      if (room) room.unread = (room.unread || 0) + 1;
      this.renderRooms();
    }
  }

  onPrivateMessage(frame) {
    const mine = this.isMine(frame.sender);
    const peer = mine ? frame.recipient : frame.sender;
    const conversation = this.conversation(peer, { id: frame.conversation, channel: frame.channel });
    if (!mine) {
      conversation.peer_band = frame.sender_band;
      conversation.status = "accepted"; // we only receive their messages once accepted
    } else {
      startRequestIfNeeded(conversation);
    }
    const key = `p:${keyOf(peer)}`;
    const timeline = this.timeline(key);
    const item = timeline.addMessage(frame);
    if (!item) return;
    if (this.viewKey() === key) {
      this.drawItem(timeline, item);
      this.announce(item);
      conversation.seenSeq = timeline.lastSeq;
      this.scheduleRead();
    } else if (!mine) {
      conversation.unread = (conversation.unread || 0) + 1;
    }
    this.renderConversations();
  }

  onPrivateRequest(frame) {
    const conversation = this.conversation(frame.sender, { id: frame.conversation, channel: frame.channel });
    Object.assign(conversation, {
      status: "pending",
      requested_by_me: false,
      peer_band: frame.sender_band,
      peer_gender: frame.sender_gender,
      preview: frame.text,
      preview_kind: frame.kind,
      preview_blurred: Boolean(frame.blurred),
      preview_revealed: false,
      unread: 1,
    });
    const key = keyOf(frame.sender);
    const open = { label: t("private.open"), run: () => this.openPrivate(key) };
    this.toast(t("private.toast.request", { pseudo: frame.sender }), open, { key: `request:${key}` });
    this.renderConversations();
    if (this.viewKey() === `p:${keyOf(frame.sender)}`) this.renderView();
  }

  onPrivateAccepted(frame) {
    const conversation = this.conversation(frame.peer, { id: frame.conversation, channel: frame.channel });
    conversation.status = "accepted";
    if (!this.isMine(frame.by)) this.toast(t("private.toast.accepted", { pseudo: frame.by }));
    this.renderConversations();
    if (this.viewKey() === `p:${keyOf(frame.peer)}`) this.renderView();
  }

  onPrivateDeclined(frame) {
    const conversation = [...this.conversations.values()].find((c) => c.id === frame.conversation);
    if (!conversation) return;
    conversation.status = "declined";
    conversation.requested_by_me = !this.isMine(frame.by);
    if (conversation.requested_by_me) this.toast(t("private.toast.declined", { pseudo: frame.by }));
    this.renderConversations();
    if (this.viewKey() === `p:${keyOf(conversation.peer)}`) this.renderView();
  }

  onJoin(frame) {
    const member = frame.member;
    const members = this.members.get(frame.room);
    if (members) members.set(keyOf(member.pseudo), member);
    const room = this.rooms.get(frame.room);
    if (room) room.members = (room.members || 0) + 1;
    if (!this.isMine(member.pseudo)) this.roomNotice(frame.room, "room.joined", member.pseudo);
    if (this.membersRoom === frame.room) this.renderMembers();
  }

  onLeave(frame) {
    const members = this.members.get(frame.room);
    if (members) members.delete(keyOf(frame.pseudo));
    const room = this.rooms.get(frame.room);
    if (room) room.members = Math.max(0, (room.members || 1) - 1);
    if (!this.isMine(frame.pseudo)) this.roomNotice(frame.room, "room.left", frame.pseudo);
    if (this.membersRoom === frame.room) this.renderMembers();
  }

  roomNotice(roomId, textKey, pseudo) {
    const key = `r:${roomId}`;
    if (!this.loaded.has(key) || this.isBlocked(pseudo)) return;
    const timeline = this.timeline(key);
    const item = timeline.addNotice(textKey, { pseudo });
    if (this.viewKey() === key) this.drawItem(timeline, item);
  }

  onJoined(frame) {
    // Another tab of ours joined, or we created a private room: the room is ours now.
    const room = this.rooms.get(frame.room.id) || { ...frame.room, allowed: true, unread: 0, members: 1 };
    room.joined = true;
    this.rooms.set(room.id, room);
    this.invitations.delete(room.id);
    this.renderRooms();
    this.renderConversations();
  }

  onLeft(frame) {
    const room = this.rooms.get(frame.room);
    if (room) room.joined = false;
    if (room && room.kind === "private") this.rooms.delete(frame.room);
    this.forgetRoom(frame.room);
    this.renderRooms();
  }

  onBlocked(frame) {
    const key = keyOf(frame.pseudo);
    this.blocked.add(key);
    const conversation = this.conversations.get(key);
    if (conversation) Object.assign(conversation, { status: "blocked", requested_by_me: false });
    this.renderAll();
  }

  onUnblocked(frame) {
    const key = keyOf(frame.pseudo);
    this.blocked.delete(key);
    const conversation = this.conversations.get(key);
    // The server forgets the conversation's state: our next message is a new request.
    if (conversation) Object.assign(conversation, { status: "new", requested_by_me: false });
    this.renderAll();
  }

  onConversationFrozen(frame) {
    const conversation = [...this.conversations.values()].find(
      (c) => c.id === frame.conversation || (frame.channel && c.channel === frame.channel),
    );
    if (!conversation) return;
    this.freeze(conversation, frame.message);
    if (this.viewKey() !== `p:${keyOf(conversation.peer)}`) {
      this.toast(t("private.toast.frozen", { pseudo: conversation.peer }), {
        label: t("private.open"),
        run: () => this.openPrivate(keyOf(conversation.peer)),
      });
    }
  }

  /** No more messages either way until the moderators decide; the help line stays in view. */
  freeze(conversation, message = null) {
    conversation.status = "frozen";
    if (message) conversation.frozen_message = message;
    this.renderConversations();
    if (this.viewKey() === `p:${keyOf(conversation.peer)}`) this.renderView();
  }

  onSuspendedEvent(frame) {
    this.suspend(frame.message);
  }

  /** Suspended pending review: stop for good (the server closes with 4403) and say why. */
  suspend(texts) {
    if (!this.me) return;
    this.stop();
    this.onSuspended(texts || null);
  }

  // --- reports, statements of reasons, appeals ----------------------------------------------------

  /** The first click: the dialog with the categories (the second click sends). */
  report(target) {
    this.reportDialog.open(target);
  }

  onReportReceived(frame) {
    if (this.reportDialog.shows(frame.report)) return; // the dialog shows its own acknowledgement
    this.toast(t("report.received.toast", { id: frame.report }));
  }

  onReportOutcome(frame) {
    this.toast(localText(frame.message) || t("report.received.toast", { id: frame.report }), null, {
      key: `report:${frame.report}`,
    });
  }

  onStatement(frame) {
    this.statements.received(frame);
    this.toast(t("statement.lead"));
  }

  onAppealDecided(frame) {
    this.statements.decided(frame);
    this.toast(localText(frame.message));
  }

  onInvitation(frame) {
    this.invitations.set(frame.room.id, { room: frame.room.id, name: frame.room.name, from: frame.from });
    this.toast(t("private.toast.invitation", { pseudo: frame.from, room: frame.room.name }));
    this.renderConversations();
  }

  // --- opening rooms and conversations --------------------------------------------------------

  async openRoom(roomId, { focus = true } = {}) {
    const room = this.rooms.get(roomId);
    if (room && room.allowed === false) return;
    this.setView({ type: "room", id: roomId });
    this.membersRoom = roomId;
    if (room) room.unread = 0;
    this.renderAll();
    this.setPane("chat");
    if (!this.loaded.has(`r:${roomId}`)) await this.joinRoom(roomId);
    this.scheduleRead();
    if (focus) this.focusComposer();
  }

  async joinRoom(roomId) {
    let data;
    try {
      data = await this.request({ type: "join", room: roomId });
    } catch (error) {
      if (this.viewKey() === `r:${roomId}`) this.showNotice(error);
      return;
    }
    const key = `r:${roomId}`;
    const timeline = this.timeline(key);
    for (const message of data.history) if (!this.isBlocked(message.sender)) timeline.addMessage(message);
    timeline.mayHaveOlder = data.history.length > 0 && timeline.firstSeq > 1;
    this.connection.saw(key, data.last_seq);
    this.loaded.add(key);
    const room = this.rooms.get(roomId) || { allowed: true, unread: 0 };
    this.rooms.set(roomId, { ...room, ...data.room, joined: true, members: data.members.length, unread: 0 });
    this.setMembers(roomId, data.members);
    this.renderRooms();
    if (this.viewKey() === key) this.renderView();
  }

  async leaveRoom() {
    if (!this.view || this.view.type !== "room") return;
    const roomId = this.view.id;
    try {
      await this.request({ type: "leave", room: roomId });
    } catch (error) {
      this.showNotice(error);
      return;
    }
    this.forgetRoom(roomId);
    const room = this.rooms.get(roomId);
    if (room) room.joined = false;
    this.renderAll();
    this.setPane("rooms");
  }

  forgetRoom(roomId) {
    const key = `r:${roomId}`;
    this.timelines.delete(key);
    this.loaded.delete(key);
    this.members.delete(roomId);
    this.connection.forget(key);
    if (this.membersRoom === roomId) this.membersRoom = null;
    if (this.viewKey() === key) this.setView(null);
  }

  /** The conversation with `pseudo`, created locally ("new") when there is none yet. */
  conversation(pseudo, fields = {}) {
    const key = keyOf(pseudo);
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = { peer: pseudo, status: "new", requested_by_me: false, unread: 0 };
      this.conversations.set(key, conversation);
    }
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && value !== null) conversation[name] = value;
    }
    return conversation;
  }

  async openPrivate(peerKey, { focus = true, pseudo = null, band = null } = {}) {
    const known = this.conversations.get(peerKey);
    const conversation = this.conversation(pseudo || known?.peer || peerKey, { peer_band: band });
    conversation.unread = 0;
    this.dismissToast(`request:${peerKey}`); // the request is on screen now
    this.setView({ type: "private", peer: peerKey });
    this.notice = null;
    this.renderAll();
    this.setPane("chat");
    if (focus) this.focusComposer();
    await this.loadPrivateHistory(conversation);
    this.scheduleRead();
  }

  async loadPrivateHistory(conversation) {
    const key = `p:${keyOf(conversation.peer)}`;
    if (!mayRead(conversation) || this.loaded.has(key) || conversation.status === "new") return;
    let data;
    try {
      data = await this.request({ type: "history", with: conversation.peer, limit: PRIVATE_HISTORY });
    } catch {
      return; // nothing to show yet
    }
    const timeline = this.timeline(key);
    for (const message of data.messages) {
      timeline.addMessage(message);
      this.connection.saw(message.channel, message.seq);
    }
    timeline.mayHaveOlder = data.messages.length === PRIVATE_HISTORY;
    conversation.seenSeq = timeline.lastSeq;
    this.loaded.add(key);
    if (this.viewKey() === key) this.renderView();
  }

  async loadOlder() {
    const key = this.viewKey();
    const timeline = key && this.timelines.get(key);
    if (!timeline || timeline.firstSeq === null) return;
    const target = this.view.type === "room" ? { room: this.view.id } : { with: this.peerOfView() };
    let data;
    try {
      data = await this.request({ type: "history", ...target, before_seq: timeline.firstSeq, limit: 50 });
    } catch (error) {
      this.showNotice(error);
      return;
    }
    for (const message of data.messages) if (!this.isBlocked(message.sender)) timeline.addMessage(message);
    timeline.mayHaveOlder = data.messages.length === 50;
    if (this.viewKey() === key) this.renderMessages({ keepScroll: true });
  }

  /** The pseudonym (as the server spells it) of the private conversation on screen. */
  peerOfView() {
    return this.conversations.get(this.view.peer).peer;
  }

  setView(view) {
    this.view = view;
    this.notice = null;
    this.refusal = null;
    try {
      sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
    } catch {
      // only used to come back to the same place after a reload
    }
  }

  // --- private requests and blocking ------------------------------------------------------------

  async accept(peerKey) {
    const conversation = this.conversations.get(peerKey);
    try {
      const data = await this.request({ type: "private_accept", pseudo: conversation.peer });
      Object.assign(conversation, { status: "accepted", id: data.conversation, channel: data.channel });
      const timeline = this.timeline(`p:${peerKey}`);
      for (const message of data.history) {
        timeline.addMessage(message);
        this.connection.saw(message.channel, message.seq);
      }
      this.loaded.add(`p:${peerKey}`);
    } catch (error) {
      this.toastError(error);
      return;
    }
    await this.openPrivate(peerKey);
  }

  async decline(peerKey) {
    const conversation = this.conversations.get(peerKey);
    try {
      await this.request({ type: "private_decline", pseudo: conversation.peer });
    } catch (error) {
      this.toastError(error);
      return;
    }
    Object.assign(conversation, { status: "declined", requested_by_me: false });
    if (this.viewKey() === `p:${peerKey}`) this.setView(null);
    this.renderAll();
  }

  async block(pseudo) {
    try {
      await this.request({ type: "block", pseudo });
    } catch (error) {
      this.toastError(error);
      return;
    }
    this.onBlocked({ pseudo });
    this.toast(t("block.done", { pseudo }), { label: t("action.undo"), run: () => this.unblock(pseudo) });
  }

  async unblock(pseudo) {
    try {
      await this.request({ type: "unblock", pseudo });
    } catch (error) {
      this.toastError(error);
      return;
    }
    this.onUnblocked({ pseudo });
    this.toast(t("block.undone", { pseudo }));
  }

  async acceptInvitation(roomId) {
    this.invitations.delete(roomId);
    // Not listed until joined: a placeholder, completed by the join reply.
    const placeholder = { id: roomId, name: roomId, allowed: true, unread: 0, kind: "private", audience: "all" };
    this.rooms.set(roomId, placeholder);
    await this.openRoom(roomId);
  }

  async declineInvitation(roomId) {
    this.invitations.delete(roomId);
    this.renderConversations();
    try {
      await this.request({ type: "invitation_decline", room: roomId });
    } catch (error) {
      this.toastError(error);
    }
  }

  // --- private rooms (registered people create them, then invite) --------------------------------------

  toggleCreateRoom() {
    const { createToggle, createForm } = this.el;
    if (!this.me.registered) {
      show(byId("create-room-locked"), true);
      return;
    }
    const open = createForm.hidden;
    show(createForm, open);
    createToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      this.fillAudiences();
      byId("create-room-name").focus();
    }
  }

  /** Only the audiences this person may be in: a minor cannot create an adults' room, and the reverse. */
  fillAudiences() {
    const own = this.me.age_band === "minor" ? "minors" : "adults";
    const options = [own, "all"].map((value) => h("option", { value, text: t(`audience.${value}.long`) }));
    byId("create-room-audience").replaceChildren(...options);
  }

  async createRoom() {
    const name = byId("create-room-name").value.trim();
    const audience = byId("create-room-audience").value;
    let data;
    try {
      data = await this.request({ type: "create_room", name, audience });
    } catch (error) {
      this.toastError(error);
      return;
    }
    this.el.createForm.reset();
    show(this.el.createForm, false);
    this.el.createToggle.setAttribute("aria-expanded", "false");
    this.rooms.set(data.room.id, { ...data.room, allowed: true, joined: true, unread: 0, members: 1, mine: true });
    await this.openRoom(data.room.id);
  }

  toggleInvite() {
    const open = this.el.inviteForm.hidden;
    show(this.el.inviteForm, open);
    this.el.inviteToggle.setAttribute("aria-expanded", String(open));
    if (open) byId("invite-pseudo").focus();
  }

  async invite() {
    const field = byId("invite-pseudo");
    const pseudo = field.value.trim();
    if (!pseudo || !this.view || this.view.type !== "room") return;
    try {
      await this.request({ type: "invite", room: this.view.id, pseudo });
    } catch (error) {
      this.toastError(error);
      return;
    }
    field.value = "";
    this.toggleInvite();
    this.toast(t("room.invite.sent", { pseudo }));
  }

  // --- sending ------------------------------------------------------------------------------------

  submitComposer() {
    const text = this.el.input.value.trim();
    if (!text || !this.view || this.el.input.disabled) return;
    const target = this.view.type === "room" ? { room: this.view.id } : { to: this.peerOfView() };
    const id = clientId();
    const action = /^\/me\s/i.test(text);
    const timeline = this.timeline(this.viewKey());
    const item = timeline.addPending({
      client_id: id,
      sender: this.me.pseudo,
      sender_band: this.me.age_band,
      kind: action ? "action" : "text",
      text: action ? text.slice(4).trim() : text,
      ts: Date.now(),
      frame: { type: "send", id, text, ...target },
    });
    this.el.input.value = "";
    this.updateCount();
    this.notice = null;
    this.refusal = null;
    this.renderNotice();
    this.renderComposerNotice();
    this.drawItem(timeline, item, { scroll: true });
    this.transmit(timeline, item);
  }

  async transmit(timeline, item) {
    try {
      // retry: a send made while disconnected goes out after reconnecting, with the same id.
      const ack = await this.request(item.frame, { retry: true });
      if (ack.conversation !== undefined) this.conversationSent(item.frame.to, ack);
      if (item.pending) timeline.confirm(item, ack);
      applySafety(item, ack.safety, ack.flags); // held for review, blurred, or with a tip
      this.redrawItem(timeline, item);
    } catch (error) {
      this.refused(timeline, item, error);
    }
  }

  /** A message the server did not take. Nothing is lost: it goes back into the composer
   *  (when that is free), with the reason beside it; otherwise it stays, marked, in the list. */
  refused(timeline, item, error) {
    const conversation = item.frame.to ? this.conversations.get(keyOf(item.frame.to)) : null;
    if (conversation && error.code === "conversation_frozen") this.freeze(conversation);
    if (conversation && error.code === "private_age_mismatch") conversation.age_refused = true;
    const here = this.viewKey() === timeline.key;
    const retryable = RETRYABLE.has(error.code);
    const { input } = this.el;
    if (here) this.renderComposer(); // a frozen conversation or an age refusal locks it
    // A refused photo stays in the list, marked: the composer could give back its caption, not the file.
    const photo = item.kind === "image";
    const restore = here && !retryable && !photo && !input.value.trim() && !this.composerLocked();
    if (restore) {
      timeline.remove(item);
      this.nodes.get(item)?.remove();
      input.value = item.frame.text;
      this.updateCount();
    } else {
      Object.assign(item, { pending: false, failed: error, retryable });
      this.redrawItem(timeline, item);
    }
    if (!here) return;
    if (retryable) {
      this.showNotice(error);
      return;
    }
    this.refusal = { key: timeline.key, error, kept: restore };
    this.renderComposer();
    if (restore && isWide()) input.focus();
  }

  retry(item) {
    const timeline = this.timelines.get(this.viewKey());
    if (!timeline) return;
    timeline.remove(item);
    const again = timeline.addPending({ ...item, failed: null, ts: Date.now() });
    this.renderMessages();
    this.transmit(timeline, again);
  }

  conversationSent(pseudo, ack) {
    const conversation = this.conversation(pseudo, { id: ack.conversation, channel: ack.channel });
    startRequestIfNeeded(conversation);
    this.renderConversations();
    if (this.viewKey() === `p:${keyOf(pseudo)}`) {
      this.renderHeader();
      this.renderComposer();
    }
  }

  // --- photos: upload with progress, then a send like any other message ---------------------------------

  choosePhoto() {
    if (this.upload || !this.view || this.composerLocked()) return;
    this.el.photoInput.click();
  }

  photoChosen() {
    const { photoInput, input } = this.el;
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = ""; // the same file may be chosen again after a refusal
    if (!file || !this.view || this.upload || this.composerLocked()) return;
    const key = this.viewKey();
    // The server checks everything again; these two only spare a useless upload.
    const local = file.size > api.IMAGE_MAX_BYTES ? "image_too_large" : file.size === 0 ? "image_empty" : null;
    if (local) {
      this.photoRefused(key, new api.PapoteError(local), false);
      return;
    }
    // What is typed in the composer goes with the photo, as its caption.
    const caption = input.value.trim();
    input.value = "";
    this.updateCount();
    this.notice = null;
    this.refusal = null;
    this.renderNotice();
    const target = this.view.type === "room" ? { room: this.view.id } : { to: this.peerOfView() };
    const upload = { key, target, caption, file, fraction: 0, cancel: () => {} };
    const { done, cancel } = api.uploadImage(file, (fraction) => {
      upload.fraction = fraction;
      if (this.upload === upload) this.renderUpload();
    });
    upload.cancel = cancel;
    this.upload = upload;
    const hadFocus = document.activeElement === this.el.photoButton;
    this.renderUpload();
    this.renderComposerNotice();
    if (hadFocus) this.el.uploadCancel.focus(); // the photo button is disabled while the upload runs
    done.then(
      (uploaded) => this.uploaded(upload, uploaded),
      (error) => this.uploadFailed(upload, error),
    );
  }

  cancelUpload() {
    if (this.upload) this.upload.cancel();
  }

  /** The server kept the photo: now it is sent like a text, shown at once and confirmed by the ack. */
  uploaded(upload, data) {
    if (this.upload !== upload) return;
    this.finishUpload();
    if (upload.key.startsWith("r:") && !this.loaded.has(upload.key)) return; // the room was left meanwhile
    const id = clientId();
    const timeline = this.timeline(upload.key);
    const item = timeline.addPending({
      client_id: id,
      sender: this.me.pseudo,
      sender_band: this.me.age_band,
      kind: "image",
      text: upload.caption,
      ts: Date.now(),
      localUrl: URL.createObjectURL(upload.file), // shown until the server's thumbnail comes
      frame: { type: "send", id, image: data.image, text: upload.caption, ...upload.target },
    });
    if (this.viewKey() === upload.key) this.drawItem(timeline, item, { scroll: true });
    this.transmit(timeline, item);
  }

  uploadFailed(upload, error) {
    if (this.upload !== upload) return;
    this.finishUpload();
    const { input } = this.el;
    const here = this.viewKey() === upload.key;
    const kept = here && Boolean(upload.caption) && !input.value.trim();
    if (kept) {
      input.value = upload.caption; // nothing typed is lost
      this.updateCount();
    }
    if (error.code === "upload_cancelled") {
      this.el.announcer.textContent = t("photo.cancelled");
      return;
    }
    this.photoRefused(upload.key, error, kept);
  }

  /** Why the photo was not taken, beside the composer, in the server's words. */
  photoRefused(key, error, kept) {
    this.refusal = { key, error, kept };
    this.renderComposerNotice();
  }

  finishUpload() {
    const focused = this.el.upload.contains(document.activeElement);
    this.upload = null;
    this.renderUpload();
    if (focused && !this.el.composer.hidden) this.el.photoButton.focus();
  }

  /** The progress bar and its cancel button, under the composer of the conversation the photo goes to. */
  renderUpload() {
    const { upload, uploadLabel, uploadProgress, photoButton } = this.el;
    const current = this.upload;
    photoButton.disabled = Boolean(current) || this.composerLocked();
    const here = Boolean(current) && current.key === this.viewKey();
    show(upload, here);
    if (!here) return;
    const percent = Math.min(100, Math.round(current.fraction * 100));
    uploadProgress.value = percent;
    // Once every byte is sent the server still checks the photo: say so rather than sit at 100 %.
    uploadLabel.textContent = percent >= 100 ? t("photo.checking") : t("photo.uploading", { n: percent });
  }

  scheduleRead() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.sendRead(), READ_DELAY_MS);
  }

  /** Tell the server how far we read the room or private conversation on screen. */
  sendRead() {
    if (!this.view || document.hidden) return;
    const key = this.viewKey();
    const timeline = this.timelines.get(key);
    if (!timeline || timeline.lastSeq <= (this.readSent.get(key) || 0)) return;
    let target = { room: this.view.id };
    if (this.view.type === "private") {
      const conversation = this.conversations.get(this.view.peer);
      if (!conversation || !mayRead(conversation)) return;
      target = { with: conversation.peer };
    }
    this.readSent.set(key, timeline.lastSeq);
    this.request({ type: "read", ...target, seq: timeline.lastSeq }).catch(() => {});
  }

  // --- controls ------------------------------------------------------------------------------------

  bindControls() {
    const { composer, input, leave, blockPeer, showMembers } = this.el;
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitComposer();
    });
    input.addEventListener("keydown", (event) => {
      // Enter sends; Shift+Enter is a new line; never while an IME is composing a character.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitComposer();
      }
    });
    input.addEventListener("input", () => this.updateCount());
    this.el.photoButton.addEventListener("click", () => this.choosePhoto());
    this.el.photoInput.addEventListener("change", () => this.photoChosen());
    this.el.uploadCancel.addEventListener("click", () => this.cancelUpload());
    leave.addEventListener("click", () => this.leaveRoom());
    blockPeer.addEventListener("click", () => {
      const conversation = this.view && this.conversations.get(this.view.peer);
      if (!conversation) return;
      if (this.isBlocked(conversation.peer)) this.unblock(conversation.peer);
      else this.block(conversation.peer);
    });
    showMembers.addEventListener("click", () => this.toggleMembers(true));
    byId("close-members").addEventListener("click", () => this.toggleMembers(false));
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => this.setPane(tab.dataset.tab));
    }
    this.el.createToggle.addEventListener("click", () => this.toggleCreateRoom());
    this.el.createForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.createRoom();
    });
    this.el.inviteToggle.addEventListener("click", () => this.toggleInvite());
    this.el.inviteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.invite();
    });
    byId("write-to-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const field = byId("write-to-pseudo");
      const pseudo = field.value.trim();
      if (!pseudo) return;
      field.value = "";
      this.openPrivate(keyOf(pseudo), { pseudo });
    });
    document.addEventListener("keydown", (event) => {
      // An open <dialog> handles its own Escape.
      if (event.key === "Escape" && !this.el.view.hidden && !document.querySelector("dialog[open]")) this.escape();
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.scheduleRead();
    });
  }

  escape() {
    // Escape closes what is on top: the members drawer, then a notice.
    if (this.el.view.dataset.members === "open" || this.el.view.dataset.pane === "members") {
      this.toggleMembers(false);
    } else if (this.notice) {
      this.notice = null;
      this.renderNotice();
    } else if (this.refusal) {
      this.refusal = null;
      this.renderComposerNotice();
    }
  }

  toggleMembers(open) {
    if (!isWide()) {
      this.setPane(open ? "members" : "chat");
      return;
    }
    this.el.view.dataset.members = open ? "open" : "closed";
    if (open) byId("close-members").focus();
    else this.el.showMembers.focus();
  }

  /** Phone width: one pane at a time, chosen with the tab bar. Wider screens show them all. */
  setPane(pane) {
    this.el.view.dataset.pane = pane;
    for (const tab of document.querySelectorAll(".tab")) {
      tab.setAttribute("aria-current", tab.dataset.tab === pane ? "page" : "false");
    }
  }

  focusComposer() {
    if (isWide() && !this.el.composer.hidden) this.el.input.focus();
  }

  updateCount() {
    const { input, count } = this.el;
    const max = Number(input.getAttribute("maxlength"));
    count.textContent = t("composer.count", { n: input.value.length, max });
    count.classList.toggle("char-count-near", input.value.length > max * 0.9);
  }

  /** Read a new message from someone else out to screen readers ("Camille : bonjour"). */
  announce(item) {
    if (this.isMine(item.sender)) return;
    const said = spoken(item);
    let text = item.kind === "action" && !item.blurred ? `* ${item.sender} ${said}` : `${item.sender} : ${said}`;
    if (item.tip) text += ` — ${t("tip.label")} : ${localText(item.tip)}`;
    this.el.announcer.textContent = text;
  }

  showNotice(error) {
    this.notice = error;
    this.renderNotice();
  }

  toastError(error) {
    this.toast(serverText(error), null, { error: true });
  }

  // --- drawing ------------------------------------------------------------------------------------

  renderAll() {
    if (!this.me) return;
    this.renderRooms();
    this.renderConversations();
    this.renderMembers();
    this.renderView();
    this.updateCount();
  }

  renderRooms() {
    const items = [...this.rooms.values()].map((room) => {
      const active = this.view && this.view.type === "room" && this.view.id === room.id;
      return roomItem(room, { active, onOpen: () => this.openRoom(room.id) });
    });
    replaceChildrenKeepingFocus(this.el.roomList, items);
    const unread = [...this.rooms.values()].reduce((sum, room) => sum + (room.joined ? room.unread || 0 : 0), 0);
    this.setTabCount("rooms", unread);
  }

  renderConversations() {
    const conversations = [...this.conversations.values()];
    const requests = conversations.filter((c) => c.status === "pending" && !c.requested_by_me);
    const listed = conversations.filter((c) => this.isListed(c));
    const invitations = [...this.invitations.values()].map((invitation) =>
      invitationItem(invitation, {
        join: () => this.acceptInvitation(invitation.room),
        decline: () => this.declineInvitation(invitation.room),
      }),
    );
    const requestItems = requests.map((c) => requestItem(c, keyOf(c.peer), this.requestActions(c.peer)));
    replaceChildrenKeepingFocus(this.el.requestList, [...invitations, ...requestItems]);
    replaceChildrenKeepingFocus(this.el.conversationList, listed.map((c) => this.conversationEntry(c)));
    show(this.el.privateEmpty, !requests.length && !listed.length && !invitations.length);
    const waiting = requests.length + invitations.length + listed.reduce((sum, c) => sum + (c.unread || 0), 0);
    this.setTabCount("private", waiting);
  }

  /** Requests to us are listed apart; a draft only while it is open; declined ones only to the asker. */
  isListed(conversation) {
    const key = keyOf(conversation.peer);
    if (conversation.status === "pending") return conversation.requested_by_me;
    if (conversation.status === "declined") return conversation.requested_by_me;
    if (conversation.status === "new") return this.view && this.view.type === "private" && this.view.peer === key;
    return true;
  }

  requestActions(pseudo) {
    const key = keyOf(pseudo);
    return {
      accept: () => this.accept(key),
      decline: () => this.decline(key),
      block: () => this.block(pseudo),
      reveal: () => {
        this.renderConversations();
        this.renderRequestCard();
      },
    };
  }

  conversationEntry(conversation) {
    const key = keyOf(conversation.peer);
    const active = this.view && this.view.type === "private" && this.view.peer === key;
    const state = conversationState(conversation);
    return conversationItem(conversation, key, { active, state, onOpen: () => this.openPrivate(key) });
  }

  renderMembers() {
    const roomId = this.membersRoom;
    const members = roomId ? this.members.get(roomId) : null;
    const list = members ? [...members.values()] : [];
    // Ourselves first, then by pseudonym.
    const rank = (member) => (this.isMine(member.pseudo) ? 0 : 1);
    list.sort((a, b) => rank(a) - rank(b) || a.pseudo.localeCompare(b.pseudo));
    replaceChildrenKeepingFocus(this.el.memberList, list.map((m) => this.memberEntry(m)));
    this.el.membersCount.textContent = members ? `(${list.length})` : "";
    show(this.el.membersEmpty, !members);
  }

  memberEntry(member) {
    const pseudo = member.pseudo;
    const key = keyOf(pseudo);
    const mine = this.isMine(pseudo);
    const ageApart = !mine && this.bandsApart(member.age_band);
    return memberItem(member, key, {
      mine,
      blocked: this.isBlocked(pseudo),
      ageApart,
      onWrite: () => {
        if (ageApart) this.toast(t("member.write.age"));
        else this.openPrivate(key, { pseudo, band: member.age_band });
      },
      onBlock: () => this.block(pseudo),
      onUnblock: () => this.unblock(pseudo),
      onReport: () => this.report({ kind: "user", id: pseudo, pseudo, band: member.age_band }),
    });
  }

  setTabCount(tab, count) {
    const badge = document.querySelector(`.tab[data-tab="${tab}"] .tab-count`);
    badge.textContent = String(count);
    show(badge, count > 0);
    // The browser tab shows the total too, for people who switched to another tab.
    const counts = [...document.querySelectorAll(".tab-count")].map((b) => Number(b.textContent || 0));
    const total = counts.reduce((sum, n) => sum + n, 0);
    document.title = total > 0 ? `(${total}) Papote` : "Papote";
  }

  renderView() {
    const open = Boolean(this.view);
    if (!this.view || this.view.type !== "room" || !this.isMyPrivateRoom(this.rooms.get(this.view.id))) {
      show(this.el.inviteForm, false);
    }
    show(this.el.empty, !open);
    show(this.el.messages, open);
    this.renderHeader();
    this.renderNotice();
    this.renderRequestCard();
    this.renderComposer();
    this.renderMessages();
  }

  renderHeader() {
    const { title, badge, topic, leave, blockPeer, showMembers, inviteToggle } = this.el;
    show(inviteToggle, false);
    show(leave, false);
    show(blockPeer, false);
    show(showMembers, false);
    show(badge, false);
    topic.textContent = "";
    if (!this.view) {
      title.textContent = t("chat.none");
      return;
    }
    if (this.view.type === "room") {
      const room = this.rooms.get(this.view.id) || { name: this.view.id };
      title.textContent = room.name;
      topic.textContent = room.topic || "";
      if (room.audience) {
        badge.className = `badge badge-audience-${room.audience}`;
        badge.textContent = t(`audience.${room.audience}`);
        badge.title = t(`audience.${room.audience}.long`);
        show(badge, true);
      }
      show(leave, true);
      show(showMembers, true);
      show(inviteToggle, this.isMyPrivateRoom(room)); // only the owner may invite
      return;
    }
    const conversation = this.conversations.get(this.view.peer);
    title.textContent = conversation.peer;
    if (conversation.peer_band) {
      badge.className = `badge badge-${conversation.peer_band}`;
      badge.textContent = t(`band.${conversation.peer_band}`);
      badge.title = t(`band.${conversation.peer_band}.long`);
      show(badge, true);
    }
    const intro = privateIntro(conversation, this.isBlocked(conversation.peer));
    topic.textContent = t(intro, { pseudo: conversation.peer });
    blockPeer.textContent = t(this.isBlocked(conversation.peer) ? "action.unblock" : "action.block");
    show(blockPeer, true);
  }

  renderNotice() {
    const { notice } = this.el;
    notice.replaceChildren();
    if (this.notice) {
      const dismiss = () => {
        this.notice = null;
        this.renderNotice();
      };
      notice.append(h("p", { text: serverText(this.notice) }), smallButton(t("action.dismiss"), dismiss, { variant: "quiet" }));
    }
    show(notice, Boolean(this.notice));
  }

  renderRequestCard() {
    const card = this.el.requestCard;
    const conversation = this.view && this.view.type === "private" ? this.conversations.get(this.view.peer) : null;
    const incoming = conversation && conversation.status === "pending" && !conversation.requested_by_me;
    card.replaceChildren();
    if (incoming) {
      card.append(
        h("p", { class: "request-card-title", text: t("private.request.from", { pseudo: conversation.peer }) }),
        requestPreview(conversation, () => {
          this.renderConversations();
          this.renderRequestCard();
        }),
        requestButtons(keyOf(conversation.peer), this.requestActions(conversation.peer)),
      );
    }
    show(card, Boolean(incoming));
  }

  renderComposer() {
    const { composer, input, send } = this.el;
    let usable = Boolean(this.view);
    let locked = null; // why the composer is shown but cannot send
    if (this.view && this.view.type === "private") {
      const conversation = this.conversations.get(this.view.peer);
      const blocked = this.isBlocked(conversation.peer) || conversation.status === "blocked";
      // No composer while a request waits (either way: one message until the answer) or was refused.
      const pending = conversation.status === "pending";
      const refused = conversation.status === "declined" && conversation.requested_by_me;
      usable = !blocked && !pending && !refused;
      if (conversation.status === "frozen") locked = "composer.frozen";
      else if (this.ageApartFrom(conversation)) locked = "composer.age";
      input.placeholder = locked ? t(locked) : t("composer.private.placeholder", { pseudo: conversation.peer });
    } else {
      input.placeholder = t("composer.placeholder");
    }
    input.disabled = Boolean(locked);
    send.disabled = Boolean(locked);
    show(composer, usable);
    this.renderUpload();
    this.renderComposerNotice();
  }

  composerLocked() {
    return this.el.input.disabled;
  }

  /** Beside the composer: why the last message was refused, or why this conversation is closed. */
  composerNoticeContent() {
    const conversation = this.view && this.view.type === "private" ? this.conversations.get(this.view.peer) : null;
    if (conversation && conversation.status === "frozen") {
      const text = localText(conversation.frozen_message) || serverText({ code: "conversation_frozen" });
      return { kind: "frozen", text };
    }
    if (this.refusal && this.refusal.key === this.viewKey()) {
      return { kind: "refusal", text: serverText(this.refusal.error), kept: this.refusal.kept };
    }
    if (conversation && this.ageApartFrom(conversation)) return { kind: "locked", text: t("composer.age") };
    return null;
  }

  renderComposerNotice() {
    const box = this.el.composerNotice;
    const content = this.composerNoticeContent();
    const signature = content ? `${content.kind}|${content.text}|${content.kept}` : "";
    if (signature === this.composerShown) return; // an unchanged alert is not read out again
    this.composerShown = signature;
    box.replaceChildren();
    if (content) {
      box.className = `composer-notice composer-notice-${content.kind}`;
      box.append(h("p", { class: "composer-notice-text", text: content.text }));
      if (content.kept) box.append(h("p", { class: "composer-notice-hint", text: t("composer.kept") }));
      if (content.kind === "refusal") {
        const dismiss = () => {
          this.refusal = null;
          this.renderComposerNotice();
        };
        box.append(smallButton(t("action.dismiss"), dismiss, { variant: "quiet" }));
      }
    }
    show(box, Boolean(content));
  }

  renderMessages({ keepScroll = false } = {}) {
    const list = this.el.messages;
    const key = this.viewKey();
    const timeline = key ? this.timelines.get(key) : null;
    const before = list.scrollHeight - list.scrollTop;
    const nodes = [];
    if (timeline && timeline.mayHaveOlder) {
      const older = smallButton(t("chat.older"), () => this.loadOlder(), { variant: "quiet" });
      nodes.push(h("li", { class: "older" }, older));
    }
    for (const item of timeline ? timeline.items : []) {
      if (!item.notice && this.isBlocked(item.sender)) continue;
      const node = this.messageNode(item);
      this.nodes.set(item, node);
      nodes.push(node);
    }
    if (timeline && this.view.type === "room" && this.loaded.has(key) && !timeline.items.length) {
      nodes.push(h("li", { class: "notice empty-line", text: t("chat.room.empty") }));
    }
    list.replaceChildren(...nodes);
    list.scrollTop = keepScroll ? list.scrollHeight - before : list.scrollHeight;
  }

  messageNode(item) {
    return messageNode(item, {
      mine: this.isMine(item.sender || ""),
      onRetry: (again) => this.retry(again),
      onReveal: (hidden) => this.reveal(hidden),
      onBlock: (pseudo) => this.block(pseudo),
      onReport: (reported) =>
        this.report({
          kind: reported.kind === "image" ? "image" : "message",
          id: reported.id,
          pseudo: reported.sender,
          band: reported.sender_band,
        }),
    });
  }

  /** The reader chose to see a hidden message: only now does its text enter the page. */
  reveal(item) {
    item.revealed = true;
    const old = this.nodes.get(item);
    if (!old || !old.parentNode) return;
    const fresh = this.messageNode(item);
    old.replaceWith(fresh);
    this.nodes.set(item, fresh);
    fresh.querySelector(".message-revealed")?.focus();
  }

  /** Show one item where it belongs, without redrawing the list (screen readers announce it once). */
  drawItem(timeline, item, { scroll = false } = {}) {
    const list = this.el.messages;
    const old = this.nodes.get(item);
    if (old && old.parentNode === list) {
      this.updateNode(old, item);
      this.placeNode(timeline, item, old);
      return;
    }
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    list.querySelector(":scope > .empty-line")?.remove(); // the "no messages yet" line
    const node = this.messageNode(item);
    this.nodes.set(item, node);
    this.placeNode(timeline, item, node);
    if (scroll || nearBottom) list.scrollTop = list.scrollHeight;
  }

  /** Our own message was confirmed or refused: patch its node rather than adding a new one. */
  updateNode(old, item) {
    const fresh = this.messageNode(item);
    if (item.failed || item.held || item.tip || item.blurred || item.kind === "image") {
      old.replaceChildren(...fresh.childNodes); // what the server said about it is part of the message
    } else {
      old.querySelector(".message-state")?.remove();
      const text = old.querySelector(".message-text");
      const freshText = fresh.querySelector(".message-text");
      if (text && freshText && text.textContent !== freshText.textContent) text.replaceWith(freshText);
    }
    old.className = fresh.className;
    if (fresh.dataset.id) old.dataset.id = fresh.dataset.id; // the server's number, known once confirmed
  }

  placeNode(timeline, item, node) {
    const list = this.el.messages;
    const next = timeline.next(item);
    const nextNode = next ? this.nodes.get(next) : null;
    const before = nextNode && nextNode.parentNode === list ? nextNode : null;
    if (node.parentNode !== list || node.nextSibling !== before) list.insertBefore(node, before);
  }

  redrawItem(timeline, item) {
    if (this.viewKey() === timeline.key) this.drawItem(timeline, item);
  }
}

/** What a screen reader says of a new message: never the text of a hidden one. */
function spoken(item) {
  if (item.kind === "image") {
    if (item.blurred) return t("photo.masked.announce");
    return [t("photo.preview"), item.text].filter(Boolean).join(" — ");
  }
  return item.blurred ? t("message.masked.announce") : item.text;
}

/** The server lets both sides read an accepted, blocked or frozen conversation, a pending one only its asker. */
function mayRead(conversation) {
  return ["accepted", "blocked", "frozen"].includes(conversation.status) || conversation.requested_by_me;
}

/** Our message opens a request when there is no conversation yet, or after we declined theirs. */
function startRequestIfNeeded(conversation) {
  const declinedByUs = conversation.status === "declined" && !conversation.requested_by_me;
  const fresh = conversation.status === "new" || declinedByUs;
  if (fresh) Object.assign(conversation, { status: "pending", requested_by_me: true });
}

function conversationState(conversation) {
  if (conversation.status === "pending" && conversation.requested_by_me) return "private.waiting";
  if (conversation.status === "declined") return "private.declined";
  if (conversation.status === "blocked") return "private.closed";
  if (conversation.status === "frozen") return "private.frozen";
  if (conversation.status === "new") return "private.new";
  return null;
}

function privateIntro(conversation, blocked) {
  if (blocked) return "private.intro.blocked";
  if (conversation.status === "blocked") return "private.intro.closed";
  if (conversation.status === "frozen") return "private.intro.frozen";
  if (conversation.status === "new") return "private.intro.new";
  const asker = conversation.requested_by_me;
  if (conversation.status === "pending") return asker ? "private.intro.waiting" : "private.intro.request";
  if (conversation.status === "declined") return asker ? "private.intro.declined" : "private.intro.new";
  return "private.with";
}

const EVENT_HANDLERS = {
  message: Chat.prototype.onRoomMessage,
  private_message: Chat.prototype.onPrivateMessage,
  private_request: Chat.prototype.onPrivateRequest,
  private_accepted: Chat.prototype.onPrivateAccepted,
  private_declined: Chat.prototype.onPrivateDeclined,
  join: Chat.prototype.onJoin,
  leave: Chat.prototype.onLeave,
  joined: Chat.prototype.onJoined,
  left: Chat.prototype.onLeft,
  blocked: Chat.prototype.onBlocked,
  unblocked: Chat.prototype.onUnblocked,
  invitation: Chat.prototype.onInvitation,
  conversation_frozen: Chat.prototype.onConversationFrozen,
  suspended: Chat.prototype.onSuspendedEvent,
  report_received: Chat.prototype.onReportReceived,
  report_outcome: Chat.prototype.onReportOutcome,
  statement_of_reasons: Chat.prototype.onStatement,
  appeal_decided: Chat.prototype.onAppealDecided,
};
