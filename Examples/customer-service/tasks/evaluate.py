#!/usr/bin/env python3
"""Evaluate the trained model on the held-out split.

usage: python3 tasks/evaluate.py MODEL_JSON CLEAN_CSV OUT_JSON

Predicts every "test" row of CLEAN_CSV with the model, prints accuracy and a
per-class precision / recall / F1 table plus the confusion matrix, and writes
all of it (and the misclassified messages) to OUT_JSON. The headline figures
(accuracy, macro F1, per-class precision / recall / F1) also go to
metrics.json next to OUT_JSON: the workflow declares that file under
`metrics:`, so Sluice keeps them and compares them between commits.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the checkout clean: no __pycache__ next to the tasks
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textmodel import NaiveBayes, die, read_clean_csv  # noqa: E402


def ratio(a, b):
    return a / float(b) if b else 0.0


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: %s MODEL_JSON CLEAN_CSV OUT_JSON\n" % argv[0])
        return 2
    model_path, data_path, dst = argv[1], argv[2], argv[3]
    try:
        model = NaiveBayes.load(model_path)
    except FileNotFoundError:
        die("model file not found: %s" % model_path)
    except (ValueError, KeyError) as e:
        die("%s is not a usable model: %s" % (model_path, e))
    test = [r for r in read_clean_csv(data_path) if r["split"] == "test"]
    if not test:
        die("%s has no test rows" % data_path)

    labels = sorted(set(model.labels) | {r["label"] for r in test})
    confusion = {a: {p: 0 for p in labels} for a in labels}   # actual -> predicted -> count
    errors = []
    for r in test:
        scores = model.predict_scores(r["text"])
        pred = max(sorted(scores), key=lambda k: scores[k])
        confusion[r["label"]][pred] += 1
        if pred != r["label"]:
            errors.append({"id": r["id"], "text": r["text"], "label": r["label"],
                           "predicted": pred, "confidence": round(scores[pred], 3)})

    per_class = {}
    for c in labels:
        tp = confusion[c][c]
        predicted = sum(confusion[a][c] for a in labels)
        actual = sum(confusion[c].values())
        p, r = ratio(tp, predicted), ratio(tp, actual)
        per_class[c] = {"precision": round(p, 4), "recall": round(r, 4),
                        "f1": round(ratio(2 * p * r, p + r), 4), "support": actual}
    correct = sum(confusion[c][c] for c in labels)
    acc = ratio(correct, len(test))
    macro_f1 = sum(v["f1"] for v in per_class.values()) / len(per_class)

    print("accuracy: %.3f (n=%d)" % (acc, len(test)))
    print("%-10s %9s %9s %9s %8s" % ("class", "precision", "recall", "f1", "support"))
    for c in labels:
        v = per_class[c]
        print("%-10s %9.3f %9.3f %9.3f %8d" % (c, v["precision"], v["recall"], v["f1"], v["support"]))
    print("macro f1: %.3f" % macro_f1)
    print("confusion (rows = actual, columns = predicted):")
    print("%-10s " % "" + " ".join("%9s" % c for c in labels))
    for a in labels:
        print("%-10s " % a + " ".join("%9d" % confusion[a][p] for p in labels))
    for e in errors[:5]:
        print("  misclassified %s as %s: %s" % (e["label"], e["predicted"], e["text"][:70]))

    report = {
        "model": model_path,
        "data": data_path,
        "test_size": len(test),
        "accuracy": round(acc, 4),
        "macro_f1": round(macro_f1, 4),
        "per_class": per_class,
        "confusion": confusion,
        "misclassified": errors,
        "training": model.meta,
    }
    out_dir = os.path.dirname(dst)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    metrics = {
        "accuracy": round(acc, 4),
        "macro_f1": round(macro_f1, 4),
        "per_class": {c: {k: v[k] for k in ("precision", "recall", "f1")} for c, v in per_class.items()},
    }
    with open(os.path.join(out_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote %s" % dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
