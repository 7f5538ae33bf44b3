// What the server says, in plain words: error codes and the entries of the event log.
import { cardName, SYMBOL } from "./cards.js";

const ERRORS = {
  VALIDATION_ERROR: "Some of what you typed is not accepted.",
  MALFORMED_JSON: "The request was garbled; please try again.",
  UNAUTHORIZED: "Please log in first.",
  INVALID_TOKEN: "Your login is no longer valid; please log in again.",
  EXPIRED_TOKEN: "Your login has expired; please log in again.",
  INVALID_CREDENTIALS: "Wrong username, email or password.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_CREATOR: "Only the player who created the table can do that.",
  NOT_FOUND: "That does not exist.",
  SESSION_NOT_FOUND: "No table has this code or link. Check it and try again.",
  GAME_NOT_FOUND: "That game cannot be found.",
  NOT_IN_SESSION: "You no longer have a seat at this table.",
  USER_NOT_FOUND: "This account no longer exists.",
  DUPLICATE_EMAIL: "An account with this email already exists.",
  DUPLICATE_USERNAME: "This username is taken; choose another.",
  SESSION_FULL: "This table is full.",
  SESSION_STARTED: "The tournament at this table has already started.",
  SESSION_FINISHED: "The tournament at this table is over.",
  ALREADY_JOINED: "You already have a seat at this table.",
  NOT_ENOUGH_PLAYERS: "At least two players are needed to start.",
  RATE_LIMITED: "Too many requests; wait a moment and try again.",
  SERVICE_UNAVAILABLE: "The server is busy; try again in a moment.",
  GAME_OVER: "This game is over.",
  NOT_YOUR_TURN: "It is not your turn.",
  SUIT_CHOICE_PENDING: "Name the suit for your Jack first.",
  CARD_NOT_IN_HAND: "That card is no longer in your hand.",
  MUST_COUNTER_OR_DRAW: "An attack is running: play a 7 or a Joker, or draw the penalty.",
  INVALID_PLAY: "That card does not match the top card.",
  INVALID_SUIT: "That is not a suit you can name.",
  NO_SUIT_CHOICE_PENDING: "No Jack is waiting for a suit.",
  MESSAGE_TOO_LARGE: "That message was too large.",
  MESSAGE_TOO_LONG: "Chat messages are at most 300 characters.",
  CHAT_MUTED: "An operator muted you in this table's chat.",
  CHAT_NEEDS_ACCOUNT: "Log in to write in the spectators' chat.",
  SPECTATOR_CANNOT_ACT: "You are watching: spectators cannot play.",
  SPECTATORS_FULL: "This table has all the spectators it takes; try again later.",
  NETWORK: "The server cannot be reached. Check your connection.",
  MATCHMAKING_BUSY: "No table could be found right now; please try again.",
  MATCHMAKING_IN_PROGRESS: "We are still finding you a seat; a moment please.",
  NOT_A_PLAYER: "Only the players of a game can replay it.",
  REPLAY_UNAVAILABLE: "This game can no longer be replayed.",
};

/** Quick play ("Play now"): the lobby's panel and the waiting room of a table that starts by itself. */
export const QUICK_PLAY = {
  title: "Play now",
  intro: "Sit at the fullest open table of your size, or open one. It starts by itself when full.",
  computers: "Computer players may fill the empty seats if nobody else comes",
  button: "Play now",
  waiting: "This table starts by itself when it is full or when its wait ends.",
};

/** A sentence for an error {code, message, details}: ours when we know the code, else the server's. */
const END_REASONS = {
  live_state_lost: "The server lost this table's game in progress (it restarted): the tournament stopped, with no winner.",
  ended_by_admin: "An operator ended this table: the tournament stopped, with no winner.",
  abandoned: "Everybody left this table before the start, so it closed.",
  expired: "Nobody joined, left or started this table for a long while, so it closed.",
};

