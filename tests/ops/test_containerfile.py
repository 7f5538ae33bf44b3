"""What hadolint does not check in the Containerfile: the structure the deployment relies on.

Multi-stage, with only the built virtual environment in the final stage; a non-root numeric user (Kubernetes'
runAsNonRoot can only verify a numeric one); dumb-init as PID 1 so SIGTERM reaches the server, which then
drains; a HEALTHCHECK on /health; and a build context that carries no more than the package needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def parse(text: str) -> list[list[Instruction]]:
    """The instructions of each stage (ARGs before the first FROM are left out), continuation lines joined."""
    logical = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    stages: list[list[Instruction]] = []
    for line in filter(str.strip, logical.splitlines()):
        keyword, _, arguments = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return stages


def containerfile() -> list[list[Instruction]]:
    return parse((ROOT / "Containerfile").read_text())


def final_stage() -> list[Instruction]:
    return containerfile()[-1]


def last(stage: list[Instruction], keyword: str) -> str:
    found = [i.arguments for i in stage if i.keyword == keyword]
    assert found, f"the final stage has no {keyword}"
    return found[-1]


def test_parse_joins_continuations_and_splits_stages() -> None:
    stages = parse("ARG X=1\nFROM a AS b\n# note\nRUN one \\\n    two\nFROM c\nUSER 5\n")
    assert stages == [
        [Instruction("FROM", "a AS b"), Instruction("RUN", "one two")],
        [Instruction("FROM", "c"), Instruction("USER", "5")],
    ]


def test_the_build_is_multi_stage_and_the_runtime_copies_only_the_built_environment() -> None:
    stages = containerfile()
    assert len(stages) >= 2
    build_name = stages[0][0].arguments.split()[-1]
    copies = [i.arguments for i in final_stage() if i.keyword in {"COPY", "ADD"}]
    assert copies
    assert all(arguments.startswith(f"--from={build_name} ") for arguments in copies)


def test_the_runtime_runs_as_a_numeric_non_root_user() -> None:
    user, _, group = last(final_stage(), "USER").partition(":")
    assert user.isdigit()
    assert int(user) > 0
    assert not group or int(group) > 0


def test_pid_1_is_an_init_that_forwards_signals() -> None:
    entrypoint = json.loads(last(final_stage(), "ENTRYPOINT"))
    assert Path(entrypoint[0]).name in {"dumb-init", "tini"}
    assert json.loads(last(final_stage(), "CMD")) == ["checkgame", "serve"]


def test_the_healthcheck_asks_health_on_the_configured_port() -> None:
    healthcheck = last(final_stage(), "HEALTHCHECK")
    assert "/health" in healthcheck
    assert "CHECKGAME_PORT" in healthcheck
    env = " ".join(i.arguments for i in final_stage() if i.keyword == "ENV")
    assert "CHECKGAME_HOST=0.0.0.0" in env


def test_the_build_context_is_the_package_and_its_metadata_only() -> None:
    lines = [line for line in (ROOT / ".containerignore").read_text().splitlines() if line and line[0] != "#"]
    assert lines[0] == "*"
    assert {line[1:] for line in lines if line.startswith("!")} == {"pyproject.toml", "README.md", "checkgame/"}
