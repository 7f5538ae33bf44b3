"""Where an idle connection's memory goes: the server's Python heap per seated player, by the code holding it.

Runs ``checkgame loadtest --start embedded --idle`` with ``tracemalloc`` started in the server it starts (a
``sitecustomize`` on the server's path; the load generator's workers are left alone), takes one snapshot before
the players come and one once they are seated (each after a full collection), and divides what grew by the
number of players. docs/performance.md, "Idle memory", shows a run.

    python bench/idle_memory.py [--players 1000] [--ramp 30] [--json out.json]

The RSS per connection at 10,000 players is ``checkgame loadtest --start embedded --players 10000 --idle``'s.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

SITECUSTOMIZE = """
import os
if "CHECKGAME_NODE_ID" in os.environ:  # only the server the load test starts, not its workers
    import gc, itertools, signal, tracemalloc
    tracemalloc.start(1)
    _taken = itertools.count()
    def _snapshot(signum, frame):
        gc.collect()
        tracemalloc.take_snapshot().dump(os.path.join(os.environ["IDLE_MEMORY_DIR"], f"{next(_taken)}.snapshot"))
    signal.signal(signal.SIGUSR1, _snapshot)
"""

HOLDERS = {  # what holds the memory: path fragments of the code that allocated it (the first match wins)
    "the front door: request head, h11, the checked upgrade": (
        "/transport/edge/",
        "/h11/",
        "urllib/parse",
        "upgrade.py",
    ),
    "the lean WebSocket: wsproto, WebSocket": ("/wsproto/", "ws/wire.py", "checkgame/nonblocking.py"),
    "Trio: task, nursery, wait chain, context managers": (
        "/trio/",
        "contextlib.py",
        "trio.",
        "_weakrefset",
        "/outcome/",
    ),
    "the game: player, rate limits, hub, presence, admin row": (
        "ws/player.py",
        "/rooms/",
        "/live/",
        "/sessions/",
        "/protocol/",
        "ratelimit",
        "/observability/",
    ),
}


def holder(filename: str) -> str:
    return next((name for name, parts in HOLDERS.items() if any(part in filename for part in parts)), "other")


def _server_pid(parent: int, deadline: float) -> int:
    """The ``checkgame serve`` process the load test started."""
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and b"serve" in cmdline:
                return int(entry.name)
        time.sleep(0.5)
    raise SystemExit("idle_memory: the load test started no server")


def measure(players: int, ramp_s: float) -> dict[str, int]:
    """Bytes of Python heap per seated idle player, by what holds them."""
    with tempfile.TemporaryDirectory() as workdir:
        (Path(workdir) / "sitecustomize.py").write_text(SITECUSTOMIZE)
        env = {**os.environ, "IDLE_MEMORY_DIR": workdir}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [workdir, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "checkgame", "loadtest", "--start", "embedded", "--idle", "--quiet"]
        command += ["--players", str(players), "--ramp", str(ramp_s), "--duration", str(ramp_s + 30)]
        load = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            server = _server_pid(load.pid, time.monotonic() + 60)
            time.sleep(8)  # started and ready, nobody seated yet
            os.kill(server, signal.SIGUSR1)
            time.sleep(ramp_s + 25)  # every table seated, well before the load test ends
            os.kill(server, signal.SIGUSR1)
        finally:
            if load.wait(timeout=ramp_s + 300) != 0:
                raise SystemExit(f"idle_memory: the load test failed (exit {load.returncode})")
        before, after = (tracemalloc.Snapshot.load(f"{workdir}/{n}.snapshot") for n in (0, 1))
    grown: collections.Counter[str] = collections.Counter()
    for stat in after.compare_to(before, "filename"):
        grown[holder(stat.traceback[0].filename)] += stat.size_diff
    return {name: round(size / players) for name, size in grown.most_common()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds over which the tables sit down")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    per_player = measure(args.players, args.ramp)
    for name, size in per_player.items():
        print(f"{size / 1000:6.1f} KB  {name}")
    total = sum(per_player.values())
    print(f"{total / 1000:6.1f} KB  in all, per idle player ({args.players} players)")
    if args.json:
        result = {"players": args.players, "bytesPerPlayer": per_player, "totalBytesPerPlayer": total}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
