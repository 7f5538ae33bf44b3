// Cards: what they are (wire form {rank, suit} or {rank: "Joker", color}), how they look, what they are called.
import { h } from "./dom.js";
import { cardName, cardShort } from "./words.js"; // names are words: in the player's language

export { cardName, cardShort };

export const SUITS = ["spades", "hearts", "diamonds", "clubs"];
export const SYMBOL = { spades: "♠", hearts: "♥", diamonds: "♦", clubs: "♣" };
const COLOR = { spades: "black", clubs: "black", hearts: "red", diamonds: "red" };

export const isJoker = (card) => card.rank === "Joker";
export const colorOf = (card) => (isJoker(card) ? card.color : COLOR[card.suit]);
export const suitColor = (suit) => COLOR[suit];
export const sameCard = (a, b) => a.rank === b.rank && a.suit === b.suit && a.color === b.color;
export const cardKey = (card) => (isJoker(card) ? `Joker-${card.color}` : `${card.rank}-${card.suit}`);

/** The face of a card, drawn with CSS: rank and suit symbol in two corners, a large symbol in the middle. */
export function cardFace(card, { tag = "div", attrs = {}, extra = "" } = {}) {
  const corner = isJoker(card) ? "★" : card.rank;
  const label = isJoker(card) ? "JOKER" : SYMBOL[card.suit];
  return h(
    tag,
    { class: `card ${colorOf(card)}${isJoker(card) ? " joker" : ""} ${extra}`.trim(), "aria-label": cardName(card), ...attrs },
    h("span", { class: "corner top", "aria-hidden": "true" }, corner, h("small", {}, label)),
    h("span", { class: "pip", "aria-hidden": "true" }, isJoker(card) ? "★" : SYMBOL[card.suit]),
    h("span", { class: "corner bottom", "aria-hidden": "true" }, corner, h("small", {}, label)),
  );
}

/** The back of a card, for piles and other players' hands. */
export function cardBack(attrs = {}) {
  return h("div", { class: "card back", "aria-hidden": "true", ...attrs });
}
