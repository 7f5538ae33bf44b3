#!/usr/bin/env bash
# Load an export made by export.sh (not the recovery path: see restore.sh) into the database at
# RESTORE_DATABASE_URL, in one transaction: either the whole dump applies or nothing changes. BACKUP is a local .sql.gz or an s3:// URI (fetched with the aws CLI;
# BACKUP_S3_ENDPOINT_URL as for export.sh). Prints each table's row count afterwards, to check the result.
#
# Usage: RESTORE_DATABASE_URL=postgresql://... import.sh --yes BACKUP
#
# The target is never taken from DATABASE_URL, and --yes is required, because a restore replaces the tables it
# contains. Prefer restoring into a fresh database and pointing the servers at it (docs/operations.md): tables
# created after the backup was taken survive a restore over an existing database.
set -euo pipefail

fail() { echo "import: $*" >&2; exit 1; }
usage="usage: RESTORE_DATABASE_URL=postgresql://... import.sh --yes BACKUP(.sql.gz or s3://...)"
[ "${1:-}" = "--yes" ] || fail "$usage"
[ $# -eq 2 ] || fail "$usage"
backup=$2
db_url=${RESTORE_DATABASE_URL:-}
[ -n "$db_url" ] || fail "set RESTORE_DATABASE_URL to the database to restore into"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
if [[ "$backup" == s3://* ]]; then
    aws_args=()
    [ -z "${BACKUP_S3_ENDPOINT_URL:-}" ] || aws_args+=(--endpoint-url "$BACKUP_S3_ENDPOINT_URL")
    aws "${aws_args[@]}" s3 cp --only-show-errors "$backup" "$workdir/backup.sql.gz"
    file=$workdir/backup.sql.gz
else
    [ -f "$backup" ] || fail "no such backup file: $backup"
    file=$backup
fi
gzip -t "$file" 2>/dev/null || fail "$backup is not a complete gzip file"

gunzip -c "$file" | psql --dbname="$db_url" --quiet --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction >/dev/null
echo "import: restored $backup"
# Exact counts, one generated query per table (pg_stat's estimates are empty right after a restore).
psql --dbname="$db_url" --no-psqlrc --tuples-only --no-align -v ON_ERROR_STOP=1 -c "
    SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I;', table_name, table_schema, table_name)
    FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY table_schema, table_name" \
    | psql --dbname="$db_url" --no-psqlrc --tuples-only --no-align -v ON_ERROR_STOP=1 \
    | sed '/^$/d; s/^/import: rows in /'
