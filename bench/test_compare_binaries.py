#!/usr/bin/env python3
"""Checks bench/compare_binaries.py's protocol on LeNet: both sides get every
round, the ratio is their medians' quotient, and a binary that fails makes
the comparison fail instead of reporting a number.

usage: test_compare_binaries.py MODELC LENET.onnx INPUTS_DIR
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    modelc, model, inputs = sys.argv[1:4]
    script = os.path.join(HERE, "compare_binaries.py")
    common = [sys.executable, script, model, "--rounds", "3", "--runs", "2",
              "--warmup", "1", "--inputs", inputs, "--json"]
    proc = subprocess.run(common + ["--before", modelc, "--after", modelc],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"compare_binaries failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for side in ("before", "after"):
        if len(result["rounds"][side]) != 3:
            sys.exit(f"{side} ran {len(result['rounds'][side])} rounds, not 3")
        if statistics.median(result["rounds"][side]) != result[f"{side}_ms"]:
            sys.exit(f"{side}_ms is not the median of its rounds")
    if abs(result["ratio"] - result["after_ms"] / result["before_ms"]) > 1e-12:
        sys.exit("ratio is not after_ms / before_ms")
    broken = subprocess.run(common + ["--before", modelc, "--after", "/bin/false"],
                            capture_output=True, text=True)
    if broken.returncode == 0:
        sys.exit("a failing binary still gave a result")
    print("compare_binaries: 3 alternating rounds a side, ratio of medians, "
          "failures reported")


if __name__ == "__main__":
    main()
