#!/usr/bin/python3
"""Compare two figures folders' tables (CSV, Markdown): are two runs' results the same?

    scripts/compare_figures.py OLD_DIR NEW_DIR [--tol 1e-12] [--ignore-column seconds ...]

For every .csv and .md file in either folder: "identical" (same bytes), "equal within tol" (same
shape, every string cell equal, every numeric cell within the tolerance: |a - b| <= tol * max(1, |a|)),
or "DIFFERENT" with the first differing cells. Files only in one folder are listed. Columns named
with --ignore-column (timings, say) are skipped in the numeric comparison. Exit status 0 when every
file is identical or equal within tol, 1 otherwise.

Used to check that a refactor or a speed-up leaves every quick-mode (or full-mode) result unchanged.
"""
import argparse
import csv
import math
import pathlib
import re
import sys


def parse_number(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v


def md_rows(text):
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return rows


NUMBER_IN_TEXT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def cells_equal(a, b, tol):
    if a == b:
        return True
    x, y = parse_number(a), parse_number(b)
    if x is not None and y is not None:
        if math.isnan(x) and math.isnan(y):
            return True
        return abs(x - y) <= tol * max(1.0, abs(x))
    # "0.512 ± 0.031" style cells: the same text around numbers that agree.
    if NUMBER_IN_TEXT.sub("#", a) != NUMBER_IN_TEXT.sub("#", b):
        return False
    na, nb = NUMBER_IN_TEXT.findall(a), NUMBER_IN_TEXT.findall(b)
    return len(na) == len(nb) and all(abs(float(p) - float(q)) <= tol * max(1.0, abs(float(p))) for p, q in zip(na, nb))


def compare_rows(ra, rb, tol, ignore):
    if len(ra) != len(rb):
        return [f"{len(ra)} rows vs {len(rb)}"]
    header = ra[0] if ra else []
    skip = {i for i, h in enumerate(header) if h in ignore}
    diffs = []
    for i, (x, y) in enumerate(zip(ra, rb)):
        if len(x) != len(y):
            diffs.append(f"row {i}: {len(x)} cells vs {len(y)}")
            continue
        for j, (p, q) in enumerate(zip(x, y)):
            if j in skip:
                continue
            if not cells_equal(p, q, tol):
                col = header[j] if j < len(header) else str(j)
                diffs.append(f"row {i}, column {col!r}: {p!r} vs {q!r}")
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--tol", type=float, default=0.0)
    ap.add_argument("--ignore-column", action="append", default=[])
    ap.add_argument("--show", type=int, default=5, help="differing cells shown per file")
    args = ap.parse_args()
    old, new = pathlib.Path(args.old), pathlib.Path(args.new)
    names = sorted({p.name for d in (old, new) for p in d.glob("*") if p.suffix in (".csv", ".md")})
    bad = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'new' if not a.exists() else 'old'}")
            bad += 1
            continue
        ta, tb = a.read_text(), b.read_text()
        if ta == tb:
            print(f"{name}: identical")
            continue
        if name.endswith(".csv"):
            ra, rb = list(csv.reader(ta.splitlines())), list(csv.reader(tb.splitlines()))
        else:
            ra, rb = md_rows(ta), md_rows(tb)
        diffs = compare_rows(ra, rb, args.tol, set(args.ignore_column))
        if diffs:
            bad += 1
            print(f"{name}: DIFFERENT ({len(diffs)} cells)")
            for d in diffs[: args.show]:
                print(f"    {d}")
        else:
            print(f"{name}: equal within {args.tol:g}")
    print(f"{len(names)} files, {bad} different")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
