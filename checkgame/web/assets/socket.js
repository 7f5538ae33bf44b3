// One player's WebSocket to one session. It reconnects by itself with growing pauses and resumes with lastSeq,
// so a dropped network, a server restart or a node going away costs a moment, never the game.

const PING_EVERY_MS = 20_000; // well inside the server's 60 s heartbeat timeout
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
// Reconnecting cannot help after these: left the session; refused (bad token, no seat); removed by an operator (KICKED);
// too many spectators (SPECTATORS_FULL).
const FINAL_CLOSES = new Set([1000, 1008, 4403, 4429]);

export class GameSocket {
  /**
   * @param token the session token of the seat
   * @param lastSeq () => the highest seq processed, or -1 for a fresh snapshot
   * @param on {frame(f), status(s, detail), closed(code, reason)}
   * @param watch for a spectator: the query naming the table (`session=<id>`), the token optional
   */
  constructor(token, lastSeq, on, watch = null) {
    Object.assign(this, { token, lastSeq, on, watch });
    this.ws = null;
    this.failures = 0;
    this.stopped = false;
    this.timer = null;
    this.pinger = null;
    this.actions = 0;
    this.#connect();
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  #connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const seq = this.lastSeq();
    const resume = seq >= 0 ? `&lastSeq=${seq}` : "";
    this.on.status(this.failures ? "reconnecting" : "connecting");
    // batch=1: frames that wait together arrive as one array (docs/protocol.md), handled one by one in order.
    const who = this.token ? `token=${encodeURIComponent(this.token)}&` : "";
    const query = `${this.watch ? `${this.watch}&` : ""}${who}batch=1${resume}`;
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws${this.watch ? "/watch" : ""}?${query}`);
    this.ws = ws;
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      for (const frame of Array.isArray(message) ? message : [message]) this.#dispatch(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      clearInterval(this.pinger);
      this.ws = null;
      if (this.stopped) return;
      if (FINAL_CLOSES.has(event.code)) {
        this.stopped = true;
        this.on.status("offline");
        this.on.closed(event.code, event.reason);
        return;
      }
      this.failures += 1;
      const delay = Math.min(BACKOFF_FIRST_MS * 2 ** (this.failures - 1), BACKOFF_MAX_MS) * (0.75 + Math.random() / 2);
      this.on.status("reconnecting", Math.round(delay / 1000));
      this.timer = setTimeout(() => this.#connect(), delay);
    };
    ws.onopen = () => {
      this.pinger = setInterval(() => this.send("ping", {}), PING_EVERY_MS);
    };
  }

  #dispatch(frame) {
    // The server's ping: echoing its nonce at once gives the operators this player's round trip.
    if (frame.type === "ping") this.send("pong", { nonce: frame.data ? frame.data.nonce : null });
    if (frame.type === "connection_established") {
      this.failures = 0;
      this.on.status("online");
    }
    this.on.frame(frame);
  }

  /** Send a frame; false when the socket is down (the page disables moves then). */
  send(type, data = {}) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify({ type, data }));
    return true;
  }

  /** A game action with an actionId, so a retry is never applied twice. */
  act(type, data = {}) {
    this.actions += 1;
    return this.send(type, { ...data, actionId: `${Date.now().toString(36)}-${this.actions}` });
  }

  /** Reconnect now (after the network came back), keeping lastSeq. */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.#connect();
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.ws) this.ws.close(1000, "bye");
    this.ws = null;
  }
}
