#!/usr/bin/env python3
"""NonMaxSuppression and Unique through `modelc run`, against numpy.

Both select as many rows as their data decides, so `modelc run` freezes
their inputs and the importer evaluates them (SelectionImporters.cpp). The
NMS cases are random boxes in both box formats, with flipped corners,
repeated scores (ties keep box order), several batches and classes, a
score threshold, a limit of 0 and an all-suppressing IoU threshold; the
Unique cases cover sorted and first-seen order, with and without an axis,
floats and int64. A graph whose boxes are a run-time value is refused.

usage: selection_ops.py --modelc BIN     (prints "N passed, M failed")
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)


def corners(box, center):
    if center:
        x, y, w, h = box
        return y - h / 2, x - w / 2, y + h / 2, x + w / 2
    y1, x1, y2, x2 = box
    return min(y1, y2), min(x1, x2), max(y1, y2), max(x1, x2)


def overlaps(a, b, threshold):
    """IoU > threshold, in float32 as onnxruntime computes it."""
    a, b = np.float32(a), np.float32(b)
    height = max(np.float32(0), min(a[2], b[2]) - max(a[0], b[0]))
    width = max(np.float32(0), min(a[3], b[3]) - max(a[1], b[1]))
    inter = np.float32(height * width)
    if inter <= 0:
        return False
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    if area_a <= 0 or area_b <= 0 or union <= 0:
        return False
    return inter / union > np.float32(threshold)


def nms_reference(boxes, scores, limit, iou, score, center):
    rows = []
    for b in range(boxes.shape[0]):
        for c in range(scores.shape[1]):
            s = scores[b, c]
            order = [i for i in np.argsort(-s, kind="stable")
                     if score is None or s[i] > np.float32(score)]
            kept = []
            for i in order:
                if len(kept) >= limit:
                    break
                box = np.array(corners(boxes[b, i], center), np.float32)
                if any(overlaps(box, k, iou) for k in kept):
                    continue
                kept.append(box)
                rows.append([b, c, i])
    return np.array(rows, np.int64).reshape(-1, 3)


def unique_reference(x, axis, sorted_):
    if axis is None:
        flat = x.reshape(-1)
        keys = [(v,) for v in flat.tolist()]
    else:
        moved = np.moveaxis(x, axis, 0)
        keys = [tuple(s.reshape(-1).tolist()) for s in moved]
    first = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    uniques = sorted(first) if sorted_ else list(first)
    position = {k: p for p, k in enumerate(uniques)}
    indices = np.array([first[k] for k in uniques], np.int64)
    inverse = np.array([position[k] for k in keys], np.int64)
    counts = np.array([keys.count(k) for k in uniques], np.int64)
    y = np.take(x.reshape(-1) if axis is None else x, indices,
                axis=0 if axis is None else axis)
    return [y, indices, inverse, counts]


NMS_CASES = [
    # (batches, classes, boxes, limit, iou, score or None, center_point_box)
    (1, 1, 12, 5, 0.5, None, 0),
    (2, 3, 10, 4, 0.3, 0.2, 0),
    (1, 2, 16, 16, 0.45, 0.0, 1),
    (1, 1, 8, 0, 0.5, None, 0),
    (1, 1, 8, 8, 0.0, None, 0),
]

UNIQUE_CASES = [
    # (array, axis or None, sorted)
    (np.array([3, 1, 3, 2, 1, 7], np.float32), None, 1),
    (np.array([3, 1, 3, 2, 1, 7], np.float32), None, 0),
    (np.array([[1, 2], [0, 5], [1, 2], [0, 4]], np.int64), 0, 1),
    (np.array([[[1, 0], [1, 0]], [[2, 3], [2, 3]]], np.float32), -1, 1),
    (np.array([[5, 5, 1], [5, 5, 1]], np.int64), 1, 0),
]


def check(modelc, work, report):
    rng = np.random.default_rng(3)
    for index, (batches, classes, count, limit, iou, score,
                center) in enumerate(NMS_CASES):
        origin = rng.uniform(0, 4, (batches, count, 2))
        size = rng.uniform(0.5, 2, (batches, count, 2))
        if center:
            boxes = np.concatenate([origin, size], axis=-1)
        else:
            boxes = np.concatenate([origin, origin + size], axis=-1)
            boxes[:, ::3] = boxes[:, ::3][..., [2, 3, 0, 1]]  # flipped corners
        boxes = boxes.astype(np.float32)
        scores = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9], (batches, classes, count))
        scores = scores.astype(np.float32)
        want = nms_reference(boxes, scores, limit, iou, score, center)
        inputs = {"boxes": boxes, "scores": scores,
                  "limit": np.array([limit], np.int64),
                  "iou": np.array([iou], np.float32),
                  "score": None if score is None else np.array([score], np.float32)}
        node = helper.make_node(
            "NonMaxSuppression",
            ["boxes", "scores", "limit", "iou", "score" if score is not None else ""],
            ["selected"], name="nms", center_point_box=center)
        label = (f"NMS {batches}x{classes}x{count} limit {limit} iou {iou} "
                 f"score {score} center {center}: {len(want)} selected")
        check_one_node(report, label, modelc, os.path.join(work, f"n{index}"),
                       node, inputs, [want], ["selected"], 11,
                       [TensorProto.INT64])

    for index, (x, axis, sorted_) in enumerate(UNIQUE_CASES):
        want = unique_reference(x, None if axis is None else axis % x.ndim,
                                sorted_)
        attributes = {"sorted": sorted_}
        if axis is not None:
            attributes["axis"] = axis
        node = helper.make_node("Unique", ["x"],
                                ["y", "indices", "inverse", "counts"],
                                name="unique", **attributes)
        element = TensorProto.FLOAT if x.dtype == np.float32 else TensorProto.INT64
        label = f"Unique {list(x.shape)} {x.dtype} axis {axis} sorted {sorted_}"
        check_one_node(report, label, modelc, os.path.join(work, f"u{index}"),
                       node, {"x": x}, want,
                       ["y", "indices", "inverse", "counts"], 11,
                       [element] + [TensorProto.INT64] * 3)

    # A run-time value as the boxes: Relu keeps it out of the shape operands.
    boxes = np.zeros((1, 2, 4), np.float32)
    relu = helper.make_node("Relu", ["raw"], ["boxes"], name="relu")
    nms = helper.make_node("NonMaxSuppression", ["boxes", "scores"],
                           ["selected"], name="nms")
    graph = helper.make_graph(
        [relu, nms], "g",
        [helper.make_tensor_value_info("raw", TensorProto.FLOAT, [1, 2, 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, 2])],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, [None, 3])])
    folder = os.path.join(work, "refused")
    os.makedirs(folder, exist_ok=True)
    import onnx
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 8
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    import subprocess
    proc = subprocess.run([modelc, "compile", path, "--target=c", "-o",
                           os.path.join(folder, "out")],
                          capture_output=True, text=True)
    report(refused_with(proc, "node 'nms' (NonMaxSuppression)",
                        "depends on the boxes and scores"),
           "NMS of run-time boxes refused", proc.stderr.strip())


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "selection_", check))
