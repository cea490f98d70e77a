#!/usr/bin/env python3
"""Numerical edge cases that ordinary test data never reaches, on the C
target and on the CUDA target through its CPU emulation.

Each case is a one-node ONNX model built here with onnx.helper, with inputs
chosen where a naive formula breaks: log-sum-exp over values near 120 (exp
overflows float), softmax and log-softmax over rows whose values differ by
hundreds, MatMulInteger at K = 4099 with uint8 extremes and at K = 65536
with int8 extremes, ConvInteger over 456 x 3 x 3 = 4104 products of uint8
extremes (float sums round past 2^24). Float expectations come
from the stable formula in float64 and must hold within 1e-4 of the largest
magnitude of the expected output (and be finite where it is); integer
outputs must be exact.

usage: check_numerics.py --modelc BIN [--keep DIR]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "CUDA"))
from check_emulated import build_emulated  # noqa: E402

BOUND = 1e-4


def logsumexp(x, axes, keepdims):
    x = x.astype(np.float64)
    top = np.max(x, axis=axes, keepdims=True)
    result = top + np.log(np.sum(np.exp(x - top), axis=axes, keepdims=True))
    return result if keepdims else np.squeeze(result, axis=axes)


def softmax(x, axis):
    x = x.astype(np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis):
    x = x.astype(np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def cases():
    """(name, model, inputs, expected outputs)."""
    rng = np.random.default_rng(7)
    out = []

    def one_node(name, op, x, expected, opset=13, extra_inputs=(), **attrs):
        inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)]
        initializers = []
        node_inputs = ["x"]
        for input_name, value in extra_inputs:
            initializers.append(numpy_helper.from_array(value, input_name))
            node_inputs.append(input_name)
        graph = helper.make_graph(
            [helper.make_node(op, node_inputs, ["y"], **attrs)], name,
            inputs,
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, expected.shape)],
            initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 8
        out.append((name, model, [x], [expected]))

    # The report: [120, 121, 119.5, 100] gave inf.
    x = np.array([120, 121, 119.5, 100], dtype=np.float32)
    one_node("reduce_log_sum_exp_large", "ReduceLogSumExp", x,
             logsumexp(x, (0,), False).astype(np.float32), keepdims=0, axes=[0])
    # Rows of a thousand values around 100 with a spread of 30, and a
    # -inf term, over the last axis and over the first.
    x = (rng.standard_normal((8, 1000)) * 30 + 100).astype(np.float32)
    x[3, 17] = -np.inf
    one_node("reduce_log_sum_exp_rows", "ReduceLogSumExp", x,
             logsumexp(x, (1,), True).astype(np.float32), keepdims=1, axes=[1])
    one_node("reduce_log_sum_exp_columns", "ReduceLogSumExp", x,
             logsumexp(x, (0,), False).astype(np.float32), keepdims=0, axes=[0])
    x = (rng.standard_normal((4, 300)) * 200).astype(np.float32)
    one_node("softmax_large", "Softmax", x,
             softmax(x, 1).astype(np.float32), axis=1)
    one_node("log_softmax_large", "LogSoftmax", x,
             log_softmax(x, 1).astype(np.float32), axis=1)

    def matmul_integer(name, a, b, a_zero=None, b_zero=None):
        """A MatMulInteger node; a and b are graph inputs, the zero points
        initializers. The expected int32 sums are exact (numpy int64)."""
        names = ["a", "b"]
        initializers = []
        for input_name, zero in (("a_zero_point", a_zero), ("b_zero_point", b_zero)):
            if zero is not None:
                initializers.append(numpy_helper.from_array(zero, input_name))
                names.append(input_name)
            elif input_name == "a_zero_point" and b_zero is not None:
                names.append("")
        expected = ((a.astype(np.int64) - (0 if a_zero is None else int(a_zero))) @
                    (b.astype(np.int64) - (0 if b_zero is None else int(b_zero))))
        assert np.abs(expected).max() < 2**31
        dtype = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}
        graph = helper.make_graph(
            [helper.make_node("MatMulInteger", names, ["y"])], name,
            [helper.make_tensor_value_info("a", dtype[a.dtype.type], a.shape),
             helper.make_tensor_value_info("b", dtype[b.dtype.type], b.shape)],
            [helper.make_tensor_value_info("y", TensorProto.INT32, expected.shape)],
            initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        out.append((name, model, [a, b], [expected.astype(np.int32)]))

    # Float SGEMM rounds once the sums pass 2^24: 255 * 255 * 4099 does.
    k = 4099
    a = rng.choice(np.array([0, 255], dtype=np.uint8), size=(3, k))
    a[0, :] = 255
    b = rng.choice(np.array([0, 255], dtype=np.uint8), size=(k, 5))
    b[:, 0] = 255
    matmul_integer("matmul_integer_uint8_k4099", a, b)
    matmul_integer("matmul_integer_uint8_k4099_zero_point", a, b,
                   a_zero=np.array(3, dtype=np.uint8))
    # int8 extremes over K = 65536: (-128) * (-128) * 65536 = 2^30.
    k = 65536
    a = rng.choice(np.array([-128, 127], dtype=np.int8), size=(2, k))
    a[0, :] = -128
    b = rng.choice(np.array([-128, 127], dtype=np.int8), size=(k, 3))
    b[:, 0] = -128
    matmul_integer("matmul_integer_int8_k65536", a, b)

    def conv_integer(name, x, w, x_zero=None, w_zero=None, pads=(1, 1, 1, 1)):
        """A ConvInteger node (x and w graph inputs, zero points
        initializers) and its exact int32 result, computed in int64."""
        names = ["x", "w"]
        initializers = []
        for input_name, zero in (("x_zero_point", x_zero), ("w_zero_point", w_zero)):
            if zero is not None:
                initializers.append(numpy_helper.from_array(zero, input_name))
                names.append(input_name)
            elif input_name == "x_zero_point" and w_zero is not None:
                names.append("")
        xc = x.astype(np.int64) - (0 if x_zero is None else int(x_zero))
        wc = w.astype(np.int64) - (0 if w_zero is None else
                                   w_zero.astype(np.int64).reshape(-1, 1, 1, 1))
        padded = np.pad(xc, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
        kh, kw = w.shape[2:]
        oh, ow = padded.shape[2] - kh + 1, padded.shape[3] - kw + 1
        expected = np.zeros((x.shape[0], w.shape[0], oh, ow), dtype=np.int64)
        for i in range(kh):
            for j in range(kw):
                expected += np.einsum("nchw,oc->nohw", padded[:, :, i:i + oh, j:j + ow],
                                      wc[:, :, i, j])
        assert np.abs(expected).max() < 2**31
        dtype = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}
        graph = helper.make_graph(
            [helper.make_node("ConvInteger", names, ["y"], pads=list(pads))], name,
            [helper.make_tensor_value_info("x", dtype[x.dtype.type], x.shape),
             helper.make_tensor_value_info("w", dtype[w.dtype.type], w.shape)],
            [helper.make_tensor_value_info("y", TensorProto.INT32, expected.shape)],
            initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        out.append((name, model, [x, w], [expected.astype(np.int32)]))

    # ConvInteger sums over in_channels x 3 x 3 = 4104 products of 255 * 255
    # at the centre pixels: past 2^24, where a float convolution rounds.
    x = rng.choice(np.array([0, 255], dtype=np.uint8), size=(1, 456, 3, 3))
    x[0, :, 1, 1] = 255
    w = rng.choice(np.array([0, 255], dtype=np.uint8), size=(2, 456, 3, 3))
    w[0] = 255
    conv_integer("conv_integer_uint8_k4104", x, w)
    conv_integer("conv_integer_uint8_k4104_zero_points", x, w,
                 x_zero=np.array(5, dtype=np.uint8),
                 w_zero=np.array([1, 2], dtype=np.uint8))
    return out


def run(command):
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(" ".join(command) + "\n" + proc.stderr[-2000:])


def write_case(folder, model, inputs):
    os.makedirs(os.path.join(folder, "data"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    for k, value in enumerate(inputs):
        onnx.save_tensor(numpy_helper.from_array(value),
                         os.path.join(folder, "data", f"input_{k}.pb"))
    return path


def check_outputs(label, outputs_dir, expected):
    problems = []
    for k, want in enumerate(expected):
        got = numpy_helper.to_array(
            onnx.load_tensor(os.path.join(outputs_dir, f"output_{k}.pb")))
        if got.shape != want.shape:
            problems.append(f"{label}: output {k} has shape {got.shape}, "
                            f"expected {want.shape}")
            continue
        if not np.issubdtype(want.dtype, np.floating):
            if not np.array_equal(got, want):
                wrong = np.flatnonzero(got != want)
                problems.append(f"{label}: output {k} differs at {wrong.size} "
                                f"elements, first {got.ravel()[wrong[0]]} where "
                                f"{want.ravel()[wrong[0]]} is exact")
            continue
        finite = np.isfinite(want)
        if not np.array_equal(np.isfinite(got), finite):
            problems.append(f"{label}: output {k} is not finite where the "
                            f"stable result is: {got.ravel()[:4]}")
            continue
        scale = float(np.max(np.abs(want[finite]))) if finite.any() else 1.0
        error = float(np.max(np.abs(got[finite].astype(np.float64) -
                                    want[finite]))) if finite.any() else 0.0
        if error > BOUND * scale:
            problems.append(f"{label}: output {k} is off by {error:.3g}, over "
                            f"{BOUND:g} x {scale:.3g}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="modelc-numerics-")
    problems = []
    try:
        for name, model, inputs, expected in cases():
            folder = os.path.join(work, name)
            path = write_case(folder, model, inputs)
            data = os.path.join(folder, "data")
            c_out = os.path.join(folder, "c_out")
            run([args.modelc, "run", path, "--target=c", "--inputs", data,
                 "--outputs", c_out])
            problems += check_outputs(f"{name} (c)", c_out, expected)
            runner, _ = build_emulated(args.modelc, path, "fp32",
                                       os.path.join(folder, "cuda"))
            cuda_out = os.path.join(folder, "cuda_out")
            run([runner, "--inputs", data, "--outputs", cuda_out])
            problems += check_outputs(f"{name} (cuda, emulated)", cuda_out, expected)
            print(f"{name}: checked on c and cuda")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for problem in problems:
        print("FAIL", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
