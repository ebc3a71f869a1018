#!/bin/sh
# The name extractor against the hand labels (BENCHMARKS.md, "Names (session 6)"):
# unpacks the 100 held-out releases listed in heldout-files.txt from the 2024 corpus archive,
# runs `khaosan-bench names` on them and scores the labelled ones (score.py; -v lists every
# miss and extra). Needs a debug build of KhaosanBench (`swift build --product KhaosanBench`), or
# another KhaosanBench binary named by KHAOSAN_BENCH_BIN (e.g. a release build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${KHAOSAN_CORPUS:-$root/../shared/corpus}
bench=${KHAOSAN_BENCH_BIN:-$root/.build/debug/KhaosanBench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$corpus/thaigov-2024.tar.xz" -C "$work" -T "$here/heldout-files.txt"
sed "s#^#$work/#" "$here/heldout-files.txt" | "$bench" names - > "$work/extracted.jsonl"
python3 "$here/score.py" "$here/labels.jsonl" "$work/extracted.jsonl" "$@"
