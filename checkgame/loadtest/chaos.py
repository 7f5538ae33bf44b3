"""``checkgame loadtest --start cluster --chaos``: bots play on a cluster while it is hurt on a timetable, and a
real Prometheus measures the service-level objectives (docs/operations.md#chaos-soak).

Tables of computer players (:func:`checkgame.bots.client.run_bot`, the protocol's own client, reconnecting
with ``lastSeq``) play tournament after tournament through nginx. At known moments of the run the soak kills a
node with SIGKILL and starts a replacement, restarts every node one by one with SIGTERM (a rolling deploy),
pauses its Redis with SIGSTOP, and makes its PostgreSQL database refuse connections. At the end it prints each
objective as Prometheus computed it (the recording rules of deploy/prometheus/slo.yml), the bad events and
the error budget each fault window spent, and the games lost.

A game is **lost** when its tournament started (its session's row in PostgreSQL is no longer ``waiting``), did
not finish, and its session cannot be resumed: a seat holder who connects with its session token after the run
does not get ``connection_established`` in three tries two seconds apart (the live state is gone, or the server
refuses or drops every try). Tournaments the bots finished but whose result never reached
PostgreSQL are counted apart (``resultsMissing``), as are games the rules ended because a player was dropped
after the grace period (``gamesEndedByDrop``: these bots never leave on their own).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trio
import yaml

from checkgame.bots.client import BotError, Seat, run_bot, seat_from_token, start_when_full
from checkgame.loadtest.chaos_cluster import RULES_DIR, SoakCluster
from checkgame.loadtest.wsclient import ConnectionClosed, HandshakeError, connect

__all__ = ["Fault", "render_soak", "run_soak"]

API = "/api/v1"
SETTLE_S = 15.0
"""A fault's window runs this long past its end (but never into the next fault's): reconnections, retries and
the scrape after them."""
THINK_S = 0.15


@dataclass
class Fault:
    name: str
    start: float
    end: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Tournament:
    table: int
    seat: Seat
    finished: bool = False
    error: str = ""


@dataclass
class _Soak:
    cluster: SoakCluster
    tables: int
    table_size: int
    tournaments: list[_Tournament] = field(default_factory=list)
    rest_failures: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    faults: list[Fault] = field(default_factory=list)

    async def table(self, number: int) -> None:
        """Tournament after tournament at one table, until cancelled; a refused REST call is counted and retried."""
        async with httpx.AsyncClient(base_url=self.cluster.url, timeout=10) as http:
            name, token = f"chaos{number}x{time.monotonic_ns() % 10**8}", ""
            while True:
                try:
                    if not token:
                        account = {"username": name, "email": f"{name}@chaos.test", "password": "soak it all 9 times!"}
                        token = (await _post(http, "/auth/register", account, ""))["accessToken"]
                    session = {"name": f"chaos {number}", "maxPlayers": self.table_size}
                    created = await _post(http, "/sessions", session, token)
                except BotError as failure:
                    self.rest_failures[str(failure)] += 1
                    await trio.sleep(1.0)
                    continue
                await self._tournament(http, number, created)

    async def _tournament(self, http: httpx.AsyncClient, number: int, created: dict[str, Any]) -> None:
        creator = seat_from_token(self.cluster.url, str(created["sessionToken"]))
        tournament = _Tournament(number, creator)
        self.tournaments.append(tournament)
        seed = len(self.tournaments) * 100

        def count(event: dict[str, Any]) -> None:
            self.reconnects += event["type"] == "reconnecting"

        async def creator_plays() -> None:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(start_when_full, http, creator)
                await run_bot(self.cluster.url, seat=creator, name="creator", seed=seed, think_s=THINK_S,
                              actions_per_s=50, on_event=count)  # fmt: skip

        async def guest_plays(i: int) -> None:
            await run_bot(self.cluster.url, code=str(created["joinCode"]), name=f"g{i}", seed=seed + i,
                          think_s=THINK_S, actions_per_s=50, on_event=count)  # fmt: skip

        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(creator_plays)
                for i in range(1, self.table_size):
                    nursery.start_soon(guest_plays, i)
            tournament.finished = True
        except* BotError as failed:
            tournament.error = "; ".join(sorted({str(e) for e in _leaves(failed)}))[:300]
            await trio.sleep(1.0)

    async def timetable(self, duration_s: float, started: float) -> None:
        """The faults, each at a fixed share of the run, so two runs of one length hurt at the same moments."""
        cluster = self.cluster

        async def at(share: float) -> None:
            await trio.sleep_until(trio.current_time() + max(0.0, started + share * duration_s - time.time()))

        async def fault(name: str, **detail: Any) -> Fault:
            entry = Fault(name, time.time(), detail=detail)
            self.faults.append(entry)
            return entry

        await at(0.12)
        entry = await fault("kill -9 node1, replacement started 5 s later")
        await trio.to_thread.run_sync(cluster.kill, cluster.nodes[0])
        await trio.sleep(5)
        await trio.to_thread.run_sync(cluster.start_node, cluster.nodes[0])
        entry.end = time.time()

        await at(0.32)
        entry = await fault("rolling restart (SIGTERM, then a new process, one node at a time)", exitStatus={})
        for node in cluster.nodes:
            entry.detail["exitStatus"][node.name] = await trio.to_thread.run_sync(cluster.terminate, node)
            await trio.to_thread.run_sync(cluster.start_node, node)
            await trio.sleep(3)  # nginx's fail_timeout: the next node goes once this one takes traffic again
        entry.end = time.time()

        pause = min(10.0, 0.06 * duration_s)
        await at(0.55)
        entry = await fault(f"Redis paused (SIGSTOP) for {pause:.0f} s")
        cluster.pause_redis()
        await trio.sleep(pause)
        cluster.resume_redis()
        entry.end = time.time()

        refuse = min(20.0, 0.1 * duration_s)
        await at(0.75)
        entry = await fault(f"PostgreSQL refuses connections for {refuse:.0f} s")
        await trio.to_thread.run_sync(cluster.refuse_postgres)
        await trio.sleep(refuse)
        await trio.to_thread.run_sync(cluster.accept_postgres)
        entry.end = time.time()

    async def watch_nodes(self) -> None:
        while True:
            await trio.to_thread.run_sync(self.cluster.check_nodes)
            await trio.sleep(1.0)

    async def run(self, duration_s: float) -> None:
        started = time.time()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self.watch_nodes)
            for number in range(self.tables):
                nursery.start_soon(self.table, number)
                await trio.sleep(0.2)
            await self.timetable(duration_s, started)
            await trio.sleep_until(trio.current_time() + max(0.0, started + duration_s - time.time()))
            nursery.cancel_scope.cancel()


def _leaves(group: BaseExceptionGroup[BotError]) -> list[BaseException]:
    return [leaf for e in group.exceptions for leaf in (_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])]


async def _post(http: httpx.AsyncClient, path: str, body: dict[str, Any], token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = await http.post(API + path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise BotError(type(exc).__name__) from None
    if not response.is_success:
        raise BotError(f"HTTP {response.status_code}")
    return response.json()


async def _resumable(seat: Seat, attempts: int = 3) -> str | None:
    """Why a seat holder who connects now does not get ``connection_established`` (``None``: it does).

    Tried a few times, a couple of seconds apart, as a player's client would: one refused connection is a
    node restarting, not a lost game."""
    why = ""
    for _ in range(attempts):
        why = await _connect_once(seat)
        if not why:
            return None
        await trio.sleep(2.0)
    return why


async def _connect_once(seat: Seat) -> str:
    with trio.move_on_after(10):
        try:
            async with connect(seat.ws_url) as ws:
                while True:
                    for frame in _frames(await ws.get_message()):
                        if frame.get("type") == "connection_established":
                            return ""
                        if frame.get("type") == "error":
                            return f"refused: {frame.get('data')}"
        except (ConnectionClosed, HandshakeError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"
    return "no connection_established within 10 s"


def _frames(raw: str | bytes) -> list[dict[str, Any]]:
    message = json.loads(raw)
    return message if isinstance(message, list) else [message]


def _indicators() -> dict[str, dict[str, str]]:
    """Per objective: its events and bad events as PromQL over ``[5m]``, read from slo.yml (one definition)."""
    found: dict[str, dict[str, str]] = {}
    for group in yaml.safe_load((RULES_DIR / "slo.yml").read_text())["groups"]:
        for rule in group["rules"]:
            slo = rule.get("labels", {}).get("slo")
            if slo is not None:
                found.setdefault(slo, {})[rule["record"]] = rule["expr"]
    return found


def _count(cluster: SoakCluster, expr: str, seconds: float, at: float) -> float:
    """The events an indicator's 5-minute rate expression counted over ``seconds`` ending at ``at``."""
    window = f"[{max(1, round(seconds))}s]"
    result = cluster.query(expr.replace("rate(", "increase(").replace("[5m]", window), at)
    return float(result[0]["value"][1]) if result else 0.0


