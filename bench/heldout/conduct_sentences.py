#!/usr/bin/env python3
"""Recall, precision and false alarms of pressure and abuse on single sentences.

  python3 bench/heldout/conduct_sentences.py LABELS FINDINGS [--show-errors]

Recall: share of sentences labelled with a kind on which the engine reports that kind. Precision:
share of reports of a kind on sentences labelled with it. False alarms: share of sentences labelled
with neither kind on which the engine reports either (the issue allows at most 2 %).
"""
import json
import sys

KINDS = ["conduct.pressure", "conduct.abusive"]
labels = {j["id"]: {e["kind"] for e in j["events"]} for j in map(json.loads, open(sys.argv[1]))}
found = {}
text = {}
for j in map(json.loads, open(sys.argv[2])):
    found[j["id"]] = {(e["kind"], e.get("evidence", "")) for e in j["events"] if e["kind"] in KINDS}
show = "--show-errors" in sys.argv
if show and len(sys.argv) > 4:
    text = {j["id"]: j["turns"][0]["text"] for j in map(json.loads, open(sys.argv[4]))}
print(f"  {'kind':20} {'gold':>5} {'P':>6} {'R':>6}")
for k in KINDS:
    gold = [i for i, l in labels.items() if k in l]
    hit = [i for i in labels if any(f[0] == k for f in found.get(i, ()))]
    tp = len([i for i in hit if k in labels[i]])
    p = tp / len(hit) if hit else 0.0
    r = tp / len(gold) if gold else 0.0
    print(f"  {k:20} {len(gold):5d} {p:6.3f} {r:6.3f}")
    if show:
        for i in gold:
            if i not in hit:
                print("    MISS", k, text.get(i, i))
        for i in hit:
            if k not in labels[i]:
                print("    FALSE", k, text.get(i, i), [f[1] for f in found[i]])
neg = [i for i, l in labels.items() if not (l & set(KINDS))]
fa = [i for i in neg if found.get(i)]
print(f"  false alarms on {len(neg)} negative sentences: {len(fa)} ({100 * len(fa) / max(1, len(neg)):.1f} %)")
