// The table: the other players seated around the felt (avatar, name, fanned hand, the turn and its timer), the
// draw pile, the discard pile with its last cards, the demanded suit and the attack, a status strip saying which
// situation you are in, your hand (legal cards highlighted, the others explained), the suit picker and the log.
import { cardBack, cardFace, cardKey, cardName, s, SUITS, SYMBOL, suitColor } from "./cards.js";
import { h } from "./dom.js";
import { refusal } from "./rules.js";
import { isTouch, keyHint, ordinal, t, word } from "./words.js";

const SUIT_ORDER = { spades: 0, hearts: 1, clubs: 2, diamonds: 3 }; // alternating colours
const RANK_ORDER = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "Joker"];
const bySuitThenRank = (a, b) =>
  (SUIT_ORDER[a.suit] ?? 4) - (SUIT_ORDER[b.suit] ?? 4) || RANK_ORDER.indexOf(a.rank) - RANK_ORDER.indexOf(b.rank)
  || (a.color || "").localeCompare(b.color || "");
const FAN_MAX = 9; // face-down cards drawn for a hand; the count says the rest

const countdown = (deadline) => (deadline == null ? null : h("span", { class: "countdown", "data-deadline": deadline }));

/** A stable hue for a name, so a player keeps their colour from table to table. */
function hueOf(name) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return Math.round((hash % 1000) * 137.508) % 360; // golden-angle steps: "Bot 2" and "Bot 3" look apart
}

/** Up to two initials: "Ann Lee" → AL, "zoé" → ZO, "Bot 2" → B2. */
function initials(name) {
  const words = name.trim().split(/[\s._-]+/u).filter(Boolean);
  const letters = words.length > 1 ? [...words[0]][0] + [...words[1]][0] : [...(words[0] || "?")].slice(0, 2).join("");
  return letters.toUpperCase();
}

/** A generated avatar: the initials on a colour derived from the name, drawn in SVG. */
export function avatar(name, extra = "") {
  const hue = hueOf(name);
  return s("svg", { class: `avatar ${extra}`.trim(), viewBox: "0 0 40 40", "aria-hidden": "true", focusable: "false" },
    s("circle", { cx: 20, cy: 20, r: 19, fill: `hsl(${hue} 55% 38%)` }),
    s("circle", { cx: 20, cy: 20, r: 19, fill: "none", stroke: `hsl(${(hue + 40) % 360} 70% 75%)`, "stroke-width": 2 }),
    s("text", { x: 20, y: 20, "text-anchor": "middle", "dominant-baseline": "central", class: "initials" }, initials(name)));
}

/** The players of the game in seat order, starting after `me`, so the table reads clockwise from your seat. */
function othersFrom(game, me, seats) {
  const ids = game.players.map((p) => p.id);
  const at = ids.indexOf(me);
  if (at < 0) { // watching: start after where your seat was
    const order = seats.map((seat) => seat.player);
    const mine = order.indexOf(me);
    const after = (id) => (order.indexOf(id) - mine + order.length) % order.length;
    return [...game.players].sort((a, b) => after(a.id) - after(b.id));
  }
  return [...game.players.slice(at + 1), ...game.players.slice(0, at)];
}

/** Where seat `i` of `count` sits around the felt, in % of its box: from your left, over the top, to your right. */
function seatPosition(i, count) {
  const spread = count <= 2 ? 0.35 : count <= 4 ? 0.15 : -0.12; // few players sit higher, many come down the sides
  const from = Math.PI + spread * -1, to = spread;
  const angle = count === 1 ? Math.PI / 2 : from + ((to - from) * i) / (count - 1);
  return { x: 50 + 41 * Math.cos(angle), y: 52 - 40 * Math.sin(angle) };
}

/** The status strip: the one sentence for where you stand now, with the timer while a turn runs. */
function statusStrip(model, phase) {
  const game = model.state.game;
  const current = game.currentPlayer;
  const place = game.finishOrder.indexOf(model.me) + 1;
  const timer = countdown(model.state.turnDeadline);
  const lines = {
    "your-turn": [word("phase.yourTurn"), timer],
    attacked: [word("phase.attacked", { count: game.pendingPenalty }), timer],
    "choosing-suit": [word("phase.choosing"), timer],
    "their-turn": [word(game.awaitingSuit ? "phase.theirChoice" : "phase.theirTurn", { name: model.name(current) }), timer],
    finished: [word("phase.finished", { place: ordinal(place) }), h("span", { class: "sub" }, word("phase.finishedWatch"))],
    eliminated: [word("phase.eliminated"), h("span", { class: "sub" }, word("phase.eliminatedWatch")),
      h("a", { class: "button small", href: "#/", "data-action": "lobby" }, word("phase.backToLobby"))],
    "game-over": [word("phase.gameOver")],
  }[phase] || [""];
  const [text, ...rest] = lines;
  return h("div", { class: `status-strip ${phase}`, role: "status", "data-phase": phase },
    h("strong", { class: "status-text" }, text), rest.length ? " " : null, rest);
}

