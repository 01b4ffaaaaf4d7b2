#!/usr/bin/env python3
"""Per-class event precision/recall from score.py's --json output, without commitments.

  python3 ../shared/bench/score.py LABELS FINDINGS --json s.json >/dev/null
  python3 bench/heldout/events.py s.json [NAME]
"""
import json
import sys

KINDS = ["conduct.guarantee", "conduct.pressure", "conduct.abusive",
         "disclosure.recording_missing", "disclosure.verification_missing"]
res = json.load(open(sys.argv[1]))
name = sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]
ev = res["events"]
tp = fp = fn = 0
print(f"{name}")
print(f"  {'event':34} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6}")
for k in KINDS:
    v = ev.get(k, {"tp": 0, "fp": 0, "fn": 0, "precision": 0, "recall": 0, "f1": 0, "gold": 0})
    tp += v["tp"]; fp += v["fp"]; fn += v["fn"]
    print(f"  {k:34} {v['gold']:5d} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f}")
p = tp / (tp + fp) if tp + fp else 0.0
r = tp / (tp + fn) if tp + fn else 0.0
f = 2 * p * r / (p + r) if p + r else 0.0
print(f"  {'micro (these five)':34} {tp + fn:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
