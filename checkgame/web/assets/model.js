// The session as this player knows it: a session_state snapshot, kept current by the log entries that follow
// (docs/protocol.md). No I/O here: the socket feeds frames in, the page reads the state out.
import { sameCard } from "./cards.js";
import { describe, t } from "./words.js";

const LOG_LINES = 60;
const RECENT_DISCARDS = 4; // the discard pile shows its last few cards, the top one last

export class SessionModel {
  constructor(me) {
    this.me = me;
    this.state = null;
    this.lastSeq = -1;
    this.log = [];
    this.clockOffset = 0; // server epoch seconds minus ours, from frames stamped when sent
    this.kicked = null; // {reason} once an operator removed this player: the seat is gone for good
    this.recent = []; // the last cards played on the discard pile, oldest first (a snapshot knows only the top)
    this.results = []; // {number, loser, placements, reason} of the games seen ending on this connection
  }

  /** Why an operator ended the session ("" when not said), or null when it was not ended that way. */
  get endedReason() {
    const s = this.state;
    if (!s || s.status !== "finished" || s.ranking) return null; // a tournament that ended has a ranking
    return s.endedReason || "";
  }

  /**
   * Which situation this player is in, one name per screen or table state: waiting, your-turn, attacked,
   * choosing-suit, their-turn, finished (safe, watching the game), eliminated (watching the tournament),
   * game-over (the moment between a game's end and its loser's elimination), between, results, ended, kicked.
   */
  get phase() {
    const s = this.state;
    if (this.kicked) return "kicked";
    if (!s) return "loading";
    if (s.status === "waiting") return "waiting";
    if (s.status === "finished") return this.endedReason === null ? "results" : "ended";
    if (s.status === "between") return "between";
    const g = s.game;
    if (!g) return "dealing";
    const mine = g.players.find((p) => p.id === this.me);
    if (!mine || s.eliminated.includes(this.me)) return "eliminated";
    if (g.loser != null) return "game-over";
    if (mine.finished) return "finished";
    if (g.currentPlayer !== this.me) return "their-turn";
    if (g.awaitingSuit) return "choosing-suit";
    return g.pendingPenalty > 0 ? "attacked" : "your-turn";
  }

  /** Seconds until a server-time deadline (negative once passed), or null. */
  remaining(deadline) {
    if (deadline == null) return null;
    return deadline - (Date.now() / 1000 + this.clockOffset);
  }

  /** A player's display name; yours is marked, so the log reads "Ann (you) played ...". */
  name(playerId) {
    const seat = this.seatOf(playerId);
    const name = seat ? seat.name : t("someone");
    return playerId === this.me ? t("you", { name }) : name;
  }

  seatOf(playerId) {
    return this.state ? this.state.seats.find((s) => s.player === playerId) : undefined;
  }

  /** Take one server frame in; true when what the page shows may have changed. */
  apply(frame) {
    if (frame.seq == null) {
      if (frame.type === "connection_established" || frame.type === "pong") {
        this.clockOffset = frame.timestamp - Date.now() / 1000;
      }
      return false;
    }
    if (frame.type === "session_state") {
      this.state = frame.data;
      this.lastSeq = frame.seq;
      this.recent = frame.data.game ? [frame.data.game.topCard] : [];
      return true;
    }
    if (frame.seq <= this.lastSeq || !this.state) return false; // already applied (a replay after resuming)
    this.lastSeq = frame.seq;
    this.state.seq = frame.seq;
    // A line is told in the language of the moment it is read (the player may switch), with the names of the
    // moment it happened (a player who leaves keeps their name in the lines before).
    const names = new Map(this.state.seats.map((s) => [s.player, this.name(s.player)]));
    const who = (id) => (id === this.me ? this.name(id) : names.get(id) || this.name(id));
    const hasLine = describe(frame, who) !== null;
    this.#entry(frame.type, frame.data || {}, frame);
    if (hasLine) {
      this.log = [...this.log, { seq: frame.seq, get text() { return describe(frame, who); } }].slice(-LOG_LINES);
    }
    return true;
  }

