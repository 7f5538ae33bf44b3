// The table: the other players, the piles, the demanded suit and the attack, whose turn it is with the turn
// timer, your hand (legal cards highlighted, the others explained), the suit picker and the log in words.
import { cardBack, cardFace, cardKey, cardName, SUITS, SYMBOL, suitColor } from "./cards.js";
import { h } from "./dom.js";
import { refusal } from "./rules.js";
import { keyHint, t } from "./words.js";

const SUIT_ORDER = { spades: 0, hearts: 1, clubs: 2, diamonds: 3 }; // alternating colours
const RANK_ORDER = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "Joker"];
const bySuitThenRank = (a, b) =>
  (SUIT_ORDER[a.suit] ?? 4) - (SUIT_ORDER[b.suit] ?? 4) || RANK_ORDER.indexOf(a.rank) - RANK_ORDER.indexOf(b.rank)
  || (a.color || "").localeCompare(b.color || "");

const countdown = (deadline) => (deadline == null ? null : h("span", { class: "countdown", "data-deadline": deadline }));

/** The players of the game in seat order, starting after `me`, so the table reads clockwise from your seat. */
function othersFrom(game, me) {
  const ids = game.players.map((p) => p.id);
  const at = ids.indexOf(me);
  const rotated = at < 0 ? game.players : [...game.players.slice(at + 1), ...game.players.slice(0, at)];
  return rotated.filter((p) => p.id !== me);
}

function turnLine(model) {
  const { state, me } = model;
  const game = state.game;
  if (state.status === "between") {
    return h("p", { class: "turn" }, t("table.nextGameIn"), countdown(state.nextGameAt));
  }
  if (!game || game.currentPlayer == null) return h("p", { class: "turn" }, t("table.gameOver"));
  const mine = game.currentPlayer === me;
  let what = mine ? t("table.yourTurn") : t("table.isPlaying", { name: model.name(game.currentPlayer) });
  if (game.awaitingSuit) what = mine ? t("table.nameSuit") : t("table.isNamingSuit", { name: model.name(game.currentPlayer) });
  return h("p", { class: `turn${mine ? " mine" : ""}` }, h("strong", {}, what), " · ", countdown(state.turnDeadline));
}

function opponent(model, player) {
  const { state } = model;
  const seat = model.seatOf(player.id);
  const current = state.game.currentPlayer === player.id;
  const place = state.game.finishOrder.indexOf(player.id) + 1;
  const backs = Math.min(player.handSize, 10);
  return h("li", {
    class: `opponent${current ? " current" : ""}${player.finished ? " finished" : ""}`,
    "data-player": player.id,
    "aria-current": current ? "true" : undefined,
  },
    h("span", { class: "who" }, seat ? seat.name : player.id),
    h("span", { class: "fan", "aria-hidden": "true" }, Array.from({ length: backs }, () => cardBack({ class: "card back mini" }))),
    h("span", { class: "count", "data-hand-size": player.handSize }, t("cards", { n: player.handSize })),
    current ? h("span", { class: "badge turn-badge" }, t("table.toPlay")) : null,
    place ? h("span", { class: "badge good" }, t("table.finishedPlace", { place })) : null,
    seat && !seat.connected && !seat.left ? h("span", { class: "badge warn" }, t("table.offline")) : null,
    seat && seat.left ? h("span", { class: "badge warn" }, t("table.left")) : null);
}

function centre(model, act) {
  const game = model.state.game;
  const myTurn = game.currentPlayer === model.me && !game.awaitingSuit;
  const penalty = game.pendingPenalty;
  const drawLabel = penalty > 0 ? t("table.drawPenalty", { n: penalty }) : t("table.drawCard");
  return h("div", { class: "centre" },
    h("button", {
      id: "draw", class: `pile${myTurn ? " ready" : ""}`, disabled: !myTurn, "data-focus": "draw",
      onclick: () => act.drawCard(), title: myTurn ? `${drawLabel}${keyHint("D")}` : t("table.drawOnYourTurn"),
    }, cardBack(), h("span", { class: "pile-label" }, drawLabel), h("span", { class: "muted" }, t("table.cardsLeft", { n: game.drawPileSize }))),
    h("div", { class: "discard", "aria-label": t("table.topCard", { card: cardName(game.topCard) }), role: "img" },
      cardFace(game.topCard, { attrs: { "data-top": cardKey(game.topCard) } }), h("span", { class: "muted" }, t("table.topCardLabel"))),
    h("div", { class: "effects" },
      game.demandedSuit
        ? h("p", { class: `demand ${suitColor(game.demandedSuit)}`, "data-demanded": game.demandedSuit },
          t("table.askedFor"), h("span", { class: "big-suit", "aria-hidden": "true" }, SYMBOL[game.demandedSuit]), ` ${t(`suit.${game.demandedSuit}`)}`)
        : null,
      penalty > 0
        ? h("p", { class: "attack", "data-penalty": penalty }, h("strong", {}, t("table.attack", { n: penalty })),
          h("span", {}, t("table.counter")))
        : null));
}

