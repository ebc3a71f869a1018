#!/usr/bin/env bash
# Runs khaosan-queryd, khaosan-ingestd and khaosan-web for the current user: no root, no systemd.
# Everything (sockets, pid files, logs, database, journal) lives in $KHAOSAN_HOME.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Deploy/local.sh start|stop|restart|status|logs [-f] [--no-build]

Runs the two Khaosan daemons and the web pages in the background for the current user.

  start     build release binaries if missing or older than the sources, start
            khaosan-queryd then khaosan-ingestd, wait until `khaosan status` says
            both are serving, then start khaosan-web on 127.0.0.1:$KHAOSAN_WEB_PORT
            and wait until it accepts connections (exit 1 with their last log lines
            if not within $KHAOSAN_START_TIMEOUT seconds, default 60). Already
            running: says so, exit 0.
  stop      SIGTERM, wait up to $KHAOSAN_STOP_TIMEOUT seconds (default 20), then SIGKILL
            with a warning; then checks that no process and no socket file is left.
  restart   stop, then start.
  status    pids and `khaosan status` (exit status is khaosan status's: 0 serving,
            1 not serving, 3 unreachable).
  logs      the last 50 lines of the three logs; -f follows them.

Options:
  --no-build   never build; use the binaries already there (fails if missing).

Environment:
  KHAOSAN_HOME     state directory (default ~/.local/state/khaosan)
  KHAOSAN_WEB_PORT TCP port of the web pages on 127.0.0.1 (default 8470)
  KHAOSAN_BIN_DIR  directory holding khaosan, khaosan-queryd, khaosan-ingestd, khaosan-web
                   (default: the repo's .build/release; when set, no build)

Files in $KHAOSAN_HOME: query.sock ingest.sock query.db ingest/ query.pid ingest.pid web.pid
query.log ingest.log web.log.
EOF
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOME_DIR=${KHAOSAN_HOME:-${HOME:-/tmp}/.local/state/khaosan}
export KHAOSAN_HOME=$HOME_DIR
# The daemons and the CLI must agree on the sockets: ours are fixed by KHAOSAN_HOME.
unset KHAOSAN_QUERY_SOCKET KHAOSAN_INGEST_SOCKET
START_TIMEOUT=${KHAOSAN_START_TIMEOUT:-60}
STOP_TIMEOUT=${KHAOSAN_STOP_TIMEOUT:-20}
WEB_PORT=${KHAOSAN_WEB_PORT:-8470}
NO_BUILD=0
FOLLOW=0
cmd=""

for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --no-build) NO_BUILD=1 ;;
    -f|--follow) FOLLOW=1 ;;
    start|stop|restart|status|logs)
      [ -z "$cmd" ] || { echo "local.sh: more than one command given ($cmd, $arg)" >&2; exit 2; }
      cmd=$arg ;;
    *) echo "local.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
[ -n "$cmd" ] || { usage >&2; exit 2; }

say() { printf 'local.sh: %s\n' "$*"; }
warn() { printf 'local.sh: warning: %s\n' "$*" >&2; }
die() { printf 'local.sh: error: %s\n' "$*" >&2; exit 1; }

# name -> socket / pid file / log file / argv (khaosan-web listens on TCP: no socket file)
sock_of() { case $1 in khaosan-queryd) echo "$HOME_DIR/query.sock" ;; khaosan-ingestd) echo "$HOME_DIR/ingest.sock" ;; *) echo "" ;; esac; }
pidfile_of() { case $1 in khaosan-queryd) echo "$HOME_DIR/query.pid" ;; khaosan-ingestd) echo "$HOME_DIR/ingest.pid" ;; khaosan-web) echo "$HOME_DIR/web.pid" ;; esac; }
log_of() { case $1 in khaosan-queryd) echo "$HOME_DIR/query.log" ;; khaosan-ingestd) echo "$HOME_DIR/ingest.log" ;; khaosan-web) echo "$HOME_DIR/web.log" ;; esac; }

bin_dir() {
  if [ -n "${KHAOSAN_BIN_DIR:-}" ]; then echo "$KHAOSAN_BIN_DIR"; return; fi
  # SwiftPM keeps .build/release pointing at the release bin path; asking `swift build
  # --show-bin-path` instead would wait on the build lock while another build runs.
  echo "$REPO/.build/release"
}

