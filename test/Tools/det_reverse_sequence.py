#!/usr/bin/env python3
"""Det and ReverseSequence through `modelc run`, against numpy.

Det is expanded at import by the Leibniz formula (DeterminantImporter.cpp):
the cases cover 1 x 1 to 4 x 4 matrices, with and without batch
dimensions, and the refusal of a 5 x 5. ReverseSequence computes its gather
indices in the graph from a run-time sequence_lens (GatherScatterImporters.cpp):
both axis orders, a rank-3 input, int32 lengths, lengths of 0, 1 and the
full length.

usage: det_reverse_sequence.py --modelc BIN     (prints "N passed, M failed")
"""

import os
import sys

import numpy as np
from onnx import helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)

DET_SHAPES = [(1, 1), (3, 3), (4, 4), (2, 3, 3), (2, 2, 4, 4)]


def reverse_reference(x, lens, time_axis, batch_axis):
    y = x.copy()
    for b, n in enumerate(lens):
        index = [slice(None)] * x.ndim
        index[batch_axis] = b
        index[time_axis] = slice(0, n)
        y[tuple(index)] = np.flip(x[tuple(index)], axis=time_axis - (batch_axis < time_axis))
    return y


REVERSE_CASES = [
    # (shape, time_axis, batch_axis, lens)
    ((5, 3), 0, 1, [5, 0, 2]),
    ((3, 6), 1, 0, [1, 6, 4]),
    ((4, 2, 3), 0, 1, [3, 4]),
    ((2, 5, 3), 1, 0, np.array([5, 2], np.int32)),
]


def check(modelc, work, report):
    rng = np.random.default_rng(5)
    for index, shape in enumerate(DET_SHAPES):
        x = rng.standard_normal(shape).astype(np.float32)
        want = np.linalg.det(x.astype(np.float64))
        node = helper.make_node("Det", ["x"], ["y"], name="det")
        check_one_node(report, f"Det {shape}", modelc,
                       os.path.join(work, f"d{index}"), node, {"x": x},
                       [want], ["y"], 11)

    node = helper.make_node("Det", ["x"], ["y"], name="det")
    proc, _ = run_one_node(modelc, os.path.join(work, "d5"), node,
                           {"x": np.eye(5, dtype=np.float32)}, [()], 11)
    report(refused_with(proc, "node 'det' (Det)",
                        "matrices of 5 x 5 are not supported"),
           "Det 5 x 5 refused", proc.stderr.strip())

    for index, (shape, time_axis, batch_axis, lens) in enumerate(REVERSE_CASES):
        x = rng.standard_normal(shape).astype(np.float32)
        lens = np.asarray(lens)
        lens = lens if lens.dtype == np.int32 else lens.astype(np.int64)
        want = reverse_reference(x, lens, time_axis, batch_axis)
        node = helper.make_node("ReverseSequence", ["x", "lens"], ["y"],
                                name="reverse", time_axis=time_axis,
                                batch_axis=batch_axis)
        label = (f"ReverseSequence {shape} time {time_axis} lens "
                 f"{lens.tolist()} {lens.dtype}")
        check_one_node(report, label, modelc, os.path.join(work, f"r{index}"),
                       node, {"x": x, "lens": lens}, [want], ["y"], 10)


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "det_reverse_", check))
