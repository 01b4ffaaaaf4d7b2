#!/usr/bin/env python3
"""Per-item precision and recall of the empathy scorecard items on a held-out half.

  python3 bench/heldout/empathy.py LABELS FINDINGS [--show-errors INTERACTIONS]

For each item: "failed" is the positive class (the engine takes a point away). Precision = share
of the engine's failures that the label calls failed; recall = share of labelled failures the
engine finds. "N/A agreement" = share of interactions where engine and label agree whether the
item applies at all (a wrong N/A hides a failure or invents an obligation).
"""
import json
import sys

ITEMS = ["empathy.acknowledge", "empathy.apology", "empathy.ownership", "empathy.talk_over"]


def state(it):
    return "na" if it["na"] else ("failed" if it["failed"] else "met")


labels = {j["id"]: j["items"] for j in map(json.loads, open(sys.argv[1]))}
found = {}
for j in map(json.loads, open(sys.argv[2])):
    found[j["id"]] = {it["item"]: state(it) for it in j["scorecard"]["items"]}
text = {}
show = "--show-errors" in sys.argv
if show:
    path = sys.argv[sys.argv.index("--show-errors") + 1]
    text = {j["id"]: " | ".join(f'{t["speaker"][0]}: {t["text"]}' for t in j["turns"])
            for j in map(json.loads, open(path))}
print(f"  {'item':22} {'failed':>6} {'P':>6} {'R':>6} {'N/A agree':>9}")
for k in ITEMS:
    gold = [i for i in labels if labels[i][k] == "failed"]
    pred = [i for i in labels if found.get(i, {}).get(k) == "failed"]
    tp = len([i for i in pred if labels[i][k] == "failed"])
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    na = sum((labels[i][k] == "na") == (found.get(i, {}).get(k) == "na") for i in labels) / len(labels)
    print(f"  {k:22} {len(gold):6d} {p:6.3f} {r:6.3f} {na:9.3f}")
    if show:
        for i in labels:
            g, f = labels[i][k], found.get(i, {}).get(k)
            if g != f:
                print(f"    {k} gold={g} got={f}: {text.get(i, i)}")
