#!/usr/bin/env bash
# Point-in-time recovery of the Check-Game PostgreSQL cluster with pgBackRest: restore the newest backup made
# before TARGET_TIME from a repository, and have PostgreSQL replay the archived WAL up to TARGET_TIME and then
# promote (open for writes). Without --time, replay everything archived (the latest recoverable moment).
# PostgreSQL must be stopped; the data directory is replaced in place (--delta: files already right are kept).
# Start PostgreSQL afterwards and check that it left recovery (docs/operations.md, "Recovery runbook").
#
# Usage: restore.sh --yes [--time 'YYYY-MM-DD HH:MM:SS[.ffffff]+00'] [--repo N]
# Environment: PGBACKREST_CONFIG and PGBACKREST_STANZA as for backup.sh; RESTORE_REPO (default 2: object
# storage, which survives the loss of the database host; repo1 restores faster when the host is intact).
set -euo pipefail

fail() { echo "restore: $*" >&2; exit 1; }
usage="usage: restore.sh --yes [--time 'YYYY-MM-DD HH:MM:SS+00'] [--repo N]"
[ "${1:-}" = "--yes" ] || fail "$usage"
shift
target="" repo=${RESTORE_REPO:-2}
while [ $# -gt 0 ]; do
    case "$1" in
        --time) [ $# -ge 2 ] || fail "$usage"; target=$2; shift 2 ;;
        --repo) [ $# -ge 2 ] || fail "$usage"; repo=$2; shift 2 ;;
        *) fail "$usage" ;;
    esac
done
[[ "$repo" =~ ^[1-9]$ ]] || fail "the repository must be a number, not '$repo'"
if [ -n "$target" ]; then
    [[ "$target" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+(\+|-)[0-9:]+$ ]] \
        || fail "--time must be 'YYYY-MM-DD HH:MM:SS+00' with its UTC offset, not '$target'"
fi
export PGBACKREST_STANZA=${PGBACKREST_STANZA:-checkgame}
command -v pgbackrest >/dev/null || fail "pgbackrest is not installed"

# Stanza and configuration on the command line, not only in the environment: pgBackRest copies them into the
# restore_command it writes for PostgreSQL, which does not run with this script's environment.
args=(--stanza="$PGBACKREST_STANZA" --repo="$repo" --delta)
[ -z "${PGBACKREST_CONFIG:-}" ] || args+=(--config="$PGBACKREST_CONFIG")
if [ -n "$target" ]; then
    args+=(--type=time "--target=$target" --target-action=promote)
fi
pgbackrest "${args[@]}" restore
echo "restore: restored from repo$repo${target:+ to $target}; start PostgreSQL to replay the WAL and promote"
