#!/usr/bin/env bash
# KhaosanThai benchmark, one run on one sample: Swift (words, indexTokens, load, memory), ICU, newmm.
# Usage: Benchmarks/thai-bench/run.sh [package-dir]
#   package-dir: the SwiftPM package with the ThaiBench product (default: this repository).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pkg="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
work="${TMPDIR:-/tmp}/thai-bench"
mkdir -p "$work"

# The 2023 corpus, unpacked once (another process may be unpacking it: the lock dir serialises).
if [ ! -d /tmp/corpus/data/2023 ]; then
    until mkdir /tmp/corpus.lock 2>/dev/null; do sleep 2; done
    trap 'rmdir /tmp/corpus.lock 2>/dev/null || true' EXIT
    if [ ! -d /tmp/corpus/data/2023 ]; then
        mkdir -p /tmp/corpus && tar -xJf /work/shared/corpus/thaigov-2023.tar.xz -C /tmp/corpus
    fi
fi

# The sample: first files of data/2023 in LC_ALL=C path order, up to 20 MiB.
python3 "$here/sample.py" /tmp/corpus/data/2023 > "$work/sample.txt"

echo "== Swift (release, one thread)"
(cd "$pkg" && swift build -c release --product ThaiBench >/dev/null)
"$pkg/.build/release/ThaiBench" "$work/sample.txt" "$work/swift-bounds.tsv"

echo "== ICU"
if pkg-config --exists icu-uc; then
    cc -O2 "$here/icu_bench.c" -o "$work/icu_bench" $(pkg-config --cflags --libs icu-uc)
    "$work/icu_bench" "$work/sample.txt"
else
    echo "libicu-dev not installed: skipped"
fi

echo "== PyThaiNLP newmm"
if python3 -c 'import pythainlp' 2>/dev/null; then
    python3 "$here/newmm_bench.py" "$work/sample.txt" "$work/swift-bounds.tsv"
else
    echo "pythainlp not installed (pip install pythainlp): skipped"
fi
