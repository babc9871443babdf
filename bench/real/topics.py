#!/usr/bin/env python3
"""Each segment's most distinctive words in a free-text column of a segmented export, to judge
whether a review file's segments are coherent topics (BENCHMARKS.md, issue 17).

    ./target/release/edgewise segment target/real/fine_food_reviews.csv --out /tmp/reviews.csv
    python3 bench/real/topics.py /tmp/reviews.csv review

Per segment: its size and the eight words whose share among its answers most exceeds their
share elsewhere (share × log ratio), with how many of its answers use each. Standard library
only.
"""
import collections, csv, math, re, sys

STOP = set("""the a an and or but to of in on for with is it this that i my me we our you your
they them be was are were have has had not no so as at by from very just like than too its it's
i've i'm don't can will would all one more some get got about there their if out up when what
which""".split())


def words(text):
    text = re.sub(r"<[a-zA-Z/][^<>]{0,40}>", " ", text.lower())
    return {w for w in re.findall(r"[a-z']+", text) if w not in STOP and len(w) > 2}


def main(path, column):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    segments = collections.defaultdict(list)
    for r in rows:
        segments[r["segment"]].append(words(r[column]))
    total = collections.Counter(w for docs in segments.values() for d in docs for w in d)
    n_all = len(rows)
    for seg, docs in sorted(segments.items(), key=lambda kv: len(kv[1])):
        used = collections.Counter(w for d in docs for w in d)
        n = len(docs)
        scored = []
        for w, k in used.items():
            if k < 3 or n_all == n:
                continue
            inside, outside = k / n, (total[w] - k) / (n_all - n)
            scored.append((inside * math.log((inside + 1e-3) / (outside + 1e-3)), w, k))
        scored.sort(reverse=True)
        print(f"{seg:>6} {n:>5}  " + " ".join(f"{w}({k})" for _, w, k in scored[:8]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
