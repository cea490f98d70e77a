#!/usr/bin/env python3
"""The CUDA target's order-dependent kernels with fused epilogues, emulated.

One graph chains ScatterElements (duplicate indices, reduction add) into a
fused Relu, TopK, CumSum, Hardmax and ScatterND (reduction mul) into a fused
Sigmoid; the node tests cover each op alone, not their epilogues. The
expected outputs are onnxruntime's (scripts/ort/ort.py); check_emulated.py
runs the artifact under the CPU emulation at fp32 and fp16 storage (and
builds it with nvcc when given one).

usage: sequential_kernels.py --modelc BIN --work DIR [--nvcc NVCC]
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write_model(folder):
    nodes = [
        helper.make_node("ScatterElements", ["data", "idx", "upd"], ["s"],
                         axis=0, reduction="add", name="scatter"),
        helper.make_node("Relu", ["s"], ["r"], name="relu"),
        helper.make_node("TopK", ["r", "k"], ["v", "i"], axis=1, name="topk"),
        helper.make_node("CumSum", ["v", "ax"], ["c"], name="cumsum"),
        helper.make_node("Hardmax", ["c"], ["h"], axis=1, name="hardmax"),
        helper.make_node("ScatterND", ["r", "ndi", "ndu"], ["nd"],
                         reduction="mul", name="scatternd"),
        helper.make_node("Sigmoid", ["nd"], ["ndo"], name="sigmoid"),
    ]
    constants = [
        numpy_helper.from_array(np.array([3], np.int64), "k"),
        numpy_helper.from_array(np.array(1, np.int64), "ax"),
        # Rows 0 and 2 receive two updates each in column 0.
        numpy_helper.from_array(
            np.array([[0, 1, 0, 3, 2], [0, 1, 2, 3, 0]], np.int64), "idx"),
        # Row 1 is multiplied twice.
        numpy_helper.from_array(np.array([[1], [3], [1]], np.int64), "ndi"),
    ]
    shapes = {"r": [4, 5], "ndo": [4, 5], "v": [4, 3], "i": [4, 3],
              "c": [4, 3], "h": [4, 3]}
    graph = helper.make_graph(
        nodes, "sequential",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [4, 5]),
         helper.make_tensor_value_info("upd", TensorProto.FLOAT, [2, 5]),
         helper.make_tensor_value_info("ndu", TensorProto.FLOAT, [3, 5])],
        [helper.make_tensor_value_info(
            name, TensorProto.INT64 if name == "i" else TensorProto.FLOAT,
            shape) for name, shape in shapes.items()],
        constants)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 16)])
    model.ir_version = 8
    path = os.path.join(folder, "sequential.onnx")
    onnx.save(model, path)
    test_set = os.path.join(folder, "sequential", "test_data_set_0")
    os.makedirs(test_set, exist_ok=True)
    rng = np.random.default_rng(0)
    for k, (name, shape) in enumerate([("data", (4, 5)), ("upd", (2, 5)),
                                       ("ndu", (3, 5))]):
        array = rng.standard_normal(shape).astype(np.float32)
        with open(os.path.join(test_set, f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "ort", "ort.py"),
                    "run", path, test_set, test_set], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nvcc", default="")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model = write_model(args.work)
    command = [sys.executable, os.path.join(HERE, "check_emulated.py"),
               "--modelc", args.modelc, model + ":fp32,fp16"]
    if args.nvcc:
        command += ["--nvcc", args.nvcc]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