# Newer sources than the oldest binary means a rebuild; SwiftPM itself decides what to recompile.
ensure_binaries() {
  local dir=$1 missing=0 oldest="" p
  for p in khaosan khaosan-queryd khaosan-ingestd khaosan-web; do
    if [ ! -x "$dir/$p" ]; then missing=1; elif [ -z "$oldest" ] || [ "$dir/$p" -ot "$oldest" ]; then oldest="$dir/$p"; fi
  done
  local stale=0
  if [ $missing -eq 0 ] && [ -n "$(find "$REPO/Sources" "$REPO/Package.swift" "$REPO/Package.resolved" -newer "$oldest" -print -quit 2>/dev/null)" ]; then
    stale=1
  fi
  if [ $missing -eq 0 ] && [ $stale -eq 0 ]; then return; fi
  if [ $NO_BUILD -eq 1 ] || [ -n "${KHAOSAN_BIN_DIR:-}" ]; then
    [ $missing -eq 0 ] || die "binaries missing in $dir (and building is off: --no-build or KHAOSAN_BIN_DIR set)"
    # KHAOSAN_BIN_DIR names binaries on purpose (an install, a copy): their age says nothing.
    [ -n "${KHAOSAN_BIN_DIR:-}" ] || warn "binaries in $dir are older than the sources; using them anyway (--no-build)"
    return
  fi
  command -v swift >/dev/null || die "swift is not on PATH: install the Swift 6 toolchain for Linux from https://www.swift.org/install/"
  if [ $missing -eq 1 ]; then say "building release binaries (first time: several minutes)"; else say "sources changed: rebuilding release binaries"; fi
  # One product per call: `swift build` keeps only the last of several --product options.
  local product
  for product in khaosan-queryd khaosan-ingestd khaosan-web khaosan; do
    (cd "$REPO" && swift build -c release --product "$product") || die "swift build -c release --product $product failed (see above)"
  done
}

