#!/usr/bin/env bash
# Undoes Deploy/install.sh. Keeps the archive (/var/lib/khaosan), the configs and the users unless --purge.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo Deploy/uninstall.sh [--prefix DIR] [--purge]

Stops and disables khaosan-web, khaosan-queryd and khaosan-ingestd (when systemd is running), removes their
units (and khaosan-queryd's store drop-in), the binaries and resource bundles install.sh put in DIR/bin (default /usr/local) and
/etc/profile.d/khaosan.sh.

  --prefix DIR  the prefix given to install.sh (default /usr/local)
  --purge       also delete /var/lib/khaosan (the archive and the ingest journal: gone for good),
                /etc/khaosan, and the users khaosan-query, khaosan-ingest, khaosan-web and group khaosan
EOF
}

PREFIX=/usr/local
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --prefix) [ $# -ge 2 ] || { echo "uninstall.sh: --prefix needs a directory" >&2; exit 2; }; PREFIX=$2; shift ;;
    --purge) PURGE=1 ;;
    *) echo "uninstall.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
PREFIX=${PREFIX%/}

say() { printf 'uninstall.sh: %s\n' "$*"; }
die() { printf 'uninstall.sh: error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (sudo Deploy/uninstall.sh ...)"

UNITS=(khaosan-web.service khaosan-ingestd.service khaosan-queryd.service)
if [ -d /run/systemd/system ]; then
  # web and ingestd first: they call queryd.
  for u in "${UNITS[@]}"; do
    if systemctl is-active --quiet "$u"; then systemctl stop "$u"; say "stopped $u"; fi
    if systemctl is-enabled --quiet "$u" 2>/dev/null; then systemctl disable --quiet "$u"; say "disabled $u"; fi
  done
else
  say "systemd is not running: nothing to stop or disable"
  # Only processes running the binaries about to be removed (a user's Deploy/local.sh daemons are not ours).
  for d in khaosan-queryd khaosan-ingestd khaosan-web; do
    for pid in $(pgrep -x "$d" || true); do
      exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
      case "$exe" in "$PREFIX/bin/$d"|"$PREFIX/bin/$d (deleted)") say "warning: $d is running (pid $pid) from $exe; stop it yourself" ;; esac
    done
  done
fi
for u in "${UNITS[@]}"; do
  if [ -e "/etc/systemd/system/$u" ]; then rm -f "/etc/systemd/system/$u"; say "removed /etc/systemd/system/$u"; fi
done
# The PostgreSQL store's drop-in (install.sh writes it when queryd.conf has a store).
if [ -d /etc/systemd/system/khaosan-queryd.service.d ]; then
  rm -f /etc/systemd/system/khaosan-queryd.service.d/store.conf
  rmdir /etc/systemd/system/khaosan-queryd.service.d 2>/dev/null || true
  say "removed /etc/systemd/system/khaosan-queryd.service.d/store.conf"
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

manifest="$PREFIX/share/khaosan/install-manifest"
if [ -f "$manifest" ]; then
  while IFS= read -r path; do
    # Only paths under the prefix's bin: a damaged manifest must not delete anything else.
    case "$path" in "$PREFIX/bin/"?*) ;; *) say "skipping unexpected manifest entry '$path'"; continue ;; esac
    if [ -e "$path" ]; then rm -rf -- "$path"; say "removed $path"; fi
  done < "$manifest"
  rm -f "$manifest"
  rmdir "$PREFIX/share/khaosan" 2>/dev/null || true
else
  say "no $manifest: removing the binaries only"
  for b in khaosan khaosan-queryd khaosan-ingestd khaosan-web; do
    if [ -e "$PREFIX/bin/$b" ]; then rm -f "$PREFIX/bin/$b"; say "removed $PREFIX/bin/$b"; fi
  done
fi
rm -f /etc/profile.d/khaosan.sh

if [ $PURGE -eq 1 ]; then
  rm -rf /var/lib/khaosan /etc/khaosan
  say "purged /var/lib/khaosan and /etc/khaosan"
  for u in khaosan-query khaosan-ingest khaosan-web; do
    if id -u "$u" >/dev/null 2>&1; then
      if userdel "$u"; then say "removed user $u"; else say "warning: could not remove user $u (a process still runs as it?)"; fi
    fi
  done
  if getent group khaosan >/dev/null; then
    if groupdel khaosan; then say "removed group khaosan"; else say "warning: could not remove group khaosan"; fi
  fi
else
  say "kept /var/lib/khaosan (the archive), /etc/khaosan and the users; --purge removes them"
fi
