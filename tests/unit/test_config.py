"""Settings: defaults, environment, flags, and the embedded conveniences (config.py)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from checkgame.cli import main
from checkgame.config import SAMPLE_SECRETS, Settings, load_or_create_secret


def test_environment_then_flags_override_the_defaults() -> None:
    env = {"CHECKGAME_PORT": "9001", "DATABASE_URL": "sqlite:////tmp/x.db", "CHECKGAME_PRODUCTION": "yes"}
    settings = Settings.from_env(env, port=9002, host=None)
    assert settings.port == 9002  # a given flag wins
    assert settings.host == "127.0.0.1"  # a flag that was not given (None) does not
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.production is True
    assert Settings.from_env({"CHECKGAME_TURN_TIMEOUT_S": "2.5"}).turn_timeout_s == 2.5


def test_a_bad_boolean_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="production"):
        Settings.from_env({"CHECKGAME_PRODUCTION": "maybe"})


def test_the_embedded_secret_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKGAME_DATA_DIR", str(tmp_path))
    first = Settings().resolved()
    again = Settings().resolved()
    assert first.jwt_secret == again.jwt_secret
    assert len(first.jwt_secret) >= 32
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{tmp_path / 'checkgame.db'}"
    assert first.public_url == "http://127.0.0.1:8000"


def test_production_needs_an_explicit_long_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKGAME_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="required in production"):
        Settings(production=True).resolved()
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(jwt_secret="short").resolved()
    random_looking = "u7Wq2ZkR9vXc4LmN8pTb3JyHd6FsGa1E"
    assert Settings(production=True, jwt_secret=random_looking).resolved().jwt_secret == random_looking


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("dev-only-jwt-secret-not-for-production-use", "sample"),  # deploy/compose.yaml's
        ("CHANGE_ME_TO_AT_LEAST_32_RANDOM_BYTES", "sample"),  # k8s/base/secret.template.yaml's
        ("a" * 32, "too easy to guess"),
        ("0123456789" * 4, "too easy to guess"),
        ("abcdefghijklmnopqrstuvwxyz012345", "too easy to guess"),
        ("password-password-password-password", "too easy to guess"),
    ],
)
def test_production_refuses_sample_and_guessable_secrets(secret: str, why: str) -> None:
    with pytest.raises(ValueError, match=f"^JWT_SECRET is .*{why}") as refused:
        Settings(production=True, jwt_secret=secret).resolved()
    assert "\n" not in str(refused.value)
    assert Settings(jwt_secret=secret).resolved().jwt_secret == secret  # development mode takes it


def test_the_published_samples_are_the_ones_refused() -> None:
    root = Path(__file__).parents[2]
    compose = (root / "deploy/compose.yaml").read_text()
    template = (root / "k8s/base/secret.template.yaml").read_text()
    samples = {re.search(r"JWT_SECRET: \$\{JWT_SECRET:-([^}]+)\}", compose)[1]}  # type: ignore[index]
    samples.add(re.search(r'jwt-secret: "([^"]+)"', template)[1])  # type: ignore[index]
    assert samples <= SAMPLE_SECRETS


@pytest.mark.parametrize("length", [32, 48])
def test_production_takes_generated_secrets(length: int) -> None:
    for _ in range(20):
        for secret in (secrets.token_hex(length // 2), secrets.token_urlsafe(length)):
            assert Settings(production=True, jwt_secret=secret).resolved().jwt_secret == secret


def test_the_generated_secret_and_its_directory_are_owner_only(tmp_path: Path) -> None:
    load_or_create_secret(tmp_path / "data" / "jwt-secret")
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "data" / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_serve_explains_a_refused_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHECKGAME_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert main(["serve", "--production"]) == 2
    assert "JWT_SECRET is required in production mode" in capsys.readouterr().err


def test_the_role_comes_from_the_environment_or_the_flag_and_defaults_to_all() -> None:
    assert Settings().role == "all"
    assert Settings.from_env({"CHECKGAME_ROLE": "ws"}).role == "ws"
    assert Settings.from_env({"CHECKGAME_ROLE": "ws"}, role="api").role == "api"


@pytest.mark.parametrize("role", ["API", "both", "web", " ws"])
def test_an_unknown_role_is_refused_in_one_line(role: str) -> None:
    with pytest.raises(ValueError, match=r"^role must be all, api or ws, got '.*'$"):
        Settings.from_env({"CHECKGAME_ROLE": role})


def test_serve_refuses_an_unknown_role_before_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHECKGAME_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHECKGAME_ROLE", "websocket")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == "checkgame serve: role must be all, api or ws, got 'websocket'\n"
    monkeypatch.delenv("CHECKGAME_ROLE")
    with pytest.raises(SystemExit) as refused:  # argparse's choices: exit status 2 and the usage line
        main(["serve", "--role", "websocket"])
    assert refused.value.code == 2
    assert "invalid choice: 'websocket'" in capsys.readouterr().err
