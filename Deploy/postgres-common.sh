#!/usr/bin/env bash
# Shared by install.sh and the tests (sourced, not run): the PostgreSQL store keys of
# queryd.conf (issue 19, Deploy/POSTGRES.md), checked, as the flags they stand for, and what
# they need in khaosan-queryd's systemd unit. Without a `store` key none of this applies and
# khaosan-queryd keeps its embedded SQLite archive (`database`).
#
#   store               = postgres://USER@/DBNAME?host=/socket/dir          (a local Unix socket)
#                       | postgres://USER@HOST[:PORT]/DBNAME[?sslmode=verify-full][&sslrootcert=FILE]  (TCP: TLS)
#   store_password_file = a file holding the role's password, 0600, owned by khaosan-query
#   replica             = true | false (default false): follow the store, apply nothing
set -euo pipefail

if ! declare -F config_value >/dev/null; then
  # shellcheck source=Deploy/common.sh
  . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fi

# Value of URL query parameter $2 in URL $1, or empty.
store_url_param() {
  local query=${1#*\?} pair
  [ "$query" != "$1" ] || return 0
  local IFS='&'
  for pair in $query; do
    if [ "${pair%%=*}" = "$2" ]; then printf '%s\n' "${pair#*=}"; return 0; fi
  done
}

# The host part of a postgres:// URL (between @ and the next / : or ?), or empty.
store_url_host() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%[/?]*}
  case "$rest" in
    \[*\]*) rest=${rest#[}; rest=${rest%%]*} ;;   # [IPv6]:port
    *) rest=${rest%%:*} ;;
  esac
  printf '%s\n' "$rest"
}

# Prints "socket" or "tcp" for a store URL after checking it the way a deployment needs, with
# khaosan-queryd's own rules (a user and a database, no password in the URL, only the host,
# sslmode and sslrootcert parameters, no sslmode on a socket) and one more: over TCP, TLS. No
# sslmode there means verify-full (khaosan-queryd's default: TLS, the certificate checked against
# the name); require is accepted with a warning; disable is refused, since the password and the
# archive would cross the network in clear. Errors name the key ($2).
store_url_kind() {
  local url=$1 what=${2:-store} host sock sslmode path authority query pair
  case "$url" in
    postgres://*|postgresql://*) ;;
    *) echo "$what: \"$url\" is not a postgres:// URL (e.g. postgres://khaosan@/khaosan?host=/var/run/postgresql)" >&2; return 1 ;;
  esac
  case "$url" in *[[:space:]\"\'\\]*) echo "$what: the URL contains a space, quote or backslash" >&2; return 1 ;; esac
  authority=${url#*://}; authority=${authority%%[/?]*}
  case "$authority" in
    *:*@*) echo "$what: the URL holds a password: put it in store_password_file (0600) instead" >&2; return 1 ;;
    ?*@*) ;;
    *) echo "$what: \"$url\" names no user (postgres://USER@...)" >&2; return 1 ;;
  esac
  path=${url#*://}; path=${path#*@}; path=${path%%\?*}
  case "$path" in
    */?*) ;;
    *) echo "$what: \"$url\" names no database (postgres://USER@HOST/DBNAME)" >&2; return 1 ;;
  esac
  query=${url#*\?}
  if [ "$query" != "$url" ]; then
    local IFS='&'
    for pair in $query; do
      case "${pair%%=*}" in
        host|sslmode|sslrootcert) ;;
        *) echo "$what: unknown URL parameter \"${pair%%=*}\" (known: host, sslmode, sslrootcert)" >&2; return 1 ;;
      esac
    done
    unset IFS
  fi
  host=$(store_url_host "$url")
  sock=$(store_url_param "$url" host)
  sslmode=$(store_url_param "$url" sslmode)
  if [ -z "$host" ] || [ "${host#/}" != "$host" ] || [ -n "$sock" ]; then
    [ -n "$sock" ] || [ -n "$host" ] || { echo "$what: \"$url\" has neither a host nor ?host=/socket/dir" >&2; return 1; }
    [ -z "$sock" ] || [ "${sock#/}" != "$sock" ] || { echo "$what: host=$sock: a socket directory must be an absolute path" >&2; return 1; }
    [ -z "$sock" ] || [ -z "$host" ] || { echo "$what: both a host ($host) and host=$sock: give one" >&2; return 1; }
    case "$sslmode" in
      ""|disable) ;;
      *) echo "$what: sslmode=$sslmode on a Unix socket: TLS is only for TCP (omit sslmode)" >&2; return 1 ;;
    esac
    echo socket
    return 0
  fi
  case "$sslmode" in
    ""|verify-full) ;;
    require) echo "$what: warning: sslmode=require encrypts but does not check that the certificate names $host; verify-full (the default) does" >&2 ;;
    disable) echo "$what: sslmode=disable over TCP to $host: the password and the archive would cross the network in clear; use TLS (sslmode=verify-full) or a local Unix socket" >&2; return 1 ;;
    *) echo "$what: sslmode=$sslmode: expected verify-full (the default) or require" >&2; return 1 ;;
  esac
  echo tcp
}

