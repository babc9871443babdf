#!/usr/bin/env python3
"""How much a file's segments depend on the random seed, or on the order of its rows (issue 18).

A marketer who runs the same export twice, or re-exports it sorted differently, should get the
same segments. The engine samples people at random (the seed), so its result may move with the
seed where the data gives it no firm reason to prefer one answer. This runs `edgewise segment`
on each file with several seeds (or, with `--shuffle`, the default seed on the file's rows in
several random orders, the first the file's own) and prints, per file: the number of segments,
the people in no segment (lone outliers) and the largest segment for each run, and the lowest
and mean adjusted Rand index (Hubert & Arabie 1985) over every pair of runs, lone outliers as
one label. 1.0 = the same segments. `--shuffle` reads UTF-8 with commas and writes commas: for
other encodings or delimiters, convert the file first.

With `--segments`, each segment of the first run is listed with the stability the page shows
for it (mean best Jaccard over the engine's own resamples, read as the rounded percentage the
HTML report prints, so 79.96 % counts as 80 %) beside its mean best Jaccard with the segments of the other runs: whether
"reappears reliably" (from 80 %) and "unstable" (below 50 %) say truthfully which segments
another seed or row order would give again.

Usage: python3 bench/stability.py [--seeds 42,1,2,3] [--shuffle] [--segments]
       [--bin target/release/edgewise] FILE...
Standard library only.
"""

import argparse
import csv
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter


def labels_of(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [row["segment"] if row["segment"] not in ("", "edge") else "-" for row in csv.DictReader(f)]


def shuffled(path, out, seed):
    """Writes `path`'s rows to `out` in a random order (the file's own when `seed` is None) and
    returns, for each written row, its index in `path`. Records are read by the csv module, so
    a quoted cell with a line break stays one row."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r in reader if r]  # the engine skips blank lines too
    order = list(range(len(rows)))
    if seed is not None:
        random.Random(seed).shuffle(order)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows[i] for i in order)
    return order


def shown_stability(report):
    """Segment id → the stability its card shows, in % (None when not measured)."""
    html = open(report, encoding="utf-8").read()
    shown = {}
    for m in re.finditer(r'id="segment-(S\d+)"(.*?)</p>', html, re.S):
        pct = re.search(r"reappears in ([\d.]+) %", m.group(2))
        shown[m.group(1)] = float(pct.group(1)) if pct else None
    return shown


def reappearance(runs, shown):
    """For each segment of the first run: its size, shown stability and mean best Jaccard with
    the segments of every other run."""
    first = runs[0]
    members = {}
    for i, l in enumerate(first):
        if l != "-":
            members.setdefault(l, set()).add(i)
    rows = []
    for segment, own in sorted(members.items(), key=lambda x: -len(x[1])):
        best = []
        for other in runs[1:]:
            theirs = {}
            for i in own:
                theirs[other[i]] = theirs.get(other[i], 0) + 1
            sizes = Counter(other)
            best.append(max(
                (n / (len(own) + sizes[l] - n) for l, n in theirs.items() if l != "-"),
                default=0.0,
            ))
        rows.append((segment, len(own), shown.get(segment), sum(best) / max(len(best), 1)))
    return rows


def comb2(x):
    return x * (x - 1) / 2


def ari(a, b):
    n = len(a)
    table = Counter(zip(a, b))
    rows, cols = Counter(a), Counter(b)
    index = sum(comb2(v) for v in table.values())
    sum_a = sum(comb2(v) for v in rows.values())
    sum_b = sum(comb2(v) for v in cols.values())
    expected = sum_a * sum_b / comb2(n) if n > 1 else 0.0
    top = (sum_a + sum_b) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="42,1,2,3")
    p.add_argument("--bin", default="target/release/edgewise")
    p.add_argument("--shuffle", action="store_true", help="vary the row order, not the seed")
    p.add_argument("--segments", action="store_true", help="each segment's shown stability beside its reappearance")
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if len(seeds) < 2:
        sys.exit("give at least two seeds: runs are compared in pairs")
    worst = []
    judged = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files:
            runs = []
            for t, seed in enumerate(seeds):
                out = os.path.join(tmp, f"out-{seed}.csv")
                if args.shuffle:
                    order = shuffled(path, os.path.join(tmp, "in.csv"), seed if t else None)
                    command = [args.bin, "segment", os.path.join(tmp, "in.csv"), "--out", out]
                else:
                    order = None
                    command = [args.bin, "segment", path, "--out", out, "--seed", str(seed)]
                report = os.path.join(tmp, "report.html") if t == 0 and args.segments else None
                subprocess.run(command + ["--quiet"] + (["--report", report] if report else []), check=True)
                if report:
                    shown = shown_stability(report)
                labels = labels_of(out)
                if order is not None:
                    if len(labels) != len(order):
                        sys.exit(f"{path}: {len(order)} rows written, {len(labels)} exported")
                    back = [None] * len(labels)
                    for position, row in enumerate(order):
                        back[row] = labels[position]
                    labels = back
                runs.append(labels)
            shapes = []
            for labels in runs:
                counts = Counter(labels)
                segments = [c for l, c in counts.items() if l != "-"]
                shapes.append(f"{len(segments)}/{counts.get('-', 0)}/{max(segments, default=0)}")
            if args.segments:
                for segment, size, stability, again in reappearance(runs, shown):
                    print(f"  {segment:<5} {size:>6} people  shown stability {'  –  ' if stability is None else f'{stability:4.0f} %'}  best Jaccard in other runs {again:.2f}")
                    if stability is not None:
                        judged.append((stability / 100, again))
            pairs = [ari(a, b) for a, b in itertools.combinations(runs, 2)]
            low = min(pairs, default=1.0)
            worst.append(low)
            print(
                f"{os.path.basename(path):<28} segments/none/largest {' '.join(shapes):<48}"
                f" ARI min {low:.3f} mean {sum(pairs) / max(len(pairs), 1):.3f}"
            )
    if judged:
        # "reappears reliably" is shown from 0.8, "unstable" below 0.5 (src/ui/segments.rs).
        reliable = [again for shown, again in judged if shown >= 0.8]
        unstable = [again for shown, again in judged if shown < 0.5]
        gap = sum(abs(shown - again) for shown, again in judged) / len(judged)
        print(
            f"segments shown reliable (≥ 80 %): {len(reliable)}, of them reappearing (Jaccard ≥ 0.5) "
            f"{sum(a >= 0.5 for a in reliable)}; shown unstable (< 50 %): {len(unstable)}, of them "
            f"reappearing {sum(a >= 0.5 for a in unstable)}; mean |shown − reappearance| {gap:.2f} "
            f"over {len(judged)} segments"
        )
    print(f"lowest ARI over files {min(worst):.3f}, mean of files' lowest {sum(worst) / len(worst):.3f}")


if __name__ == "__main__":
    sys.exit(main())
