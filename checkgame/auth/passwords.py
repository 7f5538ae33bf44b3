"""Argon2id password hashes, computed off the event loop (DESIGN.md §2).

A hash with the default parameters takes tens of milliseconds of CPU and
64 MiB of memory on purpose. Done on the Trio thread it would stall every
game on the node, so both operations run in :func:`trio.to_thread.run_sync`.

They also share a :class:`trio.CapacityLimiter` of :data:`MAX_CONCURRENT_HASHES`
per run rather than Trio's default of 40 threads: a burst of logins would
otherwise ask for 40 × 64 MiB at once, and more parallel hashes than cores buys
no throughput anyway. Excess logins queue; the login rate limit keeps the queue short.

A login for an account that does not exist verifies against a dummy hash made
with the same parameters, so that its answer takes as long as a wrong password
(otherwise the time would tell which usernames and emails have an account).

Tests pass a cheap :class:`argon2.PasswordHasher` (``time_cost=1, memory_cost=8,
parallelism=1``) through the ``hasher`` argument.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

import trio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from checkgame.auth.strength import password_problem

__all__ = ["MAX_CONCURRENT_HASHES", "check_strength", "hash_password", "needs_rehash", "verify_password"]

MAX_CONCURRENT_HASHES: Final = 2
"""Hashes computed at once per Trio run when no limiter is passed."""

_DEFAULT_HASHER: Final = PasswordHasher()
"""argon2-cffi's defaults (RFC 9106 low-memory profile: argon2id, t=3, m=64 MiB, p=4)."""

_DUMMY_HASHES: dict[PasswordHasher, str] = {}
"""Per hasher, the hash of a random password that unknown accounts are verified against."""

_LIMITER: trio.lowlevel.RunVar[trio.CapacityLimiter] = trio.lowlevel.RunVar("checkgame_password_limiter")


def _default_limiter() -> trio.CapacityLimiter:
    # A RunVar, not a module global: a limiter must not outlive the trio.run it was used in.
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = trio.CapacityLimiter(MAX_CONCURRENT_HASHES)
        _LIMITER.set(limiter)
        return limiter


async def hash_password(
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    limiter: trio.CapacityLimiter | None = None,
) -> str:
    """Return an encoded Argon2id hash of ``password`` (with its salt and parameters).

    Args:
        password: the plain password.
        hasher: the hasher to use; argon2-cffi's defaults when ``None``.
        limiter: bounds concurrent hashes; a per-run limiter of
            :data:`MAX_CONCURRENT_HASHES` when ``None``.

    Returns:
        A string such as ``$argon2id$v=19$m=65536,t=3,p=4$...``, safe to store.
    """
    ph = hasher or _DEFAULT_HASHER
    return await trio.to_thread.run_sync(ph.hash, password, limiter=limiter or _default_limiter())


async def verify_password(
    hash: str | None,  # argon2-cffi's own name for the encoded hash
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    limiter: trio.CapacityLimiter | None = None,
) -> bool:
    """Tell whether ``password`` matches the encoded ``hash``.

    A wrong password is an expected outcome, not an error, so it is ``False``;
    so is a corrupt or foreign hash, which can never be matched and should not
    turn a login into a 500.

    Args:
        hash: an encoded hash as returned by :func:`hash_password`, or None
            when there is no such account: then the same work is done against
            a dummy hash, and the answer is ``False``.
        password: the plain password to check.
        hasher: the hasher to use; only its ``encoding`` matters, the cost
            parameters are read from ``hash``.
        limiter: as for :func:`hash_password`.

    Returns:
        ``True`` when the password matches, else ``False``.
    """
    ph = hasher or _DEFAULT_HASHER
    return await trio.to_thread.run_sync(_verify, ph, hash, password, limiter=limiter or _default_limiter())


def _verify(ph: PasswordHasher, encoded: str | None, password: str) -> bool:
    if encoded is None:
        dummy = _DUMMY_HASHES.get(ph)
        if dummy is None:  # making it costs what verifying it would
            _DUMMY_HASHES[ph] = ph.hash(secrets.token_urlsafe(16))
        else:
            _verify(ph, dummy, password)
        return False
    try:
        return ph.verify(encoded, password)
    except (VerificationError, InvalidHashError, UnicodeError):
        # VerificationError covers VerifyMismatchError; UnicodeError: a non-ASCII "hash".
        return False


async def check_strength(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why ``password`` is too weak, or None: :func:`~checkgame.auth.strength.password_problem` in a worker
    thread, because the estimate is pure CPU."""
    return await trio.to_thread.run_sync(password_problem, password, user_inputs)


def needs_rehash(
    hash: str,
    *,
    hasher: PasswordHasher | None = None,
) -> bool:
    """Tell whether ``hash`` was made with other parameters than ``hasher``'s.

    Call it after a successful :func:`verify_password`, and if it is ``True``
    store a fresh :func:`hash_password` of the password just checked: that is how
    stored hashes follow a change of cost parameters. It only parses, so it runs
    on the event loop.

    Raises:
        argon2.exceptions.InvalidHashError: ``hash`` is not an Argon2 hash.
    """
    return (hasher or _DEFAULT_HASHER).check_needs_rehash(hash)
