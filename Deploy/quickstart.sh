#!/usr/bin/env bash
# From a fresh Debian machine to a searchable archive: packages, build, start, sample ingest, a search.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Deploy/quickstart.sh [--skip-packages]

  1. installs the Debian packages Khaosan needs (apt-get; sudo when not root):
     libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 libzstd-dev pkg-config
  2. checks that the Swift 6 toolchain is on PATH
  3. builds the release binaries and starts both services for this user (Deploy/local.sh start)
  4. ingests the sample releases bundled in the repo and runs a Thai search
  5. prints where everything is and what to try next

  --skip-packages  do not run apt-get (the packages are already there)
Honours KHAOSAN_HOME (default ~/.local/state/khaosan). Stop with: Deploy/local.sh stop
EOF
}

SKIP_PACKAGES=0
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --skip-packages) SKIP_PACKAGES=1 ;;
    *) echo "quickstart.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export KHAOSAN_HOME=${KHAOSAN_HOME:-${HOME:-/tmp}/.local/state/khaosan}
unset KHAOSAN_QUERY_SOCKET KHAOSAN_INGEST_SOCKET
SAMPLES="$REPO/Sources/KhaosanTestSupport/Fixtures/corpus"
step() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart.sh: error: %s\n' "$*" >&2; exit 1; }

step "1/5 Debian packages"
PACKAGES=(libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 libzstd-dev pkg-config)
if [ $SKIP_PACKAGES -eq 1 ]; then
  echo "skipped (--skip-packages)"
else
  command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian (bookworm) or Ubuntu; install ${PACKAGES[*]} with your package manager and rerun with --skip-packages"
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all present: ${PACKAGES[*]}"
  else
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null || die "not root and no sudo: as root run apt-get install -y ${missing[*]}"
      sudo=sudo
    fi
    echo "installing ${missing[*]}"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
  fi
fi

step "2/5 Swift toolchain"
if ! command -v swift >/dev/null; then
  cat >&2 <<'EOF'
quickstart.sh: error: `swift` is not on PATH. Khaosan needs Swift 6.1 or newer (built with 6.3.1).
Swift is not a Debian package. Install it with swiftly (https://www.swift.org/install/linux/):
    curl -O https://download.swift.org/swiftly/linux/swiftly-$(uname -m).tar.gz
    tar zxf swiftly-$(uname -m).tar.gz && ./swiftly init
or unpack a toolchain tarball from https://www.swift.org/download/ and put its usr/bin on PATH,
then rerun Deploy/quickstart.sh.
EOF
  exit 1
fi
swift --version 2>&1 | head -1 || true

step "3/5 build and start (Deploy/local.sh start)"
"$REPO/Deploy/local.sh" start
BIN=${KHAOSAN_BIN_DIR:-$REPO/.build/release}
khaosan() { "$BIN/khaosan" "$@"; }

step "4/5 ingest the bundled sample releases and search"
[ -d "$SAMPLES" ] || die "sample releases not found at $SAMPLES"
echo "\$ khaosan ingest $SAMPLES"
khaosan ingest "$SAMPLES" || echo "(the files listed above were rejected: the sample keeps a few real pages that are not releases, e.g. placeholders)"
echo
echo '$ khaosan search "นายกรัฐมนตรี" --limit 3'
khaosan search "นายกรัฐมนตรี" --limit 3

FIRST_ID=$(khaosan search "นายกรัฐมนตรี" --json --limit 1 2>/dev/null | sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p' | head -1 || true)

step "5/5 where everything is"
cat <<EOF
home:      $KHAOSAN_HOME
sockets:   $KHAOSAN_HOME/query.sock (khaosan-queryd), $KHAOSAN_HOME/ingest.sock (khaosan-ingestd)
database:  $KHAOSAN_HOME/query.db
journal:   $KHAOSAN_HOME/ingest/journal
logs:      $KHAOSAN_HOME/query.log, $KHAOSAN_HOME/ingest.log, $KHAOSAN_HOME/web.log   (Deploy/local.sh logs [-f])
binaries:  $BIN/khaosan, khaosan-queryd, khaosan-ingestd, khaosan-web
web pages: http://127.0.0.1:${KHAOSAN_WEB_PORT:-8470}/   (open it in a browser on this machine)

Try next (add $BIN to PATH, or use the full path):
  khaosan search "โควิด" --from 2021-01-01 --to 2021-12-31 --limit 5
  khaosan search "ท่องเที่ยว OR วัฒนธรรม" --category ด้านวัฒนธรรมท่องเที่ยวฯ
  khaosan search '"นายกรัฐมนตรี" NOT โควิด' --json
  khaosan get ${FIRST_ID:-ID}            (the whole release; ids are in the search results)
  khaosan stats
  khaosan status
  khaosan ingest /path/to/more/releases/   (files or directories of thaigov.go.th .txt releases)
  Deploy/backup.sh /tmp/khaosan-backup
  Deploy/local.sh stop
EOF
