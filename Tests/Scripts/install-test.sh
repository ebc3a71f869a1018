#!/usr/bin/env bash
# Tests install.sh / uninstall.sh / backup.sh --system / restore.sh --system as root without
# touching the host: a private mount namespace with overlays on /etc and /var/lib and a tmpfs /run.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo Tests/Scripts/install-test.sh

Needs root and unshare(1) with overlayfs (a VM or a privileged container). In a private mount
namespace (the host's /etc, /var/lib and /run are untouched) it: installs with --prefix in a temp
dir and a test login user; re-installs (configs kept); starts both daemons as their system users
(setpriv, as systemd would; systemd need not run) with /run dirs made like RuntimeDirectory=;
checks socket owners and modes; as the test user (group khaosan, uid in the allow-lists) runs
status, ingest and search; checks that a user outside the group cannot reach the sockets; backs up
with --system, checks restore refuses while running, stops, restores, restarts and compares
counts; uninstalls, then uninstalls with --purge. The daemons and the CLI run with the Swift
toolchain hidden (an empty directory bind-mounted over it, found from `swift` on PATH): the
installed binaries must need no Swift runtime from the build machine. Binaries:
$KHAOSAN_BIN_DIR, else built with --static-swift-stdlib into .build/static (as install.sh does).
EOF
}
case "${1:-}" in -h|--help) usage; exit 0 ;; "") ;; *) echo "install-test.sh: unknown argument '$1'" >&2; exit 2 ;; esac

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEPLOY=$REPO/Deploy
[ "$(id -u)" -eq 0 ] || { echo "install-test.sh: needs root" >&2; exit 1; }
if [ -z "${KHAOSAN_BIN_DIR:-}" ]; then
  # shellcheck source=Deploy/common.sh
  . "$DEPLOY/common.sh"
  KHAOSAN_BIN_DIR=$(static_build --quiet) || { echo "install-test.sh: the static release build failed" >&2; exit 1; }
