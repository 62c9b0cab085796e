#!/usr/bin/env python3
"""Clean the raw customer-service messages.

usage: python3 tasks/clean.py RAW_CSV CLEAN_CSV

Reads RAW_CSV (columns id,text,label), and writes CLEAN_CSV (columns
id,text,label,split) where:

* text is lower-cased, stripped and has its whitespace collapsed;
* labels are normalised the same way and must be positive, negative or neutral;
* rows with a wrong number of columns, empty text, an unknown label, or a text
  already seen (after normalisation) are dropped, with a count per reason;
* split is "test" for about 20% of the rows and "train" for the others, chosen
  by a stable hash of the normalised text, so reruns give identical files.
"""

import csv
import hashlib
import os
import sys

LABELS = ("positive", "negative", "neutral")
TEST_PERCENT = 20


def normalise(s):
    return " ".join(s.lower().split())


def split_of(text):
    """'test' or 'train', from the SHA-256 of the normalised text."""
    bucket = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_PERCENT else "train"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s RAW_CSV CLEAN_CSV\n" % argv[0])
        return 2
    src, dst = argv[1], argv[2]
    if not os.path.isfile(src):
        sys.stderr.write("error: input file not found: %s\n" % src)
        return 1

    kept = []
    dropped = {}
    seen = set()
    total = 0

    def drop(reason):
        dropped[reason] = dropped.get(reason, 0) + 1

    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [normalise(h) for h in header] != ["id", "text", "label"]:
            sys.stderr.write("error: %s: expected the header id,text,label, got %r\n" % (src, header))
            return 1
        for row in reader:
            if not row:            # a blank line
                continue
            total += 1
            if len(row) != 3:
                drop("wrong number of columns")
                continue
            rid, text, label = row[0].strip(), normalise(row[1]), normalise(row[2])
            if not text:
                drop("empty text")
                continue
            if label not in LABELS:
                drop("unknown label")
                continue
            if text in seen:
                drop("duplicate text")
                continue
            seen.add(text)
            kept.append((rid, text, label, split_of(text)))

    out_dir = os.path.dirname(dst)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    tmp = dst + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text", "label", "split"])
        w.writerows(kept)
    os.replace(tmp, dst)       # never leave a half-written file behind

    n_test = sum(1 for r in kept if r[3] == "test")
    print("read %d rows from %s" % (total, src))
    print("kept %d rows (train=%d, test=%d)" % (len(kept), len(kept) - n_test, n_test))
    print("dropped %d rows" % sum(dropped.values()))
    for reason in sorted(dropped):
        print("  %-24s %d" % (reason + ":", dropped[reason]))
    by_label = {}
    for r in kept:
        by_label[r[2]] = by_label.get(r[2], 0) + 1
    print("labels: " + ", ".join("%s=%d" % (k, by_label.get(k, 0)) for k in LABELS))
    print("wrote %s" % dst)
    if not kept:
        sys.stderr.write("error: no usable rows in %s\n" % src)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
