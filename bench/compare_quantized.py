#!/usr/bin/env python3
"""Latency of modelc's quantized and half-precision artifacts against
onnxruntime fp32 and onnxruntime's int8 kernels, in one run.

usage: bench/compare_quantized.py FLOAT.onnx QDQ.onnx [--threads 1] [--runs 20]
           [--warmup 5] [--rounds 3] [--inputs DIR] [--modelc PATH]
           [--sides modelc-int8,ort-fp32,ort-int8] [--json]

Sides (any subset, in --sides):
  modelc-int8   modelc bench QDQ.onnx
  modelc-fp32   modelc bench FLOAT.onnx
  modelc-bf16   modelc bench FLOAT.onnx --precision=bf16
  ort-fp32      onnxruntime on FLOAT.onnx
  ort-int8      onnxruntime on QDQ.onnx (its QDQ fusions: QLinearConv, ...)
Every side gets the same input files, warm-ups and timed runs; each round
runs every side once, the order rotating by one per round. A side's figure is
the median over rounds of its per-round median. Ratios are against ort-fp32
(> 1: faster than onnxruntime fp32). The histogram of the graph onnxruntime
runs for the QDQ model is printed too, to show it ran int8 kernels.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT = [os.environ.get("ORT_PYTHON", "/usr/bin/python3"),
       os.path.join(ROOT, "scripts", "ort", "ort.py")]


def run_json(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def side_command(side, args, inputs):
    common = ["--threads", str(args.threads)]
    if side.startswith("modelc"):
        model = args.qdq if side == "modelc-int8" else args.float
        cmd = [args.modelc, "bench", model, "--iterations", str(args.runs),
               "--warmup", str(args.warmup), "--inputs", inputs, "--json", *common]
        if side == "modelc-bf16":
            cmd.append("--precision=bf16")
        return cmd
    model = args.qdq if side == "ort-int8" else args.float
    return [*ORT, "bench", model, "--inputs", inputs, "--runs", str(args.runs),
            "--warmup", str(args.warmup), "--json", *common]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("float")
    parser.add_argument("qdq")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--inputs")
    parser.add_argument("--modelc", default=os.path.join(ROOT, "build", "bin", "modelc"))
    parser.add_argument("--sides", default="modelc-int8,ort-fp32,ort-int8")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sides = args.sides.split(",")
    work = tempfile.mkdtemp(prefix="modelc-bench-q-")
    inputs = args.inputs
    if not inputs:
        inputs = os.path.join(work, "inputs")
        subprocess.run([*ORT, "inputs", args.float, inputs], check=True)
    load_before = os.getloadavg()[0]
    times = {side: [] for side in sides}
    for round_index in range(args.rounds):
        order = sides[round_index % len(sides):] + sides[:round_index % len(sides)]
        for side in order:
            times[side].append(run_json(side_command(side, args, inputs))["median_ms"])
    report = {"float": os.path.basename(args.float), "qdq": os.path.basename(args.qdq),
              "threads": args.threads, "runs": args.runs, "warmup": args.warmup,
              "rounds": args.rounds, "load_before": load_before,
              "load_after": os.getloadavg()[0], "median_ms": {}, "speedup_vs_ort_fp32": {}}
    for side in sides:
        report["median_ms"][side] = statistics.median(times[side])
    if "ort-fp32" in sides:
        for side in sides:
            report["speedup_vs_ort_fp32"][side] = (report["median_ms"]["ort-fp32"] /
                                                   report["median_ms"][side])
    if "ort-int8" in sides:
        report["ort_int8_graph"] = run_json(
            [*ORT, "optimized", args.qdq, os.path.join(work, "ort-optimized.onnx")])
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
