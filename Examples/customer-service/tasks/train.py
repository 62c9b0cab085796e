#!/usr/bin/env python3
"""Train the sentiment classifier.

usage: python3 tasks/train.py CLEAN_CSV MODEL_JSON

Fits a multinomial naive Bayes model (see textmodel.py) on the rows of
CLEAN_CSV whose split is "train", measures it on the "test" rows, prints

    baseline: 0.444 (majority class 'negative')
    accuracy: 0.873 (n=81)

and writes MODEL_JSON (the model, with its accuracy and training-set size)
and metrics.json in the same folder.
"""

import json
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the checkout clean: no __pycache__ next to the tasks
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textmodel import NaiveBayes, accuracy, die, read_clean_csv  # noqa: E402


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s CLEAN_CSV MODEL_JSON\n" % argv[0])
        return 2
    src, dst = argv[1], argv[2]
    started = time.time()
    rows = read_clean_csv(src)
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    if not train:
        die("%s has no training rows" % src)
    if not test:
        die("%s has no test rows" % src)

    model = NaiveBayes(alpha=1.0).fit([r["text"] for r in train], [r["label"] for r in train])

    counts = {}
    for r in train:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    majority = max(sorted(counts), key=lambda k: counts[k])
    baseline = accuracy((majority, r["label"]) for r in test)
    acc = accuracy((model.predict(r["text"]), r["label"]) for r in test)

    print("training rows: %d (%s)" % (len(train), ", ".join("%s=%d" % (k, counts[k]) for k in sorted(counts))))
    print("vocabulary: %d features" % len(model.vocabulary))
    print("baseline: %.3f (majority class %r)" % (baseline, majority))
    print("accuracy: %.3f (n=%d)" % (acc, len(test)))

    metrics = {
        "accuracy": round(acc, 4),
        "baseline_accuracy": round(baseline, 4),
        "majority_class": majority,
        "test_size": len(test),
        "train_size": len(train),
        "train_class_counts": counts,
        "vocabulary_size": len(model.vocabulary),
        "algorithm": "multinomial naive Bayes, Laplace smoothing (alpha=1)",
        "seconds": round(time.time() - started, 3),
    }
    model.meta = {k: metrics[k] for k in
                  ("accuracy", "baseline_accuracy", "test_size", "train_size", "vocabulary_size", "algorithm")}

    out_dir = os.path.dirname(os.path.abspath(dst))
    os.makedirs(out_dir, exist_ok=True)
    tmp = dst + ".tmp"
    model.save(tmp)
    os.replace(tmp, dst)
    metrics_path = os.path.join(out_dir, "metrics.json")
    with open(metrics_path, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote %s and %s" % (dst, metrics_path))
    if acc <= baseline:
        sys.stderr.write("warning: the model does no better than the majority-class baseline\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
