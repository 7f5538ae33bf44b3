// Watching a table without a seat (#/watch/<session id>, or #/watch/<join code> for a private one): the public
// view only, read from the spectators' socket
// (docs/protocol.md, "Watching a table"), with the spectators' chat beside it.
import { cardName } from "./cards.js";
import { ChatPanel } from "./chat.js";
import { h, render } from "./dom.js";
import { SessionModel } from "./model.js";
import { GameSocket } from "./socket.js";
import { errorText, suitName, t } from "./words.js";

/** A table's status in words ("playing" → "Playing", "En cours"); a status the client does not know shows as is. */
const statusName = (status) => (["waiting", "playing", "between", "finished"].includes(status) ? t(`watch.status.${status}`) : status);

/** Open the watch screen in `main`; returns {close()} for when the page moves on. */
export function watchScreen(main, api, id, setConnection) {
  const model = new SessionModel(null);
  let refused = null;
  let chat = null;
  const draw = () => {
    const s = model.state;
    if (refused) return render(main, h("p", { class: "panel" }, refused), h("a", { class: "button", href: "#/" }, t("watch.back")));
    if (!s) return render(main, h("p", { class: "loading" }, t("watch.loading")));
    const game = s.game;
    const name = (player) => model.name(player);
    render(main,
      h("h1", {}, t("watch.title")),
      h("p", { class: "muted", "data-spectators": s.spectators }, t("watch.status", { status: statusName(s.status),
        watching: s.spectators, delay: s.settings.spectatorDelaySeconds })),
      h("section", { class: "panel" }, h("h2", {}, t("watch.seats")), h("ul", { class: "plain" }, s.seats.map((seat) => {
        const inGame = game && game.players.find((p) => p.id === seat.player);
        return h("li", {}, seat.name, inGame ? ` — ${t("watch.cards", { n: inGame.handSize })}` : "",
          game && game.currentPlayer === seat.player ? ` ${t("watch.toPlay")}` : "", seat.left ? ` ${t("watch.left")}` : "");
      }))),
      game ? h("p", {}, t("watch.top", { card: cardName(game.topCard),
        suit: game.demandedSuit ? suitName(game.demandedSuit) : null, penalty: game.pendingPenalty })) : null,
      h("section", { class: "panel" }, h("h2", {}, t("watch.log")),
        h("ol", { class: "log" }, model.log.slice(-15).map((line) => h("li", {}, line.text)))),
      h("a", { class: "button", href: "#/" }, t("watch.back")));
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
  chat = new ChatPanel(id, (type, data) => socket.send(type, data), { canWrite: Boolean(token), titleKey: "chat.spectators" });
  main.after(chat.element);
  draw();
  return { close() { socket.close(); chat.element.remove(); } };
}