function hand(model, act, hint) {
  const game = model.state.game;
  const cards = [...(game.hand || [])].sort(bySuitThenRank);
  const me = game.players.find((p) => p.id === model.me);
  const place = game.finishOrder.indexOf(model.me) + 1;
  let heading = t("table.yourHand", { n: cards.length });
  if (!me) heading = t("table.watching");
  else if (place) heading = t("table.safe", { place });
  return h("section", { class: "hand-area", "aria-labelledby": "hand-title" },
    h("h2", { id: "hand-title" }, heading),
    h("div", { class: "hand", role: "group", "aria-label": t("table.yourCards") },
      cards.map((card) => {
        const key = cardKey(card);
        const why = refusal(card, game, model.me);
        return cardFace(card, {
          tag: "button",
          extra: why ? "blocked" : "playable",
          attrs: {
            type: "button",
            "data-card": key,
            "data-focus": `card-${key}`,
            "data-refusal": why ? why.code : undefined,
            "aria-disabled": why ? "true" : undefined,
            title: why ? why.text : t("table.play", { card: cardName(card) }),
            "aria-label": why ? `${cardName(card)} — ${why.text}` : t("table.play", { card: cardName(card) }),
            onclick: () => (why ? act.explain(why.text) : act.play(card)),
          },
        });
      })),
    h("p", { class: "hint", role: "status" }, hint || defaultHint(model)));
}

function defaultHint(model) {
  const game = model.state.game;
  const me = game.players.find((p) => p.id === model.me);
  if (!me || me.finished || game.loser != null) return "";
  if (game.currentPlayer !== model.me) return t("table.hintWait");
  if (game.awaitingSuit) return t("table.hintSuit");
  if (game.pendingPenalty > 0) return t("table.hintAttacked", { n: game.pendingPenalty });
  return t("table.hintTurn", { key: keyHint("D") });
}

function between(model) {
  const game = model.state.game;
  if (!game || game.loser == null) return null;
  const order = [...game.finishOrder, game.loser];
  return h("div", { class: "panel banner", "data-between": model.state.gameNumber },
    h("h2", {}, t("table.gameEliminated", { n: model.state.gameNumber, name: model.name(game.loser) })),
    h("ol", {}, order.map((p) => h("li", {}, model.name(p)))));
}

/** The whole table for the open session `session` ({model, hint}); `act` holds the move callbacks. */
export function tableView(session, act) {
  const { model } = session;
  const { state, me } = model;
  const game = state.game;
  if (!game) return h("p", { class: "loading" }, t("table.dealing"));
  const myTurn = game.currentPlayer === me;
  const eliminated = state.seats.filter((s) => s.player !== me && (s.eliminated || s.left)
    && !game.players.some((p) => p.id === s.player));
  return h("section", {
    class: "table", "data-screen": "table", "data-status": state.status, "data-my-turn": String(myTurn),
    "data-awaiting-suit": String(game.awaitingSuit && myTurn), "data-game": state.gameNumber, "data-seq": model.lastSeq,
  },
    h("header", { class: "table-head" },
      h("h1", {}, t("table.game", { n: state.gameNumber })),
      turnLine(model),
      h("button", { class: "link", onclick: act.leave }, t("table.leave"))),
    state.status === "between" ? between(model) : null,
    h("ul", { class: "opponents", "aria-label": t("table.others") },
      othersFrom(game, me).map((p) => opponent(model, p)),
      eliminated.map((s) => h("li", { class: "opponent out" }, h("span", { class: "who" }, s.name),
        h("span", { class: "badge" }, s.left ? t("table.left") : t("table.eliminated"))))),
    centre(model, act),
    hand(model, act, session.hint),
    h("aside", { class: "log", "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, t("table.log")),
      model.log.length
        ? h("ol", { reversed: true }, [...model.log].reverse().slice(0, 30).map((line) => h("li", {}, line.text)))
        : h("p", { class: "muted" }, t("table.logEmpty"))));
}

/** The four suits to name after a Jack: with the card (one message), or after it (a pending choice). */
export function suitPicker(session, act) {
  return h("div", { class: "suit-picker", role: "dialog", "aria-modal": "true", "aria-labelledby": "picker-title" },
    h("h2", { id: "picker-title" }, t("table.pickSuit")),
    h("div", { class: "suits" }, SUITS.map((suit) => h("button", {
      class: `suit ${suitColor(suit)}`, "data-suit": suit, "data-focus": `suit-${suit}`, onclick: () => act.pickSuit(suit),
    }, h("span", { "aria-hidden": "true" }, SYMBOL[suit]), ` ${t(`suit.${suit}`)}`))),
    session.picking ? h("button", { class: "link", onclick: () => act.cancelPick() }, t("table.cancel", { key: keyHint("Esc") })) : null);
}
