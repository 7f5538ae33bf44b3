// Which cards may be played now: RULES.md §7, §8, §10 and the refusal codes of §15, computed from what this
// player sees. The server decides; this only lets the table highlight legal cards and explain the others
// with the reasons the server would give.
import { colorOf, isJoker, suitColor, cardShort, SYMBOL } from "./cards.js";

const isAttack = (card) => card.rank === "7" || isJoker(card);

/** Whether `card` matches the top card `top` and the demanded suit `demanded` outside an attack (§7). */
export function matches(card, top, demanded) {
  if (card.rank === "2" || card.rank === "J") return true;
  if (isJoker(card)) return isJoker(top) || card.color === (demanded ? suitColor(demanded) : colorOf(top));
  if (demanded) return card.suit === demanded;
  if (isJoker(top)) return colorOf(card) === top.color;
  return card.suit === top.suit || card.rank === top.rank;
}

/**
 * Why `card` may not be played now, as {code, text} with the server's code, or null when it may.
 * `game` is the game view (currentPlayer, topCard, demandedSuit, pendingPenalty, awaitingSuit, loser).
 */
export function refusal(card, game, me) {
  if (!game || game.loser != null || game.currentPlayer == null) {
    return { code: "GAME_OVER", text: "No game is running." };
  }
  if (game.currentPlayer !== me) return { code: "NOT_YOUR_TURN", text: "Wait for your turn." };
  if (game.awaitingSuit) return { code: "SUIT_CHOICE_PENDING", text: "Name the suit for your Jack first." };
  if (game.pendingPenalty > 0) {
    if (!isAttack(card)) {
      return {
        code: "MUST_COUNTER_OR_DRAW",
        text: `An attack of ${game.pendingPenalty} is running: counter with a 7 or a Joker, or draw ${game.pendingPenalty}.`,
      };
    }
    return null;
  }
  if (!matches(card, game.topCard, game.demandedSuit)) {
    const target = game.demandedSuit
      ? `the demanded suit, ${game.demandedSuit} ${SYMBOL[game.demandedSuit]}`
      : isJoker(game.topCard)
        ? `the ${game.topCard.color} Joker (play a ${game.topCard.color} card, a 2 or a Jack)`
        : `${cardShort(game.topCard)} (same suit or same rank, a 2 or a Jack)`;
    return { code: "INVALID_PLAY", text: `${cardShort(card)} does not match ${target}.` };
  }
  return null;
}
