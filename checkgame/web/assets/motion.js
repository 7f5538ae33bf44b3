// What moves and what is told as it happens: cards flying from a seat to the discard pile and from the draw pile
// to a hand, the deal, a penalty's shake, and short banners ("moments") for a Jack's suit, an attack on you, a
// skip, a player finishing, a loss. Flying cards are copies in a layer of their own, so the table can re-render
// underneath; under prefers-reduced-motion nothing flies and every change is instant.
import { cardBack, cardFace, cardKey, SYMBOL } from "./cards.js";
import { h } from "./dom.js";
import { ordinal, t, word } from "./words.js";

const FLY_MS = 380;
const DEAL_STAGGER_MS = 45;
const MOMENT_MS = 2600;
const reduced = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

function layer(id, attrs = {}) {
  let el = document.getElementById(id);
  if (!el) {
    el = h("div", { id, ...attrs });
    document.body.append(el);
  }
  return el;
}

/** A short banner over the table, also spoken by screen readers (its layer is a polite live region). */
export function showMoment(text, kind = "info") {
  const box = layer("moments", { class: "moments", role: "status", "aria-live": "polite" });
  const item = h("p", { class: `moment ${kind}`, "data-moment": kind }, text);
  box.append(item);
  while (box.children.length > 2) box.firstChild.remove();
  if (!reduced()) item.animate([{ opacity: 0, transform: "translateY(-12px) scale(0.96)" }, { opacity: 1, transform: "none" }], { duration: 220, easing: "ease-out" });
  setTimeout(() => item.remove(), MOMENT_MS);
}

/** The moment worth telling for a log entry, or null. `model` has already applied the entry. */
export function momentOf(frame, model) {
  const d = frame.data || {};
  const mine = d.player === model.me;
  const name = (id) => model.name(id);
  switch (frame.type) {
    case "game_started": return { text: word("moment.dealt", { number: model.state.gameNumber }), kind: "deal" };
    case "card_played":
      return d.chosenSuit ? { text: word("moment.suit", { name: name(d.player), suit: `${SYMBOL[d.chosenSuit]} ${t(`suit.${d.chosenSuit}`)}` }), kind: "suit" } : null;
    case "suit_chosen": return { text: word("moment.suit", { name: name(d.player), suit: `${SYMBOL[d.suit]} ${t(`suit.${d.suit}`)}` }), kind: "suit" };
    case "turn_changed":
      if (d.pendingPenalty > 0 && d.player === model.me) return { text: word("moment.attackYou", { count: d.pendingPenalty }), kind: "attack" };
      return null;
    case "card_drawn":
      if (!d.penalty) return null;
      return { text: mine ? word("moment.penaltyYou", { count: d.count }) : word("moment.penalty", { name: name(d.player), count: d.count }), kind: "penalty" };
    case "turn_skipped": return { text: mine ? word("moment.skipYou") : word("moment.skip", { name: name(d.player) }), kind: "skip" };
    case "player_finished":
      return { text: mine ? word("moment.finishedYou", { place: ordinal(d.place) }) : word("moment.finished", { name: name(d.player), place: ordinal(d.place) }), kind: "finished" };
    case "game_finished": {
      const number = model.state.gameNumber;
      return { text: d.loser === model.me ? word("moment.lostYou", { number }) : word("moment.lost", { name: name(d.loser), number }), kind: "loss" };
    }
    case "player_eliminated": return mine ? { text: word("moment.eliminatedYou"), kind: "loss" } : null;
    case "tournament_finished":
      return { text: d.winner === model.me ? word("moment.wonYou") : word("moment.won", { name: name(d.winner) }), kind: "win" };
    default: return null;
  }
}

const rectOf = (el) => (el ? el.getBoundingClientRect() : null);
const seatEl = (root, player) => root.querySelector(`.seat[data-player="${CSS.escape(player)}"] .avatar-wrap`)
  || root.querySelector(`.hand-area[data-player="${CSS.escape(player)}"] .avatar-wrap`);

