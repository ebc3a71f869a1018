#!/usr/bin/env bash
# System install of Khaosan under systemd: binaries, static users, configs, hardened units.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo Deploy/install.sh [--prefix DIR] [--bin-dir DIR] [--user NAME]... [--no-start]
                               [--store URL [--store-password-from FILE|-] [--replica]]

Installs khaosan, khaosan-queryd, khaosan-ingestd and khaosan-web as systemd services (run as root).

  --prefix DIR    binaries go to DIR/bin (default /usr/local); the units' ExecStart follows it
  --bin-dir DIR   where the built binaries are. Default: builds them here, with
                  `swift build -c release --static-swift-stdlib --scratch-path .build/static`
                  (the Swift runtime and Foundation linked in: the services then run on a host
                  without the toolchain, which needs only libprotobuf-c1, libsqlite3-0 and libzstd1).
                  Binaries that load anything from a Swift toolchain are refused.
  --user NAME     a login user who may use the CLI (repeatable): added to group khaosan and,
                  in newly written configs, to queryd's reader_uids and ingestd's ingest_uids
  --no-start      install and enable nothing at runtime: no `systemctl enable --now`

PostgreSQL store (issue 19, Deploy/POSTGRES.md); without --store the archive is SQLite, as before:
  --store URL     written as `store = URL` into a new /etc/khaosan/queryd.conf (an existing one must
                  already say it: edit it and re-run). postgres://USER@/DB?host=/socket/dir for a
                  local socket; postgres://USER@HOST[:PORT]/DB over TCP, TLS-verified (sslmode=verify-full,
                  the default; sslrootcert=FILE for a private CA; sslmode=disable is refused)
  --store-password-from FILE|-
                  the role's password (first line of FILE, or stdin) goes to the config's
                  store_password_file (default /etc/khaosan/store.password), 0600, owned by khaosan-query
  --replica       `replica = true`: this queryd follows the store and applies nothing itself;
                  khaosan-ingestd is installed but not enabled (it forwards only to the writer)
khaosan-queryd reads the store keys from queryd.conf itself. Whenever they name a TCP store,
install.sh checks them and writes the unit drop-in /etc/systemd/system/khaosan-queryd.service.d/
store.conf that opens the unit's network sandbox for it; otherwise it removes that drop-in.

What it creates:
  system group khaosan; system users khaosan-query, khaosan-ingest and khaosan-web (primary group khaosan)
  DIR/bin/{khaosan,khaosan-queryd,khaosan-ingestd,khaosan-web} and the SwiftPM resource bundles beside them
  /etc/khaosan/queryd.conf, ingestd.conf, web.conf (existing files are never overwritten)
  /etc/systemd/system/khaosan-queryd.service, khaosan-ingestd.service, khaosan-web.service
  /etc/profile.d/khaosan.sh (points the CLI at /run/khaosan-query and /run/khaosan-ingest)
  /var/lib/khaosan/query and /var/lib/khaosan/ingest (state)
Sockets: /run/khaosan-query/query.sock and /run/khaosan-ingest/ingest.sock, 0660, group khaosan.
Web pages: http://127.0.0.1:8470/ (khaosan-web, loopback only; port in web.conf).
When systemd is running (/run/systemd/system exists) it runs daemon-reload and enable --now.
Undo with Deploy/uninstall.sh (--purge also removes state, configs and users).
EOF
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/usr/local
BIN_DIR=""
USERS=()
START=1
STORE=""
STORE_PASSWORD_FROM=""
REPLICA=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; PREFIX=$2; shift ;;
    --bin-dir) [ $# -ge 2 ] || { echo "install.sh: --bin-dir needs a directory" >&2; exit 2; }; BIN_DIR=$2; shift ;;
    --user) [ $# -ge 2 ] || { echo "install.sh: --user needs a user name" >&2; exit 2; }; USERS+=("$2"); shift ;;
    --no-start) START=0 ;;
    --store) [ $# -ge 2 ] || { echo "install.sh: --store needs a postgres:// URL" >&2; exit 2; }; STORE=$2; shift ;;
    --store-password-from) [ $# -ge 2 ] || { echo "install.sh: --store-password-from needs a file (or - for stdin)" >&2; exit 2; }; STORE_PASSWORD_FROM=$2; shift ;;
    --replica) REPLICA=1 ;;
    *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo Deploy/install.sh ...): it creates users and writes /etc"
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, got '$PREFIX'" ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] || die "--prefix / is not supported (binaries would land in /bin)"

