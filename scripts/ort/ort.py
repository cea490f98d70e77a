#!/usr/bin/env python3
"""modelc's onnxruntime oracle: runs ONNX models with onnxruntime (CPU) on
ONNX TensorProto files, the layout of the ONNX backend test data.

  ort.py run MODEL IN_DIR [OUT_DIR] [--threads N] [--opt all|disabled]
      reads IN_DIR/input_K.pb, writes OUT_DIR/output_K.pb (OUT_DIR defaults
      to IN_DIR, so a test_data_set_N gets its expected outputs)
  ort.py bench MODEL --inputs DIR [--threads N] [--runs R] [--warmup W] [--json]
      median and p90 latency over R timed runs after W untimed ones
  ort.py optimized MODEL OUT.onnx [--threads N] [--opt all|disabled]
      writes the graph onnxruntime runs after its optimizations (fusions
      such as QDQ -> QLinearConv show there) and prints its op histogram
  ort.py inputs MODEL OUT_DIR [--seed S] [--dim NAME=V ...]
      deterministic inputs for benchmarks, the same for every side: floats
      uniform in [-1, 1), integers 1 (a valid token id, type id and
      attend-everywhere mask), booleans true

TensorProto files are read and written here with python3-onnx; the Node.js
worker beside this file (ort_worker.js) only runs the session. It needs
onnxruntime-node: ORT_NODE_MODULES names the node_modules folder that holds
it (default ~/.cache/ort/node_modules; scripts/test.sh installs it there).
NODE names the node binary (default node).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "ort_worker.js")

# TensorProto element types and onnxruntime-node's names for them.
ORT_TYPES = {
    TensorProto.FLOAT: "float32", TensorProto.DOUBLE: "float64",
    TensorProto.FLOAT16: "float16", TensorProto.INT8: "int8",
    TensorProto.UINT8: "uint8", TensorProto.INT16: "int16",
    TensorProto.UINT16: "uint16", TensorProto.INT32: "int32",
    TensorProto.UINT32: "uint32", TensorProto.INT64: "int64",
    TensorProto.UINT64: "uint64", TensorProto.BOOL: "bool",
}
NUMPY_TYPES = {
    "float32": np.float32, "float64": np.float64, "float16": np.float16,
    "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
    "int32": np.int32, "uint32": np.uint32, "int64": np.int64,
    "uint64": np.uint64, "bool": np.bool_,
}


class OracleError(Exception):
    pass


def graph_inputs(model_path):
    """(name, elem_type, dims) of each graph input that is not an initializer;
    a symbolic dimension is its name (a str), or None when it has none."""
    model = onnx.load(model_path, load_external_data=False)
    initializers = {init.name for init in model.graph.initializer}
    inputs = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
                for d in tensor.shape.dim]
        inputs.append((value.name, tensor.elem_type, dims))
    return inputs


def list_tensor_files(folder, prefix):
    files = [f for f in os.listdir(folder)
             if f.startswith(prefix + "_") and f.endswith(".pb")]
    return [os.path.join(folder, f)
            for f in sorted(files, key=lambda f: int(f[len(prefix) + 1:-3]))]


def read_inputs(model_path, folder):
    """(name, array) per graph input: by TensorProto name when every file
    names an input, else by position, as the backend test data does."""
    inputs = graph_inputs(model_path)
    tensors = [onnx.load_tensor(f) for f in list_tensor_files(folder, "input")]
    names = [name for name, _, _ in inputs]
    by_name = tensors and all(t.name in names for t in tensors)
    if len(tensors) > len(inputs):
        raise OracleError(f"{folder}: {len(tensors)} input files for "
                          f"{len(inputs)} graph inputs")
    return [(t.name if by_name else names[k], numpy_helper.to_array(t))
            for k, t in enumerate(tensors)]


def call_worker(request, work):
    request_path = os.path.join(work, "request.json")
    answer_path = os.path.join(work, "answer.json")
    with open(request_path, "w") as f:
        json.dump(request, f)
    env = dict(os.environ)
    env.setdefault("ORT_NODE_MODULES",
                   os.path.expanduser("~/.cache/ort/node_modules"))
    if not os.path.isdir(os.path.join(env["ORT_NODE_MODULES"], "onnxruntime-node")):
        raise OracleError(
            f"onnxruntime-node is not in {env['ORT_NODE_MODULES']}; install it "
            "with: ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "
            "~/.cache/ort onnxruntime-node@1.30.0")
    proc = subprocess.run([env.get("NODE", "node"), WORKER, request_path, answer_path],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise OracleError("onnxruntime: " + (proc.stderr.strip() or
                                             f"exit {proc.returncode}"))
    with open(answer_path) as f:
        return json.load(f)


def stage_inputs(arrays, work):
    staged = []
    for k, (name, array) in enumerate(arrays):
        type_name = next((ort for ort, dtype in NUMPY_TYPES.items()
                          if array.dtype == dtype), None)
        if type_name is None:
            raise OracleError(f"input {name}: element type {array.dtype} is not supported")
        path = os.path.join(work, f"input_{k}.raw")
        raw = array.view(np.uint16) if type_name == "float16" else array
        np.ascontiguousarray(raw).tofile(path)
        staged.append({"name": name, "type": type_name,
                       "dims": list(array.shape), "file": path})
    return staged


def run(model, in_dir, out_dir, threads=1, opt="all"):
    """Writes out_dir/output_K.pb for the inputs in in_dir."""
    with tempfile.TemporaryDirectory(prefix="modelc-ort-") as work:
        answer = call_worker({
            "model": os.path.abspath(model), "threads": threads, "opt": opt,
            "mode": "run", "inputs": stage_inputs(read_inputs(model, in_dir), work),
            "out_dir": work}, work)
        os.makedirs(out_dir, exist_ok=True)
        for k, output in enumerate(answer["outputs"]):
            dtype = NUMPY_TYPES[output["type"]]
            raw = np.fromfile(output["file"],
                              dtype=np.uint16 if dtype == np.float16 else dtype)
            array = raw.view(dtype).reshape(output["dims"])
            tensor = numpy_helper.from_array(array, output["name"])
            with open(os.path.join(out_dir, f"output_{k}.pb"), "wb") as f:
                f.write(tensor.SerializeToString())
        return answer["outputs"]


def bench(model, in_dir, threads=1, runs=30, warmup=5, opt="all"):
    """Latency summary in milliseconds."""
    with tempfile.TemporaryDirectory(prefix="modelc-ort-") as work:
        answer = call_worker({
            "model": os.path.abspath(model), "threads": threads, "opt": opt,
            "mode": "bench", "warmup": warmup, "runs": runs,
            "inputs": stage_inputs(read_inputs(model, in_dir), work)}, work)
    times = sorted(answer["times_ms"])
    p90 = times[max(0, -(-9 * len(times) // 10) - 1)]  # nearest rank
    return {"median_ms": statistics.median(times), "p90_ms": p90,
            "min_ms": times[0], "runs": len(times), "warmup": warmup,
            "threads": threads, "session_create_ms": answer["session_create_ms"],
            "ort_version": answer.get("ort_version")}


def optimized(model, out_path, threads=1, opt="all"):
    """Writes the optimized graph to out_path; returns its op histogram."""
    with tempfile.TemporaryDirectory(prefix="modelc-ort-") as work:
        call_worker({"model": os.path.abspath(model), "threads": threads,
                     "opt": opt, "mode": "optimize", "inputs": [],
                     "optimized_model": os.path.abspath(out_path)}, work)
    counts = {}
    for node in onnx.load(out_path, load_external_data=False).graph.node:
        key = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def make_inputs(model, out_dir, seed=0, dims=None):
    """Writes deterministic input_K.pb files for model into out_dir."""
    dims = dims or {}
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    for k, (name, elem_type, shape) in enumerate(graph_inputs(model)):
        unknown = [d for d in shape if not isinstance(d, int) and d not in dims]
        if unknown:
            raise OracleError(f"input {name}: give --dim for its symbolic "
                              f"dimension {unknown[0] or '(unnamed)'}")
        shape = [d if isinstance(d, int) else dims[d] for d in shape]
        dtype = NUMPY_TYPES[ORT_TYPES[elem_type]]
        if np.issubdtype(dtype, np.floating):
            array = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
        elif dtype == np.bool_:
            array = np.ones(shape, dtype=np.bool_)
        else:
            array = np.ones(shape, dtype=dtype)
        tensor = numpy_helper.from_array(array, name)
        with open(os.path.join(out_dir, f"input_{k}.pb"), "wb") as f:
            f.write(tensor.SerializeToString())


def main():
    parser = argparse.ArgumentParser(
        description="onnxruntime (CPU) oracle for modelc",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("model")
    p.add_argument("in_dir")
    p.add_argument("out_dir", nargs="?")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--opt", default="all")
    p = sub.add_parser("bench")
    p.add_argument("model")
    p.add_argument("--inputs", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--opt", default="all")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("optimized")
    p.add_argument("model")
    p.add_argument("out_path")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--opt", default="all")
    p = sub.add_parser("inputs")
    p.add_argument("model")
    p.add_argument("out_dir")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dim", action="append", default=[])
    args = parser.parse_args()
    try:
        if args.command == "run":
            for k, out in enumerate(run(args.model, args.in_dir,
                                        args.out_dir or args.in_dir,
                                        args.threads, args.opt)):
                print(f"output_{k} {out['name']} {out['type']}{out['dims']}")
        elif args.command == "bench":
            result = bench(args.model, args.inputs, args.threads, args.runs,
                           args.warmup, args.opt)
            if args.json:
                print(json.dumps(result))
            else:
                print(f"median {result['median_ms']:.3f} ms, p90 {result['p90_ms']:.3f} ms "
                      f"over {result['runs']} runs ({args.threads} threads)")
        elif args.command == "optimized":
            print(json.dumps(optimized(args.model, args.out_path, args.threads,
                                       args.opt)))
        else:
            dims = dict(d.split("=", 1) for d in args.dim)
            make_inputs(args.model, args.out_dir, args.seed,
                        {k: int(v) for k, v in dims.items()})
    except (OracleError, OSError, ValueError) as e:
        print(f"ort.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
