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
# PG_CLUSTER_TLS=1 (at the first start) also makes the primary listen on 127.0.0.1, on a free
# port, TLS only (hostssl, always by password), with a certificate for localhost and 127.0.0.1
# from a CA made for it (DIR/tls/ca.crt): DIR/env then adds
#   KHAOSAN_PG_PRIMARY_TLS=postgres://khaosan@localhost:PORT/khaosan?sslmode=verify-full&sslrootcert=DIR/tls/ca.crt
# and, the port naming the socket file too, KHAOSAN_PG_PRIMARY becomes postgres://khaosan@:PORT/khaosan?host=...
# PG_BIN overrides /usr/lib/postgresql/15/bin. PostgreSQL refuses to run as root: when run as root
# the servers run as the postgres user (runuser), and DIR is made traversable for it.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
AUTH=${PG_CLUSTER_AUTH:-trust}
PORT=5432
TLS=${PG_CLUSTER_TLS:-0}
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

# The primary's port: what an existing cluster was made with; a free one for a new TLS cluster.
PPORT=$PORT
if [ -f "$PRIMARY/postgresql.conf" ]; then
  PPORT=$(sed -n 's/^port = \([0-9][0-9]*\)$/\1/p' "$PRIMARY/postgresql.conf" | tail -1)
  PPORT=${PPORT:-$PORT}
  grep -q '^ssl = on' "$PRIMARY/postgresql.conf" && TLS=1
elif [ "$TLS" = 1 ] && [ "$CMD" = start ]; then
  # Any free loopback port (5432 may be Debian's own cluster, or another test's).
  PPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
    die "PG_CLUSTER_TLS=1: could not find a free port (needs python3)"
fi
port_of() { if [ "$1" = "$PSOCK" ]; then echo "$PPORT"; else echo "$PORT"; fi; }

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
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$(port_of "$sock")" -U "$OWNER" -d postgres "$@"
}

wait_ready() {
  local name=$1 sock=$2 data=$3 i
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if as_pg "$PG_BIN/pg_isready" -q -h "$sock" -p "$(port_of "$sock")" -d postgres; then return 0; fi
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
  local tmp="$DIR/env.tmp" pport=""
  [ "$PPORT" = "$PORT" ] || pport=":$PPORT"
  cat > "$tmp" <<EOF
KHAOSAN_PG_PRIMARY=postgres://khaosan@$pport/khaosan?host=$PSOCK
KHAOSAN_PG_STANDBY=postgres://khaosan@/khaosan?host=$SSOCK
KHAOSAN_PG_PASSWORD_FILE=$DIR/khaosan.password
KHAOSAN_PG_BIN=$PG_BIN
KHAOSAN_PG_PRIMARY_DATA=$PRIMARY
KHAOSAN_PG_STANDBY_DATA=$STANDBY
KHAOSAN_PG_PRIMARY_SOCKET=$PSOCK
KHAOSAN_PG_STANDBY_SOCKET=$SSOCK
KHAOSAN_PG_PORT=$PPORT
KHAOSAN_PG_STANDBY_PORT=$PORT
KHAOSAN_PG_AUTH=$AUTH
EOF
  if [ "$TLS" = 1 ]; then
    # Quoted: the & would end the assignment in a shell.
    cat >> "$tmp" <<EOF
KHAOSAN_PG_PRIMARY_TLS='postgres://khaosan@localhost:$PPORT/khaosan?sslmode=verify-full&sslrootcert=$DIR/tls/ca.crt'
KHAOSAN_PG_CA=$DIR/tls/ca.crt
EOF
  fi
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
port = $PPORT
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
log_connections = on
EOF
  # Replaced whole: the superuser by peer (runuser), replication by its role, khaosan by $AUTH.
  cat > "$PRIMARY/pg_hba.conf" <<EOF
# TYPE  DATABASE     USER        METHOD
local   all          $OWNER      peer
local   replication  replicator  trust
local   all          khaosan     $AUTH
EOF
  chown "$OWNER" "$PRIMARY/pg_hba.conf"
  [ "$TLS" = 1 ] && init_tls
  return 0
}

# A CA and a certificate for localhost / 127.0.0.1 signed by it, the primary listening there
# with TLS only; the standby (a copy of this configuration) keeps to its socket.
init_tls() {
  local t="$DIR/tls"
  command -v openssl >/dev/null || die "PG_CLUSTER_TLS=1 needs openssl"
  mkdir -p "$t"
  chmod 0755 "$t"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=pg-cluster.sh test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$t/ca.key" -out "$t/ca.crt" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > "$t/server.ext" &&
    openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 30 \
      -extfile "$t/server.ext" -out "$t/server.crt"
  } >"$t/openssl.log" 2>&1 || die "making the test certificates failed: $t/openssl.log"
  chmod 0600 "$t/ca.key" "$t/server.key"
  chmod 0644 "$t/ca.crt"
  install -m 0644 -o "$OWNER" "$t/server.crt" "$PRIMARY/server.crt"
  install -m 0600 -o "$OWNER" "$t/server.key" "$PRIMARY/server.key"
  cat >> "$PRIMARY/postgresql.conf" <<EOF
# PG_CLUSTER_TLS=1: TCP on loopback, TLS only (pg_hba has hostssl lines only).
listen_addresses = '127.0.0.1'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
EOF
  cat >> "$PRIMARY/pg_hba.conf" <<EOF
hostssl all          khaosan     127.0.0.1/32  scram-sha-256
EOF
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
  as_pg "$PG_BIN/pg_basebackup" -h "$PSOCK" -p "$PPORT" -U replicator -D "$STANDBY" -R -X stream \
    -C -S khaosan_standby -c fast -d "application_name=khaosan_standby" >"$DIR/basebackup.log" 2>&1 ||
    die "pg_basebackup failed; its output: $DIR/basebackup.log
$(tail -20 "$DIR/basebackup.log")"
  # The copy carries the primary's settings; the standby differs only in where its socket is.
  cat >> "$STANDBY/postgresql.conf" <<EOF

# pg-cluster.sh: the standby's own socket (and no TCP, which the primary may have).
unix_socket_directories = '$SSOCK'
listen_addresses = ''
port = $PORT
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
    if [ -f "$DIR/$name/PG_VERSION" ] && running "$DIR/$name" && as_pg "$PG_BIN/pg_isready" -q -h "$sock" -p "$(port_of "$sock")" -d postgres; then
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
