#!/usr/bin/env bash
# Online, consistent backup of a Khaosan archive: the query database, the ingest journal and state.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Deploy/backup.sh [--home DIR | --system] OUTDIR

Backs up while the services run. OUTDIR must not exist yet (or be empty); it receives
  query.db     a consistent copy of the query database (sqlite3 VACUUM INTO, online on WAL)
  ingest/      the ingest state: source-id, catalog.bin, journal/ (segments + checkpoint)
  etc/         /etc/khaosan's configs (--system only)
  MANIFEST     date, paths, release count, sequences, integrity result
  SHA256SUMS   checksums restore.sh verifies

  --home DIR   a Deploy/local.sh home (default: $KHAOSAN_HOME, else ~/.local/state/khaosan)
  --system     the install.sh layout (paths from /etc/khaosan/*.conf); run as root

Consistency: the database is copied first (it has applied journal records up to A), the
journal after it. Restoring needs checkpoint <= A <= last journal record: records after A are
then replayed into the database (applying is idempotent by sequence). The copy taken later
holds every record up to A, but its checkpoint may have moved past A meanwhile; the backup then
lowers the copied checkpoint to A, which ingestd accepts because the segments still begin at
or before A+1 (checked; otherwise it retries). A torn last record (copied mid-append) is cut by
ingestd's recovery at start-up. Needs the sqlite3 CLI (Debian package sqlite3).
EOF
}

MODE=home
HOME_DIR=${KHAOSAN_HOME:-${HOME:-/tmp}/.local/state/khaosan}
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --home) [ $# -ge 2 ] || { echo "backup.sh: --home needs a directory" >&2; exit 2; }; MODE=home; HOME_DIR=$2; shift ;;
    --system) MODE=system ;;
    -*) echo "backup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) [ -z "$OUT" ] || { echo "backup.sh: more than one OUTDIR ('$OUT', '$1')" >&2; exit 2; }; OUT=$1 ;;
  esac
  shift
done
[ -n "$OUT" ] || { usage >&2; exit 2; }

# shellcheck source=Deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
say() { printf 'backup.sh: %s\n' "$*"; }
die() { printf 'backup.sh: error: %s\n' "$*" >&2; exit 1; }

command -v sqlite3 >/dev/null || die "the sqlite3 CLI is missing: apt-get install -y sqlite3"
resolve_paths "$MODE" "$HOME_DIR"
[ -f "$DB" ] || die "no query database at $DB (wrong --home? for the system install use --system)"
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then die "$OUT exists and is not empty: choose a new directory"; fi
umask 077
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# 1. The database. VACUUM INTO reads one snapshot (a WAL read transaction), so the copy is
# consistent while queryd keeps writing; it is also compacted. The FTS5 table is copied as its
# shadow tables, so the CLI needs no Thai tokenizer.
say "copying $DB (VACUUM INTO)"
start=$SECONDS
sqlite3 -bail -cmd ".timeout 30000" "$DB" "VACUUM INTO $(sql_quote "$OUT/query.db")" \
  || die "VACUUM INTO failed for $DB"
say "database copied in $((SECONDS - start))s ($(stat -c %s "$OUT/query.db") bytes)"

# Tests widen the window between the two copies to provoke a checkpoint that moves past the database.
if [ -n "${KHAOSAN_BACKUP_TEST_PAUSE:-}" ]; then sleep "$KHAOSAN_BACKUP_TEST_PAUSE"; fi

# 2. The ingest state, after the database.
copy_journal() {
  local src=$1/journal dst=$OUT/ingest/journal f name
  rm -rf "$dst"
  mkdir -p "$dst"
  # The checkpoint before the segments: segments are deleted only once a checkpoint covers them,
  # so the segments listed afterwards still start at or before (this checkpoint)+1 unless one
  # was deleted in between, which the caller checks from the file names.
  if [ -e "$src/checkpoint" ]; then cp -p "$src/checkpoint" "$dst/checkpoint" || return 1; fi
  for f in "$src"/*.seg; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    # A segment deleted since the listing makes this fail: the caller retries.
    cp -p "$f" "$dst/$name" || return 1
  done
}

SOURCE_ID="" A=0 C=0 C_WRITTEN="" FIRST="" SEGMENTS=0
if [ -d "$STATE" ]; then
  mkdir -p "$OUT/ingest"
  [ -e "$STATE/source-id" ] && cp -p "$STATE/source-id" "$OUT/ingest/source-id"
  # The catalog (ids already accepted) before the journal: it is appended after each journal
  # commit, so an entry in the copy always has its record in the journal copy (ingestd re-adds
  # journal records missing from the catalog at start-up; an extra catalog entry would instead
  # make a later ingest of that release look like a duplicate and skip it).
  [ -e "$STATE/catalog.bin" ] && cp -p "$STATE/catalog.bin" "$OUT/ingest/catalog.bin"
  SOURCE_ID=$(tr -d '[:space:]' < "$OUT/ingest/source-id" 2>/dev/null || true)
  if [ -n "$SOURCE_ID" ]; then
    A=$(sqlite3 "$OUT/query.db" "SELECT applied_sequence FROM positions WHERE source = $(sql_quote "$SOURCE_ID")")
    A=${A:-0}
  fi
  ok=0
  for attempt in 1 2 3 4 5; do
    if ! copy_journal "$STATE"; then say "journal changed during the copy (attempt $attempt); retrying"; sleep 0.5; continue; fi
    C=$(read_checkpoint "$OUT/ingest/journal/checkpoint") || die "the copied checkpoint is unreadable"
    FIRST="" SEGMENTS=0
    for f in "$OUT/ingest/journal"/*.seg; do
      [ -e "$f" ] || continue
      SEGMENTS=$((SEGMENTS + 1))
      [ -n "$FIRST" ] || FIRST=$((10#$(basename "$f" .seg)))
    done
    if [ -n "$FIRST" ] && [ "$FIRST" -gt $((C + 1)) ]; then
      say "segments start at $FIRST but the checkpoint is $C (a segment was deleted meanwhile; attempt $attempt); retrying"
      sleep 0.5; continue
    fi
    if [ "$C" -gt "$A" ]; then
      if [ -n "$FIRST" ] && [ "$FIRST" -le $((A + 1)) ]; then
        write_checkpoint "$OUT/ingest/journal/checkpoint" "$A"
        [ "$(read_checkpoint "$OUT/ingest/journal/checkpoint")" = "$A" ] || die "rewriting the copied checkpoint failed"
        C_WRITTEN=$A
        say "journal checkpoint $C is past the database copy's $A: lowered to $A in the backup, so records $((A + 1))..$C are replayed after a restore"
      else
        # Records A+1..C are in neither copy. Only a retry of the whole backup can fix that.
        die "records $((A + 1))..$C left the journal between the database copy and the journal copy; run the backup again (ideally when ingestion is quiet)"
      fi
    fi
    ok=1; break
  done
  [ $ok -eq 1 ] || die "could not copy a consistent journal from $STATE/journal in 5 attempts (heavy ingestion?); try again"
else
  say "warning: no ingest state at $STATE: backing up the database only"
fi

if [ "$MODE" = system ] && [ -d /etc/khaosan ]; then
  mkdir -p "$OUT/etc"
  cp -p /etc/khaosan/*.conf "$OUT/etc/" 2>/dev/null || true
fi

# 3. Check the copy.
integrity=$(sqlite3 "$OUT/query.db" "PRAGMA integrity_check" 2>&1) || true
[ "$integrity" = ok ] || die "integrity_check of the copy $OUT/query.db: $integrity"
releases=$(sqlite3 "$OUT/query.db" "SELECT count(*) FROM releases")
versions=$(sqlite3 "$OUT/query.db" "SELECT count(*) FROM release_versions")

journal_bytes=$(du -sb "$OUT/ingest/journal" 2>/dev/null | cut -f1 || echo 0)
{
  echo "format = khaosan-backup 1"
  echo "created = $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host = $(hostname)"
  echo "mode = $MODE"
  echo "source_database = $DB"
  echo "source_state_dir = $STATE"
  echo "releases = $releases"
  echo "older_versions = $versions"
  echo "database_bytes = $(stat -c %s "$OUT/query.db")"
  echo "integrity_check = $integrity"
  echo "sqlite_version = $(sqlite3 --version | cut -d' ' -f1)"
  echo "ingest_source_id = $SOURCE_ID"
  echo "database_applied_sequence = $A"
  echo "journal_checkpoint_copied = $C"
  echo "journal_checkpoint_written = ${C_WRITTEN:-$C}"
  echo "journal_first_segment = ${FIRST:-none}"
  echo "journal_segments = $SEGMENTS"
  echo "journal_bytes = ${journal_bytes:-0}"
} > "$OUT/MANIFEST"
(cd "$OUT" && find . -type f ! -name 'SHA256SUMS*' -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)

say "done: $OUT"
sed 's/^/  /' "$OUT/MANIFEST"