def _measure(soak: _Soak, started: float, ended: float) -> dict[str, Any]:
    cluster, month_s = soak.cluster, 30 * 86400.0
    objectives = {r["metric"]["slo"]: float(r["value"][1]) for r in cluster.query("slo:objective:ratio", ended)}
    recorded = {r["metric"]["slo"]: float(r["value"][1]) for r in cluster.query("slo:sli_error:ratio_rate30d", ended)}
    report: dict[str, Any] = {}
    for slo, exprs in _indicators().items():
        budget = 1 - objectives.get(slo, 1.0)
        total = _count(cluster, exprs["slo:events:rate5m"], ended - started, ended)
        bad = _count(cluster, exprs["slo:bad_events:rate5m"], ended - started, ended)
        windows = []
        for fault, after in zip(soak.faults, [*soak.faults[1:], None], strict=True):
            end = min(fault.end + SETTLE_S, after.start if after else ended, ended)  # windows never overlap
            w_total = _count(cluster, exprs["slo:events:rate5m"], end - fault.start, end)
            w_bad = _count(cluster, exprs["slo:bad_events:rate5m"], end - fault.start, end)
            windows.append(
                {
                    "fault": fault.name,
                    "events": round(w_total),
                    "bad": round(w_bad),
                    "runBudgetSpent": w_bad / (budget * total) if budget and total else None,
                    "monthBudgetSpent": (w_bad / w_total) * (end - fault.start) / (budget * month_s)
                    if budget and w_total
                    else 0.0,
                }
            )
        report[slo] = {
            "objective": objectives.get(slo),
            "measured": 1 - recorded[slo] if slo in recorded else None,
            "events": round(total),
            "bad": round(bad),
            "faults": windows,
        }
    return report


