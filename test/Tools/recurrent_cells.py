#!/usr/bin/env python3
"""RNN, GRU and LSTM through `modelc run`, against a numpy reference.

Each case is a one-node model built with onnx.helper and run on the C
target, with every result the op has. The reference follows the ONNX
operator text directly, one batch entry at a time (a reverse pass reverses
each entry's sequence within its length), so it shares nothing with the
importer's unrolling (RecurrentImporters.cpp). The cases cover what the node
tests do not: reverse and bidirectional passes, sequence_lens shorter than
the input in both directions, the batch-major layout, clip, named
activations with alpha and beta, GRU's linear_before_reset, LSTM's
input_forget and peepholes, and missing optional operands; and nodes that
must be refused with one error line.
Outputs must match within 1e-4 of each output's largest magnitude.

usage: recurrent_cells.py --modelc BIN [--keep DIR]
       (prints "N passed, M failed"; --keep leaves each case's model, inputs
       and outputs in DIR/N, to run another runtime on them)
"""

import os
import sys

import numpy as np
from onnx import helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
DEFAULT_ACTIVATIONS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
                       "LSTM": ["Sigmoid", "Tanh", "Tanh"]}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation(name, alpha, beta):
    """The ONNX activation `name` with its parameters bound."""
    table = {
        "Relu": lambda x: np.maximum(x, 0),
        "Tanh": np.tanh,
        "Sigmoid": sigmoid,
        "Affine": lambda x: alpha * x + beta,
        "LeakyRelu": lambda x: np.where(x >= 0, x, alpha * x),
        "ThresholdedRelu": lambda x: np.where(x > alpha, x, 0),
        "ScaledTanh": lambda x: alpha * np.tanh(beta * x),
        "HardSigmoid": lambda x: np.clip(alpha * x + beta, 0, 1),
        "Elu": lambda x: np.where(x >= 0, x, alpha * (np.exp(x) - 1)),
        "Softsign": lambda x: x / (1 + np.abs(x)),
        "Softplus": lambda x: np.log1p(np.exp(x)),
    }
    return table[name]


# (alpha, beta) defaults, as the ONNX op of the same name has them.
PARAMS = {"Affine": (1.0, 0.0), "LeakyRelu": (0.01, None),
          "ThresholdedRelu": (1.0, None), "ScaledTanh": (1.0, 1.0),
          "HardSigmoid": (0.2, 0.5), "Elu": (1.0, None)}


def bind_activations(names, alphas, betas):
    result, a, b = [], list(alphas), list(betas)
    for name in names:
        da, db = PARAMS.get(name, (None, None))
        alpha = (a.pop(0) if a else da) if da is not None else 0.0
        beta = (b.pop(0) if b else db) if db is not None else 0.0
        result.append(activation(name, alpha, beta))
    return result


def reference(op, x, w, r, b, lens, h0, c0, p, attrs):
    """Y, Y_h (and Y_c) by the ONNX formulas, in float64."""
    layout = attrs.get("layout", 0)
    if layout == 1:
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    steps, batch, _ = x.shape
    dirs, gh, hidden = r.shape[0], r.shape[1], r.shape[2]
    direction = attrs.get("direction", "forward")
    names = attrs.get("activations",
                      DEFAULT_ACTIVATIONS[op] * dirs)
    per = len(DEFAULT_ACTIVATIONS[op])
    funcs = bind_activations(names, attrs.get("activation_alpha", []),
                             attrs.get("activation_beta", []))
    clip = attrs.get("clip")
    cl = (lambda v: np.clip(v, -clip, clip)) if clip is not None else (lambda v: v)
    lens = np.full(batch, steps) if lens is None else lens
    b = np.zeros((dirs, 2 * gh)) if b is None else b
    y = np.zeros((steps, dirs, batch, hidden))
    yh = np.zeros((dirs, batch, hidden))
    yc = np.zeros((dirs, batch, hidden))
    for d in range(dirs):
        f = funcs[d * per:(d + 1) * per]
        rev = direction == "reverse" or d == 1
        wb, rb = b[d, :gh], b[d, gh:]
        for n in range(batch):
            h = np.zeros(hidden) if h0 is None else h0[d, n].astype(np.float64)
            c = np.zeros(hidden) if c0 is None else c0[d, n].astype(np.float64)
            order = range(lens[n] - 1, -1, -1) if rev else range(lens[n])
            for t in order:
                xt = x[t, n].astype(np.float64)
                if op == "RNN":
                    h = f[0](cl(w[d] @ xt + r[d] @ h + wb + rb))
                elif op == "GRU":
                    H = hidden
                    xw, hr = w[d] @ xt + wb, r[d] @ h
                    z = f[0](cl(xw[:H] + hr[:H] + rb[:H]))
                    rr = f[0](cl(xw[H:2 * H] + hr[H:2 * H] + rb[H:2 * H]))
                    if attrs.get("linear_before_reset", 0):
                        cand = xw[2 * H:] + rr * (hr[2 * H:] + rb[2 * H:])
                    else:
                        cand = xw[2 * H:] + r[d][2 * H:] @ (rr * h) + rb[2 * H:]
                    hh = f[1](cl(cand))
                    h = (1 - z) * hh + z * h
                else:
                    H = hidden
                    g = w[d] @ xt + r[d] @ h + wb + rb
                    pi, po, pf = ((p[d, :H], p[d, H:2 * H], p[d, 2 * H:])
                                  if p is not None else (0, 0, 0))
                    i = f[0](cl(g[:H] + pi * c))
                    if attrs.get("input_forget", 0):
                        fg = 1 - i
                    else:
                        fg = f[0](cl(g[2 * H:3 * H] + pf * c))
                    cc = f[1](cl(g[3 * H:]))
                    c = fg * c + i * cc
                    o = f[0](cl(g[H:2 * H] + po * c))
                    h = o * f[2](c)
                y[t, d, n] = h
            yh[d, n], yc[d, n] = h, c
    if layout == 1:
        y = y.transpose(2, 0, 1, 3)
        yh, yc = yh.transpose(1, 0, 2), yc.transpose(1, 0, 2)
    return [y, yh, yc] if op == "LSTM" else [y, yh]


