"""``checkgame seed-demo``: an empty database becomes a living server's (accounts, finished tournaments with
games and statistics, open tables through a running node); a production or non-empty database is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import trio

from checkgame.cli.demo import DEMO_PASSWORD, OPEN_TABLES, PLAYERS, TOURNAMENTS
from tests.integration.conftest import start_server


async def _seed(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHECKGAME_") and k != "DATABASE_URL"}
    command = [
        sys.executable,
        "-m",
        "checkgame",
        "seed-demo",
        "--database-url",
        f"sqlite:///{tmp_path / 'checkgame.db'}",
    ]
    return await trio.run_process(
        [*command, *argv], env={**clean, **env}, capture_stdout=True, capture_stderr=True, check=False
    )


async def test_an_empty_database_becomes_a_living_server(nursery: trio.Nursery, tmp_path: Path) -> None:
    seeded = await _seed(tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert f"{TOURNAMENTS} finished tournaments" in seeded.stdout.decode()
    server = await start_server(nursery, tmp_path)  # the same database file
    try:
        async with httpx.AsyncClient(base_url=server.url + "/api/v1", timeout=10) as http:
            finished = (await http.get("/sessions", params={"status": "finished"})).json()
            assert finished["total"] == TOURNAMENTS
            games = (await http.get(f"/sessions/{finished['items'][0]['id']}/games")).json()["items"]
            assert len(games) == 3  # four players: three eliminations
            assert all(set(game["names"].values()) <= {*PLAYERS, "Guest 1", "Guest 2", "Guest 3", "Guest 4"}
                       for game in games)  # fmt: skip
            login = await http.post("/auth/login", json={"login": PLAYERS[0], "password": DEMO_PASSWORD})
            auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            stats = (await http.get("/users/profile", headers=auth)).json()["stats"]
            assert stats["tournamentsPlayed"] >= 2
            assert sum(stats["placements"]) == stats["totalGames"] > 0
            assert stats["placements"][0] == stats["wins"]

            opened = await _seed(tmp_path, "--tables-only", "--url", server.url)
            assert opened.returncode == 0, opened.stderr
            waiting = (await http.get("/sessions", params={"status": "waiting"})).json()["items"]
            counts = {table["name"]: table["playerCount"] for table in waiting}
            assert counts == {name: 1 + bots for _, name, _, bots in OPEN_TABLES}
    finally:
        server.stop.set()


async def test_a_production_or_a_non_empty_database_is_refused(tmp_path: Path) -> None:
    production = await _seed(tmp_path, CHECKGAME_PRODUCTION="true")
    assert production.returncode == 2
    assert production.stderr.decode().startswith("checkgame seed-demo: refusing to put demo data in a production")
    assert not (tmp_path / "checkgame.db").exists()
    assert (await _seed(tmp_path)).returncode == 0
    again = await _seed(tmp_path)
    assert again.returncode == 2
    assert "already holds 6 accounts and 4 sessions" in again.stderr.decode()
    forced = await _seed(tmp_path, "--force")
    assert forced.returncode == 0, forced.stderr
