#!/usr/bin/env python3
"""Quantization accuracy of modelc's int8 artifacts, against onnxruntime.

For a float model: calibration and held-out input sets (scripts/ort's
deterministic inputs, or given folders), `modelc quantize`, then on every
held-out input
  - the fp32 reference: onnxruntime on the float model;
  - onnxruntime on the QDQ model modelc wrote (its int8 kernels);
  - modelc's int8 artifact, compiled once from the QDQ model.
Per output it reports the largest difference between modelc and
onnxruntime-int8 in quantization steps of the output's scale, both sides'
SQNR against fp32 (signal power over error power, over all held-out inputs
together, in dB) and, for [1, C] outputs, top-1 agreement with fp32.

usage: qdq_eval.py --modelc BIN MODEL.onnx [--calibration N] [--held-out N]
                   [--method M] [--work DIR] [--json]
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort"))
import ort  # noqa: E402


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def make_inputs(model, folder, seeds, dims=()):
    """One test_data_set_K per seed, with ort.py's deterministic inputs."""
    sets = []
    for k, seed in enumerate(seeds):
        target = os.path.join(folder, f"test_data_set_{k}")
        if not os.path.exists(os.path.join(target, "input_0.pb")):
            args = [sys.executable, os.path.join(os.path.dirname(ort.__file__), "ort.py"),
                    "inputs", model, target, "--seed", str(seed)]
            for dim in dims:
                args += ["--dim", dim]
            subprocess.run(args, check=True, capture_output=True)
        sets.append(target)
    return sets


def output_scales(qdq_model):
    """The scale of each graph output that a DequantizeLinear produces."""
    model = onnx.load(qdq_model, load_external_data=False)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    producers = {n.output[0]: n for n in model.graph.node if n.output}
    scales = {}
    for output in model.graph.output:
        node = producers.get(output.name)
        if node is not None and node.op_type == "DequantizeLinear":
            scales[output.name] = float(inits[node.input[1]].reshape(-1)[0])
    return scales


def build_runner(modelc, model, work, cc="cc"):
    artifact = os.path.join(work, "artifact")
    subprocess.run([modelc, "compile", model, "-o", artifact], check=True,
                   capture_output=True, text=True)
    sources = [os.path.join(artifact, "model.c")]
    sources += [p for p in (os.path.join(artifact, "model_weights.c"),
                            os.path.join(artifact, "model_weights.o")) if os.path.exists(p)]
    runner = os.path.join(artifact, "runner")
    subprocess.run([cc, "-std=c99", "-O3", "-march=native", *sources,
                    os.path.join(artifact, "model_runner.c"), "-o", runner,
                    "-lm", "-lpthread"], check=True, capture_output=True, text=True)
    return runner


def sqnr_db(outputs, reference):
    signal = sum(float(np.sum(r.astype(np.float64) ** 2)) for r in reference)
    noise = sum(float(np.sum((o.astype(np.float64) - r) ** 2))
                for o, r in zip(outputs, reference))
    return float("inf") if noise == 0 else 10.0 * np.log10(signal / noise)


def has_exact_ort_int8():
    """Whether onnxruntime's own int8 kernels are exact on this CPU. Its
    u8s8 kernels for plain AVX2 multiply through vpmaddubsw, which saturates
    pairs of products in int16; the VNNI ones (AVX512-VNNI, AVX-VNNI)
    accumulate in int32 without saturating."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return True
    return "avx512_vnni" in flags or "avx_vnni" in flags or "avx2" not in flags


def evaluate(modelc, model, work, calibration=8, held_out=4, method="minmax",
             threads=1, dims=(), ort_opt="all"):
    """ort_opt "all" runs the QDQ model through onnxruntime's fused int8
    kernels; "disabled" runs it as written (DequantizeLinear, float op,
    QuantizeLinear), the QDQ model's defined meaning."""
    calib = make_inputs(model, os.path.join(work, "calibration"),
                        range(calibration), dims)
    tests = make_inputs(model, os.path.join(work, "held_out"),
                        range(1000, 1000 + held_out), dims)
    qdq = os.path.join(work, "model.qdq.onnx")
    proc = subprocess.run([modelc, "quantize", model, "--calibration",
                           os.path.dirname(calib[0]), "-o", qdq,
                           "--calibration-method", method,
                           "--threads", str(threads)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"modelc quantize: {proc.stderr.strip()}")
    runner = build_runner(modelc, qdq, work)
    names = [o.name for o in onnx.load(model, load_external_data=False).graph.output]
    fp32, ort8, mc8 = ({n: [] for n in names} for _ in range(3))
    for k, test in enumerate(tests):
        out = {side: os.path.join(work, side, str(k)) for side in ("fp32", "ort8", "mc8")}
        for folder in out.values():
            os.makedirs(folder, exist_ok=True)
        ort.run(model, test, out["fp32"], threads=threads)
        ort.run(qdq, test, out["ort8"], threads=threads, opt=ort_opt)
        subprocess.run([runner, "--inputs", test, "--outputs", out["mc8"],
                        "--threads", str(threads)], check=True, capture_output=True)
        for j, name in enumerate(names):
            for side, store in (("fp32", fp32), ("ort8", ort8), ("mc8", mc8)):
                store[name].append(load(os.path.join(out[side], f"output_{j}.pb")))
    scales = output_scales(qdq)
    results = []
    for name in names:
        result = {"output": name,
                  "sqnr_modelc_db": sqnr_db(mc8[name], fp32[name]),
                  "sqnr_ort_db": sqnr_db(ort8[name], fp32[name])}
        worst = max(float(np.max(np.abs(m.astype(np.float64) - o)))
                    for m, o in zip(mc8[name], ort8[name]))
        result["max_abs_diff_vs_ort"] = worst
        if name in scales:
            result["scale"] = scales[name]
            result["max_steps_vs_ort"] = worst / scales[name]
        if fp32[name][0].ndim == 2 and fp32[name][0].shape[0] == 1:
            top = [int(np.argmax(r)) for r in fp32[name]]
            result["top1_modelc"] = float(np.mean([int(np.argmax(m)) == t
                                                   for m, t in zip(mc8[name], top)]))
            result["top1_ort"] = float(np.mean([int(np.argmax(o)) == t
                                                for o, t in zip(ort8[name], top)]))
        results.append(result)
    sizes = {}
    for key, path in (("fp32", model), ("int8", qdq)):
        m = onnx.load(path)
        sizes[key] = sum(numpy_helper.to_array(i).nbytes for i in m.graph.initializer)
    return {"model": os.path.basename(model), "method": method, "ort_opt": ort_opt,
            "calibration_samples": calibration, "held_out_samples": held_out,
            "initializer_bytes": sizes, "outputs": results, "qdq_model": qdq}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modelc", required=True)
    parser.add_argument("model")
    parser.add_argument("--calibration", type=int, default=8)
    parser.add_argument("--held-out", type=int, default=4)
    parser.add_argument("--method", default="minmax")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dim", action="append", default=[])
    parser.add_argument("--work")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="modelc-qdq-")
    os.makedirs(work, exist_ok=True)
    report = evaluate(args.modelc, args.model, work, args.calibration,
                      args.held_out, args.method, args.threads, args.dim)
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
