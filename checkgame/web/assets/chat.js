// The table's chat: the seated players' at a seat, the spectators' when watching (docs/protocol.md, "chat").
// It lives outside the re-rendered screen, so what you are typing survives every frame of the game. Muting a
// user here hides their messages on this device only; operators mute for everyone.
import { h, render } from "./dom.js";
import { errorText, t } from "./words.js";

const MAX_CHARS = 300; // the server's limit (sessions/social.py)
const SHOWN = 100; // messages kept on screen

export class ChatPanel {
  /**
   * @param sessionId the table, which names this device's mutes
   * @param send (type, data) => bool: the socket's send
   * @param canWrite false for a spectator without an account (the server would refuse: CHAT_NEEDS_ACCOUNT)
   * @param titleKey the words of the panel's heading (chat.players or chat.spectators)
   */
  constructor(sessionId, send, { canWrite = true, titleKey = "chat.players" } = {}) {
    Object.assign(this, { sessionId, send, canWrite, titleKey });
    this.messages = []; // {seq, from, name, text}
    this.seen = new Set();
    this.spectators = 0;
    this.mutedKey = `checkgame.chatMutes.${sessionId}`;
    this.muted = new Set(JSON.parse(localStorage.getItem(this.mutedKey) || "[]"));
    this.list = h("ol", { class: "chat-messages", "aria-live": "polite" });
    this.input = h("input", { name: "text", maxlength: MAX_CHARS, autocomplete: "off", required: true });
    this.sendButton = h("button", { type: "submit" });
    const form = h("form", { class: "chat-form", onsubmit: (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      if (this.send("chat", { text })) this.input.value = "";
      else this.#status(t("chat.offline"));
    } }, this.input, this.sendButton);
    this.statusLine = h("p", { class: "muted chat-status", role: "status" });
    this.watching = h("span", { class: "muted chat-watching" });
    this.heading = h("h2", { id: "chat-title" });
    this.signIn = h("p", { class: "muted" });
    this.element = h("aside", { class: "panel chat", "aria-labelledby": "chat-title" },
      this.heading, this.list, this.statusLine, canWrite ? form : this.signIn);
    this.relabel();
  }

  /** Put the panel's words in the current language (again after a language switch): the panel outlives the
   * screen's redraws, so what is being typed and the messages stay. */
  relabel() {
    this.heading.replaceChildren(t(this.titleKey), " ", this.watching);
    this.input.placeholder = t("chat.placeholder");
    this.input.setAttribute("aria-label", t("chat.placeholder"));
    this.sendButton.textContent = t("chat.send");
    this.signIn.textContent = t("chat.signInToWrite");
    this.#watching(this.spectators);
    this.#draw();
  }

  /** Take a frame in if it is the chat's; true when it was (the table's own frames go on to the model). */
  take(frame) {
    const d = frame.data || {};
    switch (frame.type) {
      case "session_state": this.#watching(d.spectators); return false;
      case "spectators_changed": this.#watching(d.count); return false;
      case "chat_message":
        if (this.seen.has(frame.seq)) return true; // a replay after resuming
        this.seen.add(frame.seq);
        this.messages = [...this.messages, { seq: frame.seq, from: d.from, name: d.name, text: d.text }].slice(-SHOWN);
        break;
      case "chat_deleted": this.messages = this.messages.filter((m) => m.seq !== d.messageSeq); break;
      case "chat_muted": this.#status(d.muted ? t("chat.operatorMuted", { player: d.player }) : t("chat.operatorUnmuted", { player: d.player })); break;
      case "error":
        if (!["CHAT_MUTED", "CHAT_NEEDS_ACCOUNT", "MESSAGE_TOO_LONG", "RATE_LIMITED"].includes(d.code)) return false;
        this.#status(errorText(d));
        return true;
      default: return false;
    }
    this.#draw();
    return true;
  }

  #status(text) { this.statusLine.textContent = text; }

  #watching(count) {
    this.spectators = count || 0;
    this.watching.textContent = count ? t("chat.watching", { n: count }) : "";
    this.watching.dataset.spectators = String(count || 0);
  }

  #toggleMute(user) {
    if (this.muted.has(user)) this.muted.delete(user);
    else this.muted.add(user);
    this.#keepMutes();
  }

  #unmuteAll() {
    this.muted.clear();
    this.#keepMutes();
  }

  #keepMutes() {
    localStorage.setItem(this.mutedKey, JSON.stringify([...this.muted]));
    this.#draw();
  }

  #draw() {
    const shown = this.messages.filter((m) => !this.muted.has(m.from));
    const hidden = this.messages.length - shown.length;
    render(this.list, shown.length ? shown.map((m) => h("li", { "data-seq": m.seq },
      h("strong", {}, m.name || m.from), " ", h("span", { class: "chat-text" }, m.text), " ",
      h("button", { type: "button", class: "link", title: t("chat.muteTitle"), onclick: () => this.#toggleMute(m.from) }, t("chat.mute")),
      h("button", { type: "button", class: "link", title: t("chat.reportTitle"), onclick: () => {
        if (this.send("report_chat", { seq: m.seq })) this.#status(t("chat.reported"));
      } }, t("chat.report")),
    )) : h("li", { class: "muted" }, t("chat.empty")),
    hidden ? h("li", { class: "muted" }, t("chat.hidden", { n: hidden }), " ",
      h("button", { type: "button", class: "link", onclick: () => this.#unmuteAll() }, t("chat.unmuteAll"))) : null);
  }
}
