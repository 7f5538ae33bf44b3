#!/usr/bin/env bash
# A portable logical export of the Check-Game PostgreSQL database (the recovery path is pgBackRest: backup.sh and
# restore.sh; this is for moving the data elsewhere, e.g. to another major version): pg_dump | gzip into BACKUP_DIR as backup_<UTC timestamp>.sql.gz,
# verified before it takes its final name (a failed or partial dump never looks like a backup), then delete
# local backups older than BACKUP_RETENTION_DAYS and, when BACKUP_S3_URI is set, upload the new one and keep
# the newest BACKUP_S3_KEEP there. Load it with import.sh; docs/operations.md has the whole procedure.
#
# Environment:
#   BACKUP_DATABASE_URL  libpq URL of the database (default: DATABASE_URL). Only libpq parameters: drop the
#                        server's own ones (pool_max_size, schema...) if DATABASE_URL has them.
#   BACKUP_DIR           where backups are kept (default /backups/postgresql)
#   BACKUP_RETENTION_DAYS  local retention in days (default 7)
#   BACKUP_S3_URI        optional, e.g. s3://checkgame-backups/database/ (needs the aws CLI and its credentials)
#   BACKUP_S3_ENDPOINT_URL  optional, for S3-compatible storage (MinIO, Ceph, R2...)
#   BACKUP_S3_KEEP       backups kept in the bucket (default 30)
set -euo pipefail

db_url=${BACKUP_DATABASE_URL:-${DATABASE_URL:-}}
backup_dir=${BACKUP_DIR:-/backups/postgresql}
retention_days=${BACKUP_RETENTION_DAYS:-7}
s3_keep=${BACKUP_S3_KEEP:-30}

fail() { echo "export: $*" >&2; exit 1; }
[ -n "$db_url" ] || fail "set BACKUP_DATABASE_URL (or DATABASE_URL) to the database to back up"
[[ "$retention_days" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_RETENTION_DAYS must be a positive integer, not '$retention_days'"
[[ "$s3_keep" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_S3_KEEP must be a positive integer, not '$s3_keep'"

mkdir -p "$backup_dir"
name="backup_$(date -u +%Y%m%d_%H%M%S).sql.gz"
target="$backup_dir/$name"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

# --clean --if-exists: the dump drops what it recreates, so it also restores over an older copy of the schema.
# No owners or grants: the restoring role owns what it restores, whatever the source cluster's roles were.
pg_dump --dbname="$db_url" --no-owner --no-privileges --clean --if-exists | gzip -9 >"$partial"
gzip -t "$partial"
mv "$partial" "$target"
echo "export: wrote $target ($(wc -c <"$target") bytes)"

# Local retention: whole minutes, so "7 days" means 7 x 24 h, not find's rounded -mtime days.
find "$backup_dir" -maxdepth 1 -type f -name 'backup_*.sql.gz' -mmin +$((retention_days * 1440)) -print -delete \
    | sed 's/^/export: removed expired /'

if [ -n "${BACKUP_S3_URI:-}" ]; then
    s3_uri=${BACKUP_S3_URI%/}/
    aws_args=()
    [ -z "${BACKUP_S3_ENDPOINT_URL:-}" ] || aws_args+=(--endpoint-url "$BACKUP_S3_ENDPOINT_URL")
    aws "${aws_args[@]}" s3 cp --only-show-errors "$target" "$s3_uri$name"
    echo "export: uploaded $s3_uri$name"
    # Names sort by time; keep the newest $s3_keep.
    aws "${aws_args[@]}" s3 ls "$s3_uri" | awk '{print $4}' | grep -E '^backup_[0-9]{8}_[0-9]{6}\.sql\.gz$' \
        | sort | head -n "-$s3_keep" | while read -r old; do
            aws "${aws_args[@]}" s3 rm --only-show-errors "$s3_uri$old"
            echo "export: removed expired $s3_uri$old"
        done
fi
