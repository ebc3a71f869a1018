#!/usr/bin/env bash
# Shared by backup.sh, restore.sh and install.sh (sourced, not run): where the data is, whether
# anything uses it, and the release build the services are installed from.
set -euo pipefail

# Value of `key` in a key = value config file (# comments), or empty.
config_value() {
  local file=$1 key=$2
  [ -r "$file" ] || return 0
  sed -n "s/#.*//; s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*\\(.*[^[:space:]]\\)[[:space:]]*\$/\\1/p" "$file" | tail -1
}

# Sets DB and STATE for --system (the paths in /etc/khaosan, else install.sh's defaults) or a home.
resolve_paths() {
  local mode=$1 home=$2
  if [ "$mode" = system ]; then
    DB=$(config_value /etc/khaosan/queryd.conf database)
    STATE=$(config_value /etc/khaosan/ingestd.conf state_dir)
    DB=${DB:-/var/lib/khaosan/query/query.db}
    STATE=${STATE:-/var/lib/khaosan/ingest}
  else
    DB="$home/query.db"
    STATE="$home/ingest"
  fi
}

# Pids of processes holding files open under the database or the ingest state (the daemons do,
# whoever started them). Only processes we may inspect are seen: run as root for --system.
users_of() {
  local db=$1 state=$2 fd target pid seen=""
  for fd in /proc/[0-9]*/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    case "$target" in
      "$db"|"$db-wal"|"$db-shm"|"$state"/*)
        pid=${fd#/proc/}; pid=${pid%%/*}
        case " $seen " in *" $pid "*) ;; *) seen="$seen $pid" ;; esac ;;
    esac
  done
  echo "${seen# }"
}

describe_pids() {
  local pid
  for pid in "$@"; do printf '  pid %s: %s\n' "$pid" "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"; done
}

# The journal checkpoint file's format (magic, sequence, CRC32C) is khaosan-ingestd's own: these
# ask its `checkpoint` subcommand instead of re-implementing it. The binary: $KHAOSAN_BIN_DIR, else
# for a local home the repo's .build/release (as local.sh), else the one on PATH (an install).
ingestd_bin() {
  local repo
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ -n "${KHAOSAN_BIN_DIR:-}" ]; then echo "$KHAOSAN_BIN_DIR/khaosan-ingestd"
  elif [ "${MODE:-}" != system ] && [ -x "$repo/.build/release/khaosan-ingestd" ]; then echo "$repo/.build/release/khaosan-ingestd"
  elif command -v khaosan-ingestd >/dev/null; then command -v khaosan-ingestd
  else echo "khaosan-ingestd not found (set KHAOSAN_BIN_DIR, or put it on PATH)" >&2; return 1
  fi
}

# The sequence stored in a journal checkpoint file, after checking it; 0 when the file is absent.
read_checkpoint() {
  local bin
  bin=$(ingestd_bin) || return 1
  "$bin" checkpoint "$1"
}

# Writes a checkpoint file holding `sequence`, atomically (temp file, fsync, rename).
write_checkpoint() {
  local bin
  bin=$(ingestd_bin) || return 1
  "$bin" checkpoint "$1" --set "$2" >/dev/null
}

# The release build the services are installed from: the Swift runtime and Foundation linked in
# (--static-swift-stdlib), so they run on a host without the toolchain. Builds khaosan,
# khaosan-queryd, khaosan-ingestd and khaosan-web into the repository's .build/static and prints
# that directory (the only thing on stdout). The build's own output goes to stderr; with --quiet
# its stdout is dropped (errors still show). install.sh, scripts/test.sh and
# Tests/Scripts/install-test.sh build through this one function.
# The binaries Khaosan installs (install.sh copies and checks each).
KHAOSAN_BINARIES=(khaosan khaosan-queryd khaosan-ingestd khaosan-web)
STATIC_BUILD_COMMAND="swift build -c release --static-swift-stdlib --scratch-path .build/static"
static_build() {
  local repo b quiet="" build
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  [ "${1:-}" = --quiet ] && quiet=1
  command -v swift >/dev/null || { echo "no swift on PATH to build with ($STATIC_BUILD_COMMAND)" >&2; return 1; }
  build=(swift build -c release --static-swift-stdlib --scratch-path "$repo/.build/static")
  # One product per call: swift build keeps only the last of several --product options.
  for b in "${KHAOSAN_BINARIES[@]}"; do
    if [ -n "$quiet" ]; then
      (cd "$repo" && "${build[@]}" --product "$b") >/dev/null
    else
      (cd "$repo" && "${build[@]}" --product "$b") >&2
    fi || { echo "'$STATIC_BUILD_COMMAND --product $b' failed in $repo (see above)" >&2; return 1; }
  done
  (cd "$repo" && "${build[@]}" --show-bin-path)
}