function seat(model, player, position, count) {
  const { state } = model;
  const record = model.seatOf(player.id);
  const name = record ? record.name : player.id;
  const current = state.game.currentPlayer === player.id;
  const place = state.game.finishOrder.indexOf(player.id) + 1;
  const backs = Math.min(player.handSize, FAN_MAX);
  return h("li", {
    class: `opponent seat${current ? " current" : ""}${player.finished ? " finished" : ""}`,
    "data-player": player.id,
    "aria-current": current ? "true" : undefined,
    style: { "--x": `${position.x.toFixed(1)}%`, "--y": `${position.y.toFixed(1)}%`, "--n": backs },
    "data-count": count,
  },
    h("span", { class: `avatar-wrap${current ? " ticking" : ""}`, "data-deadline-ring": current ? state.turnDeadline : undefined },
      avatar(name)),
    h("span", { class: "who" }, name),
    h("span", { class: "fan", "aria-hidden": "true" },
      Array.from({ length: backs }, (_, i) => cardBack({ class: "card back mini", style: { "--i": i } }))),
    h("span", { class: "count", "data-hand-size": player.handSize }, t("cards", { n: player.handSize })),
    current ? h("span", { class: "badge turn-badge" }, word("seat.toPlay")) : null,
    place ? h("span", { class: "badge good" }, word("seat.finished", { place: ordinal(place) })) : null,
    record && !record.connected && !record.left ? h("span", { class: "badge warn" }, word("seat.offline")) : null,
    record && record.left ? h("span", { class: "badge warn" }, word("seat.left")) : null);
}

function centre(model, act) {
  const game = model.state.game;
  const myTurn = game.currentPlayer === model.me && !game.awaitingSuit;
  const penalty = game.pendingPenalty;
  const drawLabel = penalty > 0 ? word("table.drawPenalty", { count: penalty }) : word("table.draw");
  const touch = isTouch();
  const recent = model.recent.length ? model.recent : [game.topCard];
  return h("div", { class: "centre" },
    h("button", {
      id: "draw", class: `pile${myTurn ? " ready" : ""}`, disabled: !myTurn, "data-focus": "draw", "data-left": game.drawPileSize,
      onclick: () => act.drawCard(),
      title: myTurn ? (touch ? drawLabel : word("table.drawKey", { label: drawLabel })) : word("table.drawLater"),
    }, h("span", { class: "stack", "aria-hidden": "true" }, cardBack({ class: "card back under" }), cardBack()),
    h("span", { class: "pile-label" }, drawLabel), h("span", { class: "muted" }, word("table.drawLeft", { count: game.drawPileSize }))),
    h("div", { class: "discard", "aria-label": word("table.topCard", { card: cardName(game.topCard) }), role: "img" },
      h("span", { class: "spread", style: { "--n": recent.length } }, recent.map((card, i) => {
        const top = i === recent.length - 1;
        return cardFace(card, { extra: top ? "top" : "under", attrs: { style: { "--i": i }, "data-top": top ? cardKey(card) : undefined } });
      })),
      h("span", { class: "muted" }, word("table.discard"))),
    h("div", { class: "effects", "aria-live": "polite" },
      game.demandedSuit
        ? h("p", { class: `demand ${suitColor(game.demandedSuit)}`, "data-demanded": game.demandedSuit },
          word("table.asked"), " ", h("span", { class: "big-suit", "aria-hidden": "true" }, SYMBOL[game.demandedSuit]), ` ${t(`suit.${game.demandedSuit}`)}`)
        : null,
      penalty > 0
        ? h("p", { class: "attack", "data-penalty": penalty }, h("strong", {}, word("table.attack", { count: penalty })),
          h("span", {}, word("table.attackHelp")))
        : null));
}

