#!/usr/bin/env python3
"""TfIdfVectorizer through `modelc run`, against a numpy reference of the
ONNX definition.

TfIdfImporter.cpp counts the pool's n-grams with constant gathers and
comparisons. The cases cover 1-D and batched int32 and int64 tokens,
unigrams with bigrams and trigrams, skips beyond the row length, a pool
whose lengths below min_gram_length are not counted, output positions that
are not the pool order, the IDF and TFIDF modes with weights, and the
refusal of weights with a permuted ngram_indexes.

usage: tfidf_vectorizer.py --modelc BIN     (prints "N passed, M failed")
"""

import os
import sys

import numpy as np
from onnx import helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)


def split_pool(pool, counts):
    grams = []
    for n in range(1, len(counts) + 1):
        end = counts[n] if n < len(counts) else len(pool)
        flat = pool[counts[n - 1]:end]
        grams += [tuple(flat[i:i + n]) for i in range(0, len(flat), n)]
    return grams


def tfidf_reference(x, attrs):
    grams = split_pool(attrs["pool_int64s"], attrs["ngram_counts"])
    position = {g: i for i, g in enumerate(grams)}
    indexes = attrs["ngram_indexes"]
    rows = x.reshape(-1, x.shape[-1])
    out = np.zeros((len(rows), max(indexes) + 1), np.float32)
    for r, row in enumerate(rows):
        counts = np.zeros(len(grams))
        for n in range(attrs["min_gram_length"], attrs["max_gram_length"] + 1):
            for skip in range(0, 1 if n == 1 else attrs["max_skip_count"] + 1):
                step = skip + 1
                for i in range(len(row) - (n - 1) * step):
                    gram = tuple(int(t) for t in row[i:i + (n - 1) * step + 1:step])
                    if gram in position:
                        counts[position[gram]] += 1
        mode = attrs.get("mode", "TF")
        weights = attrs.get("weights", [1.0] * len(grams))
        if mode == "IDF":
            counts = np.minimum(counts, 1) * weights
        elif mode == "TFIDF":
            counts = counts * weights
        for j, index in enumerate(indexes):
            out[r, index] = counts[j]
    return out.reshape(x.shape[:-1] + (out.shape[-1],))


CASES = [
    # (tokens, attributes)
    (np.array([1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8], np.int32),
     dict(mode="TF", min_gram_length=1, max_gram_length=2, max_skip_count=0,
          ngram_counts=[0, 4], ngram_indexes=[6, 5, 4, 3, 2, 1, 0],
          pool_int64s=[2, 3, 5, 4, 5, 6, 7, 8, 6, 7])),
    (np.array([[1, 2, 3, 1, 2, 3, 1, 2], [3, 3, 2, 1, 1, 2, 3, 3]], np.int64),
     dict(mode="TF", min_gram_length=2, max_gram_length=3, max_skip_count=2,
          ngram_counts=[0, 2, 6], ngram_indexes=list(range(5)),
          pool_int64s=[1, 2, 1, 2, 2, 3, 3, 1, 2])),
    (np.array([[4, 4, 5], [5, 4, 4]], np.int32),
     dict(min_gram_length=1, max_gram_length=2, max_skip_count=9,
          ngram_counts=[0, 2], ngram_indexes=[0, 1, 2], mode="TFIDF",
          weights=[0.5, 2.0, 3.0], pool_int64s=[4, 5, 4, 4])),
    (np.array([7, 7, 9, 1, 7], np.int64),
     dict(min_gram_length=1, max_gram_length=1, max_skip_count=0,
          ngram_counts=[0], ngram_indexes=[0, 1, 2], mode="IDF",
          weights=[0.25, 4.0, 1.5], pool_int64s=[7, 9, 3])),
]


def check(modelc, work, report):
    for index, (x, attrs) in enumerate(CASES):
        want = tfidf_reference(x, attrs)
        node = helper.make_node("TfIdfVectorizer", ["x"], ["y"], name="tfidf",
                                **attrs)
        label = (f"TfIdfVectorizer {list(x.shape)} {x.dtype} "
                 f"{attrs.get('mode', 'TF')} grams {attrs['min_gram_length']}-"
                 f"{attrs['max_gram_length']} skip {attrs['max_skip_count']}")
        check_one_node(report, label, modelc, os.path.join(work, f"c{index}"),
                       node, {"x": x}, [want], ["y"], 9)

    attrs = dict(CASES[2][1], ngram_indexes=[2, 1, 0])
    node = helper.make_node("TfIdfVectorizer", ["x"], ["y"], name="tfidf",
                            **attrs)
    proc, _ = run_one_node(modelc, os.path.join(work, "refused"), node,
                           {"x": CASES[2][0]}, [(2, 3)], 9)
    report(refused_with(proc, "node 'tfidf' (TfIdfVectorizer)",
                        "weights are supported with one per n-gram and "
                        "ngram_indexes 0, 1, 2, ... only"),
           "weights with permuted ngram_indexes refused", proc.stderr.strip())


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "tfidf_", check))
