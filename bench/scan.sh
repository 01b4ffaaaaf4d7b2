#!/usr/bin/env bash
# One-command scanning benchmark: accuracy (dev-2k, scored) and speed
# (engine alone via `cargo bench`, and end-to-end `scan` with 1 and 2 threads).
#
#   bench/scan.sh [CORPUS_DIR]     (default: ../shared/bench next to the repo)
#
# Uses its own target dir so it never waits on other builds.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH="${1:-$(cd .. && pwd)/shared/bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-scan}"
OUT="${TMPDIR:-/tmp}/righttrack-scan-bench"
mkdir -p "$OUT"

echo "== machine"
lscpu | grep -E "Model name|^CPU\(s\)" || true
echo "cores available: $(nproc)"

echo "== build"
cargo build --release -q -p righttrack-batch --example scan
SCAN="$CARGO_TARGET_DIR/release/examples/scan"

echo "== accuracy (dev-2k)"
"$SCAN" scan --no-progress "$BENCH/dev-2k.jsonl" > "$OUT/findings.jsonl"
python3 "$BENCH/score.py" "$BENCH/dev-2k.labels.jsonl" "$OUT/findings.jsonl" --corpus "$BENCH/dev-2k.jsonl" | tee "$OUT/score.txt"

echo "== rules test (default pack)"
"$SCAN" rules-test | tail -1

echo "== speed: engine alone (cargo bench)"
RIGHTTRACK_BENCH_CORPUS="$BENCH/dev-2k.jsonl" cargo bench -q -p righttrack-scan 2>/dev/null | grep -E "corpus|threads="

echo "== speed: end to end (JSONL parse + scan + findings JSONL), corpus x8"
for _ in 1 2 3 4 5 6 7 8; do cat "$BENCH/dev-2k.jsonl"; done > "$OUT/dev16k.jsonl"
python3 - "$SCAN" "$OUT/dev16k.jsonl" <<'PY'
import os, subprocess, sys, time
scan, path = sys.argv[1], sys.argv[2]
size = os.path.getsize(path)
for threads in (1, 2):
    best = min(
        (lambda t0: (subprocess.run([scan, "scan", "--no-progress", "--threads", str(threads), path],
                                    stdout=subprocess.DEVNULL, check=True), time.perf_counter() - t0)[1])(time.perf_counter())
        for _ in range(3))
    print(f"scan --threads {threads}: {size / best / 1e6:.1f} MB/s (best of 3, {size / 1e6:.1f} MB)")
PY