function hand(model, act, hint) {
  const game = model.state.game;
  const cards = [...(game.hand || [])].sort(bySuitThenRank);
  const me = game.players.find((p) => p.id === model.me);
  const place = game.finishOrder.indexOf(model.me) + 1;
  const myName = model.seatOf(model.me) ? model.seatOf(model.me).name : "";
  let heading = word("hand.title", { cards: t("cards", { n: cards.length }) });
  if (!me) heading = word("hand.watching");
  else if (place) heading = word("hand.finished", { place: ordinal(place) });
  const current = game.currentPlayer === model.me;
  return h("section", { class: `hand-area${current ? " current" : ""}`, "aria-labelledby": "hand-title", "data-player": model.me },
    h("div", { class: "me" },
      h("span", { class: `avatar-wrap${current ? " ticking" : ""}`, "data-deadline-ring": current ? model.state.turnDeadline : undefined },
        avatar(myName || "?")),
      h("h2", { id: "hand-title" }, heading)),
    cards.length ? h("div", { class: "hand", role: "group", "aria-label": word("hand.cards"), style: { "--n": cards.length } },
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
            title: why ? why.text : word("hand.play", { card: cardName(card) }),
            "aria-label": why ? `${cardName(card)} — ${why.text}` : word("hand.play", { card: cardName(card) }),
            onclick: () => (why ? act.explain(why.text) : act.play(card)),
          },
        });
      })) : null,
    h("p", { class: "hint", role: "status" }, hint || defaultHint(model)));
}

function defaultHint(model) {
  const game = model.state.game;
  const me = game.players.find((p) => p.id === model.me);
  if (!me || me.finished || game.loser != null) return "";
  if (game.currentPlayer !== model.me) return word("hint.wait");
  if (game.awaitingSuit) return word("hint.suit");
  if (game.pendingPenalty > 0) return word("hint.attacked", { count: game.pendingPenalty });
  const touch = isTouch();
  return word(touch ? "hint.turnTouch" : "hint.turnKeys");
}

/** The whole table for the open session `session` ({model, hint}); `act` holds the move callbacks. */
export function tableView(session, act) {
  const { model } = session;
  const { state, me } = model;
  const game = state.game;
  if (!game) return h("p", { class: "loading" }, word("table.dealing"));
  const phase = session.picking && model.phase === "your-turn" ? "choosing-suit" : model.phase; // a Jack in hand, suit to name
  const myTurn = game.currentPlayer === me;
  const others = othersFrom(game, me, state.seats);
  const out = state.seats.filter((seat) => seat.player !== me && (seat.eliminated || seat.left)
    && !game.players.some((p) => p.id === seat.player));
  return h("section", {
    class: "table", "data-screen": "table", "data-status": state.status, "data-my-turn": String(myTurn),
    "data-awaiting-suit": String(game.awaitingSuit && myTurn), "data-game": state.gameNumber, "data-seq": model.lastSeq,
    "data-phase": phase,
  },
    h("header", { class: "table-head" },
      h("h1", {}, word("table.game", { number: state.gameNumber })),
      statusStrip(model, phase),
      h("button", { class: "link", onclick: act.leave }, word("table.leave"))),
    session.offline ? offlineBanner(session, act) : null,
    h("div", { class: "felt", style: { "--seats": others.length } },
      h("ul", { class: "opponents", "aria-label": word("table.others") },
        others.map((p, i) => seat(model, p, seatPosition(i, others.length), others.length))),
      centre(model, act)),
    out.length ? h("ul", { class: "out-list", "aria-label": word("between.out") },
      out.map((seatRecord) => h("li", { class: "opponent out", "data-player": seatRecord.player },
        avatar(seatRecord.name, "small"), h("span", { class: "who" }, seatRecord.name),
        h("span", { class: "badge" }, word(seatRecord.left ? "seat.left" : "seat.eliminated"))))) : null,
    hand(model, act, session.hint),
    h("aside", { class: "log", "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, word("log.title")),
      model.log.length
        ? h("ol", { reversed: true }, [...model.log].reverse().slice(0, 30).map((line) => h("li", {}, line.text)))
        : h("p", { class: "muted" }, word("log.empty"))));
}

/** Shown over the table while the socket is down: the seat is kept, and we are on it. */
export function offlineBanner(session, act) {
  const seconds = session.offline.seconds;
  return h("div", { class: "offline-banner", role: "alert", "data-state": "reconnecting" },
    h("strong", {}, seconds ? word("conn.lostIn", { seconds }) : word("conn.lost")),
    h("span", {}, word("conn.help")),
    h("button", { class: "small", onclick: () => act.retry() }, word("conn.retry")));
}

/** The four suits to name after a Jack: with the card (one message), or after it (a pending choice). */
export function suitPicker(session, act) {
  return h("div", { class: "suit-picker", role: "dialog", "aria-modal": "true", "aria-labelledby": "picker-title" },
    h("h2", { id: "picker-title" }, word("picker.title")),
    h("div", { class: "suits" }, SUITS.map((suit) => h("button", {
      class: `suit ${suitColor(suit)}`, "data-suit": suit, "data-focus": `suit-${suit}`, onclick: () => act.pickSuit(suit),
    }, h("span", { "aria-hidden": "true" }, SYMBOL[suit]), ` ${t(`suit.${suit}`)}`))),
    session.picking ? h("button", { class: "link", onclick: () => act.cancelPick() }, word("picker.cancel", { key: keyHint("Esc") })) : null);
}