# The PostgreSQL store's options, checked before anything is changed.
# shellcheck source=Deploy/postgres-common.sh
. "$REPO/Deploy/postgres-common.sh"
if [ -n "$STORE" ]; then
  store_url_kind "$STORE" "--store" >/dev/null || die "--store: see above"
  if [ -e /etc/khaosan/queryd.conf ]; then
    have=$(config_value /etc/khaosan/queryd.conf store)
    [ "$have" = "$STORE" ] || die "/etc/khaosan/queryd.conf exists with store = \"$have\" (install.sh never rewrites it): edit its store line, then re-run"
    if [ $REPLICA -eq 1 ] && [ "$(store_bool "$(config_value /etc/khaosan/queryd.conf replica)" /etc/khaosan/queryd.conf)" != true ]; then
      die "--replica: the existing /etc/khaosan/queryd.conf lacks replica = true: add it, then re-run"
    fi
  fi
elif [ $REPLICA -eq 1 ] || [ -n "$STORE_PASSWORD_FROM" ]; then
  die "--replica and --store-password-from need --store URL"
fi
STORE_PASSWORD=""
if [ -n "$STORE_PASSWORD_FROM" ]; then
  if [ "$STORE_PASSWORD_FROM" = - ]; then
    IFS= read -r STORE_PASSWORD || true
  else
    [ -r "$STORE_PASSWORD_FROM" ] || die "--store-password-from $STORE_PASSWORD_FROM: cannot read it"
    IFS= read -r STORE_PASSWORD < "$STORE_PASSWORD_FROM" || true
  fi
  [ -n "$STORE_PASSWORD" ] || die "--store-password-from $STORE_PASSWORD_FROM: the first line is empty"
fi
STORE_LINES=""
if [ -n "$STORE" ]; then
  STORE_LINES="

# The archive in PostgreSQL (Deploy/POSTGRES.md) instead of the database file above, which then
# holds only this node's local copy for its index. Restart after editing; re-run Deploy/install.sh
# when the store moves between a socket and TCP (the unit's network drop-in follows it).
store = $STORE
store_password_file = /etc/khaosan/store.password"
  [ $REPLICA -eq 0 ] || STORE_LINES="$STORE_LINES
# Follows the store and applies nothing: khaosan-ingestd forwards to the writer node only.
replica = true"
fi

if [ -z "$BIN_DIR" ]; then
  command -v swift >/dev/null || die "no --bin-dir and no swift on PATH to build with: build elsewhere with '$STATIC_BUILD_COMMAND' and pass --bin-dir"
  BIN_DIR=$(static_build) || die "the static release build failed (see above)"
fi
for b in "${KHAOSAN_BINARIES[@]}"; do
  [ -x "$BIN_DIR/$b" ] || die "$BIN_DIR/$b is missing: build first (cd $REPO && $STATIC_BUILD_COMMAND), or pass --bin-dir"
done
# The installed services must not depend on the build machine's toolchain: no Swift runtime or
# Foundation library loaded at all (they are linked in), and nothing resolved under the
# toolchain's directory (found from the swift on PATH, when there is one).
TOOLCHAIN=""
if command -v swift >/dev/null; then TOOLCHAIN=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")"); fi
for b in "${KHAOSAN_BINARIES[@]}"; do
  libs=$(ldd "$BIN_DIR/$b" 2>&1) || die "ldd $BIN_DIR/$b failed: $libs"
  if grep -Eq 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime' <<< "$libs"; then
    grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime' <<< "$libs" >&2
    die "$b loads the Swift runtime dynamically: build it with '$STATIC_BUILD_COMMAND' (the default without --bin-dir)"
  fi
  if [ -n "$TOOLCHAIN" ] && grep -q "=> $TOOLCHAIN/" <<< "$libs"; then
    grep "=> $TOOLCHAIN/" <<< "$libs" >&2
    die "$b resolves libraries into the toolchain at $TOOLCHAIN"
  fi
done
for u in "${USERS[@]}"; do
  id -u "$u" >/dev/null 2>&1 || die "--user $u: no such user"
