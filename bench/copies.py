#!/usr/bin/env python3
"""A customer exported twice: segments of a generated export, and of the same export with
every third row appended again at the end, scored against the planted groups.

    python3 bench/copies.py [--edgewise target/release/edgewise] [--domain grocer]
                            [--rows 3000] [--seed 1] [--every 3]

Prints, per planted group, the F1 of its best segment in the plain export and in the doubled
one (the doubled export scored on its original rows only, so each person counts once), the
number of segments in each, and how many original rows changed segment (a segment of the plain
export mapped to the doubled export's segment most of its members are in)."""

import argparse
import collections
import csv
import os
import subprocess
import tempfile


def best_f1(segments, planted):
    sizes = collections.Counter(segments)
    out = {}
    for group in sorted(set(planted)):
        if group == "lone outlier":
            continue
        members = [i for i, g in enumerate(planted) if g == group]
        best = 0.0
        for label in sizes:
            if label in ("", "edge"):
                continue
            tp = sum(1 for i in members if segments[i] == label)
            if tp:
                p, r = tp / sizes[label], tp / len(members)
                best = max(best, 2 * p * r / (p + r))
        out[group] = best
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edgewise", default="target/release/edgewise")
    ap.add_argument("--domain", default="grocer")
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=3)
    a = ap.parse_args()
    ew = os.path.abspath(a.edgewise)
    with tempfile.TemporaryDirectory() as d:
        plain, truth = os.path.join(d, "plain.csv"), os.path.join(d, "truth.csv")
        subprocess.run([ew, "generate", "--rows", str(a.rows), "--seed", str(a.seed),
                        "--domain", a.domain, "--out", plain, "--truth", truth],
                       check=True, capture_output=True)
        with open(plain, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        doubled = os.path.join(d, "doubled.csv")
        with open(doubled, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
            w.writerows(body[i] for i in range(0, len(body), a.every))
        with open(truth, newline="") as f:
            planted = [r["planted"] for r in csv.DictReader(f)]
        labels = {}
        for name, path in (("plain", plain), ("doubled", doubled)):
            out = os.path.join(d, name + ".seg.csv")
            subprocess.run([ew, "segment", path, "--out", out, "--quiet"], check=True)
            with open(out, newline="") as f:
                labels[name] = [r["segment"] for r in csv.DictReader(f)][: len(body)]
        f1 = {k: best_f1(v, planted) for k, v in labels.items()}
        count = {k: len({x for x in v if x not in ("", "edge")}) for k, v in labels.items()}
        moved = 0
        for s in set(labels["plain"]):
            members = [i for i, x in enumerate(labels["plain"]) if x == s]
            kept = collections.Counter(labels["doubled"][i] for i in members).most_common(1)
            moved += len(members) - (kept[0][1] if kept else 0)
        print(f"{a.domain}, {a.rows} rows, seed {a.seed}, one row in {a.every} again "
              f"({len(range(0, len(body), a.every))} copies)")
        print(f"segments: plain {count['plain']}, doubled {count['doubled']}; "
              f"original rows that changed segment: {moved}")
        for g in f1["plain"]:
            print(f"  {g:45s} {f1['plain'][g]:.3f} {f1['doubled'][g]:.3f}")


if __name__ == "__main__":
    main()
