// Which cards may be played now: RULES.md §7, §8, §10 and the refusal codes of §15, computed from what this
// player sees. The server decides; this only lets the table highlight legal cards and explain the others
// with the reasons the server would give.
import { colorOf, isJoker, suitColor, cardShort } from "./cards.js";
import { suitName, t } from "./words.js";

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
    return { code: "GAME_OVER", text: t("refuse.noGame") };
  }
  if (game.currentPlayer !== me) return { code: "NOT_YOUR_TURN", text: t("refuse.wait") };
  if (game.awaitingSuit) return { code: "SUIT_CHOICE_PENDING", text: t("refuse.suitFirst") };
  if (game.pendingPenalty > 0) {
    if (!isAttack(card)) {
      return {
        code: "MUST_COUNTER_OR_DRAW",
        text: t("refuse.attack", { n: game.pendingPenalty }),
      };
    }
    return null;
  }
  if (!matches(card, game.topCard, game.demandedSuit)) {
    const target = game.demandedSuit
      ? t("refuse.demanded", { suit: suitName(game.demandedSuit) })
      : isJoker(game.topCard)
        ? t("refuse.joker", { color: game.topCard.color })
        : t("refuse.top", { card: cardShort(game.topCard) });
    return { code: "INVALID_PLAY", text: t("refuse.noMatch", { card: cardShort(card), target }) };
  }
  return null;
}
