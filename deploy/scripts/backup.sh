#!/usr/bin/env bash
# Back up the Check-Game PostgreSQL cluster with pgBackRest to every repository: repo1 (local disk, full backups
# kept 7 days) and repo2 (S3-compatible object storage, 30 days), as deploy/pgbackrest/pgbackrest.conf sets them.
# WAL is archived continuously by PostgreSQL's archive_command (pgbackrest archive-push), so any moment since the
# oldest kept full backup can be restored (restore.sh). Schedule: `backup.sh full` daily, `backup.sh diff` hourly
# (k8s: the ScheduledBackups of k8s/overlays/production; a host: cron). Run as the user owning the data directory.
#
# Usage: backup.sh full|diff|incr
# Environment:
#   PGBACKREST_CONFIG  the configuration (pgBackRest's own variable; default /etc/pgbackrest/pgbackrest.conf)
#   PGBACKREST_STANZA  the stanza (pgBackRest's own variable; default checkgame)
#   BACKUP_REPOS       the repositories to back up to, in order (default "1 2")
set -euo pipefail

fail() { echo "backup: $*" >&2; exit 1; }
type=${1:-}
if [ $# -ne 1 ] || ! [[ "$type" =~ ^(full|diff|incr)$ ]]; then fail "usage: backup.sh full|diff|incr"; fi
export PGBACKREST_STANZA=${PGBACKREST_STANZA:-checkgame}
repos=${BACKUP_REPOS:-1 2}
command -v pgbackrest >/dev/null || fail "pgbackrest is not installed"

# Once per stanza and repository; does nothing when it exists already.
pgbackrest stanza-create >/dev/null
for repo in $repos; do
    [[ "$repo" =~ ^[1-9]$ ]] || fail "BACKUP_REPOS must list repository numbers, not '$repo'"
    # Expires what the repository's retention no longer needs, right after the backup.
    pgbackrest --repo="$repo" --type="$type" backup
    echo "backup: $type backup to repo$repo done"
done
pgbackrest --output=text info | sed 's/^/backup: /'
