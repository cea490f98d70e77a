#!/usr/bin/env python3
"""MaxPool's Indices output through `modelc run`, against numpy.

modelc computes Indices with graph ops (MaxPoolIndices.cpp). The reference
walks each window directly: the first maximum in window order wins, and the
index is row-major over the whole input (H and W swapped for
storage_order=1). The cases cover pads, strides, dilations, ceil mode, 1-D
pools, storage order, and ties (integers in a small range). When written,
the same cases matched onnxruntime exactly.

usage: max_pool_indices.py --modelc BIN     (prints "N passed, M failed")
"""

import itertools
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper

from one_node_model import check_one_node, main_with_cases


def reference(x, attrs):
    spatial = x.ndim - 2
    k = attrs["kernel_shape"]
    s = attrs.get("strides", [1] * spatial)
    d = attrs.get("dilations", [1] * spatial)
    p = attrs.get("pads", [0] * 2 * spatial)
    outs = []
    for a in range(spatial):
        room = x.shape[2 + a] + p[a] + p[a + spatial] - ((k[a] - 1) * d[a] + 1)
        n = (math.ceil(room / s[a]) if attrs.get("ceil_mode") else room // s[a]) + 1
        if attrs.get("ceil_mode") and (n - 1) * s[a] >= x.shape[2 + a] + p[a]:
            n -= 1
        outs.append(n)
    y = np.zeros(x.shape[:2] + tuple(outs), x.dtype)
    idx = np.zeros(y.shape, np.int64)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for o in itertools.product(*[range(m) for m in outs]):
            best, where = -np.inf, None
            for t in itertools.product(*[range(m) for m in k]):
                pos = [o[a] * s[a] - p[a] + t[a] * d[a] for a in range(spatial)]
                if any(q < 0 or q >= x.shape[2 + a] for a, q in enumerate(pos)):
                    continue
                v = x[(n, c) + tuple(pos)]
                if v > best:
                    best, where = v, pos
            y[(n, c) + o] = best
            dims = list(x.shape[2:])
            if attrs.get("storage_order") and spatial == 2:
                flat = where[1] * dims[0] + where[0]
            else:
                flat = np.ravel_multi_index(tuple(where), dims)
            idx[(n, c) + o] = (n * x.shape[1] + c) * int(np.prod(dims)) + flat
    return y, idx


CASES = [
    (dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), (2, 3, 7, 6)),
    (dict(kernel_shape=[2, 3], dilations=[2, 1], pads=[0, 1, 1, 0]), (1, 2, 6, 7)),
    (dict(kernel_shape=[3, 2], strides=[2, 2], ceil_mode=1), (1, 2, 6, 7)),
    (dict(kernel_shape=[2, 2], strides=[2, 1], storage_order=1), (1, 2, 5, 4)),
    (dict(kernel_shape=[3], strides=[2], pads=[1, 1]), (2, 2, 9)),
    (dict(kernel_shape=[2, 2], strides=[1, 1], ties=True), (1, 2, 5, 5)),
]


def check(modelc, work, report):
    rng = np.random.default_rng(9)
    for index, (attrs, shape) in enumerate(CASES):
        attrs = dict(attrs)
        ties = attrs.pop("ties", False)
        x = (rng.integers(0, 3, shape) if ties
             else rng.standard_normal(shape)).astype(np.float32)
        node = helper.make_node("MaxPool", ["x"], ["y", "i"], name="pool",
                                **attrs)
        check_one_node(report, f"MaxPool {attrs}{' ties' if ties else ''}",
                       modelc, os.path.join(work, str(index)), node, {"x": x},
                       list(reference(x, attrs)), ["Y", "Indices"], 12,
                       output_types=[TensorProto.FLOAT, TensorProto.INT64])


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "maxpool_indices_",
                             check))