async def _losses(soak: _Soak) -> dict[str, Any]:
    status = {row[0]: row[1] for row in soak.cluster.sql("SELECT id, status FROM sessions")}
    unfinished = [t for t in soak.tournaments if not t.finished]
    lost = []
    for tournament in unfinished:
        why = await _resumable(tournament.seat)
        if why is not None:
            session = tournament.seat.session_id
            lost.append({"session": session, "status": status.get(session), "botError": tournament.error, "why": why})
    missing = [
        t.seat.session_id for t in soak.tournaments if t.finished and status.get(t.seat.session_id) != "finished"
    ]
    reasons = dict(soak.cluster.sql("SELECT reason, count(*) FROM games GROUP BY reason"))
    return {
        "tournamentsFinished": sum(t.finished for t in soak.tournaments),
        "tournamentsUnfinished": len(unfinished),
        "tournamentsAbandonedByBots": sum(bool(t.error) for t in soak.tournaments),
        "botErrors": dict(Counter(t.error for t in soak.tournaments if t.error).most_common(5)),
        "gamesLost": sum(entry["status"] != "waiting" for entry in lost),
        "lost": lost,
        "lobbiesNotResumable": sum(entry["status"] == "waiting" for entry in lost),
        "resultsMissing": missing,
        "gamesRecordedByReason": {k: int(v) for k, v in reasons.items()},
        "gamesEndedByDrop": int(reasons.get("left", 0)),
    }


