#!/usr/bin/env bash
# A PostgreSQL 15 primary and a streaming hot standby on this machine, under one directory, for the
# tests and as the smallest instance of the topology in Deploy/POSTGRES.md (issue 19).
#
#   scripts/pg-cluster.sh start  DIR   # initdb + pg_basebackup on first use, else just start; waits for streaming
#   scripts/pg-cluster.sh stop   DIR   # fast shutdown of both; safe to run twice (or on a half-made DIR)
#   scripts/pg-cluster.sh status DIR   # both servers and the replication state; exit 1 unless both up and streaming
#   scripts/pg-cluster.sh psql   DIR primary|standby [psql args]   # psql as the postgres superuser
#
# Unix sockets only (listen_addresses = ''): DIR/primary-sock and DIR/standby-sock, both on port 5432
# (the port only names the socket file, so the two servers and Debian's own cluster in
# /var/run/postgresql do not collide). The standby streams from the primary over the primary's
# socket with the `replicator` role and a physical replication slot, so it never needs a WAL
# archive to catch up. A `khaosan` role owns a `khaosan` database; its password is in
# DIR/khaosan.password (0600). DIR/env is shell-sourceable (and one KEY=value a line for Python):
#   KHAOSAN_PG_PRIMARY=postgres://khaosan@/khaosan?host=DIR/primary-sock
#   KHAOSAN_PG_STANDBY=postgres://khaosan@/khaosan?host=DIR/standby-sock
#   KHAOSAN_PG_PASSWORD_FILE, KHAOSAN_PG_BIN, KHAOSAN_PG_{PRIMARY,STANDBY}_{DATA,SOCKET}
#
# PG_CLUSTER_AUTH (default trust) is the pg_hba method for the khaosan role on the sockets; set it
# to scram-sha-256 to make clients present the password (what --store-password-file sends).
# PG_BIN overrides /usr/lib/postgresql/15/bin. PostgreSQL refuses to run as root: when run as root
# the servers run as the postgres user (runuser), and DIR is made traversable for it.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
AUTH=${PG_CLUSTER_AUTH:-trust}
PORT=5432
WAIT_SECONDS=${PG_CLUSTER_WAIT:-60}

