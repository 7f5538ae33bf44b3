"""How guessable a password or a signing key is, estimated by zxcvbn (Dropbox's estimator, a maintained port).

zxcvbn counts the guesses an attacker who knows common passwords, words,
names, dates, keyboard patterns, repeats and the account's own username and
email would need, which a rule on character classes cannot. The estimate is
pure CPU (up to ~50 ms for a long pathological string), so the server runs
:func:`password_problem` in a worker thread, like the hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from zxcvbn import zxcvbn

__all__ = ["MIN_PASSWORD_GUESSES_LOG10", "PASSWORD_RULE", "guesses_log10", "password_problem"]

ESTIMATED_PREFIX: Final = 72
"""Only this many first characters are estimated (zxcvbn's own bound); a longer string is at least as strong."""

MIN_PASSWORD_GUESSES_LOG10: Final = 6
"""A password must need a million guesses or more: zxcvbn's score 2 of 4, beyond an online attack held to the
login rate limit (NIST SP 800-63B asks for a blocklist of common passwords, not composition rules)."""

PASSWORD_RULE: Final = (
    "a password has at least 8 characters and is hard to guess: not a common password, a word, a name, a date, "
    "a keyboard pattern or a repeat, nor your username or email (a million guesses or more, as zxcvbn "
    "estimates); a few unrelated words make a good one"
)


def guesses_log10(text: str, user_inputs: Sequence[str] = ()) -> float:
    """log10 of the guesses zxcvbn estimates for ``text``, knowing ``user_inputs`` (a username, an email...)."""
    result = zxcvbn(text[:ESTIMATED_PREFIX], user_inputs=list(user_inputs), max_length=ESTIMATED_PREFIX)
    return float(result["guesses_log10"])


def password_problem(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why ``password`` is refused (the rule, and zxcvbn's hint when it has one), or None if it is strong enough."""
    inputs = [*user_inputs, *(value.partition("@")[0] for value in user_inputs if "@" in value)]
    result = zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=inputs, max_length=ESTIMATED_PREFIX)
    if len(password) >= 8 and result["guesses_log10"] >= MIN_PASSWORD_GUESSES_LOG10:
        return None
    hint = result["feedback"]["warning"]
    return "the password is too easy to guess" + (f" ({hint.rstrip('.')})" if hint else "") + f": {PASSWORD_RULE}"