def run_soak(*, duration_s: float, players: int, table_size: int, nodes: int, postgres_url: str) -> dict[str, Any]:
    """Start a cluster, play and hurt it for ``duration_s``, measure, stop it; the figures as a dict."""
    tables = max(1, players // table_size)
    workdir = tempfile.mkdtemp(prefix="checkgame-chaos-")  # kept after a crash or a loss: the logs are the evidence
    cluster = SoakCluster(Path(workdir), nodes, postgres_url)
    try:
        cluster.start()
        soak = _Soak(cluster, tables, table_size)
        started = time.time()
        trio.run(soak.run, duration_s)
        ended = time.time()
        time.sleep(3)  # the last scrapes and rule evaluations
        cluster.check_nodes()
        result: dict[str, Any] = {
            "durationS": round(ended - started, 1),
            "workdir": workdir,
            "nodes": nodes,
            "players": tables * table_size,
            "faults": [
                {
                    "name": f.name,
                    "atS": round(f.start - started, 1),
                    "lastedS": round(f.end - f.start, 1),
                    **f.detail,
                }
                for f in soak.faults
            ],
            "objectives": _measure(soak, started, ended),
            "restFailuresSeenByPlayers": dict(soak.rest_failures),
            "reconnects": soak.reconnects,
            **trio.run(_losses, soak),
            "crashes": cluster.crashes,
            "tracebacks": cluster.tracebacks(),
            "alertsFired": sorted(
                {
                    r["metric"]["alertname"]
                    for r in cluster.query(
                        f'max_over_time(ALERTS{{alertstate="firing"}}[{round(ended - started) + 10}s])'
                    )
                }
            ),
        }
    finally:
        cluster.stop()
    if result["gamesLost"] == 0 and not result["crashes"]:
        shutil.rmtree(workdir, ignore_errors=True)
        result["workdir"] = None
    return result


def _percent(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def render_soak(result: dict[str, Any]) -> str:
    lines = [
        f"chaos soak: {result['durationS']} s, {result['nodes']} nodes behind nginx, {result['players']} players "
        f"({'logs removed: no crash, no loss' if result['workdir'] is None else 'logs in ' + result['workdir']})"
    ]
    lines += [f"  fault at {f['atS']:>6} s ({f['lastedS']} s): {f['name']}" for f in result["faults"]]
    for slo, figures in result["objectives"].items():
        lines.append(
            f"{slo}: measured {_percent(figures['measured'])} (objective {_percent(figures['objective'], 2)}), "
            f"{figures['bad']} bad of {figures['events']} events"
        )
        for window in figures["faults"]:
            lines.append(
                f"    {window['fault'][:48]:<48} {window['bad']:>6} bad of {window['events']:>7}: "
                f"{_percent(window['runBudgetSpent'], 1)} of this run's budget, "
                f"{_percent(window['monthBudgetSpent'], 4)} of a 30-day budget"
            )
    lines.append(
        f"tournaments: {result['tournamentsFinished']} finished, {result['tournamentsUnfinished']} unfinished "
        f"({result['tournamentsAbandonedByBots']} abandoned by their bots); games lost: {result['gamesLost']} "
        f"(and {result['lobbiesNotResumable']} lobbies not resumable); "
        f"results missing in PostgreSQL: {len(result['resultsMissing'])}; games ended by a drop: "
        f"{result['gamesEndedByDrop']}"
    )
    lines.append(
        f"players' REST failures: {result['restFailuresSeenByPlayers'] or 'none'}; reconnects: {result['reconnects']}"
    )
    lines.append(
        f"node crashes (not caused by the soak): {len(result['crashes'])}; tracebacks in logs: {result['tracebacks']}"
    )
    lines.append(f"alerts that fired: {', '.join(result['alertsFired']) or 'none'}")
    return "\n".join(lines)
