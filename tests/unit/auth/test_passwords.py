"""Password hashing: matches, mismatches, bad hashes, and work kept off the Trio thread."""

from __future__ import annotations

import threading
from functools import partial
from typing import Literal

import pytest
import trio
from argon2 import PasswordHasher

from checkgame.auth import passwords
from checkgame.auth.passwords import hash_password, needs_rehash, verify_password


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class RecordingHasher(PasswordHasher):
    """A cheap hasher that records which threads hashed and how many hashed at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.threads: set[int] = set()
        self._lock = threading.Lock()
        self._running = 0
        self.max_running = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with self._lock:
            self.threads.add(threading.get_ident())
            self._running += 1
            self.max_running = max(self.max_running, self._running)
        try:
            # Several rounds of real work, so overlapping threads would be seen overlapping.
            for _ in range(20):
                result = super().hash(password, salt=salt)
            return result
        finally:
            with self._lock:
                self._running -= 1


async def test_hash_then_verify() -> None:
    hasher = cheap_hasher()
    encoded = await hash_password("correct horse battery staple", hasher=hasher)
    assert encoded.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert await verify_password(encoded, "correct horse battery staple", hasher=hasher)


async def test_wrong_password_is_false() -> None:
    hasher = cheap_hasher()
    encoded = await hash_password("s3cret", hasher=hasher)
    assert not await verify_password(encoded, "S3cret", hasher=hasher)
    assert not await verify_password(encoded, "", hasher=hasher)


async def test_hashes_are_salted() -> None:
    hasher = cheap_hasher()
    assert await hash_password("same", hasher=hasher) != await hash_password("same", hasher=hasher)


async def test_unicode_password() -> None:
    hasher = cheap_hasher()
    encoded = await hash_password("pässwörd ♠♥", hasher=hasher)
    assert await verify_password(encoded, "pässwörd ♠♥", hasher=hasher)
    assert not await verify_password(encoded, "passwort ♠♥", hasher=hasher)


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=8,t=1,p=1$bad$bad",
        "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$",
        "$argon2id$é",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "plaintext-password",
    ],
)
async def test_malformed_hash_is_false(bad_hash: str) -> None:
    assert not await verify_password(bad_hash, "anything", hasher=cheap_hasher())


async def test_verify_reads_cost_parameters_from_the_hash() -> None:
    """A hash made with other parameters still verifies: old hashes keep working after a change."""
    encoded = await hash_password("pw", hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert await verify_password(encoded, "pw", hasher=cheap_hasher())


@pytest.mark.slow
async def test_default_hasher_round_trip() -> None:
    """The production parameters, once: the defaults must work end to end."""
    encoded = await hash_password("pw")
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await verify_password(encoded, "pw")


async def test_hashing_runs_in_a_worker_thread() -> None:
    hasher = RecordingHasher()
    await hash_password("pw", hasher=hasher)
    assert threading.get_ident() not in hasher.threads


async def test_explicit_limiter_bounds_concurrency() -> None:
    hasher = RecordingHasher()
    limiter = trio.CapacityLimiter(1)
    async with trio.open_nursery() as nursery:
        for i in range(4):
            nursery.start_soon(partial(hash_password, f"pw{i}", hasher=hasher, limiter=limiter))
    assert hasher.max_running == 1


async def test_default_limiter_bounds_concurrency() -> None:
    hasher = RecordingHasher()
    async with trio.open_nursery() as nursery:
        for i in range(passwords.MAX_CONCURRENT_HASHES + 3):
            nursery.start_soon(partial(hash_password, f"pw{i}", hasher=hasher))
    assert 1 <= hasher.max_running <= passwords.MAX_CONCURRENT_HASHES


async def test_needs_rehash() -> None:
    cheap = cheap_hasher()
    encoded = await hash_password("pw", hasher=cheap)
    assert not needs_rehash(encoded, hasher=cheap)
    assert needs_rehash(encoded)


class CountingHasher(PasswordHasher):
    """A cheap hasher that counts its Argon2 computations (a hash or a verification) and their threads."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.computations = 0
        self.threads: set[int] = set()

    def _count(self) -> None:
        self.computations += 1
        self.threads.add(threading.get_ident())

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._count()
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self._count()
        return super().verify(hash, password)


async def test_no_account_costs_one_verification_like_a_wrong_password() -> None:
    """The time of a login must not tell whether the account exists: one Argon2 computation, in a worker."""
    hasher = CountingHasher()
    encoded = await hash_password("the real one", hasher=hasher)
    hasher.computations = 0
    assert not await verify_password(encoded, "a wrong one", hasher=hasher)
    assert hasher.computations == 1
    for expected in (2, 3, 4):  # the dummy hash is made by the first, then verified against
        assert not await verify_password(None, "the real one", hasher=hasher)
        assert hasher.computations == expected
    assert threading.get_ident() not in hasher.threads
