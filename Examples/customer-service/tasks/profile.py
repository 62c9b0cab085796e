#!/usr/bin/env python3
"""Profile the raw customer-service data.

usage: python3 tasks/profile.py RAW_CSV OUT_JSON

Writes statistics of the raw (uncleaned) data to OUT_JSON: row counts and data
problems, class balance, message-length distribution (characters and words),
vocabulary size and the most frequent words per label. Runs independently of
clean.py, so it sees the data exactly as it is in the repository.
"""

import csv
import json
import os
import re
import sys

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = set("""a an and are as at be but by can do for from has have i in is it its
me my no not of on or so that the this to was we what when where which will with you your
i'm it's""".split())


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def distribution(values):
    v = sorted(values)
    if not v:
        return {"count": 0}
    return {
        "count": len(v),
        "min": v[0],
        "p25": percentile(v, 25),
        "median": percentile(v, 50),
        "p75": percentile(v, 75),
        "p95": percentile(v, 95),
        "max": v[-1],
        "mean": round(sum(v) / float(len(v)), 2),
    }


def histogram(values, edges):
    """Counts of values in [edges[i], edges[i+1]) plus an open last bucket."""
    buckets = []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else None
        n = sum(1 for x in values if x >= lo and (hi is None or x < hi))
        buckets.append({"range": "%d-%d" % (lo, hi - 1) if hi is not None else "%d+" % lo, "count": n})
    return buckets


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s RAW_CSV OUT_JSON\n" % argv[0])
        return 2
    src, dst = argv[1], argv[2]
    if not os.path.isfile(src):
        sys.stderr.write("error: input file not found: %s\n" % src)
        return 1

    rows = 0
    malformed = 0
    empty = 0
    labels = {}
    seen = {}
    chars, words = [], []
    by_label_words = {}
    vocab = {}
    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        for row in reader:
            if not row:
                continue
            rows += 1
            if len(row) != 3:
                malformed += 1
                continue
            text, label = row[1], row[2].strip().lower() or "(empty)"
            labels[label] = labels.get(label, 0) + 1
            norm = " ".join(text.lower().split())
            if not norm:
                empty += 1
                continue
            seen[norm] = seen.get(norm, 0) + 1
            toks = WORD.findall(norm)
            chars.append(len(norm))
            words.append(len(toks))
            counts = by_label_words.setdefault(label, {})
            for t in toks:
                vocab[t] = vocab.get(t, 0) + 1
                if t not in STOPWORDS:
                    counts[t] = counts.get(t, 0) + 1

    total_labelled = sum(labels.values())
    profile = {
        "source": src,
        "header": header,
        "rows": rows,
        "problems": {
            "wrong_number_of_columns": malformed,
            "empty_text": empty,
            "duplicate_texts": sum(n - 1 for n in seen.values() if n > 1),
            "unknown_labels": {k: n for k, n in labels.items()
                               if k not in ("positive", "negative", "neutral")},
        },
        "class_balance": {
            k: {"count": n, "share": round(n / float(total_labelled), 3)}
            for k, n in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))
        },
        "length_chars": distribution(chars),
        "length_words": distribution(words),
        "length_words_histogram": histogram(words, [0, 5, 10, 15, 20, 25, 30]),
        "vocabulary_size": len(vocab),
        "singleton_words": sum(1 for n in vocab.values() if n == 1),
        "top_words_by_label": {
            k: [w for w, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
            for k, c in sorted(by_label_words.items())
            if k in ("positive", "negative", "neutral")
        },
    }

    out_dir = os.path.dirname(dst)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(profile, f, indent=2)
        f.write("\n")

    print("rows: %d (%d malformed, %d empty, %d duplicate texts)" % (
        rows, malformed, empty, profile["problems"]["duplicate_texts"]))
    print("class balance: " + ", ".join(
        "%s=%d (%.0f%%)" % (k, v["count"], 100 * v["share"]) for k, v in profile["class_balance"].items()))
    lw = profile["length_words"]
    print("length (words): min %s, median %s, p95 %s, max %s" % (lw.get("min"), lw.get("median"), lw.get("p95"), lw.get("max")))
    print("vocabulary: %d distinct words" % len(vocab))
    print("wrote %s" % dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
