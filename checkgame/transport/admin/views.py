"""What administrators see, built from store records and live states: public information only.

Hands never appear here; the one way to see them is the audited reveal
(:func:`hands`). Times from the live state (deadlines, log entries, node
and connection times) are epoch seconds like the rest of the live protocol;
times from the database (``createdAt``, audit ``at``) are ISO-8601, like the
REST API's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, assert_never

from checkgame import protocol, rules
from checkgame.sessions import Entry, SessionState
from checkgame.store.base import AuditEntry, SessionRecord, User
from checkgame.transport.http.convert import iso

__all__ = [
    "audit_row",
    "chat",
    "describe",
    "hands",
    "log_row",
    "public_status",
    "session_row",
    "table",
    "user_row",
]

_SUIT_SYMBOLS = {"spades": "♠", "hearts": "♥", "diamonds": "♦", "clubs": "♣"}


def public_status(state: SessionState | None, record: SessionRecord) -> str:
    """``waiting``, ``playing`` (a game running or the pause between two) or ``finished``."""
    return record.status if state is None else state.status.public  # the live state decides (Status)


def session_row(record: SessionRecord, state: SessionState | None) -> dict[str, Any]:
    """One line of ``GET /admin/sessions``."""
    players: list[dict[str, Any]] = []
    if state is not None:
        game = state.game
        in_game = game is not None and not game.is_over
        eliminated = state.tournament.eliminated if state.tournament is not None else ()
        for seat in state.seats:
            holding = game is not None and in_game and seat.player_id in game.players
            players.append(
                {
                    "playerId": seat.player_id,
                    "name": seat.name,
                    "connected": state.is_present(seat.player_id),
                    "cardCount": len(game.hand_of(seat.player_id)) if game is not None and holding else None,
                    "eliminated": seat.player_id in eliminated,
                    "left": seat.player_id in state.left,
                }
            )
    return {
        "id": record.id,
        "code": record.code,
        "name": record.name,
        "status": public_status(state, record),
        "maxPlayers": record.max_players,
        "playerCount": record.player_count,
        "createdAt": iso(record.created_at),
        "gameNumber": state.game_number if state is not None else 0,
        "endReason": record.end_reason,
        "players": players,
        "spectators": state.spectator_count if state is not None else 0,
    }


def table(state: SessionState) -> dict[str, Any] | None:
    """The running (or last) game's public position, or None before the first deal."""
    game = state.game
    if game is None:
        return None
    names = {seat.player_id: seat.name for seat in state.seats}
    return {
        "gameId": state.game_id,
        "seats": [
            {
                "playerId": player,
                "name": names.get(player, player),
                "cardCount": len(hand),
                "connected": state.is_present(player),
                "finished": player in game.finished,
                "current": player == game.current_player,
            }
            for player, hand in zip(game.players, game.hands, strict=True)
        ],
        "topCard": rules.card_to_wire(game.top_card),
        "demandedSuit": None if game.demanded_suit is None else game.demanded_suit.value,
        "penalty": game.penalty,
        "drawPileCount": len(game.draw_pile),
        "currentPlayer": game.current_player,
        "turnDeadline": state.turn_deadline,
    }


def hands(state: SessionState) -> dict[str, list[dict[str, str]]]:
    """Every hand of the running game, in the player protocol's card format (the audited reveal only)."""
    game = state.game
    if game is None:
        return {}
    return {
        player: [rules.card_to_wire(c) for c in hand] for player, hand in zip(game.players, game.hands, strict=True)
    }


def log_row(entry: Entry, names: dict[str, str]) -> dict[str, Any]:
    """A public log entry with a line of text for people."""
    return {"seq": entry.seq, "type": entry.type, "at": entry.timestamp, "text": describe(entry, names)}


def _card(card: protocol.WireCard) -> str:
    if card.suit is not None:
        return f"{card.rank}{_SUIT_SYMBOLS.get(card.suit, card.suit)}"
    return f"{card.color or ''} {card.rank}".strip()


