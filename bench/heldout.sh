#!/usr/bin/env bash
# Accuracy on the development corpus and on every held-out set, one table.
#
#   bench/heldout.sh [--debug] [CORPUS_DIR]   (default: ../shared/bench next to the repo, else /work/shared/bench)
#
# Builds the scanning example (release, or debug with --debug: quicker to build, slower
# to run; or uses $SCAN if set), scans dev-2k.jsonl and every bench/heldout/*.jsonl that has a .labels.jsonl next
# to it, scores each with the corpus's score.py and prints one row per set.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=release
if [ "${1:-}" = "--debug" ]; then PROFILE=debug; shift; fi
DEFAULT_BENCH="$(cd .. && pwd)/shared/bench"
[ -d "$DEFAULT_BENCH" ] || DEFAULT_BENCH=/work/shared/bench
BENCH="${1:-$DEFAULT_BENCH}"
OUT="${TMPDIR:-/tmp}/righttrack-heldout"
mkdir -p "$OUT"
if [ -n "${SCAN:-}" ]; then
  : # a given binary (e.g. an older build, to compare): SCAN=/path/to/scan bench/heldout.sh
elif [ "$PROFILE" = release ]; then
  cargo build --release -q -p righttrack-batch --example scan
  SCAN="${CARGO_TARGET_DIR:-target}/release/examples/scan"
else
  cargo build -q -p righttrack-batch --example scan
  SCAN="${CARGO_TARGET_DIR:-target}/debug/examples/scan"
fi

sets=("dev-2k:$BENCH/dev-2k.jsonl:$BENCH/dev-2k.labels.jsonl")
for f in bench/heldout/*.jsonl; do
  case "$f" in *.labels.jsonl) continue ;; esac
  l="${f%.jsonl}.labels.jsonl"
  [ -f "$l" ] && sets+=("$(basename "${f%.jsonl}"):$f:$l")
done

for s in "${sets[@]}"; do
  IFS=: read -r name corpus labels <<<"$s"
  "$SCAN" scan --no-progress "$corpus" > "$OUT/$name.findings.jsonl"
  python3 "$BENCH/score.py" "$labels" "$OUT/$name.findings.jsonl" --corpus "$corpus" \
    --json "$OUT/$name.score.json" > "$OUT/$name.score.txt"
done

python3 - "$OUT" "${sets[@]}" <<'PY'
import json, sys
out, sets = sys.argv[1], [s.split(":")[0] for s in sys.argv[2:]]
kinds = ["card_number", "card_cvv", "card_expiry", "bank_account", "iban", "phone", "person_name", "address"]
hdr = ["set", "span F1", "redact rec", "PAN leak"] + [k + " rec" for k in kinds] + ["neg hit"]
rows = []
f3 = lambda x: "-" if x is None else "%.3f" % x
for name in sets:
    r = json.load(open(f"{out}/{name}.score.json"))
    sp, red, dt = r["spans"], r["redaction"], r["distractors_total"]
    rows.append([name, f3(r["micro_f1"]), f3(red["recall"]), f3(red["pan_leak_rate"])]
                + [f3(sp["pii." + k]["recall"]) if sp["pii." + k]["gold"] else "-" for k in kinds]
                + ["%d/%d" % (dt["hit"], dt["total"])])
w = [max(len(x) for x in col) for col in zip(hdr, *rows)]
for row in [hdr] + rows:
    print(" | ".join(x.rjust(n) for x, n in zip(row, w)))
print(f"(recall is strict: same kind, IoU >= 0.5; details in {out}/<set>.score.txt)")
PY
