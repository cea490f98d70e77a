#!/usr/bin/env python3
"""RoiAlign through `modelc run`, against a numpy reference of the ONNX
formula (written as onnxruntime's loops are).

RoiAlignImporter.cpp writes the op as a gather of each roi's image, a
bilinear grid sample and an average pool. The cases cover both coordinate
modes, opset 10's legacy mode with rois under one pixel, several batches,
a spatial scale, sampling ratios 1 to 3, and rois that reach more than a
pixel past the image (those samples read 0); adaptive sampling and max
mode are refused.

usage: roi_align.py --modelc BIN     (prints "N passed, M failed")
"""

import math
import os
import sys

import numpy as np
from onnx import helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)


def bilinear(image, y, x):
    height, width = image.shape[-2:]
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return np.zeros(image.shape[:-2])
    y, x = max(y, 0.0), max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_low = y_high = height - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_low = x_high = width - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    return (hy * hx * image[..., y_low, x_low] + hy * lx * image[..., y_low, x_high]
            + ly * hx * image[..., y_high, x_low] + ly * lx * image[..., y_high, x_high])


def roi_align_reference(x, rois, batch, out_h, out_w, ratio, scale, half_pixel):
    x = x.astype(np.float64)
    result = np.zeros((len(rois), x.shape[1], out_h, out_w))
    offset = 0.5 if half_pixel else 0.0
    for r, (x1, y1, x2, y2) in enumerate(rois.astype(np.float64)):
        start_w, start_h = x1 * scale - offset, y1 * scale - offset
        roi_w, roi_h = x2 * scale - offset - start_w, y2 * scale - offset - start_h
        if not half_pixel:
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        bin_h, bin_w = roi_h / out_h, roi_w / out_w
        for ph in range(out_h):
            for pw in range(out_w):
                total = 0.0
                for iy in range(ratio):
                    yy = start_h + ph * bin_h + (iy + 0.5) * bin_h / ratio
                    for ix in range(ratio):
                        xx = start_w + pw * bin_w + (ix + 0.5) * bin_w / ratio
                        total = total + bilinear(x[batch[r]], yy, xx)
                result[r, :, ph, pw] = total / (ratio * ratio)
    return result.astype(np.float32)


CASES = [
    # (X shape, rois, batch_indices, out_h, out_w, ratio, scale, mode, opset)
    ((1, 2, 10, 10), [[0, 0, 9, 9], [2, 3, 7, 4]], [0, 0], 3, 4, 2, 1.0,
     "half_pixel", 16),
    ((2, 3, 8, 12), [[1, 1, 10, 6], [-3, -2, 5, 3], [6, 4, 15, 11]],
     [1, 0, 1], 2, 3, 3, 1.0, "output_half_pixel", 16),
    ((1, 1, 16, 16), [[4, 4, 28, 20], [0, 0, 31, 31]], [0, 0], 4, 4, 1, 0.5,
     "half_pixel", 16),
    ((2, 1, 6, 6), [[1.2, 1.1, 1.5, 1.4], [0, 0, 5, 5]], [1, 0], 2, 2, 2, 1.0,
     None, 10),
]


def check(modelc, work, report):
    rng = np.random.default_rng(7)
    for index, (shape, rois, batch, out_h, out_w, ratio, scale, mode,
                opset) in enumerate(CASES):
        x = rng.standard_normal(shape).astype(np.float32)
        rois = np.array(rois, np.float32)
        batch = np.array(batch, np.int64)
        half_pixel = mode == "half_pixel"
        want = roi_align_reference(x, rois, batch, out_h, out_w, ratio, scale,
                                   half_pixel)
        attributes = dict(output_height=out_h, output_width=out_w,
                          sampling_ratio=ratio, spatial_scale=scale)
        if mode:
            attributes["coordinate_transformation_mode"] = mode
        node = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"],
                                name="roi", **attributes)
        label = (f"RoiAlign {shape} {len(rois)} rois {out_h}x{out_w} ratio "
                 f"{ratio} scale {scale} {mode or 'opset 10'}")
        check_one_node(report, label, modelc, os.path.join(work, f"c{index}"),
                       node, {"x": x, "rois": rois, "batch": batch}, [want],
                       ["y"], opset)

    x = np.zeros((1, 1, 4, 4), np.float32)
    rois = np.array([[0, 0, 3, 3]], np.float32)
    batch = np.zeros(1, np.int64)
    for index, (attributes, message) in enumerate([
            ({"sampling_ratio": 0}, "sampling_ratio 0 (adaptive"),
            ({"sampling_ratio": 2, "mode": "max"}, "mode 'max' is not supported")]):
        node = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"],
                                name="roi", **attributes)
        proc, _ = run_one_node(modelc, os.path.join(work, f"r{index}"), node,
                               {"x": x, "rois": rois, "batch": batch},
                               [(1, 1, 1, 1)], 16)
        report(refused_with(proc, "node 'roi' (RoiAlign)", message),
               f"RoiAlign {attributes} refused", proc.stderr.strip())


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "roi_align_", check))