# true or false for a config's `replica` value; an error naming the file for anything else.
store_bool() {
  case "$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" in
    ""|false|no|0|off) echo false ;;
    true|yes|1|on) echo true ;;
    *) echo "$2: replica = \"$1\": expected true or false" >&2; return 1 ;;
  esac
}

# The store flags config file $1's keys stand for, one a line (nothing for a SQLite setup), after
# checking them: khaosan-queryd reads the same keys from --config (flags would override them).
queryd_store_args() {
  local conf=$1 store pwfile replica
  store=$(config_value "$conf" store)
  pwfile=$(config_value "$conf" store_password_file)
  replica=$(store_bool "$(config_value "$conf" replica)" "$conf") || return 1
  if [ -z "$store" ]; then
    [ "$replica" = false ] || { echo "$conf: replica = true needs a store = postgres://... line" >&2; return 1; }
    [ -z "$pwfile" ] || echo "$conf: warning: store_password_file without store is ignored" >&2
    return 0
  fi
  store_url_kind "$store" "$conf: store" >/dev/null || return 1
  printf '%s\n' --store "$store"
  if [ -n "$pwfile" ]; then
    case "$pwfile" in /*) ;; *) echo "$conf: store_password_file \"$pwfile\" must be an absolute path" >&2; return 1 ;; esac
    printf '%s\n' --store-password-file "$pwfile"
  fi
  [ "$replica" = false ] || printf '%s\n' --replica
}

# The drop-in khaosan-queryd.service needs for the store keys of config file $1, or nothing.
# khaosan-queryd reads store, store_password_file and replica from its --config itself (as every
# other key), so the unit's ExecStart stays as it is; only a TCP store needs what the base unit
# denies: the network (PrivateNetwork=yes, AF_UNIX only, IPAddressDeny=any). A socket store
# (and SQLite) need no drop-in. The keys are checked either way.
queryd_store_dropin() {
  local conf=$1 args=() out host
  out=$(queryd_store_args "$conf") || return 1
  [ -n "$out" ] || return 0
  mapfile -t args <<< "$out"
  [ "$(store_url_kind "${args[1]}" 2>/dev/null)" = tcp ] || return 0
  host=$(store_url_host "${args[1]}")
  cat <<EOF
# Written by Deploy/install.sh for the store in $conf (issue 19, Deploy/POSTGRES.md):
# PostgreSQL is across the network ($host), so the base unit's network sandbox is opened for it.
# khaosan-queryd reads the store keys from the config itself; re-run Deploy/install.sh when the
# store moves (a Unix-socket or SQLite store needs no drop-in: it then removes this one).
[Service]
PrivateNetwork=no
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
EOF
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then
    echo "IPAddressAllow=$host"
  else
    # A name may resolve to any address (and change): the IP filter cannot follow it.
    echo "IPAddressDeny="
  fi
}
