// The WebSocket to /ws: requests with a `ref`, events, and reconnection with resume.
//
// After a drop we reconnect with backoff, then send `resume` with the last sequence
// number seen in each channel: the server replays what we missed. Message sends
// waiting for their ack are sent again with the same client id, which the server
// stores only once, so nothing is lost and nothing is doubled.

import { PapoteError } from "./api.js";

const REQUEST_TIMEOUT_MS = 20_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;
const WATCHDOG_EVERY_MS = 5_000;
const MESSAGE_EVENTS = new Set(["message", "private_message"]);
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_SUSPENDED = 4403;

export class Connection {
  /** handlers: onHello(hello, reconnected), onEvent(frame), onStatus("online"|"reconnecting"),
   *  checkSession() -> Promise<boolean|null>, onSessionLost(), onSuspended(texts|null) */
  constructor(handlers) {
    this.handlers = handlers;
    this.positions = new Map(); // channel -> last seq seen
    this.waiting = new Map(); // ref -> {frame, resolve, reject, retry, sent, timer}
    this.nextRef = 1;
    this.ws = null;
    this.ready = false; // the server said hello on the current socket
    this.stopped = true;
    this.everConnected = false;
    this.attempts = 0;
    this.heartbeatMs = 25_000;
    this.lastTraffic = 0;
    this.watchdog = null;
    this.reconnectTimer = null;
    this.refusal = null; // the last error frame without a ref (sent just before the server closes)
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.dropSocket();
  }

  start() {
    this.stopped = false;
    this.open();
    this.watchdog = setInterval(() => this.checkAlive(), WATCHDOG_EVERY_MS);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.reconnectTimer);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.dropSocket();
    for (const entry of this.waiting.values()) entry.reject(new PapoteError("disconnected"));
    this.waiting.clear();
  }

  /** Send a command; resolves with the reply's data (or the ack), rejects with a PapoteError.
   *  With retry, the command waits through a disconnection and is sent again after reconnecting. */
  request(frame, { retry = false } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.ready && !retry) {
        reject(new PapoteError("disconnected"));
        return;
      }
      const ref = String(this.nextRef++);
      const entry = { frame: { ...frame, ref }, resolve, reject, retry, sent: false, timer: null };
      this.waiting.set(ref, entry);
      if (this.ready) this.transmit(ref, entry);
    });
  }

  /** Remember the newest message seen in a channel, for `resume`. */
  saw(channel, seq) {
    if (typeof channel !== "string" || !Number.isInteger(seq)) return;
    if (seq > (this.positions.get(channel) ?? -1)) this.positions.set(channel, seq);
  }

  forget(channel) {
    this.positions.delete(channel);
  }

  // --- socket life ---------------------------------------------------------------------

  open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    this.ws = ws;
    this.ready = false;
    this.refusal = null;
    ws.onmessage = (event) => this.receive(ws, event.data);
    ws.onclose = (event) => this.closed(ws, event.code); // onerror is always followed by onclose
  }

  receive(ws, raw) {
    if (ws !== this.ws) return;
    this.lastTraffic = Date.now();
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.greeted(frame);
        break;
      case "ping":
        this.sendRaw({ type: "pong" });
        break;
      case "pong":
        break;
      case "error":
        // Without a ref, the error is about the connection itself (not_authenticated,
        // account_suspended): the server closes right after, and the close code says what to do.
        if (frame.ref === null || frame.ref === undefined) this.refusal = frame;
        else this.settle(frame);
        break;
      case "reply":
      case "ack":
        this.settle(frame);
        break;
      default:
        if (MESSAGE_EVENTS.has(frame.type)) this.saw(frame.channel, frame.seq);
        this.handlers.onEvent(frame);
    }
  }

  greeted(hello) {
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.ready = true;
    this.attempts = 0;
    if (hello.heartbeat_seconds) this.heartbeatMs = hello.heartbeat_seconds * 1000;
    // Resume first, from the positions as they were when the socket dropped.
    if (this.positions.size) {
      this.request({ type: "resume", positions: Object.fromEntries(this.positions) }).catch(() => {});
    }
    for (const [ref, entry] of this.waiting) if (!entry.sent) this.transmit(ref, entry);
    this.handlers.onStatus("online");
    this.handlers.onHello(hello, reconnected);
  }

  closed(ws, code = 0) {
    if (ws !== this.ws) return;
    const wasReady = this.ready;
    this.ws = null;
    this.ready = false;
    for (const [ref, entry] of this.waiting) {
      clearTimeout(entry.timer);
      if (entry.retry) {
        entry.sent = false; // sent again after the next hello
      } else {
        this.waiting.delete(ref);
        entry.reject(new PapoteError("disconnected"));
      }
    }
    if (this.stopped) return;
    if (code === CLOSE_UNAUTHENTICATED) {
      this.stop();
      this.handlers.onSessionLost();
      return;
    }
    if (code === CLOSE_SUSPENDED) {
      // Suspended pending review: reconnecting would only be refused again, so stop here.
      const texts = this.refusal ? this.refusal.message : null;
      this.stop();
      if (this.handlers.onSuspended) this.handlers.onSuspended(texts);
      return;
    }
    this.handlers.onStatus("reconnecting");
    if (!wasReady && this.handlers.checkSession) {
      // Refused before hello: maybe the session expired (a refused handshake has no close code).
      this.handlers.checkSession().then((valid) => {
        if (this.stopped) return;
        if (valid === false) {
          this.stop();
          this.handlers.onSessionLost();
        } else {
          this.scheduleReconnect();
        }
      });
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.attempts);
    this.attempts += 1;
    // Jitter, so that a restarted server is not hit by every client in the same instant.
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** A fresh connection now (the server re-reads who we are), resuming where we were. */
  reconnect() {
    this.dropSocket();
    this.reconnectNow();
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  /** Abandon the current socket at once (it may be silently dead) and start reconnecting. */
  dropSocket() {
    const ws = this.ws;
    if (!ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    this.closed(ws);
    try {
      ws.close();
    } catch {
      // already closing
    }
  }

  checkAlive() {
    // The server pings every heartbeat: silence for much longer means a dead link.
    if (this.ready && Date.now() - this.lastTraffic > this.heartbeatMs * 2.5) this.dropSocket();
  }

  // --- requests ------------------------------------------------------------------------

  transmit(ref, entry) {
    entry.sent = true;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.timedOut(ref), REQUEST_TIMEOUT_MS);
    this.sendRaw(entry.frame);
  }

  timedOut(ref) {
    const entry = this.waiting.get(ref);
    if (!entry) return;
    this.waiting.delete(ref);
    entry.reject(new PapoteError("disconnected"));
  }

  settle(frame) {
    if (frame.type === "ack") this.saw(frame.channel, frame.seq);
    const ref = String(frame.ref);
    const entry = this.waiting.get(ref);
    if (!entry) return;
    this.waiting.delete(ref);
    clearTimeout(entry.timer);
    if (frame.type === "error") entry.reject(new PapoteError(frame.code, frame.message, 0, frame.details));
    else entry.resolve(frame.type === "reply" ? frame.data : frame);
  }

  sendRaw(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      // the socket is closing: onclose will take over
    }
  }
}
