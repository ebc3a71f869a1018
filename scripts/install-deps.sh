#!/usr/bin/env bash
# Installs the Debian packages Khaosan builds, runs and tests with (idempotent; python3 is for the
# crash test and the benchmark scripts). Swift itself is not a Debian package: it must already be
# on PATH (swift.org toolchain, 6.1 or newer).
set -euo pipefail
# postgresql-15: the PostgreSQL store's script test (issue 19) runs its own primary and standby
# (scripts/pg-cluster.sh); Debian's automatic "main" cluster is not wanted, see below.
# chromium and chromium-driver: the browser test of khaosan-web (Tests/Scripts/web-test.py);
# fonts-thai-tlwg so that its screenshots show Thai rather than empty boxes.
packages=(libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 libzstd-dev pkg-config python3 systemd
  chromium chromium-driver fonts-thai-tlwg postgresql-15)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && [ ! -e /etc/postgresql/15/main ]; then
    # Without this the package creates and starts a cluster on port 5432 that nothing here uses.
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' | $sudo tee /etc/postgresql-common/createcluster.d/khaosan-no-main-cluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "install-deps: swift is not on PATH; install the Swift 6 toolchain for Debian from swift.org" >&2; exit 1; }
# The metrics test parses the services' output with a real Prometheus text-format parser
# (prometheus_client, from PyPI), for the python3 on PATH. Debian's own python refuses a pip
# install outside a venv (PEP 668) unless told it may.
# The web test drives chromium with selenium (PyPI), the same way.
pip_modules=()
python3 -c 'import prometheus_client' 2>/dev/null || pip_modules+=(prometheus_client)
python3 -c 'import selenium' 2>/dev/null || pip_modules+=(selenium)
if [ ${#pip_modules[@]} -gt 0 ]; then
  echo "install-deps: pip-installing ${pip_modules[*]}"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    # Debian's python3 comes without pip.
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-pip >/dev/null
  fi
  python3 -m pip install --quiet "${pip_modules[@]}" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "${pip_modules[@]}"
fi
# The alerts test (issue 17) checks the Atom feeds with a real feed parser (feedparser, PyPI).
if ! python3 -c 'import feedparser' 2>/dev/null; then
  echo "install-deps: pip-installing feedparser"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-pip >/dev/null
  fi
  python3 -m pip install --quiet feedparser 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages feedparser
fi
