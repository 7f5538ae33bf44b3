"""The README's first command (``sh install.sh serve``) on the distribution's own Python, in a clean HOME.

Debian 12's ``/usr/bin/python3`` is externally managed (PEP 668): ``pip install --user pipx``, what the README
said before, is refused there. install.sh must work without pipx (bootstrapping its own), with the pipx it left
(as where pipx already exists), and leave ``checkgame`` where new terminals find it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not SYSTEM_PYTHON.exists() and not os.environ.get("CHECKGAME_REQUIRE_SERVICES"),
        reason="no distribution Python at /usr/bin/python3",
    ),
]


def _system_bin(tmp_path: Path, *, without: tuple[str, ...]) -> Path:
    """A directory with every command of /usr/bin except ``without``: the PATH of a machine lacking them."""
    bin_dir = tmp_path / "system-bin"
    bin_dir.mkdir()
    for command in Path("/usr/bin").iterdir():
        if command.name not in without:
            (bin_dir / command.name).symlink_to(command)
    return bin_dir


def _install(home: Path, path: str, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": path, "SHELL": "/bin/bash", "LANG": "C.UTF-8", **extra}
    for name in ("PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT"):  # the machine's index
        if name in os.environ:
            env[name] = os.environ[name]
    return subprocess.run(["sh", str(ROOT / "install.sh"), *argv], env=env, capture_output=True, text=True, timeout=300)


def test_the_old_first_command_is_refused_by_an_externally_managed_python(tmp_path: Path) -> None:
    marker = next(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"), None)
    if marker is None:
        pytest.skip("this /usr/bin/python3 is not externally managed")
    refused = subprocess.run(
        [str(SYSTEM_PYTHON), "-m", "pip", "install", "--user", "pipx"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stderr


def test_install_without_pipx_then_again_with_the_pipx_it_left(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    path = str(_system_bin(tmp_path, without=("pipx",)))
    first = _install(home, path, "--version")
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("pipx not found: installing one for checkgame in ")
    assert lines[-1].startswith("checkgame ")  # install.sh ran `checkgame --version` once installed
    installed = home / ".local" / "bin" / "checkgame"
    assert f"installed: {installed} (checkgame " in first.stdout
    assert f'in this one, run: export PATH="{installed.parent}:$PATH"' in first.stdout
    assert str(installed.parent) in (home / ".bashrc").read_text()  # new terminals find it (pipx ensurepath)
    assert first.stderr == ""

    private_pipx = home / ".local" / "share" / "checkgame" / "pipx" / "bin"
    again = _install(home, f"{installed.parent}:{private_pipx}:{path}")  # pipx on the PATH, checkgame too
    assert again.returncode == 0, again.stdout + again.stderr
    assert "pipx not found" not in again.stdout
    assert again.stdout.splitlines() == [
        "installing checkgame with pipx (a minute or so)",
        f"installed: {installed} ({lines[-1]})",
    ]


def test_a_python_without_venv_gets_one_line_saying_what_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\n[ "$1" = -m ] && [ "$2" = venv ] && exit 1\nexec /usr/bin/python3 "$@"\n')
    fake.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    done = _install(home, str(_system_bin(tmp_path, without=("pipx",))), PYTHON=str(fake))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"install.sh: {fake} cannot create a virtual environment (on Debian or Ubuntu: sudo apt install python3-venv)"
    ]
    assert not (home / ".local" / "share" / "checkgame" / "pipx").exists()


def test_the_readme_begins_with_these_commands() -> None:
    """The first command is the one tested here; the second is exactly what .ci/run runs."""
    block = (ROOT / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    first, second = (line.split("   #", 1)[0].strip() for line in block[:2])
    assert first == "sh install.sh serve"
    assert f"\n{second}\n" in (ROOT / ".ci" / "run").read_text()