done

# The daemons run with ProtectHome=yes: a Swift runtime under /home or /root is invisible to them.
for b in khaosan-queryd khaosan-ingestd; do
  libs=$(ldd "$BIN_DIR/$b" 2>&1) || die "ldd $BIN_DIR/$b failed: $libs"
  if grep -q 'not found' <<< "$libs"; then
    grep 'not found' <<< "$libs" >&2
    die "$b needs libraries this host lacks (libprotobuf-c.so.1 is in the Debian package libprotobuf-c1; libsqlite3 in libsqlite3-0; libzstd in libzstd1)"
  fi
  if grep -Eq '=> /(home|root)/' <<< "$libs"; then
    grep -E '=> /(home|root)/' <<< "$libs" >&2
    die "$b loads libraries from /home or /root, which the service cannot see (ProtectHome=yes): rebuild with 'swift build -c release --static-swift-stdlib' or install the Swift toolchain under /opt or /usr"
  fi
done

# Users: static, so the allow-lists in the configs can name their uids (DynamicUser= would
# give each service a different, changing uid).
NOLOGIN=$(command -v nologin || echo /usr/sbin/nologin)
if ! getent group khaosan >/dev/null; then groupadd --system khaosan; say "created group khaosan"; fi
for u in khaosan-query khaosan-ingest khaosan-web; do
  if ! id -u "$u" >/dev/null 2>&1; then
    useradd --system --gid khaosan --no-create-home --home-dir /var/lib/khaosan --shell "$NOLOGIN" \
      --comment "Khaosan ${u#khaosan-} service" "$u"
    say "created system user $u (uid $(id -u "$u"))"
  fi
done
for u in "${USERS[@]}"; do
  usermod -a -G khaosan "$u"
  say "added $u to group khaosan (takes effect at the user's next login)"
done
INGEST_UID=$(id -u khaosan-ingest)
WEB_UID=$(id -u khaosan-web)
user_uids=""
for u in "${USERS[@]}"; do user_uids="$user_uids${user_uids:+, }$(id -u "$u")"; done

# Binaries, plus the resource bundles SwiftPM looks for next to the executable (the Thai lexicon).
install -d -m 0755 "$PREFIX/bin" "$PREFIX/share/khaosan"
manifest="$PREFIX/share/khaosan/install-manifest"
: > "$manifest.new"
for b in "${KHAOSAN_BINARIES[@]}"; do
  install -m 0755 "$BIN_DIR/$b" "$PREFIX/bin/$b.new"
  mv -f "$PREFIX/bin/$b.new" "$PREFIX/bin/$b"
  echo "$PREFIX/bin/$b" >> "$manifest.new"
