#!/usr/bin/env bash
# Restores a backup made by Deploy/backup.sh. The services must be stopped.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Deploy/restore.sh BACKUPDIR [--home DIR | --system]

Puts BACKUPDIR's query.db and ingest/ back, after checking SHA256SUMS and integrity_check.
Refuses while any process has the database or the ingest state open (stop the services:
Deploy/local.sh stop, or systemctl stop khaosan-ingestd khaosan-queryd). What was there before
is moved aside to <file>.pre-restore-<time> (nothing is deleted), including stale -wal/-shm
files, which SQLite would otherwise replay onto the restored database.

  --home DIR   a Deploy/local.sh home (default: $KHAOSAN_HOME, else ~/.local/state/khaosan)
  --system     the install.sh layout (paths from /etc/khaosan/*.conf); run as root; files are
               given back to khaosan-query / khaosan-ingest, group khaosan
Then start the services: ingestd replays journal records the database copy lacks.
EOF
}

MODE=home
HOME_DIR=${KHAOSAN_HOME:-${HOME:-/tmp}/.local/state/khaosan}
BACKUP=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --home) [ $# -ge 2 ] || { echo "restore.sh: --home needs a directory" >&2; exit 2; }; MODE=home; HOME_DIR=$2; shift ;;
    --system) MODE=system ;;
    -*) echo "restore.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) [ -z "$BACKUP" ] || { echo "restore.sh: more than one BACKUPDIR ('$BACKUP', '$1')" >&2; exit 2; }; BACKUP=$1 ;;
  esac
  shift
done
[ -n "$BACKUP" ] || { usage >&2; exit 2; }

# shellcheck source=Deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
say() { printf 'restore.sh: %s\n' "$*"; }
die() { printf 'restore.sh: error: %s\n' "$*" >&2; exit 1; }

command -v sqlite3 >/dev/null || die "the sqlite3 CLI is missing: apt-get install -y sqlite3"
[ -d "$BACKUP" ] || die "$BACKUP is not a directory"
BACKUP=$(cd "$BACKUP" && pwd)
{ [ -f "$BACKUP/MANIFEST" ] && [ -f "$BACKUP/query.db" ]; } || die "$BACKUP has no MANIFEST or query.db: not a backup.sh backup"
if [ "$MODE" = system ]; then
  [ "$(id -u)" -eq 0 ] || die "--system needs root"
  { id -u khaosan-query >/dev/null 2>&1 && id -u khaosan-ingest >/dev/null 2>&1; } \
    || die "users khaosan-query/khaosan-ingest are missing: run Deploy/install.sh first"
fi
resolve_paths "$MODE" "$HOME_DIR"

# Refuse while anything uses the data: the daemons hold the database and the journal open.
if [ "$MODE" = system ] && [ -d /run/systemd/system ]; then
  for u in khaosan-queryd khaosan-ingestd; do
    if systemctl is-active --quiet "$u"; then die "$u is running: systemctl stop khaosan-ingestd khaosan-queryd"; fi
  done
fi
read -r -a pids <<< "$(users_of "$DB" "$STATE")"
if [ ${#pids[@]} -gt 0 ]; then
  echo "restore.sh: error: these processes have $DB or $STATE open:" >&2
  describe_pids "${pids[@]}" >&2
  die "stop the services first (Deploy/local.sh stop, or systemctl stop khaosan-ingestd khaosan-queryd)"
fi
for s in "$(dirname "$DB")/query.sock" "$(dirname "$STATE")/ingest.sock"; do
  [ "$MODE" = home ] && [ -S "$s" ] && say "note: $s exists (stale socket of a crashed daemon?); the daemon removes it at start"
done

say "checking $BACKUP"
if [ -f "$BACKUP/SHA256SUMS" ]; then
  (cd "$BACKUP" && sha256sum --quiet -c SHA256SUMS) || die "checksums in $BACKUP/SHA256SUMS do not match: the backup is damaged"
else
  say "warning: no SHA256SUMS in $BACKUP: cannot check the files"
fi
integrity=$(sqlite3 -readonly "$BACKUP/query.db" "PRAGMA integrity_check" 2>&1) || true
[ "$integrity" = ok ] || die "integrity_check of $BACKUP/query.db: $integrity"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
set_aside() {
  local p=$1
  if [ -e "$p" ]; then mv "$p" "$p.pre-restore-$stamp"; say "moved the existing $p to $p.pre-restore-$stamp"; fi
}

mkdir -p "$(dirname "$DB")"
for p in "$DB" "$DB-wal" "$DB-shm" "$DB-journal"; do set_aside "$p"; done
cp "$BACKUP/query.db" "$DB.restoring"
mv "$DB.restoring" "$DB"
if [ -d "$BACKUP/ingest" ]; then
  set_aside "$STATE"
  mkdir -p "$(dirname "$STATE")"
  cp -R "$BACKUP/ingest" "$STATE.restoring"
  mv "$STATE.restoring" "$STATE"
else
  say "warning: the backup has no ingest state; $STATE left as it was"
fi

if [ "$MODE" = system ]; then
  chown khaosan-query:khaosan "$DB"; chmod 0640 "$DB"
  if [ -d "$STATE" ]; then
    chown -R khaosan-ingest:khaosan "$STATE"
    find "$STATE" -type d -exec chmod 0750 {} +
    find "$STATE" -type f -exec chmod 0640 {} +
  fi
else
  chmod 0750 "$STATE" 2>/dev/null || true
fi

integrity=$(sqlite3 -readonly "$DB" "PRAGMA integrity_check" 2>&1) || true
[ "$integrity" = ok ] || die "integrity_check of the restored $DB: $integrity"
# A read may create -wal/-shm as the current user; the daemon's user must own them.
if [ "$MODE" = system ]; then
  for p in "$DB-wal" "$DB-shm"; do [ -e "$p" ] && chown khaosan-query:khaosan "$p"; done
fi
releases=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM releases")
applied=$(sqlite3 -readonly "$DB" "SELECT coalesce(max(applied_sequence), 0) FROM positions")
checkpoint=0
if [ -e "$STATE/journal/checkpoint" ]; then checkpoint=$(read_checkpoint "$STATE/journal/checkpoint"); fi
segments=$(find "$STATE/journal" -maxdepth 1 -name '*.seg' 2>/dev/null | wc -l)

say "restored from $BACKUP ($(sed -n 's/^created = //p' "$BACKUP/MANIFEST"))"
echo "  database:        $DB (integrity_check ok)"
echo "  releases:        $releases (manifest: $(sed -n 's/^releases = //p' "$BACKUP/MANIFEST"))"
echo "  applied journal: up to $applied; journal checkpoint $checkpoint, $segments segment(s) in $STATE/journal"
echo "Start the services now: khaosan-ingestd replays the journal after its checkpoint ($checkpoint); the database skips what it already has (up to $applied)."
