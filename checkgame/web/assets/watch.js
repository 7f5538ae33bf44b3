// Watching a table without a seat (#/watch/<session id>, or #/watch/<join code> for a private one): the public
// view only, read from the spectators' socket
// (docs/protocol.md, "Watching a table"), with the spectators' chat beside it.
import { cardName } from "./cards.js";
import { ChatPanel } from "./chat.js";
import { h, render } from "./dom.js";
import { SessionModel } from "./model.js";
import { GameSocket } from "./socket.js";
import { CHAT, errorText, WATCH } from "./words.js";

/** Open the watch screen in `main`; returns {close()} for when the page moves on. */
export function watchScreen(main, api, id, setConnection) {
  const model = new SessionModel(null);
  let refused = null;
  let chat = null;
  const draw = () => {
    const s = model.state;
    if (refused) return render(main, h("p", { class: "panel" }, refused), h("a", { class: "button", href: "#/" }, WATCH.back));
    if (!s) return render(main, h("p", { class: "loading" }, WATCH.loading));
    const game = s.game;
    const name = (player) => model.name(player);
    render(main,
      h("h1", {}, WATCH.title),
      h("p", { class: "muted", "data-spectators": s.spectators }, WATCH.status(s.status, s.spectators,
        s.settings.spectatorDelaySeconds)),
      h("section", { class: "panel" }, h("h2", {}, WATCH.seats), h("ul", { class: "plain" }, s.seats.map((seat) => {
        const inGame = game && game.players.find((p) => p.id === seat.player);
        return h("li", {}, seat.name, inGame ? ` — ${WATCH.cards(inGame.handSize)}` : "",
          game && game.currentPlayer === seat.player ? ` ${WATCH.toPlay}` : "", seat.left ? ` ${WATCH.left}` : "");
      }))),
      game ? h("p", {}, WATCH.top(cardName(game.topCard), game.demandedSuit, game.pendingPenalty)) : null,
      h("section", { class: "panel" }, h("h2", {}, WATCH.log),
        h("ol", { class: "log" }, model.log.slice(-15).map((line) => h("li", {}, line.text)))),
      h("a", { class: "button", href: "#/" }, WATCH.back));
  };
  const token = api.login ? api.login.accessToken : null; // signed in: the spectators' chat is open to you
  const socket = new GameSocket(token, () => model.lastSeq, {
    status: (status, detail) => setConnection(status, detail),
    frame: (frame) => {
      if (chat && chat.take(frame)) return;
      if (frame.type === "error") { refused = errorText(frame.data); draw(); return; }
      if (frame.type === "spectators_changed" && model.state) model.state.spectators = frame.data.count;
      if (model.apply(frame)) draw();
    },
    closed: (code, reason) => {
      refused = refused || (code === 4429 ? errorText({ code: "SPECTATORS_FULL" }) : errorText({ code: reason }));
      draw();
    },
  }, /^[A-Za-z0-9]{6}$/.test(id) ? `code=${encodeURIComponent(id)}` : `session=${encodeURIComponent(id)}`);
  chat = new ChatPanel(id, (type, data) => socket.send(type, data), { canWrite: Boolean(token), title: CHAT.spectators });
  main.after(chat.element);
  draw();
  return { close() { socket.close(); chat.element.remove(); } };
}
