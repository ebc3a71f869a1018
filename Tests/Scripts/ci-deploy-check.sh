#!/usr/bin/env bash
# CI check of Deploy/: the systemd units load cleanly and stay hardened, and every script parses.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Tests/Scripts/ci-deploy-check.sh [--threshold N]

  1. systemd-analyze verify on Deploy/systemd/*.service (any warning fails), with ExecStart
     pointed at stub executables in a temp dir, as install.sh rewrites it for its --prefix.
  2. systemd-analyze security --offline=true on each unit: fails when the overall exposure
     level is above the threshold (default 2.0; 0 = safest, 10 = fully exposed).
  3. bash -n on every Deploy/*.sh and Tests/Scripts/*.sh; shellcheck too when installed.
Installs the Debian package `systemd` when systemd-analyze is missing (as root, or with sudo).
EOF
}

THRESHOLD=2.0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --threshold) [ $# -ge 2 ] || { echo "ci-deploy-check: --threshold needs a number" >&2; exit 2; }; THRESHOLD=$2; shift ;;
    *) echo "ci-deploy-check: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/../.."
REPO=$PWD
failures=0
fail() { printf 'ci-deploy-check: FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
ok() { printf 'ci-deploy-check: ok: %s\n' "$*"; }

if ! command -v systemd-analyze >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "ci-deploy-check: systemd-analyze missing: installing the Debian package systemd"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq systemd >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

units=("$REPO"/Deploy/systemd/*.service)
[ -e "${units[0]}" ] || { echo "ci-deploy-check: no units in Deploy/systemd" >&2; exit 1; }

# verify refuses an ExecStart= binary that does not exist; give it stubs at the rewritten prefix.
mkdir -p "$tmp/prefix/bin" "$tmp/units"
for u in "${units[@]}"; do
  name=$(basename "$u")
  grep -q '^ExecStart=/usr/local/bin/' "$u" || fail "$name: ExecStart= does not start with /usr/local/bin/ (install.sh rewrites that prefix)"
  for exe in $(sed -n 's#^ExecStart=/usr/local/bin/\([^ ]*\).*#\1#p' "$u"); do
    printf '#!/bin/sh\nexit 0\n' > "$tmp/prefix/bin/$exe"
    chmod +x "$tmp/prefix/bin/$exe"
  done
  sed "s#/usr/local/bin/#$tmp/prefix/bin/#g" "$u" > "$tmp/units/$name"
done

for u in "$tmp"/units/*.service; do
  name=$(basename "$u")
  rc=0
  out=$(systemd-analyze verify "$u" 2>&1) || rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    fail "systemd-analyze verify $name (exit $rc):"
    printf '%s\n' "$out" | sed "s#$tmp/units/##g; s#$tmp/prefix#/usr/local#g" >&2
  else
    ok "systemd-analyze verify $name: clean"
  fi
done

# The PostgreSQL store (issue 19): khaosan-queryd reads the store keys from its config; a TCP
# store gets a drop-in opening the network, which must load cleanly and keep the unit within the
# threshold; a socket store gets none; a store in clear over TCP is refused.
# shellcheck source=Deploy/postgres-common.sh
. "$REPO/Deploy/postgres-common.sh"
mkdir -p "$tmp/store"
printf 'store = postgres://khaosan@/khaosan?host=/var/run/postgresql\nstore_password_file = /etc/khaosan/store.password\n' > "$tmp/store/socket.conf"
printf 'store = postgres://khaosan@db1.example.org/khaosan?sslmode=verify-full\nstore_password_file = /etc/khaosan/store.password\nreplica = true\n' > "$tmp/store/tcp.conf"
printf 'store = postgres://khaosan@db1.example.org/khaosan?sslmode=disable\n' > "$tmp/store/cleartext.conf"
if queryd_store_dropin "$tmp/store/cleartext.conf" >/dev/null 2>&1; then
  fail "a TCP store URL with sslmode=disable passed the store check (it must be refused)"
else
  ok "a TCP store URL with sslmode=disable is refused"
fi
if out=$(queryd_store_dropin "$tmp/store/socket.conf") && [ -z "$out" ]; then
  ok "a Unix-socket store needs no drop-in"
else
  fail "a Unix-socket store got a drop-in (or failed the check): $out"
fi
mkdir -p "$tmp/units-tcp/khaosan-queryd.service.d"
cp "$tmp/units/khaosan-queryd.service" "$tmp/units-tcp/"
if ! queryd_store_dropin "$tmp/store/tcp.conf" > "$tmp/units-tcp/khaosan-queryd.service.d/store.conf"; then
  fail "queryd_store_dropin tcp.conf failed"
fi
grep -qx 'PrivateNetwork=no' "$tmp/units-tcp/khaosan-queryd.service.d/store.conf" || fail "the TCP drop-in does not open the network"
rc=0
out=$(systemd-analyze verify "$tmp/units-tcp/khaosan-queryd.service" 2>&1) || rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  fail "systemd-analyze verify khaosan-queryd.service + the TCP store drop-in (exit $rc):"
  printf '%s\n' "$out" >&2
else
  ok "systemd-analyze verify khaosan-queryd.service + the TCP store drop-in: clean"
fi

for u in "$tmp"/units/*.service "$tmp"/units-*/*.service; do
  name=$(basename "$u")
  d=${u%/*}
  case "$d" in "$tmp"/units-*) name="$name + the ${d##*/units-} store drop-in" ;; esac
  rc=0
  out=$(systemd-analyze security --offline=true "$u" 2>&1) || rc=$?
  level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' | tail -1)
  if [ -z "$level" ]; then
    fail "systemd-analyze security $name printed no overall exposure level (exit $rc):"
    printf '%s\n' "$out" | tail -20 >&2
    continue
  fi
  if awk -v a="$level" -v b="$THRESHOLD" 'BEGIN { exit !(a + 0 <= b + 0) }'; then
    ok "systemd-analyze security $name: exposure $level (threshold $THRESHOLD)"
  else
    fail "systemd-analyze security $name: exposure $level is above $THRESHOLD; what it counts against the unit:"
    printf '%s\n' "$out" | grep '✗' | sed 's/[[:space:]]*$//' >&2 || true
  fi
done

scripts=("$REPO"/Deploy/*.sh "$REPO"/Tests/Scripts/*.sh)
for s in "${scripts[@]}"; do
  [ -e "$s" ] || continue
  rel=${s#"$REPO"/}
  if bash -n "$s"; then ok "bash -n $rel"; else fail "bash -n $rel"; fi
  grep -q '^set -euo pipefail' "$s" || fail "$rel: no 'set -euo pipefail'"
  [ -x "$s" ] || fail "$rel: not executable"
done
if command -v shellcheck >/dev/null; then
  if shellcheck -S warning "${scripts[@]}"; then ok "shellcheck (warnings and errors) on ${#scripts[@]} scripts"; else fail "shellcheck"; fi
else
  echo "ci-deploy-check: shellcheck not installed: skipped (optional)"
fi

if [ $failures -gt 0 ]; then
  echo "ci-deploy-check: $failures check(s) failed" >&2
  exit 1
fi
echo "ci-deploy-check: all deploy checks passed"
