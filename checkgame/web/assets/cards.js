// Cards: what they are (wire form {rank, suit} or {rank: "Joker", color}), how they look, what they are called.
// Faces are our own SVG art on a 100×140 grid (corner indices, pips laid out per rank, drawn court cards and
// Jokers), so they stay crisp at every size; the shapes are paths, never font glyphs.
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

// ------------------------------------------------------------------ SVG drawing

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element (dom.js's h() makes HTML elements, which an <svg> would not draw). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Each suit's outline in a 20×20 box centred on (10, 10). */
const SUIT_PATH = {
  hearts: "M10 18.5C8.6 17 1.2 11.8 1.2 6.6A4.6 4.6 0 0 1 10 4.6A4.6 4.6 0 0 1 18.8 6.6C18.8 11.8 11.4 17 10 18.5Z",
  diamonds: "M10 1L17.6 10L10 19L2.4 10Z",
  spades: "M10 1.2C8.6 3 1.3 8.2 1.3 12.6A4.3 4.3 0 0 0 9.1 14.6L7.4 19H12.6L10.9 14.6A4.3 4.3 0 0 0 18.7 12.6C18.7 8.2 11.4 3 10 1.2Z",
  clubs: "M10 1.3A4.3 4.3 0 0 0 6.4 8.1A4.3 4.3 0 1 0 9.2 14.4L7.4 19H12.6L10.8 14.4A4.3 4.3 0 1 0 13.6 8.1A4.3 4.3 0 0 0 10 1.3Z",
};

/** A suit shape of `size` centred at (x, y); `flip` turns it upside down, as on the lower half of a card. */
function suitShape(suit, x, y, size, flip = false) {
  const k = size / 20;
  const turn = flip ? " rotate(180 10 10)" : "";
  return s("path", { d: SUIT_PATH[suit], transform: `translate(${x - size / 2} ${y - size / 2}) scale(${k})${turn}` });
}

// Pip positions per rank on the 100×140 face: columns 30/50/70, rows from 24 to 116; the lower half is turned.
const L = 31, C = 50, R = 69;
const PIPS = {
  2: [[C, 26], [C, 114]],
  3: [[C, 26], [C, 70], [C, 114]],
  4: [[L, 26], [R, 26], [L, 114], [R, 114]],
  5: [[L, 26], [R, 26], [C, 70], [L, 114], [R, 114]],
  6: [[L, 26], [R, 26], [L, 70], [R, 70], [L, 114], [R, 114]],
  7: [[L, 26], [R, 26], [C, 48], [L, 70], [R, 70], [L, 114], [R, 114]],
  8: [[L, 26], [R, 26], [C, 48], [L, 70], [R, 70], [C, 92], [L, 114], [R, 114]],
  9: [[L, 26], [R, 26], [L, 55], [R, 55], [C, 70], [L, 85], [R, 85], [L, 114], [R, 114]],
  10: [[L, 26], [R, 26], [C, 41], [L, 55], [R, 55], [L, 85], [R, 85], [C, 99], [L, 114], [R, 114]],
};

/** Rank and suit in the top-left corner, and the same turned in the bottom-right one. */
function corners(card) {
  const index = isJoker(card)
    ? s("g", {}, s("text", { x: 9, y: 17, class: "index joker-index" }, "J"), s("text", { x: 9, y: 30, class: "index joker-index" }, "K"),
      s("text", { x: 9, y: 43, class: "index joker-index" }, "R"))
    : s("g", {}, s("text", { x: 10, y: 19, class: `index${card.rank === "10" ? " ten" : ""}` }, card.rank),
      suitShape(card.suit, 10, 29, 11));
  return [index, s("g", { transform: "rotate(180 50 70)" }, index.cloneNode(true))];
}

/** A crown, a cap or a tiara over a face, a collar in the suit's colour: one half of a double-ended court card. */
function courtHalf(card) {
  const { rank, suit } = card;
  const hat = {
    K: s("path", { class: "gold", d: "M34 34L36 18L42 27L50 14L58 27L64 18L66 34Z" }),
    Q: s("path", { class: "gold", d: "M36 34Q38 22 43 26Q46 16 50 20Q54 16 57 26Q62 22 64 34Z" }),
    J: s("path", { class: "cap", d: "M35 34Q36 20 50 19Q66 19 68 30L72 27L68 34Z" }),
  }[rank];
  return s("g", {},
    s("path", { class: "robe", d: "M26 70Q28 50 40 48H60Q72 50 74 70Z" }),
    s("path", { class: "trim", d: "M40 48L50 60L60 48" }),
    s("circle", { class: "skin", cx: 50, cy: 40, r: 10 }),
    s("circle", { class: "eye", cx: 46.5, cy: 39, r: 1.2 }), s("circle", { class: "eye", cx: 53.5, cy: 39, r: 1.2 }),
    s("path", { class: "mouth", d: "M47 44Q50 46 53 44" }),
    rank === "K" ? s("path", { class: "beard", d: "M41 43Q50 56 59 43Q55 48 50 48Q45 48 41 43Z" }) : null,
    hat,
    suitShape(suit, 31, 60, 12));
}

/** What fills the middle of a face. */
function centre(card) {
  if (isJoker(card)) {
    return s("g", { class: "jester" },
      s("path", { class: "hat-a", d: "M50 46L28 30Q30 46 38 56Z" }),
      s("path", { class: "hat-b", d: "M50 46L50 22Q40 34 42 54Z" }),
      s("path", { class: "hat-a", d: "M50 46L72 30Q70 46 62 56Z" }),
      s("circle", { class: "bell", cx: 28, cy: 30, r: 4 }), s("circle", { class: "bell", cx: 50, cy: 22, r: 4 }),
      s("circle", { class: "bell", cx: 72, cy: 30, r: 4 }),
      s("circle", { class: "skin", cx: 50, cy: 66, r: 13 }),
      s("circle", { class: "eye", cx: 45.5, cy: 63, r: 1.6 }), s("circle", { class: "eye", cx: 54.5, cy: 63, r: 1.6 }),
      s("path", { class: "mouth", d: "M43 70Q50 77 57 70" }),
      s("path", { class: "ruff", d: "M32 84L38 78L44 84L50 78L56 84L62 78L68 84L62 90L56 84L50 90L44 84L38 90Z" }),
      s("path", { class: "star", d: "M50 98L53 106L61 106L55 111L57 119L50 114L43 119L45 111L39 106L47 106Z" }));
  }
  if (card.rank === "A") return suitShape(card.suit, 50, 70, 44);
  if (card.rank in PIPS) return PIPS[card.rank].map(([x, y]) => suitShape(card.suit, x, y, 17, y > 70));
  return s("g", {}, s("rect", { class: "frame", x: 22, y: 12, width: 56, height: 116, rx: 4 }),
    courtHalf(card),
    s("g", { transform: "rotate(180 50 70)" }, courtHalf(card)),
    s("line", { class: "frame", x1: 22, y1: 70, x2: 78, y2: 70 }));
}

/** The face of a card as an SVG drawing in a box `tag` (a button in the hand). */
export function cardFace(card, { tag = "div", attrs = {}, extra = "" } = {}) {
  const kind = isJoker(card) ? "joker" : card.rank in PIPS ? "pips" : card.rank === "A" ? "ace" : "court";
  return h(
    tag,
    { class: `card ${colorOf(card)} ${kind} ${extra}`.trim(), "aria-label": cardName(card), ...attrs },
    s("svg", { viewBox: "0 0 100 140", class: "face", "aria-hidden": "true", focusable: "false" },
      s("rect", { class: "paper", x: 0.5, y: 0.5, width: 99, height: 139, rx: 7 }),
      centre(card),
      corners(card)),
  );
}

/** The back of a card, for piles and other players' hands. */
export function cardBack(attrs = {}) {
  return h("div", { class: "card back", "aria-hidden": "true", ...attrs });
}