done
for r in "$BIN_DIR"/*.resources; do
  [ -d "$r" ] || continue
  name=$(basename "$r")
  # A build with tests leaves test fixtures' bundles beside the binaries; the products need none.
  case "$name" in *Test*) continue ;; esac
  rm -rf "$PREFIX/bin/$name.new"
  cp -R "$r" "$PREFIX/bin/$name.new"
  chmod -R u=rwX,go=rX "$PREFIX/bin/$name.new"
  rm -rf "${PREFIX:?}/bin/${name:?}"
  mv "$PREFIX/bin/$name.new" "$PREFIX/bin/$name"
  echo "$PREFIX/bin/$name" >> "$manifest.new"
done
mv -f "$manifest.new" "$manifest"
say "installed ${KHAOSAN_BINARIES[*]} and their resources in $PREFIX/bin"

# Configs: root-owned, readable by the services through group khaosan; never overwritten.
install -d -m 0750 -o root -g khaosan /etc/khaosan
write_config() {
  local path=$1
  if [ -e "$path" ]; then
    say "kept existing $path (not overwritten; today's defaults are written by Deploy/install.sh)"
    return 1
  fi
  cat > "$path.new"
  chown root:khaosan "$path.new"
  chmod 0640 "$path.new"
  mv "$path.new" "$path"
  say "wrote $path"
}
write_config /etc/khaosan/queryd.conf <<EOF || true
# khaosan-queryd configuration (key = value; restart the service after editing: there is no reload).
socket = /run/khaosan-query/query.sock
database = /var/lib/khaosan/query/query.db
# uids that may apply batches: khaosan-ingestd's.
ingest_uids = $INGEST_UID
# uids that may search (comma-separated): khaosan-web's, and CLI users'. Root and khaosan-query itself always may.
reader_uids = $WEB_UID${user_uids:+, }$user_uids
log_level = info$STORE_LINES
EOF
write_config /etc/khaosan/ingestd.conf <<EOF || true
# khaosan-ingestd configuration (key = value; restart the service after editing: there is no reload).
socket = /run/khaosan-ingest/ingest.sock
query_socket = /run/khaosan-query/query.sock
state_dir = /var/lib/khaosan/ingest
# uids that may ingest (comma-separated). Root and khaosan-ingest itself always may.
ingest_uids = $user_uids
# uids that may only read status and health.
reader_uids =
journal_quota_mb = 4096
log_level = info
EOF
write_config /etc/khaosan/web.conf <<EOF || true
# khaosan-web configuration (key = value; restart the service after editing: there is no reload).
# Loopback only: the pages have no login. The unit's IPAddressAllow=localhost holds it there too.
host = 127.0.0.1
port = 8470
query_socket = /run/khaosan-query/query.sock
# Other names the pages may be reached by (the Host header), comma-separated.
allowed_hosts =
# Requests per second over all clients, and the burst above it.
rate_limit = 30
rate_burst = 60
export_cap = 10000
log_level = info
EOF
if [ ${#USERS[@]} -gt 0 ]; then
  for f in /etc/khaosan/queryd.conf /etc/khaosan/ingestd.conf; do
    grep -q "$user_uids" "$f" 2>/dev/null || say "note: $f predates this run: add uid(s) $user_uids to its allow-lists by hand, then restart"
  done
fi

# State: systemd's StateDirectory= creates these too; doing it here lets the daemons run by hand
# (no systemd) as their users with the same layout.
install -d -m 0755 -o root -g root /var/lib/khaosan
install -d -m 0750 -o khaosan-query -g khaosan /var/lib/khaosan/query
install -d -m 0750 -o khaosan-ingest -g khaosan /var/lib/khaosan/ingest

# The PostgreSQL store, from queryd.conf's keys (whoever wrote them): the password file, and for
# a TCP store the unit drop-in that opens the network sandbox.
STORE_CONF=$(config_value /etc/khaosan/queryd.conf store)
IS_REPLICA=$(store_bool "$(config_value /etc/khaosan/queryd.conf replica)" /etc/khaosan/queryd.conf) || die "see above"
DROPIN=/etc/systemd/system/khaosan-queryd.service.d/store.conf
if [ -n "$STORE_CONF" ]; then
  PWFILE=$(config_value /etc/khaosan/queryd.conf store_password_file)
  if [ -n "$STORE_PASSWORD" ]; then
    [ -n "$PWFILE" ] || die "--store-password-from: /etc/khaosan/queryd.conf has no store_password_file to write it to"
    # Created 0600 before the secret goes in; khaosan-queryd refuses a looser file.
    ( umask 077; printf '%s\n' "$STORE_PASSWORD" > "$PWFILE.new" )
    chown khaosan-query:khaosan "$PWFILE.new"
    chmod 0600 "$PWFILE.new"
    mv -f "$PWFILE.new" "$PWFILE"
    say "wrote the store password to $PWFILE (0600, khaosan-query)"
  elif [ -n "$PWFILE" ] && [ ! -e "$PWFILE" ]; then
    say "note: $PWFILE does not exist: khaosan-queryd needs it unless pg_hba admits khaosan-query without a password (re-run with --store-password-from FILE)"
  fi
  dropin=$(queryd_store_dropin /etc/khaosan/queryd.conf) || die "the store keys of /etc/khaosan/queryd.conf: see above"
  role=writer; [ "$IS_REPLICA" = true ] && role=replica
  if [ -n "$dropin" ]; then
    install -d -m 0755 "$(dirname "$DROPIN")"
    printf '%s\n' "$dropin" > "$DROPIN.new"
    chmod 0644 "$DROPIN.new"
    mv -f "$DROPIN.new" "$DROPIN"
    say "khaosan-queryd is a $role on the PostgreSQL store over TCP: installed $DROPIN (the unit's network opened for it)"
  else
    rm -f "$DROPIN"
    rmdir "$(dirname "$DROPIN")" 2>/dev/null || true
    say "khaosan-queryd is a $role on the PostgreSQL store by Unix socket (the unit needs no drop-in)"
  fi
elif [ -e "$DROPIN" ]; then
  rm -f "$DROPIN"
  rmdir "$(dirname "$DROPIN")" 2>/dev/null || true
  say "removed $DROPIN: queryd.conf has no store (the embedded SQLite archive)"
fi

cat > /etc/profile.d/khaosan.sh <<'EOF'
# Khaosan CLI: the system services' sockets (installed by Deploy/install.sh).
export KHAOSAN_QUERY_SOCKET=/run/khaosan-query/query.sock
export KHAOSAN_INGEST_SOCKET=/run/khaosan-ingest/ingest.sock
EOF
chmod 0644 /etc/profile.d/khaosan.sh

for unit in khaosan-queryd.service khaosan-ingestd.service khaosan-web.service; do
  sed "s#/usr/local/bin/#$PREFIX/bin/#g" "$REPO/Deploy/systemd/$unit" > "/etc/systemd/system/$unit.new"
  chmod 0644 "/etc/systemd/system/$unit.new"
  mv -f "/etc/systemd/system/$unit.new" "/etc/systemd/system/$unit"
done
say "installed /etc/systemd/system/khaosan-queryd.service, khaosan-ingestd.service and khaosan-web.service (ExecStart in $PREFIX/bin)"

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ $START -eq 1 ]; then
    if [ "$IS_REPLICA" = true ]; then
      # A replica takes no batches: an ingester here would journal releases nobody applies.
      if systemctl is-enabled --quiet khaosan-ingestd.service 2>/dev/null || systemctl is-active --quiet khaosan-ingestd.service; then
        systemctl disable --now khaosan-ingestd.service
        say "disabled khaosan-ingestd: this node is a replica (ingest on the writer node)"
      fi
      systemctl enable --now khaosan-queryd.service khaosan-web.service
      for _ in $(seq 1 50); do [ -S /run/khaosan-query/query.sock ] && break; sleep 0.2; done
      KHAOSAN_QUERY_SOCKET=/run/khaosan-query/query.sock "$PREFIX/bin/khaosan" stats >/dev/null \
        || die "khaosan-queryd (replica) started but 'khaosan stats' failed: see journalctl -u khaosan-queryd"
      say "replica serving on /run/khaosan-query/query.sock (khaosan status shows its lag behind the store)"
    else
      systemctl enable --now khaosan-queryd.service khaosan-ingestd.service khaosan-web.service
      # enable --now returns when the processes are started, not when they listen.
      for _ in $(seq 1 50); do
        [ -S /run/khaosan-query/query.sock ] && [ -S /run/khaosan-ingest/ingest.sock ] && break
        sleep 0.2
      done
      KHAOSAN_QUERY_SOCKET=/run/khaosan-query/query.sock KHAOSAN_INGEST_SOCKET=/run/khaosan-ingest/ingest.sock \
        "$PREFIX/bin/khaosan" status || die "services started but 'khaosan status' failed: see journalctl -u khaosan-queryd -u khaosan-ingestd"
    fi
  else
    say "--no-start: enable them with: systemctl enable --now khaosan-queryd khaosan-ingestd khaosan-web"
  fi
else
  say "systemd is not running here (no /run/systemd/system): units installed but not started."
  say "on a systemd host: systemctl daemon-reload && systemctl enable --now khaosan-queryd khaosan-ingestd khaosan-web"
fi

cat <<EOF

Installed. CLI users need group khaosan and their uid in the configs' allow-lists
(reader_uids in /etc/khaosan/queryd.conf to search, ingest_uids in /etc/khaosan/ingestd.conf to ingest);
after a new login /etc/profile.d/khaosan.sh points the CLI at the system sockets:
  khaosan status
  khaosan ingest /path/to/releases/
  khaosan search "นายกรัฐมนตรี" --limit 5
Web pages: http://127.0.0.1:8470/ (on this host; e.g. ssh -L 8470:127.0.0.1:8470 from elsewhere)
Logs: journalctl -u khaosan-queryd -u khaosan-ingestd -u khaosan-web
Backup: sudo Deploy/backup.sh --system /var/backups/khaosan-\$(date +%F)
EOF
