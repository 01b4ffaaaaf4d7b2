#!/usr/bin/env python3
"""Trim the 1990 US Census name files to the lists embedded in the engine.

  pip download names==0.3.0 --no-deps --no-binary :all:   # the files ship in that package
  tar xzf names-0.3.0.tar.gz
  python3 crates/scan/src/pii/data/trim.py names-0.3.0/names

Given names: male names at >= 0.003 % of the population and female names at >= 0.005 %,
surnames: the 5,000 most frequent. Lower-cased, one per line, by frequency, no duplicates.
"""
import sys
from pathlib import Path

src, out = Path(sys.argv[1]), Path(__file__).resolve().parent


def rows(name):
    for line in open(src / name):
        w, freq, _cum, rank = line.split()
        yield w.lower(), float(freq), int(rank)


first, seen = [], set()
for name, cut in (("dist.male.first", 0.003), ("dist.female.first", 0.005)):
    for w, f, _ in rows(name):
        if f >= cut and w not in seen:
            seen.add(w)
            first.append(w)
last = [w for w, _, r in rows("dist.all.last") if r <= 5000]
(out / "census_first_names.txt").write_text("\n".join(first) + "\n")
(out / "census_surnames.txt").write_text("\n".join(last) + "\n")
print(len(first), "given names,", len(last), "surnames")
