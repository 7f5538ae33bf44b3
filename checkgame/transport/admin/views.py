"""What administrators see, built from store records and live states: public information only.

Hands never appear here; the one way to see them is the audited reveal
(:func:`hands`). Times from the live state (deadlines, log entries, node
and connection times) are epoch seconds like the rest of the live protocol;
times from the database (``createdAt``, audit ``at``) are ISO-8601, like the
REST API's.
"""

from __future__ import annotations

from typing import Any

from checkgame import rules
from checkgame.sessions import Entry, SessionState, Status
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
    if state is None:
        return record.status
    return Status.PLAYING.value if state.status is Status.BETWEEN else state.status.value


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


def _card(wire: dict[str, str]) -> str:
    if "suit" in wire:
        return f"{wire['rank']}{_SUIT_SYMBOLS.get(wire['suit'], wire['suit'])}"
    return f"{wire.get('color', '')} {wire['rank']}".strip()


def describe(entry: Entry, names: dict[str, str]) -> str:
    """A short English line for a public entry (``entry.data``, never a private version)."""
    data = entry.data

    def who(key: str = "player") -> str:
        player = str(data.get(key, "?"))
        return names.get(player, player)

    match entry.type:
        case "player_joined_session":
            return f"{data.get('name', who())} joined (seat {data.get('seat')})"
        case "player_left_session":
            return f"{who()} left the session"
        case "player_kicked":
            reason = data.get("reason") or "no reason given"
            return f"{who()} was removed by an administrator ({reason})"
        case "creator_changed":
            return f"{who()} may now start the session"
        case "player_disconnected":
            return f"{who()} disconnected ({data.get('graceSeconds')} s to come back)"
        case "player_reconnected":
            return f"{who()} reconnected"
        case "tournament_started":
            return f"the tournament started with {len(data.get('players', []))} players"
        case "game_started":
            return f"cards dealt; {who('firstPlayer')} plays first on {_card(data['starterCard'])}"
        case "card_played":
            text = f"{who()} played {_card(data['card'])}"
            if data.get("chosenSuit"):
                text += f" and named {data['chosenSuit']}"
            if data.get("pendingPenalty"):
                text += f" (penalty {data['pendingPenalty']})"
            return text
        case "suit_chosen":
            return f"{who()} named {data.get('suit')}"
        case "pile_reshuffled":
            return "the discard pile was shuffled into a new draw pile"
        case "card_drawn":
            count = data.get("count", 0)
            return f"{who()} drew {count} card{'' if count == 1 else 's'}"
        case "turn_skipped":
            return f"{who()} is skipped"
        case "turn_timeout":
            return f"{who()} ran out of time; the server moved for them"
        case "player_finished":
            return f"{who()} finished in place {data.get('place')}"
        case "turn_changed":
            return f"{who()} to play"
        case "game_finished":
            return f"game over: {who('loser')} lost"
        case "game_recorded":
            return f"game {data.get('gameId')} saved"
        case "player_eliminated":
            return f"{who()} is eliminated"
        case "tournament_finished":
            return f"{who('winner')} won the tournament"
        case "notice":
            return f"notice: {data.get('message', '')}"
        case "chat_message":
            return f"[{data.get('channel')}] {data.get('name') or who('from')}: {data.get('text', '')}"
        case "chat_deleted":
            return f"an administrator deleted chat message {data.get('messageSeq')}"
        case "chat_muted":
            return f"{who()} was {'muted' if data.get('muted') else 'unmuted'} in the chat"
        case "chat_reported":
            return f"{who('reporter')} reported chat message {data.get('messageSeq')}: {data.get('reason') or '-'}"
        case "spectators_changed":
            return f"{data.get('count')} watching"
        case "session_ended":
            reason = data.get("reason") or "no reason given"
            return (
                f"the server closed the table ({reason})"
                if data.get("by") == "server"
                else (f"an administrator ended the session ({reason})")
            )
    return entry.type.replace("_", " ")


def chat(entries: list[Entry], state: SessionState | None) -> dict[str, Any]:
    """A table's chat as the log still holds it, both channels, with deletions and reports (the moderation view)."""
    deleted = {e.data.get("messageSeq") for e in entries if e.type == "chat_deleted"}
    reports = [
        {"seq": e.seq, "at": e.timestamp, "messageSeq": e.data.get("messageSeq"), "reporter": e.data.get("reporter"),
         "reason": e.data.get("reason", "")}
        for e in entries
        if e.type == "chat_reported"
    ]  # fmt: skip
    reported: dict[Any, int] = {}
    for report in reports:
        reported[report["messageSeq"]] = reported.get(report["messageSeq"], 0) + 1
    messages = [
        {"seq": e.seq, "at": e.timestamp, "channel": e.data.get("channel"), "from": e.data.get("from"),
         "name": e.data.get("name"), "text": e.data.get("text"), "deleted": e.seq in deleted,
         "reports": reported.get(e.seq, 0)}
        for e in entries
        if e.type == "chat_message"
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