def describe(entry: Entry, names: dict[str, str]) -> str:
    """A short English line for a public entry (``entry.data``, never a private version)."""

    def who(player: str) -> str:
        return names.get(player, player)

    match entry.data:
        case protocol.PlayerJoinedSession(name=name, seat=seat):
            return f"{name} joined (seat {seat})"
        case protocol.PlayerLeftSession(player=player):
            return f"{who(player)} left the session"
        case protocol.PlayerKicked(player=player, reason=reason):
            return f"{who(player)} was removed by an administrator ({reason or 'no reason given'})"
        case protocol.CreatorChanged(player=player):
            return f"{who(player)} may now start the session"
        case protocol.PlayerDisconnected(player=player, grace_seconds=grace):
            return f"{who(player)} disconnected ({grace} s to come back)"
        case protocol.PlayerReconnected(player=player):
            return f"{who(player)} reconnected"
        case protocol.TournamentStarted(players=players):
            return f"the tournament started with {len(players)} players"
        case protocol.GameStarted(first_player=first, starter_card=starter):
            return f"cards dealt; {who(first)} plays first on {_card(starter)}"
        case protocol.CardPlayed(player=player, card=card, chosen_suit=suit, pending_penalty=penalty):
            text = f"{who(player)} played {_card(card)}"
            if suit:
                text += f" and named {suit}"
            if penalty:
                text += f" (penalty {penalty})"
            return text
        case protocol.SuitChosen(player=player, suit=suit):
            return f"{who(player)} named {suit}"
        case protocol.PileReshuffled():
            return "the discard pile was shuffled into a new draw pile"
        case protocol.CardDrawn(player=player, count=count):
            return f"{who(player)} drew {count} card{'' if count == 1 else 's'}"
        case protocol.TurnSkipped(player=player):
            return f"{who(player)} is skipped"
        case protocol.TurnTimeout(player=player):
            return f"{who(player)} ran out of time; the server moved for them"
        case protocol.PlayerFinished(player=player, place=place):
            return f"{who(player)} finished in place {place}"
        case protocol.TurnChanged(player=player):
            return f"{who(player)} to play"
        case protocol.GameFinished(loser=loser):
            return f"game over: {who(loser)} lost"
        case protocol.GameRecorded(game_id=game_id):
            return f"game {game_id} saved"
        case protocol.PlayerEliminated(player=player):
            return f"{who(player)} is eliminated"
        case protocol.TournamentFinished(winner=winner):
            return f"{who(winner)} won the tournament"
        case protocol.Notice(message=message):
            return f"notice: {message}"
        case protocol.SessionEnded(reason=reason, by=by):
            why = reason or "no reason given"
            if by == "server":
                return f"the server closed the table ({why})"
            return f"an administrator ended the session ({why})"
        case protocol.ChatMessage(channel=channel, from_=sender, name=name, text=text):
            return f"[{channel}] {name or who(sender)}: {text}"
        case protocol.ChatDeleted(message_seq=seq):
            return f"an administrator deleted chat message {seq}"
        case protocol.ChatMuted(player=player, muted=muted):
            return f"{who(player)} was {'muted' if muted else 'unmuted'} in the chat"
        case protocol.ChatReported(message_seq=seq, reporter=reporter, reason=reason):
            return f"{who(reporter)} reported chat message {seq}: {reason or '-'}"
        case protocol.SpectatorsChanged(count=count):
            return f"{count} watching"
        case protocol.UnknownEntry(type=kind):  # a newer node's entry, during a rolling upgrade
            return kind.replace("_", " ")
        case unknown:  # mypy names an entry type added to the protocol but not described here
            assert_never(unknown)


def chat(entries: list[Entry], state: SessionState | None) -> dict[str, Any]:
    """A table's chat as the log still holds it, both channels, with deletions and reports (the moderation view)."""
    deleted = {e.data.message_seq for e in entries if isinstance(e.data, protocol.ChatDeleted)}
    reports = [
        {"seq": e.seq, "at": e.timestamp, "messageSeq": e.data.message_seq, "reporter": e.data.reporter,
         "reason": e.data.reason}
        for e in entries
        if isinstance(e.data, protocol.ChatReported)
    ]  # fmt: skip
    reported = Counter(e.data.message_seq for e in entries if isinstance(e.data, protocol.ChatReported))
    messages = [
        {"seq": e.seq, "at": e.timestamp, "channel": e.data.channel, "from": e.data.from_, "name": e.data.name,
         "text": e.data.text, "deleted": e.seq in deleted, "reports": reported.get(e.seq, 0)}
        for e in entries
        if isinstance(e.data, protocol.ChatMessage)
    ]  # fmt: skip
    return {
        "messages": messages,
        "reports": reports,
        "muted": [] if state is None else list(state.chat_muted),
        "spectators": 0 if state is None else state.spectator_count,
    }


def user_row(user: User) -> dict[str, Any]:
    """One line of ``GET /admin/users`` (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "disabled": user.disabled,
        "createdAt": iso(user.created_at),
    }


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    """One line of ``GET /admin/audit``."""
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "adminId": entry.admin_id,
        "adminName": entry.admin_name,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details,
    }