fi
BIN=$KHAOSAN_BIN_DIR
# The toolchain to hide: the one `swift` on PATH belongs to (e.g. /opt/swift/usr).
TOOLCHAIN=${KHAOSAN_TOOLCHAIN:-$(command -v swift >/dev/null && dirname "$(dirname "$(readlink -f "$(command -v swift)")")" || true)}
[ -x "$BIN/khaosan-queryd" ] || { echo "install-test.sh: no binaries in $BIN (build first or set KHAOSAN_BIN_DIR)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "install-test.sh: needs sqlite3" >&2; exit 1; }

if [ "${KHAOSAN_INSTALL_TEST_INNER:-}" != 1 ]; then
  tmp=$(mktemp -d /tmp/khaosan-install-test.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  rc=0
  KHAOSAN_INSTALL_TEST_INNER=1 KHAOSAN_INSTALL_TEST_TMP=$tmp KHAOSAN_BIN_DIR=$BIN KHAOSAN_TOOLCHAIN=$TOOLCHAIN \
    unshare -m --propagation private "$0" || rc=$?
  exit $rc
fi

tmp=$KHAOSAN_INSTALL_TEST_TMP
mkdir -p "$tmp"/{eu,ew,vu,vw}
chmod 0755 "$tmp"   # the test user needs to reach the prefix and the samples in here
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/eu,workdir=$tmp/ew" /etc
mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$tmp/vu,workdir=$tmp/vw" /var/lib
mount -t tmpfs tmpfs /run

step() { printf '\n== install-test: %s\n' "$*"; }
fail() { printf 'install-test.sh: FAIL: %s\n' "$*" >&2; exit 1; }
PREFIX="$tmp/prefix"
SAMPLES="$REPO/Sources/KhaosanTestSupport/Fixtures/corpus"
QS=/run/khaosan-query/query.sock
IS=/run/khaosan-ingest/ingest.sock
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

useradd -m -d "$tmp/home-tester" kh-tester
# The samples must be readable by the test user (the repo may sit under a private home).
cp -R "$SAMPLES" "$tmp/samples"; chmod -R a+rX "$tmp/samples"

step "install"
"$DEPLOY/install.sh" --prefix "$PREFIX" --bin-dir "$BIN" --user kh-tester
step "install again: configs kept"
out=$("$DEPLOY/install.sh" --prefix "$PREFIX" --bin-dir "$BIN" --user kh-tester)
grep -q "kept existing /etc/khaosan/queryd.conf" <<< "$out" || fail "re-install did not keep queryd.conf"
for u in khaosan-query khaosan-ingest khaosan-web; do
  [ "$(id -gn "$u")" = khaosan ] || fail "$u's primary group is $(id -gn "$u"), expected khaosan"
done
id -Gn kh-tester | grep -qw khaosan || fail "kh-tester not in group khaosan"
grep -q "^ingest_uids = $(id -u khaosan-ingest)\$" /etc/khaosan/queryd.conf || fail "queryd.conf does not allow khaosan-ingest's uid"
grep -q "^reader_uids = $(id -u khaosan-web), $(id -u kh-tester)\$" /etc/khaosan/queryd.conf || fail "queryd.conf does not allow khaosan-web and kh-tester to read"
grep -q "^host = 127.0.0.1$" /etc/khaosan/web.conf || fail "web.conf does not listen on loopback"
grep -q "^ExecStart=$PREFIX/bin/khaosan-web " /etc/systemd/system/khaosan-web.service || fail "khaosan-web.service not installed with the prefix"
grep -q "^ExecStart=$PREFIX/bin/khaosan-queryd " /etc/systemd/system/khaosan-queryd.service || fail "ExecStart not rewritten to the prefix"

start_daemons() {
  # What systemd does for RuntimeDirectory=, User=, Group=, UMask=.
  install -d -m 0750 -o khaosan-query -g khaosan /run/khaosan-query
  install -d -m 0750 -o khaosan-ingest -g khaosan /run/khaosan-ingest
  setpriv --reuid khaosan-query --regid khaosan --init-groups \
    bash -c "umask 0027; exec $PREFIX/bin/khaosan-queryd --config /etc/khaosan/queryd.conf" > "$tmp/query.log" 2>&1 &
  pids+=($!); QPID=$!
  for _ in $(seq 1 100); do [ -S $QS ] && break; sleep 0.1; done
  setpriv --reuid khaosan-ingest --regid khaosan --init-groups \
    bash -c "umask 0027; exec $PREFIX/bin/khaosan-ingestd --config /etc/khaosan/ingestd.conf" > "$tmp/ingest.log" 2>&1 &
  pids+=($!); IPID=$!
  for _ in $(seq 1 100); do [ -S $IS ] && break; sleep 0.1; done
  [ -S $QS ] && [ -S $IS ] || { cat "$tmp/query.log" "$tmp/ingest.log"; fail "daemons did not create their sockets"; }
}
stop_daemons() {
  kill -TERM "$IPID"; wait "$IPID" || true
  kill -TERM "$QPID"; wait "$QPID" || true
  [ ! -e $QS ] && [ ! -e $IS ] || fail "socket files left after SIGTERM"
}

step "the toolchain hidden: the installed binaries need none of it"
if [ -n "$TOOLCHAIN" ] && [ -d "$TOOLCHAIN" ]; then
  mkdir -p "$tmp/empty"
  mount --bind "$tmp/empty" "$TOOLCHAIN"
  [ -z "$(ls -A "$TOOLCHAIN")" ] || fail "$TOOLCHAIN is still visible"
  ! command -v swift >/dev/null 2>&1 || [ ! -x "$(command -v swift)" ] || fail "swift still runs"
  echo "hid $TOOLCHAIN"
else
  echo "no toolchain found to hide (swift not on PATH)"
fi
for b in khaosan khaosan-queryd khaosan-ingestd khaosan-web; do
  libs=$(ldd "$PREFIX/bin/$b" 2>&1) || fail "ldd $b: $libs"
  ! grep -q 'not found' <<< "$libs" || { echo "$libs" >&2; fail "$b lacks libraries with the toolchain hidden"; }
  ! grep -Eq 'libswift|libFoundation|lib_Foundation|libdispatch' <<< "$libs" || { echo "$libs" >&2; fail "$b loads a Swift runtime library"; }
  [ -z "$TOOLCHAIN" ] || ! grep -q "$TOOLCHAIN" <<< "$libs" || fail "$b resolves into $TOOLCHAIN"
  "$PREFIX/bin/$b" --help >/dev/null || fail "$b --help does not run with the toolchain hidden"
  echo "$b: $(wc -l <<< "$libs") libraries, none from a Swift toolchain: $(awk '{print $1}' <<< "$libs" | tr '\n' ' ')"
done

step "daemons as their users"
start_daemons
[ "$(stat -c '%U:%G %a' $QS)" = "khaosan-query:khaosan 660" ] || fail "query.sock is $(stat -c '%U:%G %a' $QS)"
[ "$(stat -c '%U:%G %a' $IS)" = "khaosan-ingest:khaosan 660" ] || fail "ingest.sock is $(stat -c '%U:%G %a' $IS)"
[ "$(stat -c '%U:%G %a' /run/khaosan-query)" = "khaosan-query:khaosan 750" ] || fail "/run/khaosan-query is $(stat -c '%U:%G %a' /run/khaosan-query)"

step "the CLI as a user in group khaosan"
as_tester() { su - kh-tester -s /bin/bash -c ". /etc/profile.d/khaosan.sh; cd /; $*"; }
as_tester "$PREFIX/bin/khaosan status" >/dev/null || fail "khaosan status as kh-tester"
as_tester "$PREFIX/bin/khaosan ingest $tmp/samples/2021" >/dev/null || true
out=$(as_tester "$PREFIX/bin/khaosan search โควิด --limit 1") || fail "search as kh-tester"
echo "$out" | tail -1
releases=$(sqlite3 -readonly /var/lib/khaosan/query/query.db "SELECT count(*) FROM releases")
[ "$releases" -gt 0 ] || fail "nothing stored after the ingest (ingestd -> queryd forwarding across users?)"
echo "stored: $releases releases"

step "a user outside the group is kept out"
rc=0; setpriv --reuid nobody --regid nogroup --clear-groups "$PREFIX/bin/khaosan" status \
  --query-socket $QS --ingest-socket $IS >/dev/null 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "khaosan status as nobody exited $rc, expected 3 (unreachable)"

step "backup --system, restore refused while running, restore after stop"
"$DEPLOY/backup.sh" --system "$tmp/backup" | tail -3
[ -f "$tmp/backup/etc/queryd.conf" ] || fail "backup lacks the configs"
if "$DEPLOY/restore.sh" "$tmp/backup" --system >/dev/null 2>&1; then fail "restore ran while the daemons ran"; fi
stop_daemons
"$DEPLOY/restore.sh" "$tmp/backup" --system | tail -3
[ "$(stat -c %U /var/lib/khaosan/query/query.db)" = khaosan-query ] || fail "restored database not owned by khaosan-query"
[ -z "$(find /var/lib/khaosan/ingest ! -user khaosan-ingest)" ] || fail "restored ingest state not owned by khaosan-ingest"
start_daemons
as_tester "$PREFIX/bin/khaosan status" >/dev/null || fail "status after restore"
[ "$(sqlite3 -readonly /var/lib/khaosan/query/query.db "SELECT count(*) FROM releases")" = "$releases" ] || fail "release count changed by backup + restore"
stop_daemons

step "uninstall, then --purge"
"$DEPLOY/uninstall.sh" --prefix "$PREFIX"
[ ! -e "$PREFIX/bin/khaosan" ] && [ ! -e /etc/systemd/system/khaosan-queryd.service ] || fail "uninstall left binaries or units"
[ -f /var/lib/khaosan/query/query.db ] && [ -f /etc/khaosan/queryd.conf ] || fail "uninstall without --purge removed data or configs"
"$DEPLOY/uninstall.sh" --prefix "$PREFIX" --purge
[ ! -e /var/lib/khaosan ] && [ ! -e /etc/khaosan ] || fail "--purge left /var/lib/khaosan or /etc/khaosan"
if id -u khaosan-query >/dev/null 2>&1; then fail "--purge left user khaosan-query"; fi

step "a PostgreSQL-backed replica (issue 19): config keys, password file, unit drop-in; refusals first"
if "$DEPLOY/install.sh" --prefix "$PREFIX" --bin-dir "$BIN" --no-start --store "postgres://khaosan@db1.example.org/khaosan?sslmode=disable" >/dev/null 2>&1; then
  fail "install.sh accepted a TCP store in clear (sslmode=disable)"
fi
[ ! -e /etc/khaosan ] || fail "a refused --store still wrote /etc/khaosan"
STORE_URL='postgres://khaosan@db1.example.org/khaosan?sslmode=verify-full'
echo 'pg-secret' | "$DEPLOY/install.sh" --prefix "$PREFIX" --bin-dir "$BIN" --no-start \
  --store "$STORE_URL" --store-password-from - --replica >/dev/null
grep -qx "store = $STORE_URL" /etc/khaosan/queryd.conf || fail "queryd.conf lacks the store line"
grep -qx 'replica = true' /etc/khaosan/queryd.conf || fail "queryd.conf lacks replica = true"
[ "$(stat -c '%U:%G %a' /etc/khaosan/store.password)" = "khaosan-query:khaosan 600" ] || fail "store.password is $(stat -c '%U:%G %a' /etc/khaosan/store.password)"
[ "$(cat /etc/khaosan/store.password)" = pg-secret ] || fail "store.password does not hold the password given"
dropin=/etc/systemd/system/khaosan-queryd.service.d/store.conf
grep -qx 'PrivateNetwork=no' "$dropin" || fail "no drop-in opening the network for a TCP store"
! grep -q '^ExecStart' "$dropin" || fail "the drop-in overrides ExecStart (khaosan-queryd reads the store keys itself)"
# The password file is readable by khaosan-query and nobody else of the service users.
setpriv --reuid khaosan-query --regid khaosan --init-groups cat /etc/khaosan/store.password >/dev/null || fail "khaosan-query cannot read store.password"
if setpriv --reuid khaosan-web --regid khaosan --init-groups cat /etc/khaosan/store.password >/dev/null 2>&1; then fail "khaosan-web can read store.password"; fi
if "$DEPLOY/install.sh" --prefix "$PREFIX" --bin-dir "$BIN" --no-start --store 'postgres://khaosan@/other?host=/run/postgresql' >/dev/null 2>&1; then
  fail "install.sh rewrote the store of an existing queryd.conf"
fi
"$DEPLOY/uninstall.sh" --prefix "$PREFIX" --purge >/dev/null
[ ! -e "$dropin" ] || fail "uninstall left the store drop-in"
echo "replica install: queryd.conf keys, store.password 0600 khaosan-query, a drop-in opening the network for the TCP store"

printf '\ninstall-test.sh: all passed\n'
