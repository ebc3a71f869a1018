#!/usr/bin/env bash
# Shared by backup.sh and restore.sh (sourced, not run): where the data is, and whether anything uses it.
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

# CRC32C (Castagnoli, reflected 0x82F63B78) of the byte values given as arguments: the checksum
# the ingest journal's checkpoint file carries.
crc32c() {
  local c=$((0xFFFFFFFF)) b i
  for b in "$@"; do
    c=$(( c ^ b ))
    for i in 1 2 3 4 5 6 7 8; do
      if (( c & 1 )); then c=$(( (c >> 1) ^ 0x82F63B78 )); else c=$(( c >> 1 )); fi
    done
  done
  echo $(( c ^ 0xFFFFFFFF ))
}

# Little-endian unsigned integer from byte values.
le_value() {
  local v=0 i
  for (( i = $#; i >= 1; i-- )); do v=$(( (v << 8) | ${!i} )); done
  echo "$v"
}

# The sequence stored in a journal checkpoint file (16 bytes: "KJC1", u64 LE sequence, u32 LE
# CRC32C of the first 12), after checking magic and checksum; 0 when the file is absent.
read_checkpoint() {
  local f=$1 bytes
  [ -e "$f" ] || { echo 0; return; }
  read -r -a bytes <<< "$(od -An -tu1 -v "$f" | tr -s ' \n' '  ')"
  [ ${#bytes[@]} -eq 16 ] || { echo "checkpoint $f has ${#bytes[@]} bytes, expected 16" >&2; return 1; }
  [ "${bytes[*]:0:4}" = "75 74 67 49" ] || { echo "checkpoint $f has a bad magic number" >&2; return 1; }
  local stored actual
  stored=$(le_value "${bytes[@]:12:4}")
  actual=$(crc32c "${bytes[@]:0:12}")
  [ "$stored" = "$actual" ] || { echo "checkpoint $f fails its checksum (stored $stored, computed $actual)" >&2; return 1; }
  le_value "${bytes[@]:4:8}"
}

# Writes a checkpoint file holding `sequence`, atomically (temp file + rename).
write_checkpoint() {
  local f=$1 seq=$2 bytes=(75 74 67 49) i crc esc=""
  for i in 0 1 2 3 4 5 6 7; do bytes+=($(( (seq >> (8 * i)) & 255 ))); done
  crc=$(crc32c "${bytes[@]}")
  for i in 0 1 2 3; do bytes+=($(( (crc >> (8 * i)) & 255 ))); done
  for i in "${bytes[@]}"; do esc+=$(printf '\\%03o' "$i"); done
  printf '%b' "$esc" > "$f.tmp"
  mv -f "$f.tmp" "$f"
}

# Known answer: CRC32C("123456789") = 0xE3069283. A wrong implementation must not write checkpoints.
[ "$(crc32c 49 50 51 52 53 54 55 56 57)" = $((0xE3069283)) ] || { echo "common.sh: CRC32C self-test failed" >&2; exit 1; }
