#!/usr/bin/env python3
"""The ONNX backend node tests through the CUDA target, without a GPU.

Every case of Debian's libonnx-testdata node suite is compiled with
--target=cuda; those that compile run through the CPU emulation of the CUDA
runtime (test/CUDA/emulator) on test_data_set_0, and their outputs are held
to the conformance runner's tolerances (floats rtol 1e-3, atol 1e-7; other
types exact). Cases the C target is known not to pass
(test/conformance/node-expectations.txt) are not held to anything. The run
fails on a case that compiles and does not match, or crashes.

On demand (about 10 minutes on two cores): ctest --test-dir build -L cuda-full

usage: emulated_node_tests.py --modelc BIN [--data DIR] [--jobs N] [--filter REGEX]
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check_emulated import build_emulated  # noqa: E402

EXPECTATIONS = os.path.join(HERE, "..", "conformance", "node-expectations.txt")


def known_failures():
    names = set()
    with open(EXPECTATIONS) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.add(line.split()[0].split("/")[-1])
    return names


def run_case(modelc, case_dir):
    case = os.path.basename(case_dir)
    with tempfile.TemporaryDirectory(prefix="modelc_node_") as work:
        try:
            runner, _ = build_emulated(modelc, os.path.join(case_dir, "model.onnx"), "fp32",
                                       os.path.join(work, "a"))
        except RuntimeError as e:
            kind = "unsupported" if "modelc failed" in str(e) else "build"
            return case, kind, str(e)[-200:]
        data = os.path.join(case_dir, "test_data_set_0")
        out = os.path.join(work, "out")
        try:
            proc = subprocess.run([runner, "--inputs", data, "--outputs", out],
                                  capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return case, "crash", "timeout"
        if proc.returncode != 0:
            return case, "crash", (proc.stderr.strip() or f"exit {proc.returncode}")[-200:]
        for name in sorted(f for f in os.listdir(data) if f.startswith("output_")):
            expected = numpy_helper.to_array(onnx.load_tensor(os.path.join(data, name)))
            actual = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, name)))
            if expected.shape != actual.shape:
                return case, "fail", f"{name}: shape {actual.shape} != {expected.shape}"
            if expected.dtype.kind == "f":
                ok = np.allclose(actual.astype(np.float64), expected.astype(np.float64),
                                 rtol=1e-3, atol=1e-7, equal_nan=True)
            else:
                ok = np.array_equal(actual, expected)
            if not ok:
                return case, "fail", f"{name} differs"
        return case, "pass", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--filter", default="", help="only cases whose name matches this regex")
    args = ap.parse_args()
    cases = sorted(d for d in os.listdir(args.data) if re.search(args.filter, d))
    known = known_failures()
    counts, problems = {}, []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for case, status, detail in pool.map(
                lambda c: run_case(args.modelc, os.path.join(args.data, c)), cases):
            if status in ("fail", "crash", "build") and case in known:
                status = "known"
            counts[status] = counts.get(status, 0) + 1
            if status in ("fail", "crash", "build"):
                problems.append(f"{status.upper()} {case}: {detail}")
                print(problems[-1], flush=True)
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) +
          f" ({len(cases)} node cases through the emulated CUDA target)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