die() { echo "pg-cluster.sh: $*" >&2; exit 1; }
say() { echo "pg-cluster.sh: $*"; }

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
case "$DIR" in
  /*) ;;
  *) DIR="$(pwd)/$DIR" ;;
esac
# The directory goes into URLs and pg_hba/conninfo strings unquoted: keep it to plain characters.
case "$DIR" in
  *[!A-Za-z0-9._/-]*) die "DIR \"$DIR\": only letters, digits and . _ / - are allowed (it goes into connection URLs)" ;;
esac
DIR=${DIR%/}
PRIMARY="$DIR/primary"
STANDBY="$DIR/standby"
PSOCK="$DIR/primary-sock"
SSOCK="$DIR/standby-sock"
# A socket path is limited to 107 bytes (sun_path) including "/.s.PGSQL.5432".
[ ${#PSOCK} -le 92 ] || die "DIR \"$DIR\" is too long: the socket path $PSOCK/.s.PGSQL.$PORT would exceed 107 bytes"

[ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl not found: install Debian's postgresql-15 (apt-get install postgresql-15) or set PG_BIN"

# Runs a PostgreSQL tool as the postgres user when we are root (the server refuses root), else as us.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "no postgres user: install Debian's postgresql-15, which creates it"
  OWNER=postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  OWNER=$(id -un)
  as_pg() { "$@"; }
fi

running() { as_pg "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }

# psql on one server's socket as the superuser; -X ignores any ~/.psqlrc, ON_ERROR_STOP fails loudly.
pg_psql() {
  local sock=$1
  shift
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PORT" -U "$OWNER" -d postgres "$@"
}

wait_ready() {
  local name=$1 sock=$2 data=$3 i
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if as_pg "$PG_BIN/pg_isready" -q -h "$sock" -p "$PORT" -d postgres; then return 0; fi
    running "$data" || die "the $name stopped while starting; its log: $DIR/$name.log
$(tail -20 "$DIR/$name.log" 2>/dev/null)"
    sleep 0.1
  done
  die "the $name does not accept connections after ${WAIT_SECONDS}s; its log: $DIR/$name.log"
}

wait_streaming() {
  local i state=""
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    state=$(pg_psql "$PSOCK" -At -c "SELECT state FROM pg_stat_replication WHERE application_name = 'khaosan_standby'" 2>/dev/null || true)
    [ "$state" = streaming ] && return 0
    sleep 0.1
  done
  die "the standby is not streaming from the primary after ${WAIT_SECONDS}s (pg_stat_replication state \"$state\"); logs: $DIR/primary.log, $DIR/standby.log"
}

start_server() {
  local name=$1 data=$2 sock=$3
  if running "$data"; then
    say "the $name is already running"
  else
    # pg_ctl opens the log as $OWNER, in a directory it does not own.
    touch "$DIR/$name.log"
    chown "$OWNER" "$DIR/$name.log"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$DIR/$name.log" -w -t "$WAIT_SECONDS" start >/dev/null ||
      die "the $name did not start; its log: $DIR/$name.log
$(tail -20 "$DIR/$name.log" 2>/dev/null)"
  fi
  wait_ready "$name" "$sock" "$data"
}

write_env() {
  local tmp="$DIR/env.tmp"
  cat > "$tmp" <<EOF
KHAOSAN_PG_PRIMARY=postgres://khaosan@/khaosan?host=$PSOCK
KHAOSAN_PG_STANDBY=postgres://khaosan@/khaosan?host=$SSOCK
KHAOSAN_PG_PASSWORD_FILE=$DIR/khaosan.password
KHAOSAN_PG_BIN=$PG_BIN
KHAOSAN_PG_PRIMARY_DATA=$PRIMARY
KHAOSAN_PG_STANDBY_DATA=$STANDBY
KHAOSAN_PG_PRIMARY_SOCKET=$PSOCK
KHAOSAN_PG_STANDBY_SOCKET=$SSOCK
KHAOSAN_PG_PORT=$PORT
KHAOSAN_PG_AUTH=$AUTH
EOF
  mv "$tmp" "$DIR/env"
}

init_primary() {
  say "initdb $PRIMARY"
  mkdir -p "$PRIMARY"
  chown "$OWNER" "$PRIMARY"
  chmod 0700 "$PRIMARY"
  # C.UTF-8: byte-order collation, the same on every machine; Thai text is stored as UTF-8.
  as_pg "$PG_BIN/initdb" -D "$PRIMARY" -U "$OWNER" -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=reject \
    >"$DIR/initdb.log" 2>&1 || die "initdb failed; its output: $DIR/initdb.log
$(tail -20 "$DIR/initdb.log")"
  cat >> "$PRIMARY/postgresql.conf" <<EOF

# pg-cluster.sh (issue 19): Unix sockets only, small enough for a shared test machine.
listen_addresses = ''
port = $PORT
unix_socket_directories = '$PSOCK'
unix_socket_permissions = 0777
shared_buffers = 32MB
max_connections = 60
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
log_line_prefix = '%m [%p] %u@%d '
EOF
  # Replaced whole: the superuser by peer (runuser), replication by its role, khaosan by $AUTH.
  cat > "$PRIMARY/pg_hba.conf" <<EOF
# TYPE  DATABASE     USER        METHOD
local   all          $OWNER      peer
local   replication  replicator  trust
local   all          khaosan     $AUTH
EOF
  chown "$OWNER" "$PRIMARY/pg_hba.conf"
}

create_roles() {
  local password
  password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  ( umask 077; printf '%s\n' "$password" > "$DIR/khaosan.password" )
  pg_psql "$PSOCK" -v pw="$password" <<'EOF'
CREATE ROLE replicator WITH REPLICATION LOGIN;
CREATE ROLE khaosan WITH LOGIN PASSWORD :'pw';
CREATE DATABASE khaosan OWNER khaosan ENCODING 'UTF8' TEMPLATE template0;
EOF
}

init_standby() {
  say "pg_basebackup -R $STANDBY (slot khaosan_standby)"
  mkdir -p "$STANDBY"
  chown "$OWNER" "$STANDBY"
  chmod 0700 "$STANDBY"
  as_pg "$PG_BIN/pg_basebackup" -h "$PSOCK" -p "$PORT" -U replicator -D "$STANDBY" -R -X stream \
    -C -S khaosan_standby -c fast -d "application_name=khaosan_standby" >"$DIR/basebackup.log" 2>&1 ||
    die "pg_basebackup failed; its output: $DIR/basebackup.log
$(tail -20 "$DIR/basebackup.log")"
  # The copy carries the primary's settings; the standby differs only in where its socket is.
  cat >> "$STANDBY/postgresql.conf" <<EOF

# pg-cluster.sh: the standby's own socket.
unix_socket_directories = '$SSOCK'
EOF
}

cmd_start() {
  mkdir -p "$DIR"
  # The servers run as $OWNER: they need to reach DIR (not read it).
  chmod a+x "$DIR"
  if [ "$OWNER" != "$(id -un)" ] && ! runuser -u "$OWNER" -- test -x "$DIR"; then
    die "the $OWNER user cannot reach $DIR (a parent directory is not searchable by it): pick a DIR under /tmp"
  fi
  local sock
  for sock in "$PSOCK" "$SSOCK"; do
    mkdir -p "$sock"
    chown "$OWNER" "$sock"
    chmod 0755 "$sock"
  done
  if [ -f "$STANDBY/PG_VERSION" ] && [ -f "$PRIMARY/PG_VERSION" ]; then
    start_server primary "$PRIMARY" "$PSOCK"
    start_server standby "$STANDBY" "$SSOCK"
  else
    # A half-made DIR (an earlier start that failed) is made again from scratch.
    if [ -e "$PRIMARY" ] || [ -e "$STANDBY" ]; then
      cmd_stop >/dev/null
      rm -rf "$PRIMARY" "$STANDBY"
    fi
    init_primary
    start_server primary "$PRIMARY" "$PSOCK"
    create_roles
    init_standby
    start_server standby "$STANDBY" "$SSOCK"
  fi
  wait_streaming
  write_env
  say "primary on $PSOCK, standby streaming on $SSOCK; source $DIR/env"
}

cmd_stop() {
  local name data
  # The standby first: a primary shutting down waits for its WAL senders to deliver the last record.
  for name in standby primary; do
    data="$DIR/$name"
    if [ -f "$data/PG_VERSION" ] && running "$data"; then
      as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t "$WAIT_SECONDS" stop >/dev/null
      say "stopped the $name"
    fi
  done
}

cmd_status() {
  local ok=0 name sock state
  for name in primary standby; do
    sock="$DIR/$name-sock"
    if [ -f "$DIR/$name/PG_VERSION" ] && running "$DIR/$name" && as_pg "$PG_BIN/pg_isready" -q -h "$sock" -p "$PORT" -d postgres; then
      echo "$name  accepting connections on $sock ($(pg_psql "$sock" -At -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'hot standby' ELSE 'primary' END"))"
    else
      echo "$name  not running ($DIR/$name)"
      ok=1
    fi
  done
  if [ $ok -eq 0 ]; then
    state=$(pg_psql "$PSOCK" -At -F ' ' -c "SELECT state, sent_lsn, replay_lsn FROM pg_stat_replication WHERE application_name = 'khaosan_standby'")
    echo "replication  ${state:-none}"
    case "$state" in streaming*) ;; *) ok=1 ;; esac
  fi
  return $ok
}

cmd_psql() {
  [ $# -ge 1 ] || usage
  local which=$1
  shift
  case "$which" in
    primary) pg_psql "$PSOCK" "$@" ;;
    standby) pg_psql "$SSOCK" "$@" ;;
    *) die "psql: \"$which\": expected primary or standby" ;;
  esac
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  psql) cmd_psql "$@" ;;
  *) usage ;;
esac
