#!/usr/bin/env python3
"""Resize's tf_crop_and_resize with a run-time roi through `modelc run`,
against a numpy reference of the ONNX formula.

The roi decides no shape, so `modelc run` leaves it an input, and the
importer writes the linear crop separably as graph ops (ShapeImporters.cpp,
importCropAndResize). The cases cover a crop reaching past the image (those
positions give extrapolation_value), a roi that also crops the channel axis,
a rank-3 input and an output of one position on an axis; nearest mode with
a run-time roi is refused.

onnxruntime 1.30 agrees where every axis the roi crops is also resized
(within 1.6e-7 of the largest output); it leaves an axis whose size does not
change uncropped whatever its roi, and refuses a roi on the batch and
channel axes. modelc follows the ONNX formula on every axis.

usage: crop_and_resize.py --modelc BIN     (prints "N passed, M failed")
"""

import itertools
import os
import sys

import numpy as np
from onnx import helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)


def crop_reference(x, roi, sizes, extrapolation):
    rank = x.ndim
    positions = []
    for d in range(rank):
        start, end, last = roi[d], roi[rank + d], x.shape[d] - 1
        if sizes[d] > 1:
            positions.append([start * last + i * (end - start) * last / (sizes[d] - 1)
                              for i in range(sizes[d])])
        else:
            positions.append([0.5 * (start + end) * last])
    out = np.zeros(sizes, np.float64)
    for index in itertools.product(*[range(s) for s in sizes]):
        point = [positions[d][i] for d, i in enumerate(index)]
        if any(p < 0 or p > x.shape[d] - 1 for d, p in enumerate(point)):
            out[index] = extrapolation
            continue
        value = 0.0
        # Multilinear: the 2^rank corners around the point.
        for corner in itertools.product((0, 1), repeat=rank):
            weight, at = 1.0, []
            for d, (p, c) in enumerate(zip(point, corner)):
                low = int(np.floor(p))
                high = min(low + 1, x.shape[d] - 1)
                frac = p - low
                weight *= frac if c else 1.0 - frac
                at.append(high if c else low)
            value += weight * x[tuple(at)]
        out[index] = value
    return out.astype(np.float32)


CASES = [
    # (X shape, roi, sizes, extrapolation_value)
    ((1, 2, 6, 5), [0, 0, 0.2, -0.1, 1, 1, 0.9, 1.3], [1, 2, 4, 6], 10.0),
    ((1, 1, 4, 5), [0, 0, 0.1, -0.2, 1, 1, 0.7, 1.1], [1, 1, 3, 5], 7.0),
    ((2, 3, 4, 4), [0, 0.5, 0.1, 0.1, 1, 1, 0.8, 0.9], [2, 2, 3, 3], -1.0),
    ((3, 5, 7), [0.1, 0, 0.3, 0.7, 1, 0.6], [1, 4, 2], 0.0),
]


def check(modelc, work, report):
    rng = np.random.default_rng(13)
    for index, (shape, roi, sizes, extrapolation) in enumerate(CASES):
        x = rng.standard_normal(shape).astype(np.float32)
        roi = np.array(roi, np.float32)
        want = crop_reference(x.astype(np.float64), roi.astype(np.float64),
                              sizes, extrapolation)
        node = helper.make_node(
            "Resize", ["x", "roi", "", "sizes"], ["y"], name="resize",
            mode="linear", coordinate_transformation_mode="tf_crop_and_resize",
            extrapolation_value=extrapolation)
        inputs = {"x": x, "roi": roi, "sizes": np.array(sizes, np.int64)}
        label = f"crop_and_resize {shape} -> {sizes} roi {np.round(roi, 2).tolist()}"
        check_one_node(report, label, modelc, os.path.join(work, f"c{index}"),
                       node, inputs, [want], ["y"], 13)

    node = helper.make_node(
        "Resize", ["x", "roi", "", "sizes"], ["y"], name="resize",
        mode="nearest", coordinate_transformation_mode="tf_crop_and_resize")
    proc, _ = run_one_node(modelc, os.path.join(work, "refused"), node,
                           {"x": np.zeros((1, 1, 4, 4), np.float32),
                            "roi": np.array([0, 0, 0, 0, 1, 1, 1, 1], np.float32),
                            "sizes": np.array([1, 1, 2, 2], np.int64)},
                           [(1, 1, 2, 2)], 13)
    proc.stderr = "".join(line for line in proc.stderr.splitlines(True)
                          if not line.startswith("modelc: froze"))
    report(refused_with(proc, "node 'resize' (Resize)",
                        "roi must be a compile-time constant"),
           "nearest crop with a run-time roi refused", proc.stderr.strip())


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "crop_", check))
