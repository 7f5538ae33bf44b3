"""Password strength (zxcvbn): common passwords, repeats and the account's own names are refused, the rule is
stated, and the estimate runs off the Trio thread."""

from __future__ import annotations

import threading

import pytest

from checkgame.auth import check_strength, passwords
from checkgame.auth.strength import PASSWORD_RULE, guesses_log10, password_problem

ACCOUNT = ("annabel", "annabel.smith@example.com")


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        " " * 8,
        "password",
        "password1",
        "qwertyuiop",
        "aaaaaaaaaaaa",
        "iloveyou2",
        "annabel2024",  # the username
        "annabel.smith",  # the email's local part
        "Sunshine1",
        "short1!",  # strong-looking but under 8 characters
    ],
)
def test_weak_passwords_are_refused_with_the_rule(password: str) -> None:
    problem = password_problem(password, ACCOUNT)
    assert problem is not None
    assert PASSWORD_RULE in problem


@pytest.mark.parametrize(
    "password", ["correct-horse", "amber-otter-lantern", "survive the attack 9!", "kq8vz3npx", "Tr0ub4dor&3"]
)
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problem(password, ACCOUNT) is None


def test_only_a_bounded_prefix_is_estimated() -> None:
    """zxcvbn is superlinear in the length: a 128-character password is judged by its first 72."""
    assert password_problem("x" * 128) is not None
    assert password_problem("correct-horse" + "x" * 115) is None
    assert guesses_log10("a" * 1000) == guesses_log10("a" * 72)


async def test_the_check_runs_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []

    def recording(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
        threads.append(threading.get_ident())
        return password_problem(password, user_inputs)

    monkeypatch.setattr(passwords, "password_problem", recording)
    assert await check_strength("12345678") is not None
    assert threads
    assert threading.get_ident() not in threads
