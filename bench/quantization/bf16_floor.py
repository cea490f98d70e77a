#!/usr/bin/env python3
"""How close to fp32 any bf16 product can get on a model: onnxruntime fp32
on copies of the model whose product operands are rounded to bf16.

modelc's `--precision=bf16` on the C target stores conv/matmul/Gemm weights
as bf16 and rounds their activations to bf16 when packing (AVX512-BF16 dot
products, f32 sums). This tool isolates what that rounding alone costs,
without modelc, by running onnxruntime (f32 arithmetic, graph
optimizations off so that no cast pair is removed) on two rewritten models:
  - weights: every Conv, Gemm and MatMul constant weight rounded to bf16
    (round to nearest even);
  - weights+activations: the same, plus Cast(bfloat16) -> Cast(float) on
    each of those ops' first input.
For each, and optionally for modelc's own bf16 artifact (--modelc), it
prints max |error| over max |fp32 output| and SQNR against onnxruntime's
fp32 run, per input set. If the weights row is already above a target,
no bf16 implementation that keeps those products in bf16 can meet it.

usage: bf16_floor.py MODEL.onnx --inputs DIR [DIR ...] [--modelc BIN]
                     [--keep NODE ...] [--work DIR] [--json]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ORT = os.path.join(HERE, "..", "..", "scripts", "ort", "ort.py")
PRODUCTS = ("Conv", "Gemm", "MatMul")


def round_to_bf16(values):
    """f32 values rounded to the nearest bf16, halves to even."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def rewrite(source, target, activations, keep):
    """Writes `source` with its product weights (and, with `activations`,
    their first inputs) rounded to bf16; nodes named in `keep` stay f32."""
    model = onnx.load(source)
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    nodes = []
    for index, node in enumerate(graph.node):
        if node.op_type in PRODUCTS and node.name not in keep:
            weight = initializers.get(node.input[1])
            if weight is not None:
                rounded = round_to_bf16(numpy_helper.to_array(weight))
                weight.CopyFrom(numpy_helper.from_array(rounded, weight.name))
            if activations:
                narrow = f"bf16_floor_{index}_bf16"
                wide = f"bf16_floor_{index}_f32"
                nodes.append(helper.make_node("Cast", [node.input[0]], [narrow],
                                              to=TensorProto.BFLOAT16))
                nodes.append(helper.make_node("Cast", [narrow], [wide],
                                              to=TensorProto.FLOAT))
                node.input[0] = wide
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, target)


def ort_run(model, inputs, outputs):
    subprocess.run([sys.executable, ORT, "run", model, inputs, outputs,
                    "--opt", "disabled"], check=True, capture_output=True)


def first_output(folder):
    return numpy_helper.to_array(
        onnx.load_tensor(os.path.join(folder, "output_0.pb"))).astype(np.float64)


def score(reference, value):
    error = value - reference
    return {"max_error_over_scale": float(np.abs(error).max() / np.abs(reference).max()),
            "sqnr_db": float(10 * np.log10((reference ** 2).sum() / max((error ** 2).sum(), 1e-300))),
            "same_argmax": bool(np.argmax(value) == np.argmax(reference))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--inputs", nargs="+", required=True,
                        help="folders of input_K.pb")
    parser.add_argument("--modelc", help="also score modelc's --precision=bf16 artifact")
    parser.add_argument("--keep", nargs="*", default=[], help="nodes left in f32")
    parser.add_argument("--work")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="bf16-floor-")
    os.makedirs(work, exist_ok=True)
    variants = {"weights": False, "weights+activations": True}
    for name, activations in variants.items():
        rewrite(args.model, os.path.join(work, f"{name}.onnx"), activations, set(args.keep))
    rows = []
    for k, inputs in enumerate(args.inputs):
        fp32 = os.path.join(work, f"fp32-{k}")
        ort_run(args.model, inputs, fp32)
        reference = first_output(fp32)
        for name in variants:
            out = os.path.join(work, f"{name}-{k}")
            ort_run(os.path.join(work, f"{name}.onnx"), inputs, out)
            rows.append({"inputs": inputs, "side": f"ort fp32, bf16 {name}",
                         **score(reference, first_output(out))})
        if args.modelc:
            out = os.path.join(work, f"modelc-{k}")
            subprocess.run([args.modelc, "run", args.model, "--target=c", "--precision=bf16",
                            "--inputs", inputs, "--outputs", out], check=True,
                           capture_output=True)
            rows.append({"inputs": inputs, "side": "modelc --precision=bf16",
                         **score(reference, first_output(out))})
    if args.json:
        print(json.dumps({"model": os.path.basename(args.model), "keep": args.keep, "rows": rows}))
        return
    for row in rows:
        print(f"{row['inputs']}  {row['side']:34s} max|err|/max|fp32| {row['max_error_over_scale']:.4f}"
              f"  SQNR {row['sqnr_db']:.2f} dB  same argmax {row['same_argmax']}")


if __name__ == "__main__":
    main()
