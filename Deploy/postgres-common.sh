#!/usr/bin/env bash
# Shared by install.sh, pg-backup.sh and the tests (sourced, not run): the PostgreSQL store keys
# of queryd.conf (issue 19, Deploy/POSTGRES.md) and what they turn into on khaosan-queryd's
# command line and in its systemd unit. Without a `store` key none of this applies and
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

# khaosan-queryd's store arguments for config file $1, one a line (nothing for a SQLite setup).
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

# One argument quoted for a systemd ExecStart= line: "..." with \ and " escaped, % and $ doubled
# (systemd would expand them as specifiers and variables).
systemd_quote() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//%/%%}; s=${s//\$/\$\$}
  printf '"%s"' "$s"
}

# The drop-in for khaosan-queryd.service that a `store` in config file $1 needs (prints nothing for
# SQLite): the unit's ExecStart with the store arguments added, and for a TCP store the network
# the base unit denies (PrivateNetwork=yes, AF_UNIX only, IPAddressDeny=any).
queryd_store_dropin() {
  local conf=$1 bin=$2 args=() a line kind host out
  out=$(queryd_store_args "$conf") || return 1
  [ -n "$out" ] || return 0
  mapfile -t args <<< "$out"
  line="$bin --config $(systemd_quote "$conf")"
  for a in "${args[@]}"; do line="$line $(systemd_quote "$a")"; done
  kind=$(store_url_kind "${args[1]}" 2>/dev/null)
  cat <<EOF
# Written by Deploy/install.sh from the store keys of $conf (issue 19, Deploy/POSTGRES.md).
# Re-run Deploy/install.sh after changing them; delete this file (and daemon-reload) to go back
# to the embedded SQLite archive.
[Service]
ExecStart=
ExecStart=$line
EOF
  if [ "$kind" = tcp ]; then
    host=$(store_url_host "${args[1]}")
    cat <<EOF
# The store is across the network ($host): the base unit's network sandbox is opened for it.
PrivateNetwork=no
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
EOF
    if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then
      echo "IPAddressAllow=$host"
    else
      # A name may resolve to any address (and change): the IP filter cannot follow it.
      echo "IPAddressDeny="
    fi
  fi
}
