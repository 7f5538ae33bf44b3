"""``checkgame create-admin``: make (or promote) an administrator in the configured database.

Administrators log in like anyone else (``POST /api/v1/auth/login``); their
access token then carries the role, which opens ``/admin``. The account is
written straight to the database named by ``DATABASE_URL`` (or
``--database-url``), the same configuration ``checkgame serve`` reads, so no
server needs to run.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from checkgame.cli.failures import DATABASE_STATUSES, EXIT_USAGE, fill, run_reported

__all__ = ["PASSWORD_VARIABLE", "add_commands"]

PASSWORD_VARIABLE = "CHECKGAME_ADMIN_PASSWORD"
"""The new administrator's password for scripts (a flag shows in ``ps``; the environment does not)."""


def _password(args: argparse.Namespace) -> str | None:
    """The password from the flag or the environment, or asked twice on the terminal; None when the answers differ.

    Raises:
        LookupError: nothing gave a password and there is no terminal to ask on.
    """
    from checkgame.auth.strength import PASSWORD_RULE

    given = args.password if args.password is not None else os.environ.get(PASSWORD_VARIABLE)
    if given:
        return str(given)
    if not sys.stdin.isatty():
        raise LookupError(f"no terminal to ask the password on: give --password or set {PASSWORD_VARIABLE}")
    print(f"{PASSWORD_RULE[0].upper()}{PASSWORD_RULE[1:]}. You type it twice; it is not shown.", file=sys.stderr)
    first = getpass.getpass("password for the new administrator: ")
    if getpass.getpass("the same password again: ") != first:
        return None
    return first


def _create_admin(args: argparse.Namespace) -> int:
    import uuid
    from datetime import UTC, datetime
    from functools import partial

    import msgspec
    import trio

    from checkgame.auth import ROLE_ADMIN, ROLE_ADMIN_READONLY, check_strength, hash_password
    from checkgame.config import Settings, default_data_dir
    from checkgame.errors import DuplicateError
    from checkgame.store import User, open_store
    from checkgame.transport.http.fields import explain
    from checkgame.transport.http.schemas import Register

    def fail(message: str) -> int:
        print(f"checkgame create-admin: {message}", file=sys.stderr)
        return EXIT_USAGE

    role = ROLE_ADMIN_READONLY if args.read_only else ROLE_ADMIN
    configured = Settings.from_env(database_url=args.database_url).database_url  # as serve reads it
    database_url = configured or f"sqlite:///{default_data_dir() / 'checkgame.db'}"

    async def run() -> int:
        async with open_store(database_url, migrate=True) as store:
            existing = await store.find_user(args.username)
            by_email = await store.find_user(args.email)
            if existing is not None:
                if by_email is not None and by_email.id != existing.id:
                    return fail(f"{args.email} belongs to another account ({by_email.username})")
                await store.set_role(existing.id, role)
                print(f"{existing.username} is now {role} (password unchanged)")
                return 0
            if by_email is not None:
                return fail(f"{args.email} belongs to another account ({by_email.username})")
            try:
                password = _password(args)
            except LookupError as exc:
                return fail(str(exc))
            if password is None:
                return fail("the passwords differ")
            try:
                fields = {"username": args.username, "email": args.email, "password": password}
                valid = msgspec.convert(fields, Register)
            except msgspec.ValidationError as exc:
                return fail(explain(str(exc)))
            problem = await check_strength(password, (valid.username, valid.email))
            if problem is not None:
                return fail(f"{problem} - at `$.password`")
            now = datetime.now(UTC)
            user = User(uuid.uuid4().hex, valid.username, valid.email.lower(), await hash_password(password), role, now)
            try:
                await store.create_user(user)
            except DuplicateError as exc:  # someone registered the name meanwhile
                return fail(exc.message)
            print(f"created {role} {user.username} ({user.id})")
            return 0

    return run_reported("create-admin", partial(trio.run, run), debug=args.debug, database_url=database_url)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``create-admin``."""
    create = commands.add_parser(
        "create-admin",
        help="create an administrator account (or promote an existing user)",
        description=fill(
            "Create an account with the admin role (or admin_readonly with --read-only) in the database that "
            "checkgame serve uses (DATABASE_URL or --database-url). An existing user with this username is "
            f"promoted instead; their password stays. The password comes from --password, else {PASSWORD_VARIABLE}, "
            "else it is asked twice on the terminal."
        ),
        epilog=DATABASE_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    create.add_argument("--username", required=True, help="the account's login name (3-32 letters, digits, _ . -)")
    create.add_argument("--email", required=True, help="the account's email address (unique, also a login)")
    create.add_argument(
        "--password",
        help=f"the new account's password (default: env {PASSWORD_VARIABLE}, else asked twice on the terminal; "
        "a flag is visible to other users in ps)",
    )
    create.add_argument(
        "--read-only", dest="read_only", action="store_true", help="role admin_readonly: may look, not act"
    )
    create.add_argument(
        "--database-url",
        dest="database_url",
        help="sqlite:///path.db or postgresql://... (env DATABASE_URL; default: SQLite in the user data directory)",
    )
    create.add_argument("--debug", action="store_true", help="print the traceback of a failure, not only its line")
    create.set_defaults(handler=_create_admin)
