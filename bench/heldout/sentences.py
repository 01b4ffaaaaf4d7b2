#!/usr/bin/env python3
"""Per-kind recall and false redaction for the single-sentence set (bench/heldout/gen_sentences.py).

  python3 bench/heldout/sentences.py LABELS.jsonl FINDINGS.jsonl CORPUS.jsonl

recall (strict): same kind, IoU >= 0.5 (as ../shared/bench/score.py); redact: any overlap, kind ignored.
false redaction: characters inside predicted spans that lie outside every gold span, per 1,000
characters of text (characters, not bytes, so accents count once).
"""
import json
import sys
from collections import defaultdict


def load(p):
    out = {}
    for line in open(p, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            out.setdefault(d["id"], {"spans": []})["spans"] += d.get("spans", [])
            for k, v in d.items():
                if k != "spans":
                    out[d["id"]][k] = v
    return out


def iou(a, b):
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / (max(a[1], b[1]) - min(a[0], b[0])) if inter > 0 else 0.0


labels, finds, corpus = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
strict, red, tot = defaultdict(int), defaultdict(int), defaultdict(int)
false_chars = total_chars = 0
neg_sent = neg_hit = 0
for iid, g in labels.items():
    text = corpus[iid]["turns"][0]["text"].encode()
    p = [s for s in finds.get(iid, {}).get("spans", []) if s["turn"] == 0]
    total_chars += len(text.decode())
    gold = [(s["start"], s["end"]) for s in g["spans"]]
    cover = bytearray(len(text))
    for s in p:
        for b in range(s["start"], min(s["end"], len(text))):
            cover[b] = 1
    for a, b in gold:
        for x in range(a, b):
            cover[x] = 0
    # count characters (first byte of each UTF-8 sequence) falsely covered
    false_chars += sum(1 for x in range(len(text)) if cover[x] and (text[x] & 0xC0) != 0x80)
    if not g["spans"]:
        neg_sent += 1
        neg_hit += 1 if p else 0
    used = set()
    for s in g["spans"]:
        k = s["kind"]
        tot[k] += 1
        a = (s["start"], s["end"])
        if any(x["start"] < a[1] and x["end"] > a[0] for x in p):
            red[k] += 1
        best = max(((iou(a, (x["start"], x["end"])), j) for j, x in enumerate(p)
                    if x["kind"] == k and j not in used), default=(0, None))
        if best[0] >= 0.5:
            used.add(best[1])
            strict[k] += 1
print(f"{'kind':<22}{'gold':>6}{'strict':>8}{'redact':>8}")
for k in sorted(tot):
    print(f"{k:<22}{tot[k]:>6}{strict[k] / tot[k]:>8.3f}{red[k] / tot[k]:>8.3f}")
n = sum(tot.values())
print(f"{'all':<22}{n:>6}{sum(strict.values()) / n:>8.3f}{sum(red.values()) / n:>8.3f}")
print(f"false redaction: {false_chars} of {total_chars} characters = {1000 * false_chars / total_chars:.2f} per 1,000")
print(f"negative sentences with any redaction: {neg_hit}/{neg_sent}")