  #entry(type, d, frame) {
    const s = this.state;
    const g = s.game;
    const player = g && g.players.find((p) => p.id === d.player);
    const turnEnds = () => frame.timestamp + s.settings.turnTimeoutSeconds;
    switch (type) {
      case "player_joined_session":
        s.seats = s.seats.filter((seat) => seat.player !== d.player);
        s.seats.push({ player: d.player, name: d.name, seat: d.seat, registered: false, left: false,
          eliminated: false, connected: true });
        break;
      case "player_left_session": this.#seat(d.player, { left: true, connected: false }); break;
      case "creator_changed": s.creator = d.player; break;
      case "player_disconnected": this.#seat(d.player, { connected: false }); break;
      case "player_reconnected": this.#seat(d.player, { connected: true }); break;
      case "tournament_started": s.status = "playing"; break;
      case "game_started":
        s.status = "playing";
        s.gameNumber += 1;
        s.gameId = frame.gameId;
        s.nextGameAt = null;
        s.game = {
          players: d.players.map((id) => ({ id, handSize: d.handSizes[id], finished: false, active: true })),
          currentPlayer: d.firstPlayer, topCard: d.starterCard, demandedSuit: null, pendingPenalty: 0,
          awaitingSuit: false, drawPileSize: d.drawPileSize, discardPileSize: 1, finishOrder: [], loser: null,
          direction: "clockwise",
        };
        if (d.hand) s.game.hand = d.hand;
        this.recent = [d.starterCard];
        s.turnDeadline = turnEnds();
        break;
      case "card_played":
        g.topCard = d.card;
        this.recent = [...this.recent, d.card].slice(-RECENT_DISCARDS);
        g.discardPileSize += 1;
        g.pendingPenalty = d.pendingPenalty;
        g.awaitingSuit = d.awaitingSuit;
        g.demandedSuit = d.chosenSuit;
        if (player) player.handSize -= 1;
        if (d.player === this.me && g.hand) {
          const at = g.hand.findIndex((c) => sameCard(c, d.card));
          if (at >= 0) g.hand.splice(at, 1);
        }
        s.turnDeadline = turnEnds();
        break;
      case "suit_chosen": g.demandedSuit = d.suit; g.awaitingSuit = false; break;
      case "pile_reshuffled":
        g.drawPileSize = d.drawPileSize;
        g.discardPileSize = 1;
        this.recent = [g.topCard];
        break;
      case "card_drawn":
        if (player) player.handSize += d.count;
        g.drawPileSize = Math.max(0, g.drawPileSize - d.count);
        g.pendingPenalty = 0;
        if (d.cards && g.hand) g.hand.push(...d.cards);
        break;
      case "player_finished":
        if (player) Object.assign(player, { finished: true, active: false });
        g.finishOrder.push(d.player);
        break;
      case "turn_changed":
        g.currentPlayer = d.player;
        g.pendingPenalty = d.pendingPenalty;
        g.demandedSuit = d.demandedSuit;
        s.turnDeadline = turnEnds();
        break;
      case "game_finished":
        Object.assign(g, { loser: d.loser, currentPlayer: null, pendingPenalty: 0, awaitingSuit: false });
        this.results = [...this.results.filter((r) => r.number !== s.gameNumber),
          { number: s.gameNumber, loser: d.loser, placements: d.placements, reason: d.reason }];
        for (const p of g.players) p.active = false;
        s.turnDeadline = null;
        break;
      case "player_eliminated":
        this.#seat(d.player, { eliminated: true });
        if (!s.eliminated.includes(d.player)) s.eliminated.push(d.player);
        if (s.status === "playing" && (!g || g.loser != null)) {
          s.status = "between";
          s.nextGameAt = frame.timestamp + s.settings.nextGameDelaySeconds;
        }
        break;
      case "tournament_finished":
        Object.assign(s, { status: "finished", ranking: d.ranking, nextGameAt: null, turnDeadline: null });
        break;
      case "player_kicked":
        if (d.player === this.me) this.kicked = { reason: d.reason || "" };
        break; // player_left_session follows with the seat's changes
      case "session_ended":
        Object.assign(s, { status: "finished", ranking: null, endedReason: d.reason || "", nextGameAt: null,
          turnDeadline: null });
        if (g) Object.assign(g, { currentPlayer: null, awaitingSuit: false });
        break;
      default:
        break; // turn_skipped, turn_timeout, game_recorded, notice: a line in the log is all they change
    }
  }

  #seat(playerId, changes) {
    const seat = this.seatOf(playerId);
    if (seat) Object.assign(seat, changes);
  }
}
