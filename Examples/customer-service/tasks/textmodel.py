"""Shared text-classification code for the customer-service example.

Standard library only.  Provides:

* ``tokenize(text)``: lower-cased word tokens, with simple negation marking
  ("not happy" -> "not", "NOT_happy") and adjacent-word bigrams;
* ``NaiveBayes``: a multinomial naive Bayes classifier with Laplace (add-alpha)
  smoothing, computed in log-probabilities, with ``fit``, ``predict``,
  ``predict_scores``, ``to_json`` and ``from_json``;
* ``read_clean_csv(path)``: the rows written by ``clean.py``.
"""

import csv
import json
import math
import re
import sys

MODEL_FORMAT = "sluice-example/naive-bayes/v1"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NEGATIONS = {"not", "no", "never", "nobody", "nothing", "cannot", "can't", "don't", "doesn't",
              "didn't", "isn't", "wasn't", "won't", "hasn't", "haven't", "couldn't", "without"}
_CLAUSE_END = re.compile(r"[.,;:!?]")


def tokenize(text):
    """Split ``text`` into features: words, negated words and bigrams.

    Words following a negation word up to the next punctuation mark get a
    ``NOT_`` prefix, so "not happy" and "happy" are different features.
    """
    features = []
    for clause in _CLAUSE_END.split(text.lower()):
        words = _WORD.findall(clause)
        negated = False
        marked = []
        for w in words:
            if w in _NEGATIONS:
                negated = True
                marked.append(w)
            else:
                marked.append("NOT_" + w if negated else w)
        features.extend(marked)
        features.extend(a + " " + b for a, b in zip(words, words[1:]))
    return features


class NaiveBayes(object):
    """Multinomial naive Bayes with add-``alpha`` smoothing."""

    def __init__(self, alpha=1.0):
        self.alpha = float(alpha)
        self.labels = []            # sorted class names
        self.log_prior = {}         # label -> log P(label)
        self.log_likelihood = {}    # label -> {feature: log P(feature | label)}
        self.log_unseen = {}        # label -> log P(feature never seen with label | label)
        self.vocabulary = set()
        self.meta = {}              # free-form information stored with the model

    # -- training ---------------------------------------------------------
    def fit(self, texts, labels):
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if not texts:
            raise ValueError("cannot fit on an empty training set")
        doc_count = {}
        feature_count = {}
        for text, label in zip(texts, labels):
            doc_count[label] = doc_count.get(label, 0) + 1
            counts = feature_count.setdefault(label, {})
            for f in tokenize(text):
                counts[f] = counts.get(f, 0) + 1
        self.labels = sorted(doc_count)
        self.vocabulary = set()
        for counts in feature_count.values():
            self.vocabulary.update(counts)
        v = len(self.vocabulary)
        n = float(len(texts))
        self.log_prior = {}
        self.log_likelihood = {}
        self.log_unseen = {}
        for label in self.labels:
            counts = feature_count.get(label, {})
            denom = sum(counts.values()) + self.alpha * v
            self.log_prior[label] = math.log(doc_count[label] / n)
            self.log_unseen[label] = math.log(self.alpha / denom)
            self.log_likelihood[label] = {
                f: math.log((c + self.alpha) / denom) for f, c in counts.items()}
        return self

    # -- inference --------------------------------------------------------
    def log_scores(self, text):
        """Unnormalised log P(label, text) for every label."""
        if not self.labels:
            raise ValueError("model is not trained")
        feats = [f for f in tokenize(text) if f in self.vocabulary]
        scores = {}
        for label in self.labels:
            ll = self.log_likelihood[label]
            unseen = self.log_unseen[label]
            scores[label] = self.log_prior[label] + sum(ll.get(f, unseen) for f in feats)
        return scores

    def predict_scores(self, text):
        """Posterior probabilities P(label | text), summing to 1."""
        scores = self.log_scores(text)
        top = max(scores.values())
        exp = {k: math.exp(s - top) for k, s in scores.items()}
        total = sum(exp.values())
        return {k: e / total for k, e in exp.items()}

    def predict(self, text):
        scores = self.log_scores(text)
        # ties are broken by label name, so predictions are deterministic
        return max(self.labels, key=lambda k: (scores[k], k))

    # -- persistence ------------------------------------------------------
    def to_json(self):
        return {
            "format": MODEL_FORMAT,
            "alpha": self.alpha,
            "labels": self.labels,
            "log_prior": self.log_prior,
            "log_unseen": self.log_unseen,
            "log_likelihood": {k: dict(sorted(v.items())) for k, v in self.log_likelihood.items()},
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data):
        if data.get("format") != MODEL_FORMAT:
            raise ValueError("not a %s model (format=%r)" % (MODEL_FORMAT, data.get("format")))
        m = cls(alpha=data["alpha"])
        m.labels = list(data["labels"])
        m.log_prior = {k: float(v) for k, v in data["log_prior"].items()}
        m.log_unseen = {k: float(v) for k, v in data["log_unseen"].items()}
        m.log_likelihood = {k: {f: float(x) for f, x in v.items()}
                            for k, v in data["log_likelihood"].items()}
        m.vocabulary = set()
        for v in m.log_likelihood.values():
            m.vocabulary.update(v)
        m.meta = dict(data.get("meta", {}))
        return m

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=1, sort_keys=True)
            f.write("\n")

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_json(json.load(f))


def read_clean_csv(path):
    """Rows of a CSV written by clean.py: dicts with id, text, label, split."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        die("input file not found: %s" % path)
    if rows and not {"text", "label", "split"} <= set(rows[0]):
        die("%s: expected columns id,text,label,split (is it the output of clean.py?)" % path)
    return rows


def accuracy(pairs):
    """Fraction of (predicted, actual) pairs that agree."""
    pairs = list(pairs)
    return sum(1 for p, a in pairs if p == a) / float(len(pairs)) if pairs else 0.0


def die(message, code=1):
    sys.stderr.write("error: %s\n" % message)
    sys.exit(code)
