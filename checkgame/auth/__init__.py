"""Authentication: signed tokens and password hashes (DESIGN.md §2, §4).

:mod:`checkgame.auth.tokens` is pure (the caller passes ``now`` and ids);
:mod:`checkgame.auth.passwords` runs Argon2 in worker threads;
:mod:`checkgame.auth.strength` estimates how guessable a password is. Rate limits
live in :mod:`checkgame.ratelimit`.
"""

from __future__ import annotations

from checkgame.auth.passwords import MAX_CONCURRENT_HASHES as MAX_CONCURRENT_HASHES
from checkgame.auth.passwords import check_strength as check_strength
from checkgame.auth.passwords import hash_password as hash_password
from checkgame.auth.passwords import needs_rehash as needs_rehash
from checkgame.auth.passwords import verify_password as verify_password
from checkgame.auth.tokens import ACCESS as ACCESS
from checkgame.auth.tokens import REFRESH as REFRESH
from checkgame.auth.tokens import ROLE_ADMIN as ROLE_ADMIN
from checkgame.auth.tokens import ROLE_ADMIN_READONLY as ROLE_ADMIN_READONLY
from checkgame.auth.tokens import ROLE_PLAYER as ROLE_PLAYER
from checkgame.auth.tokens import ROLES as ROLES
from checkgame.auth.tokens import SESSION as SESSION
from checkgame.auth.tokens import Claims as Claims
from checkgame.auth.tokens import TokenCodec as TokenCodec
from checkgame.auth.tokens import TokenType as TokenType
from checkgame.auth.tokens import new_secret as new_secret

__all__ = [
    "ACCESS",
    "MAX_CONCURRENT_HASHES",
    "REFRESH",
    "ROLES",
    "ROLE_ADMIN",
    "ROLE_ADMIN_READONLY",
    "ROLE_PLAYER",
    "SESSION",
    "Claims",
    "TokenCodec",
    "TokenType",
    "check_strength",
    "hash_password",
    "needs_rehash",
    "new_secret",
    "verify_password",
]