# (op, steps, batch, input, hidden, attributes, optional operands, lens)
CASES = [
    ("RNN", 4, 2, 3, 5, {"direction": "reverse"}, "BH", None),
    ("RNN", 5, 3, 2, 4, {"direction": "bidirectional"}, "B", [5, 2, 3]),
    ("RNN", 3, 2, 3, 4, {"activations": ["Relu"], "clip": 0.7}, "", None),
    ("GRU", 4, 2, 3, 5, {"linear_before_reset": 1}, "BH", None),
    ("GRU", 5, 3, 3, 4, {"direction": "reverse"}, "B", [5, 1, 3]),
    ("GRU", 3, 2, 4, 3, {"direction": "bidirectional", "layout": 1,
                         "linear_before_reset": 1}, "BH", [3, 2]),
    ("GRU", 3, 2, 2, 3, {"activations": ["HardSigmoid", "LeakyRelu"],
                         "activation_alpha": [0.3, 0.2],
                         "activation_beta": [0.4]}, "B", None),
    ("LSTM", 4, 2, 3, 5, {"direction": "reverse"}, "BHCP", [4, 2]),
    ("LSTM", 5, 3, 3, 4, {"direction": "bidirectional"}, "BHC", [5, 3, 1]),
    ("LSTM", 3, 2, 3, 4, {"layout": 1, "input_forget": 1}, "BHCP", None),
    ("LSTM", 3, 2, 2, 3, {"activations": ["Sigmoid", "ScaledTanh", "Softsign"],
                          "activation_alpha": [0.8], "activation_beta": [1.2],
                          "clip": 1.5}, "B", None),
    ("LSTM", 2, 1, 3, 3, {"activations": ["HardSigmoid", "Elu", "Softplus",
                                          "Sigmoid", "Affine", "Tanh"],
                          "direction": "bidirectional",
                          "activation_alpha": [0.25, 0.5, 0.9],
                          "activation_beta": [0.45, 0.1]}, "BP", None),
]

# Nodes modelc must refuse with one line naming the node and the fault.
REFUSED = [
    ("RNN", {"activations": ["Swish"]}, "unsupported activation 'Swish'"),
    ("GRU", {"hidden_size": 7}, "hidden_size 7 does not match R's hidden size 4"),
    ("LSTM", {"direction": "sideways"}, "unknown direction 'sideways'"),
]


def build_case(op, steps, batch, size, hidden, attrs, optional, lens, rng):
    """The model's inputs (name, array) and its attributes for make_node."""
    dirs = 2 if attrs.get("direction") == "bidirectional" else 1
    gh = GATES[op] * hidden
    layout = attrs.get("layout", 0)
    xshape = (batch, steps, size) if layout else (steps, batch, size)
    sshape = (batch, dirs, hidden) if layout else (dirs, batch, hidden)
    f = lambda *s: (0.5 * rng.standard_normal(s)).astype(np.float32)
    ops = {"X": f(*xshape), "W": f(dirs, gh, size), "R": f(dirs, gh, hidden)}
    if "B" in optional:
        ops["B"] = f(dirs, 2 * gh)
    if lens is not None:
        ops["sequence_lens"] = np.array(lens, np.int32)
    if "H" in optional:
        ops["initial_h"] = f(*sshape)
    if "C" in optional:
        ops["initial_c"] = f(*sshape)
    if "P" in optional:
        ops["P"] = f(dirs, 3 * hidden)
    return ops


def check(modelc, work, report):
    rng = np.random.default_rng(17)
    order = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
    runs = [(c, None) for c in CASES]
    runs += [((op, 3, 2, 3, 4, attrs, "", None), message)
             for op, attrs, message in REFUSED]
    for index, (case, refusal) in enumerate(runs):
        op, steps, batch, size, hidden, attrs, optional, lens = case
        ops = build_case(*case, rng)
        names = [n if n in ops else "" for n in order]
        while names and not names[-1]:
            names.pop()
        results = ["Y", "Y_h", "Y_c"][:3 if op == "LSTM" else 2]
        node_attrs = dict(attrs)
        node_attrs.setdefault("hidden_size", hidden)
        node = helper.make_node(op, names, results, name="cell", **node_attrs)
        inputs = {n: ops[n] if n else None for n in names}
        folder = os.path.join(work, str(index))
        if refusal:
            proc, _ = run_one_node(modelc, folder, node, inputs,
                                   [()] * len(results), 14)
            report(refused_with(proc, f"node 'cell' ({op})", refusal),
                   f"{op} refused", proc.stderr.strip()[-300:])
            continue
        wants = reference(op, ops["X"], ops["W"], ops["R"], ops.get("B"),
                          ops.get("sequence_lens"), ops.get("initial_h"),
                          ops.get("initial_c"), ops.get("P"), attrs)
        check_one_node(report, f"{op} {attrs}", modelc, folder, node, inputs,
                       wants, results, 14)


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "recurrent_", check))