/** A copy of `card` (or a back) flying from rectangle `from` to `to`, in its own layer; gone when it lands. */
function fly(from, to, card, delay = 0) {
  if (!from || !to) return;
  const ghost = card ? cardFace(card, { extra: "ghost" }) : cardBack({ class: "card back ghost" });
  const width = to.width || from.width;
  Object.assign(ghost.style, { width: `${width}px`, height: `${width * 1.4}px`, left: `${to.left}px`, top: `${to.top}px` });
  layer("flying", { class: "flying", "aria-hidden": "true" }).append(ghost);
  const dx = from.left + from.width / 2 - (to.left + width / 2);
  const dy = from.top + from.height / 2 - (to.top + (width * 1.4) / 2);
  const run = ghost.animate([
    { transform: `translate(${dx}px, ${dy}px) scale(0.6) rotate(-8deg)`, opacity: 0.9 },
    { transform: "none", opacity: 1 },
  ], { duration: FLY_MS, delay, easing: "cubic-bezier(.2,.7,.3,1)", fill: "backwards" });
  run.onfinish = () => ghost.remove();
  run.oncancel = () => ghost.remove();
}

/**
 * What to remember before the page re-renders for `frame` (where a played card of ours was), and what to run
 * after it: returns a function that animates the change on the fresh table in `root`.
 */
export function motionFor(frame, model, root) {
  if (reduced()) return null;
  const d = frame.data || {};
  switch (frame.type) {
    case "card_played": {
      const before = d.player === model.me
        ? rectOf(root.querySelector(`.hand [data-card="${CSS.escape(cardKey(d.card))}"]`))
        : rectOf(seatEl(root, d.player));
      return () => {
        const top = root.querySelector("[data-top]");
        fly(before || rectOf(seatEl(root, d.player)), rectOf(top), d.card);
        if (top) top.animate([{ opacity: 0 }, { opacity: 0, offset: 0.9 }, { opacity: 1 }], { duration: FLY_MS });
      };
    }
    case "card_drawn":
      return () => {
        const pile = rectOf(root.querySelector("#draw .card:last-child"));
        const count = Math.min(d.count, 6);
        if (d.player === model.me && d.cards) {
          for (const [i, card] of d.cards.slice(0, 6).entries()) {
            const target = root.querySelector(`.hand [data-card="${CSS.escape(cardKey(card))}"]`);
            fly(pile, rectOf(target), card, i * 90);
          }
        } else {
          const seat = rectOf(seatEl(root, d.player));
          for (let i = 0; i < count; i += 1) fly(pile, seat && { ...seat.toJSON(), width: 34 }, null, i * 90);
        }
        if (d.penalty) {
          const hit = root.querySelector(`[data-player="${CSS.escape(d.player)}"]`);
          if (hit) hit.animate([{ transform: "translateX(0)" }, { transform: "translateX(-6px)" }, { transform: "translateX(6px)" },
            { transform: "translateX(-4px)" }, { transform: "translateX(0)" }], { duration: 360, easing: "ease-in-out" });
        }
      };
    case "game_started":
      return () => {
        const pile = rectOf(root.querySelector("#draw .card:last-child"));
        root.querySelectorAll(".hand .card").forEach((card, i) => {
          const to = rectOf(card);
          if (!pile || !to) return;
          card.animate([
            { transform: `translate(${pile.left - to.left}px, ${pile.top - to.top}px) rotate(-12deg)`, opacity: 0 },
            { transform: "none", opacity: 1 },
          ], { duration: FLY_MS, delay: i * DEAL_STAGGER_MS, easing: "ease-out", fill: "backwards" });
        });
        root.querySelectorAll(".seat .fan .card").forEach((card, i) => {
          card.animate([{ opacity: 0, transform: "translateY(-14px)" }, { opacity: 1, transform: "none" }],
            { duration: 260, delay: i * 20, fill: "backwards" });
        });
      };
    default:
      return null;
  }
}
