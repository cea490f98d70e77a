#!/usr/bin/env python3
"""Compiles, builds and runs models with `modelc run` and checks every output
against the expected outputs of each test set (written by onnxruntime).

A model passes when, for every output of every test set,
max |actual - expected| <= 1e-4 * max |expected| + 1e-5 (the foundation
issue's bound for deep fp32 models).

With --precision bf16 or fp16 (half-precision weights on the C target) the
bound is --tolerance instead of 1e-4.

usage: check_models.py --modelc BIN [--precision P --tolerance T] DIR/NAME.onnx [...]
  Each NAME.onnx needs DIR/NAME/test_data_set_K/{input,output}_J.pb next to it.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def check_model(modelc, model, threads, precision="fp32", tolerance=1e-4):
    base = model[:-len(".onnx")]
    sets = sorted(d for d in os.listdir(base) if d.startswith("test_data_set_"))
    if len(sets) == 0:
        return False, "no test sets"
    worst = 0.0
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="modelc_model_") as work:
        for test_set in sets:
            inputs = os.path.join(base, test_set)
            outputs = os.path.join(work, test_set)
            proc = subprocess.run(
                [modelc, "run", model, "--target=c", "--inputs", inputs,
                 "--outputs", outputs, "--threads", str(threads),
                 f"--precision={precision}"],
                capture_output=True, text=True)
            if proc.returncode != 0:
                return False, f"{test_set}: exit {proc.returncode}: {proc.stderr.strip()}"
            expected_files = sorted(f for f in os.listdir(inputs) if f.startswith("output_"))
            if not expected_files:
                return False, f"{test_set}: no expected outputs"
            for name in expected_files:
                expected = load(os.path.join(inputs, name)).astype(np.float64)
                actual = load(os.path.join(outputs, name)).astype(np.float64)
                if expected.shape != actual.shape:
                    return False, f"{test_set}/{name}: shape {actual.shape} != {expected.shape}"
                scale = float(np.max(np.abs(expected))) if expected.size else 0.0
                diff = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
                bound = tolerance * scale + 1e-5
                worst = max(worst, diff / bound if bound else 0.0)
                if not diff <= bound:
                    return False, (f"{test_set}/{name}: max |diff| {diff:.3g} > "
                                   f"{bound:.3g} ({tolerance:g} x {scale:.3g} + 1e-5)")
    return True, (f"{len(sets)} test sets, worst diff {worst:.2f} of the bound, "
                  f"{time.time() - start:.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modelc", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--precision", default="fp32",
                        help="modelc run --precision (bf16/fp16: half weights)")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="bound relative to the output's largest magnitude")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    passed = failed = 0
    for model in args.models:
        ok, detail = check_model(args.modelc, model, args.threads,
                                 args.precision, args.tolerance)
        print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)}: {detail}",
              flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
