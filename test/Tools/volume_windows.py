#!/usr/bin/env python3
"""3-D Conv, ConvTranspose, MaxPool and AveragePool through `modelc run`, against numpy.

modelc writes them as 2-D graph ops (VolumeWindows.cpp): pools separably,
convolutions and transposed ones as sums over depth taps. The reference here
is direct: every output element reads its window in all three dimensions at
once, and a transposed convolution scatters every input element through the
whole kernel. The cases cover asymmetric pads, strides, dilations, groups,
auto_pad, ceil_mode, both count_include_pad settings, output_padding and
output_shape. (The same cases matched onnxruntime within 2.4e-7 of the
largest output when written.)

usage: volume_windows.py --modelc BIN     (prints "N passed, M failed")
"""

import itertools
import math
import os
import sys

import numpy as np
from onnx import helper

from one_node_model import check_one_node, main_with_cases


def resolve(attrs, spatial, kernel):
    """strides, dilations, begin pads, end pads, output sizes."""
    s = attrs.get("strides", [1, 1, 1])
    d = attrs.get("dilations", [1, 1, 1])
    pads = list(attrs.get("pads", [0] * 6))
    auto = attrs.get("auto_pad", "NOTSET")
    for a in range(3):
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            out = -(-spatial[a] // s[a])
            total = max(0, (out - 1) * s[a] + (kernel[a] - 1) * d[a] + 1 - spatial[a])
            small, large = total // 2, total - total // 2
            pads[a], pads[a + 3] = ((small, large) if auto == "SAME_UPPER"
                                    else (large, small))
    outs = []
    for a in range(3):
        span = (kernel[a] - 1) * d[a] + 1
        room = spatial[a] + pads[a] + pads[a + 3] - span
        n = (math.ceil(room / s[a]) if attrs.get("ceil_mode") else room // s[a]) + 1
        if attrs.get("ceil_mode") and (n - 1) * s[a] >= spatial[a] + pads[a]:
            n -= 1  # a last window starting in the end pad is dropped
        outs.append(n)
    return s, d, pads[:3], pads[3:], outs


def pool_reference(x, op, attrs):
    k = attrs["kernel_shape"]
    s, d, pb, pe, outs = resolve(attrs, x.shape[2:], k)
    y = np.zeros(x.shape[:2] + tuple(outs))
    for o in itertools.product(*[range(n) for n in outs]):
        positions = [[o[a] * s[a] - pb[a] + t * d[a] for t in range(k[a])]
                     for a in range(3)]
        valid = [[p for p in ps if 0 <= p < x.shape[2 + a]]
                 for a, ps in enumerate(positions)]
        window = x[:, :, valid[0]][:, :, :, valid[1]][:, :, :, :, valid[2]]
        if op == "MaxPool":
            y[(slice(None), slice(None)) + o] = window.max(axis=(2, 3, 4))
            continue
        if attrs.get("count_include_pad"):
            count = np.prod([sum(1 for p in ps if p < x.shape[2 + a] + pe[a])
                             for a, ps in enumerate(positions)])
        else:
            count = np.prod([len(v) for v in valid])
        y[(slice(None), slice(None)) + o] = window.sum(axis=(2, 3, 4)) / count
    return y


def conv_reference(x, w, b, attrs):
    k = w.shape[2:]
    s, d, pb, pe, outs = resolve(attrs, x.shape[2:], k)
    xp = np.pad(x.astype(np.float64),
                [(0, 0), (0, 0)] + [(pb[a], pe[a]) for a in range(3)])
    g = attrs.get("group", 1)
    m, cg = w.shape[0], w.shape[1]
    y = np.zeros((x.shape[0], m) + tuple(outs))
    for o in itertools.product(*[range(n) for n in outs]):
        idx = [o[a] * s[a] + np.arange(k[a]) * d[a] for a in range(3)]
        patch = xp[:, :, idx[0]][:, :, :, idx[1]][:, :, :, :, idx[2]]
        for f in range(m):
            group = f // (m // g)
            part = patch[:, group * cg:(group + 1) * cg]
            y[(slice(None), f) + o] = np.einsum("nczyx,czyx->n", part, w[f]) + b[f]
    return y


def conv_transpose_reference(x, w, b, attrs):
    """Scatters x[n, c, i] * w[c, m, k] to output i * s + k * d - pad."""
    k = w.shape[2:]
    s = attrs.get("strides", [1, 1, 1])
    d = attrs.get("dilations", [1, 1, 1])
    pads = list(attrs.get("pads", [0] * 6))
    g = attrs.get("group", 1)
    outs = []
    for a in range(3):
        full = (s[a] * (x.shape[2 + a] - 1) + attrs.get("output_padding", [0] * 3)[a]
                + (k[a] - 1) * d[a] + 1)
        auto = attrs.get("auto_pad", "NOTSET")
        if "output_shape" in attrs or auto in ("SAME_UPPER", "SAME_LOWER"):
            target = (attrs["output_shape"][a] if "output_shape" in attrs
                      else x.shape[2 + a] * s[a])
            total = full - target
            up = auto == "SAME_UPPER"
            pads[a] = total // 2 if up else total - total // 2
            pads[a + 3] = total - total // 2 if up else total // 2
        outs.append(full - pads[a] - pads[a + 3])
    cg, mg = x.shape[1] // g, w.shape[1]
    y = np.zeros((x.shape[0], mg * g) + tuple(outs))
    for i in itertools.product(*[range(n) for n in x.shape[2:]]):
        for t in itertools.product(*[range(n) for n in k]):
            o = [i[a] * s[a] + t[a] * d[a] - pads[a] for a in range(3)]
            if any(q < 0 or q >= outs[a] for a, q in enumerate(o)):
                continue
            for group in range(g):
                xs = x[(slice(None), slice(group * cg, (group + 1) * cg)) + i]
                ws = w[(slice(group * cg, (group + 1) * cg), slice(None)) + t]
                y[(slice(None), slice(group * mg, (group + 1) * mg)) + tuple(o)] += xs @ ws
    return y + b.reshape(1, -1, 1, 1, 1)


POOLS = [
    ("AveragePool", dict(kernel_shape=[3, 2, 3], strides=[2, 1, 2],
                         pads=[1, 0, 1, 1, 1, 0]), (1, 2, 5, 6, 7)),
    ("AveragePool", dict(kernel_shape=[3, 2, 3], strides=[2, 1, 2],
                         pads=[1, 0, 1, 1, 1, 0], count_include_pad=1),
     (1, 2, 5, 6, 7)),
    ("AveragePool", dict(kernel_shape=[2, 3, 2], strides=[2, 2, 2],
                         ceil_mode=1), (2, 1, 5, 6, 7)),
    ("AveragePool", dict(kernel_shape=[3, 3, 3], strides=[2, 2, 2],
                         auto_pad="SAME_UPPER"), (1, 2, 5, 6, 7)),
    ("MaxPool", dict(kernel_shape=[2, 2, 3], strides=[1, 2, 2],
                     dilations=[2, 1, 1], pads=[1, 1, 0, 0, 1, 1]),
     (1, 3, 6, 5, 7)),
    ("MaxPool", dict(kernel_shape=[3, 3, 3], strides=[2, 2, 2], ceil_mode=1,
                     pads=[1, 1, 1, 1, 1, 1]), (1, 2, 6, 6, 6)),
]
CONVS = [
    (dict(strides=[2, 1, 2], pads=[1, 0, 2, 2, 1, 0], dilations=[1, 2, 1],
          group=2), (2, 4, 6, 7, 8), (6, 2, 3, 2, 3)),
    (dict(auto_pad="SAME_LOWER", strides=[2, 2, 1]), (1, 3, 5, 6, 7),
     (4, 3, 2, 3, 3)),
]

TRANSPOSED = [
    (dict(strides=[2, 1, 2], pads=[1, 0, 0, 1, 1, 0], dilations=[1, 2, 1],
          group=2), (2, 4, 3, 4, 5), (4, 3, 2, 2, 3)),
    (dict(strides=[3, 2, 2], output_padding=[1, 0, 1]), (1, 2, 3, 3, 4),
     (2, 3, 3, 2, 2)),
    (dict(strides=[2, 2, 2], auto_pad="SAME_UPPER"), (1, 2, 3, 3, 4),
     (2, 2, 3, 3, 3)),
    (dict(strides=[2, 2, 1], output_shape=[8, 7, 6]), (1, 2, 3, 3, 4),
     (2, 2, 3, 2, 3)),
]


def check(modelc, work, report):
    rng = np.random.default_rng(3)
    runs = [(op, attrs, xs, None) for op, attrs, xs in POOLS]
    runs += [("Conv", attrs, xs, ws) for attrs, xs, ws in CONVS]
    runs += [("ConvTranspose", attrs, xs, ws) for attrs, xs, ws in TRANSPOSED]
    for index, (op, attrs, xs, ws) in enumerate(runs):
        inputs = {"x": rng.standard_normal(xs).astype(np.float32)}
        if ws:
            inputs["w"] = rng.standard_normal(ws).astype(np.float32)
            filters = (ws[1] * attrs.get("group", 1) if op == "ConvTranspose"
                       else ws[0])
            inputs["b"] = rng.standard_normal(filters).astype(np.float32)
            reference = (conv_transpose_reference if op == "ConvTranspose"
                         else conv_reference)
            want = reference(inputs["x"].astype(np.float64),
                             inputs["w"].astype(np.float64), inputs["b"], attrs)
        else:
            want = pool_reference(inputs["x"].astype(np.float64), op, attrs)
        node = helper.make_node(op, list(inputs), ["y"], name="window", **attrs)
        check_one_node(report, f"{op} {attrs}", modelc,
                       os.path.join(work, str(index)), node, inputs, [want],
                       ["y"], 13)


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "volume_", check))
