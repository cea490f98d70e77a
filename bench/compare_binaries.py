#!/usr/bin/env python3
"""A/B latency of the C code two modelc binaries generate for one model, in
alternating rounds on the same machine, inputs, warm-ups and run counts.

usage: bench/compare_binaries.py MODEL.onnx --before BIN --after BIN
                                 [--threads 1] [--runs 20] [--warmup 5]
                                 [--rounds 5] [--inputs DIR] [--json]

Each round runs, for each binary,
  {bin} bench {model} --target=c --threads {threads} --iterations {runs}
        --warmup {warmup} --inputs {inputs} --json
and the binary that goes first alternates (before first in odd rounds).  The
result is the median over rounds of each side's per-round median latency, and
the ratio after/before (> 1: the new binary's code is slower).  The 1-minute
load average before and after is printed too.

Inputs: --inputs DIR, else the model's test_data_set_0 beside it (the layout of
scripts/export_models.py).  Only the Python standard library is used.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def bench_once(binary, args):
    command = [binary, "bench", args.model, "--target=c", "--threads",
               str(args.threads), "--iterations", str(args.runs), "--warmup",
               str(args.warmup), "--inputs", args.inputs, "--json"]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr[-2000:]}")
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            result = json.loads(line)
            if "median_ms" in result:
                return result["median_ms"]
    raise SystemExit(f"no JSON result from {' '.join(command)}:\n{proc.stdout[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--inputs")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.inputs:
        args.inputs = os.path.join(args.model[:-len(".onnx")], "test_data_set_0")
    load_before = os.getloadavg()[0]
    medians = {"before": [], "after": []}
    for round_index in range(args.rounds):
        order = ["before", "after"] if round_index % 2 == 0 else ["after", "before"]
        for side in order:
            medians[side].append(bench_once(getattr(args, side), args))
    load_after = os.getloadavg()[0]
    before = statistics.median(medians["before"])
    after = statistics.median(medians["after"])
    result = {"model": os.path.basename(args.model), "threads": args.threads,
              "before_ms": before, "after_ms": after, "ratio": after / before,
              "rounds": medians, "load": [load_before, load_after]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['model']} threads={args.threads}: before {before:.3f} ms, "
              f"after {after:.3f} ms, after/before {after / before:.3f} "
              f"(load {load_before:.2f} -> {load_after:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