# Alive and not a zombie (a daemon we started and that died stays a zombie until this script exits).
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# The pid file's process, if it is still the daemon it names (pids get reused).
running_pid() {
  local name=$1 pf pid comm
  pf=$(pidfile_of "$name")
  [ -f "$pf" ] || return 1
  pid=$(tr -dc '0-9' < "$pf")
  [ -n "$pid" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$name" ] || return 1
  alive "$pid" || return 1
  echo "$pid"
}

cli() { "$BIN/khaosan" "$@" --query-socket "$(sock_of khaosan-queryd)" --ingest-socket "$(sock_of khaosan-ingestd)"; }

show_logs() {
  local n=${1:-50} name
  for name in khaosan-queryd khaosan-ingestd khaosan-web; do
    local log; log=$(log_of "$name")
    echo "---- $log (last $n lines) ----"
    if [ -f "$log" ]; then tail -n "$n" "$log"; else echo "(no log yet)"; fi
  done
}

launch() {
  local name=$1; shift
  local log pf pid
  log=$(log_of "$name"); pf=$(pidfile_of "$name")
  printf '==== %s starting %s ====\n' "$(date -u +%FT%TZ)" "$name" >> "$log"
  # setsid: a new session, so the terminal's hangup or Ctrl-C never reaches the daemon. A background
  # job of a script is not a group leader, so setsid execs in place and $! is the daemon's pid.
  setsid "$BIN/$name" "$@" >> "$log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$pf"
  say "started $name (pid $pid, log $log)"
}

# Waits until `sock` exists or the process dies; the deadline is shared by the whole start.
wait_socket() {
  local name=$1 pid=$2 sock
  sock=$(sock_of "$name")
  while [ ! -S "$sock" ]; do
    alive "$pid" || return 1
    [ "$SECONDS" -lt "$DEADLINE" ] || return 1
    sleep 0.2
  done
}

start_failed() {
  echo "local.sh: error: $1" >&2
  show_logs 30 >&2
  do_stop quiet || true
  exit 1
}

do_start() {
  # As the systemd units' UMask=: database, journal and logs readable by the owner's group at most.
  umask 0027
  mkdir -p "$HOME_DIR"
  chmod 0750 "$HOME_DIR"
  local qpid ipid wpid
  qpid=$(running_pid khaosan-queryd || true)
  ipid=$(running_pid khaosan-ingestd || true)
  wpid=$(running_pid khaosan-web || true)
  if [ -n "$qpid" ] && [ -n "$ipid" ] && [ -n "$wpid" ]; then
    BIN=$(bin_dir)
    say "already running (khaosan-queryd pid $qpid, khaosan-ingestd pid $ipid, khaosan-web pid $wpid) in $HOME_DIR"
    return 0
  fi
  BIN=$(bin_dir)
  ensure_binaries "$BIN"
  DEADLINE=$((SECONDS + START_TIMEOUT))
  if [ -z "$qpid" ]; then
    launch khaosan-queryd --socket "$(sock_of khaosan-queryd)" --database "$HOME_DIR/query.db"
    qpid=$(cat "$(pidfile_of khaosan-queryd)")
  else
    say "khaosan-queryd already running (pid $qpid)"
  fi
  # ingestd forwards to queryd: start it once queryd listens, so its first attempt succeeds.
  if ! wait_socket khaosan-queryd "$qpid"; then
    if alive "$qpid"; then start_failed "khaosan-queryd did not open its socket within ${START_TIMEOUT}s"; fi
    start_failed "khaosan-queryd exited during start-up"
  fi
  if [ -z "$ipid" ]; then
    launch khaosan-ingestd --socket "$(sock_of khaosan-ingestd)" --query-socket "$(sock_of khaosan-queryd)" --state-dir "$HOME_DIR/ingest"
    ipid=$(cat "$(pidfile_of khaosan-ingestd)")
  else
    say "khaosan-ingestd already running (pid $ipid)"
  fi
  local out rc
  while :; do
    for p in "$qpid:khaosan-queryd" "$ipid:khaosan-ingestd"; do
      alive "${p%%:*}" || start_failed "${p#*:} exited during start-up"
    done
    rc=0; out=$(cli status --timeout 2 2>&1) || rc=$?
    [ $rc -eq 0 ] && break
    [ "$SECONDS" -lt "$DEADLINE" ] || { echo "$out" >&2; start_failed "services not healthy within ${START_TIMEOUT}s (khaosan status exit $rc)"; }
    sleep 0.3
  done
  say "both services are serving (khaosan-queryd pid $qpid, khaosan-ingestd pid $ipid); home $HOME_DIR"
  if [ -z "$wpid" ]; then
    launch khaosan-web --host 127.0.0.1 --port "$WEB_PORT" --query-socket "$(sock_of khaosan-queryd)"
    wpid=$(cat "$(pidfile_of khaosan-web)")
  else
    say "khaosan-web already running (pid $wpid)"
  fi
  # Up once it accepts a TCP connection (bash's /dev/tcp: no curl needed).
  until (exec 3<>"/dev/tcp/127.0.0.1/$WEB_PORT") 2>/dev/null; do
    alive "$wpid" || start_failed "khaosan-web exited during start-up (port $WEB_PORT in use? set KHAOSAN_WEB_PORT)"
    [ "$SECONDS" -lt "$DEADLINE" ] || start_failed "khaosan-web did not listen on 127.0.0.1:$WEB_PORT within ${START_TIMEOUT}s"
    sleep 0.2
  done
  say "web pages at http://127.0.0.1:$WEB_PORT/ (khaosan-web pid $wpid)"
}

# Stops one daemon: SIGTERM lets it drain calls and remove its socket; SIGKILL only after the wait.
stop_one() {
  local name=$1 quiet=$2 pid sock waited=0
  sock=$(sock_of "$name")
  if pid=$(running_pid "$name"); then
    [ "$quiet" = quiet ] || say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" && [ $waited -lt $((STOP_TIMEOUT * 5)) ]; do sleep 0.2; waited=$((waited + 1)); done
    if alive "$pid"; then
      warn "$name (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  else
    [ "$quiet" = quiet ] || say "$name is not running"
  fi
  rm -f "$(pidfile_of "$name")"
  # A killed daemon leaves its socket file; nothing listens on it any more, so it is stale.
  if [ -n "$sock" ] && [ -e "$sock" ]; then
    warn "$name left its socket file $sock behind (it did not shut down cleanly); removing it"
    rm -f "$sock"
  fi
}

do_stop() {
  local quiet=${1:-}
  # web and ingestd first: they call queryd, and ingestd should finish a forwarding call.
  stop_one khaosan-web "$quiet"
  stop_one khaosan-ingestd "$quiet"
  stop_one khaosan-queryd "$quiet"
  local left="" sock
  for name in khaosan-queryd khaosan-ingestd khaosan-web; do
    if running_pid "$name" >/dev/null; then left="$left $name"; fi
    sock=$(sock_of "$name")
    if [ -n "$sock" ] && [ -e "$sock" ]; then left="$left $sock"; fi
  done
  [ -z "$left" ] || die "still present after stop:$left"
  [ "$quiet" = quiet ] || say "stopped; no process or socket file left in $HOME_DIR"
}

do_status() {
  local name pid rc=0
  for name in khaosan-queryd khaosan-ingestd khaosan-web; do
    if pid=$(running_pid "$name"); then printf '%-16s running, pid %s\n' "$name" "$pid"
    else printf '%-16s not running\n' "$name"; fi
  done
  echo "home: $HOME_DIR"
  BIN=$(bin_dir)
  [ -x "$BIN/khaosan" ] || die "no khaosan CLI in $BIN (run: Deploy/local.sh start)"
  cli status || rc=$?
  return $rc
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  restart) do_stop; do_start ;;
  status) do_status ;;
  logs)
    if [ $FOLLOW -eq 1 ]; then
      touch "$(log_of khaosan-queryd)" "$(log_of khaosan-ingestd)" "$(log_of khaosan-web)" 2>/dev/null || true
      exec tail -n 50 -F "$(log_of khaosan-queryd)" "$(log_of khaosan-ingestd)" "$(log_of khaosan-web)"
    fi
    show_logs 50 ;;
esac