/** Why a finished table has no winner, in plain words (null when it was won). */
export function endReasonText(reason) {
  if (!reason) return null;
  return END_REASONS[reason] || `The tournament stopped (${reason}).`;
}

export function errorText(error) {
  const known = ERRORS[error.code];
  if (error.code === "VALIDATION_ERROR" && error.message) return `${known} (${error.message})`;
  return known || error.message || "Something went wrong.";
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const suitWords = (suit) => `${suit} ${SYMBOL[suit]}`;
const because = (reason) => (reason ? ` (${reason})` : "");
const ordinal = (n) => `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;

/** One line for an entry of the session's log, or null for the ones not worth a line. `who(id)` names a player. */
export function describe(frame, who) {
  const d = frame.data || {};
  switch (frame.type) {
    case "player_joined_session": return `${d.name} sat down at seat ${d.seat}.`;
    case "player_left_session": return `${who(d.player)} left the table.`;
    case "creator_changed": return `${who(d.player)} now runs the table.`;
    case "player_disconnected": return `${who(d.player)} lost the connection (seat kept ${Math.round(d.graceSeconds)} s).`;
    case "player_reconnected": return `${who(d.player)} is back.`;
    case "tournament_started": return `The tournament starts with ${plural(d.players.length, "player")}.`;
    case "game_started": return `A new game: ${who(d.firstPlayer)} plays first on ${cardName(d.starterCard)}.`;
    case "card_played": {
      let line = `${who(d.player)} played the ${cardName(d.card)}`;
      if (d.chosenSuit) line += ` and asked for ${suitWords(d.chosenSuit)}`;
      if (d.pendingPenalty > 0) line += ` — attack of ${d.pendingPenalty}`;
      return `${line}.`;
    }
    case "suit_chosen": return `${who(d.player)} asked for ${suitWords(d.suit)}.`;
    case "pile_reshuffled": return `The discard pile was shuffled into a new draw pile (${d.drawPileSize} cards).`;
    case "card_drawn": {
      const what = d.cards ? `: ${d.cards.map(cardName).join(", ")}` : "";
      return d.penalty
        ? `${who(d.player)} took the penalty of ${plural(d.count, "card")}${what}.`
        : `${who(d.player)} drew ${plural(d.count, "card")}${what}.`;
    }
    case "turn_skipped": return `${who(d.player)} is skipped by the Ace.`;
    case "turn_timeout": return `${who(d.player)} ran out of time; the server moved for them.`;
    case "player_finished": return `${who(d.player)} is out of cards and finishes ${ordinal(d.place)}.`;
    case "game_finished": return `Game over: ${who(d.loser)} ${d.reason === "left" ? "left and loses" : "loses"} this game.`;
    case "player_eliminated": return `${who(d.player)} is eliminated from the tournament.`;
    case "tournament_finished": return `${who(d.winner)} wins the tournament after ${plural(d.games, "game")}!`;
    case "notice": return `Message from the operators: “${d.message}”`;
    case "player_kicked": return `${who(d.player)} was removed by an operator${because(d.reason)}.`;
    case "session_ended": return d.by === "server"
      ? `The table closed${because(d.reason)}.`
      : `An operator ended the session${because(d.reason)}: it ends without a result.`;
    default: return null;
  }
}

/** The chat panel's words (chat.js). */
export const CHAT = {
  players: "Table chat",
  spectators: "Spectators' chat",
  placeholder: "Say something…",
  send: "Send",
  empty: "No messages yet.",
  offline: "Not connected: your message was not sent.",
  signInToWrite: "Log in to write here; you can read along without an account.",
  mute: "Mute",
  muteTitle: "Hide this person's messages on this device (press again to show them)",
  report: "Report",
  reportTitle: "Tell the operators about this message",
  reported: "Reported to the operators. Thank you.",
  unmuteAll: "Show them",
  hidden: (n) => `${plural(n, "message")} from people you muted.`,
  watching: (n) => `· ${n} watching`,
  operatorMuted: (player) => `An operator muted ${player} in this chat.`,
  operatorUnmuted: (player) => `An operator let ${player} speak again.`,
};

/** The watch screen's words (watch.js). */
export const WATCH = {
  title: "Watching a table",
  loading: "Finding the table…",
  back: "Back to the lobby",
  seats: "Players",
  log: "What happened",
  toPlay: "(to play)",
  left: "(left)",
  watch: "Watch",
  cards: (n) => plural(n, "card"),
  watching: (n) => `${n} watching`,
  status: (status, watching, delay) => `${status} · ${watching} watching` + (delay ? ` · ${delay} s behind` : ""),
  top: (card, suit, penalty) => `Top card: ${card}` + (suit ? `, ${suit} asked` : "") + (penalty ? `, attack of ${penalty}` : ""),
};

export { ordinal, plural };

/** The computer player's levels as the "add a computer player" control offers them (POST /sessions/{id}/bots). */
export const BOT_LEVELS = [
  { level: "easy", label: "Easy", hint: "Plays any card that fits." },
  { level: "normal", label: "Normal", hint: "Plays sensibly: keeps its 7s and Jokers for attacks." },
  { level: "hard", label: "Hard", hint: "Thinks ahead: tries out hundreds of games before each move." },
];

// Ratings and leaderboards (assets/leaderboard.js).
export const RATING_WORDS = {
  title: "Leaderboard",
  rating: "Rating",
  ratedGames: "Rated games",
  lastChange: "Last change",
  history: "Latest rated games",
  noHistory: "No rated game yet: ratings come from games with at least one other registered player.",
  periods: { all: "All time", month: "This month" },
  empty: { all: "Nobody is rated yet.", month: "Nobody has played a rated game this month yet." },
  columns: ["#", "Player", "Rating", "Games"],
  rule: "Registered players are rated from the order they finish each game in; guests and computer players "
    + "are not rated and do not count.",
  place: (place, of) => `${ordinal(place)} of ${of}`,
};

// ------------------------------------------------------------------ the table's words (screens and moments)
// Keyed sentences with {named} blanks, so another language can be a second catalogue of the same keys.

const WORDS = {
  "seat.toPlay": "to play",
  "seat.finished": "finished {place}",
  "seat.offline": "offline",
  "seat.left": "left",
  "seat.eliminated": "eliminated",
  "table.others": "Other players, clockwise from you",
  "table.game": "Game {number}",
  "table.leave": "Leave",
  "table.drawLeft": "{count} left",
  "table.topCard": "Top card: {card}",
  "table.discard": "Discard pile",
  "table.asked": "Asked for",
  "table.attack": "Attack +{count}",
  "table.attackHelp": "Counter with a 7 or a Joker, or draw them all.",
  "phase.yourTurn": "Your turn",
  "phase.attacked": "You are attacked: +{count}",
  "phase.choosing": "Name a suit for your Jack",
  "phase.theirTurn": "{name} is playing",
  "phase.theirChoice": "{name} is naming a suit",
  "phase.finished": "You finished {place}: safe this game",
  "phase.finishedWatch": "You are watching the rest of this game.",
  "phase.eliminated": "You are out of the tournament",
  "phase.eliminatedWatch": "You are watching the rest of the tournament.",
  "phase.gameOver": "Game over",
  "phase.backToLobby": "Back to the lobby",
  "conn.lost": "Connection lost: reconnecting…",
  "conn.lostIn": "Connection lost: reconnecting in {seconds} s…",
  "conn.help": "Your seat is kept; the game resumes where it stood when you are back.",
  "conn.retry": "Retry now",
  "between.title": "Game {number} is over",
  "between.youOut": "You lost game {number} and are out of the tournament.",
  "between.youIn": "You are through to game {next}.",
  "between.loser": "{name} lost game {number} and is out.",
  "between.next": "Game {next} starts in",
  "between.standings": "Standings so far",
  "between.stillIn": "Still in",
  "between.out": "Out",
  "between.lostGame": "lost game {number}",
  "between.order": "Order of finish in game {number}",
  "results.winner": "winner",
  "results.lostGame": "out in game {number}",
  "results.left": "(left)",
  "results.podium": "Podium",
  "results.games": "Games",
  "results.game": "Game",
  "results.order": "Order of finish",
  "results.eliminated": "Eliminated",
  "results.loading": "Loading the games…",
  "results.youWon": "You won the tournament!",
  "results.won": "{name} wins the tournament",
  "results.yourPlace": "You finished {place} of {count}.",
  "results.ranking": "Ranking",
  "results.stats": "Your statistics",
  "table.draw": "Draw a card",
  "table.drawPenalty": "Draw {count} (penalty)",
  "table.drawKey": "{label} (key D)",
  "table.drawLater": "You can draw on your turn",
  "table.dealing": "Dealing…",
  "hand.title": "Your hand · {cards}",
  "hand.watching": "You are watching this game",
  "hand.finished": "You finished {place}: safe this game",
  "hand.cards": "Your cards",
  "hand.play": "Play the {card}",
  "hint.wait": "Tap a card to see whether and why it can be played.",
  "hint.suit": "Name the suit the next player must follow.",
  "hint.attacked": "You are attacked: counter with a 7 or a Joker, or draw {count}.",
  "hint.turnTouch": "Your turn: tap a highlighted card, or tap the pile to draw.",
  "hint.turnKeys": "Your turn: play a highlighted card, or draw (key D).",
  "log.title": "What happened",
  "log.empty": "Every move will be told here.",
  "picker.title": "Which suit must the next player follow?",
  "picker.cancel": "Cancel (Esc)",
  "moment.suit": "{name} asks for {suit}",
  "moment.attackYou": "Attack! Counter with a 7 or a Joker, or draw {count}",
  "moment.attack": "{name} is attacked: +{count}",
  "moment.penalty": "{name} draws {count} (penalty)",
  "moment.penaltyYou": "You draw {count} (penalty)",
  "moment.skip": "{name} is skipped",
  "moment.skipYou": "You are skipped",
  "moment.finished": "{name} is out of cards: {place}",
  "moment.finishedYou": "You are out of cards: {place}, safe!",
  "moment.lost": "{name} loses game {number}",
  "moment.lostYou": "You lose game {number}",
  "moment.eliminatedYou": "You are eliminated: watch the rest or go back to the lobby",
  "moment.won": "{name} wins the tournament!",
  "moment.wonYou": "You win the tournament!",
  "moment.dealt": "Game {number}: cards are dealt",
  "history.title": "Your tournaments",
  "history.none": "No tournaments yet: your tables and their games will be listed here.",
  "history.more": "Show older tournaments",
  "history.open": "not over yet",
  "history.rank": "you finished {place} of {count}",
  "history.noResult": "ended without a winner",
  "history.game": "Game",
  "history.yourPlace": "Your place",
  "history.out": "Eliminated",
  "history.replay": "Replay",
  "history.replayGame": "Replay game {number} of {name}",
  "history.notPlayed": "out before it",
  "history.noGames": "No finished game.",
  "replay.loading": "Loading the replay…",
  "replay.unavailable": "This replay cannot be shown",
  "replay.title": "Replay of game {number}",
  "replay.controls": "Replay controls",
  "replay.first": "« Start",
  "replay.back": "◀ Back",
  "replay.play": "▶ Play",
  "replay.pause": "‖ Pause",
  "replay.forward": "Forward ▶",
  "replay.last": "End »",
  "replay.step": "Step {step} of {last}",
  "replay.deal": "The cards are dealt; {name} plays first.",
  "replay.backToProfile": "Back to your profile",
};

/** The sentence for `key` with its {blanks} filled from `vars`; an unknown key shows itself (a missing word). */
export function word(key, vars = {}) {
  const text = WORDS[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}
