#!/usr/bin/env python3
"""Checks CUDA artifacts without a GPU.

For each model and precision: `modelc compile --target=cuda`, then
  1. the generated kernels and host code run on the CPU through the emulation
     in test/CUDA/emulator (blocks in sequence, threads as fibers, graphs
     recorded and replayed, the real cuBLASLt/cuDNN layer over emulated
     libraries that compute from its descriptors), and
     every output of every test set is compared with onnxruntime's:
       max |actual - expected| <= tol * max |expected| + 1e-5
     with tol 1e-4 (fp32: the C target's bound, relative to the output's
     largest magnitude, not to each element), 2e-2 (fp16) or 5e-2 (bf16;
     its 8-bit mantissa gets the looser one);
  2. with --nvcc, the same .cu compiles for the real GPUs and the runner links
     against cudart, cuBLASLt and cuDNN (what a machine with the toolkit does).

  3. with --synthetic MODEL.onnx:PRECISION[,...], the model compiled with
     --weights=external runs with `--synthetic-weights SEED` through both the
     C runner and the emulated CUDA runner, and their outputs must agree within
     the same bounds: the check the GPU script makes for models too big to ship.

usage: check_emulated.py --modelc BIN [--nvcc NVCC] [--synthetic CASE ...] CASE ...
  CASE: MODEL.onnx:fp32[,fp16,bf16,fp16io]
  (fp16io: fp16 storage and fp16 inputs and outputs, --io-precision=fp16)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "emulator")
TOLERANCE = {"fp32": 1e-4, "fp16": 2e-2, "bf16": 5e-2, "fp16io": 2e-2}
# fp16io: --precision=fp16 with --io-precision=fp16, so the caller's buffers
# are halves too; the test sets' float inputs are converted to float16 first.
COMPILE_FLAGS = {"fp16io": ["--precision=fp16", "--io-precision=fp16"]}
LAUNCH = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_<>, ]*)<<<(.*)>>>\((.*)\);$")
BOUNDS = re.compile(r"__launch_bounds__\(\s*(\d+)[^)]*\)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
# The emulation build: test/CUDA/emulator stands in for the toolkit's headers.
EMULATOR_CXX = ["g++", "-std=c++17", "-O2", "-I", EMULATOR]


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def run(args, cwd=None):
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{os.path.basename(args[0])} failed (exit {proc.returncode}): "
                           + " | ".join(tail))
    return proc.stdout


def emulated_source(cu_path, out_path):
    """Rewrites each `k<<<config>>>(args);` into MC_EMU_LAUNCH((config), (args), k),
    or MC_EMU_LAUNCH_BOUNDED(n, ...) when k is declared __launch_bounds__(n), so
    the emulation refuses a launch with more threads as a GPU does."""
    with open(cu_path) as f:
        source = f.readlines()
    bounds = {name: count for count, name in BOUNDS.findall("".join(source))}
    lines = []
    for line in source:
        m = LAUNCH.match(line.rstrip("\n"))
        if m:
            indent, kernel, config, args = m.groups()
            bound = bounds.get(kernel.split("<")[0].strip())
            if bound:
                line = f"{indent}MC_EMU_LAUNCH_BOUNDED({bound}, ({config}), ({args}), {kernel});\n"
            else:
                line = f"{indent}MC_EMU_LAUNCH(({config}), ({args}), {kernel});\n"
        lines.append(line)
    with open(out_path, "w") as f:
        f.writelines(lines)


def compare(expected_dir, actual_dir, tol, label):
    """Worst share of the bound over every output_K.pb; raises past it."""
    worst = 0.0
    for name in sorted(f for f in os.listdir(expected_dir) if f.startswith("output_")):
        expected = load(os.path.join(expected_dir, name)).astype(np.float64)
        actual = load(os.path.join(actual_dir, name)).astype(np.float64)
        if expected.shape != actual.shape:
            raise RuntimeError(f"{label}/{name}: shape {actual.shape} != {expected.shape}")
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        diff = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
        bound = tol * scale + 1e-5
        worst = max(worst, diff / bound)
        if not diff <= bound:
            raise RuntimeError(f"{label}/{name}: max |diff| {diff:.3g} > {bound:.3g} "
                               f"({tol} x {scale:.3g} + 1e-5)")
    return worst


def build_emulated(modelc, model, precision, out, extra=()):
    flags = COMPILE_FLAGS.get(precision, [f"--precision={precision}"])
    run([modelc, "compile", model, "--target=cuda", *flags, "-o", out, *extra])
    emulated = os.path.join(out, "model.emu.cpp")
    emulated_source(os.path.join(out, "model.cu"), emulated)
    weights = [os.path.join(out, "model_weights.o")] if os.path.exists(
        os.path.join(out, "model_weights.o")) else []
    runner = os.path.join(out, "emulated_runner")
    run([*EMULATOR_CXX, "-x", "c++", emulated,
         os.path.join(out, "model_runner.cu"), "-x", "none", *weights, "-o", runner])
    return runner, weights


def check_synthetic(modelc, model, precision, work, seed=5):
    base = model[:-len(".onnx")]
    inputs = os.path.join(base, "test_data_set_0")
    c_dir = os.path.join(work, "c")
    run([modelc, "compile", model, "--weights=external", "-o", c_dir])
    run(["cc", "-std=c99", "-O2", os.path.join(c_dir, "model.c"),
         os.path.join(c_dir, "model_runner.c"), "-lm", "-lpthread",
         "-o", os.path.join(c_dir, "runner")])
    run([os.path.join(c_dir, "runner"), "--inputs", inputs, "--outputs",
         os.path.join(work, "c_out"), "--synthetic-weights", str(seed)])
    runner, _ = build_emulated(modelc, model, precision, os.path.join(work, "cuda"),
                               ["--weights=external"])
    run([runner, "--inputs", inputs, "--outputs", os.path.join(work, "cuda_out"),
         "--synthetic-weights", str(seed)])
    return compare(os.path.join(work, "c_out"), os.path.join(work, "cuda_out"),
                   TOLERANCE[precision], "synthetic")


def as_float16(inputs, out):
    """The test set's input_K.pb with float32 tensors as float16, in `out`."""
    os.makedirs(out)
    for name in sorted(f for f in os.listdir(inputs) if f.startswith("input_")):
        tensor = onnx.load_tensor(os.path.join(inputs, name))
        if tensor.data_type == onnx.TensorProto.FLOAT:
            tensor = numpy_helper.from_array(
                numpy_helper.to_array(tensor).astype(np.float16), tensor.name)
        onnx.save_tensor(tensor, os.path.join(out, name))
    return out


def check(modelc, nvcc, model, precision, work):
    base = model[:-len(".onnx")]
    sets = sorted(d for d in os.listdir(base) if d.startswith("test_data_set_"))
    if not sets:
        raise RuntimeError("no test sets")
    out = os.path.join(work, "artifact")
    runner, weights = build_emulated(modelc, model, precision, out)
    worst = 0.0
    for test_set in sets:
        inputs = os.path.join(base, test_set)
        outputs = os.path.join(work, test_set)
        given = inputs if precision != "fp16io" else as_float16(
            inputs, os.path.join(work, test_set + "_fp16"))
        run([runner, "--inputs", given, "--outputs", outputs])
        worst = max(worst, compare(inputs, outputs, TOLERANCE[precision], test_set))
    if nvcc:
        # Device code for two architectures plus the runner, linked as an
        # application on a machine with the toolkit would.
        run([nvcc, "-std=c++17", "-O2", "-gencode=arch=compute_80,code=sm_80",
             "-gencode=arch=compute_90,code=compute_90",
             os.path.join(out, "model.cu"), os.path.join(out, "model_runner.cu"), *weights,
             "-o", os.path.join(out, "cuda_runner"), "-lcublasLt", "-lcudnn"])
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--nvcc", default="", help="also build each artifact with this nvcc")
    ap.add_argument("--synthetic", action="append", default=[],
                    help="MODEL.onnx:PRECISIONS: C and CUDA runners agree on synthetic weights")
    ap.add_argument("cases", nargs="*", help="MODEL.onnx:fp32[,fp16,bf16]")
    args = ap.parse_args()
    failures = 0
    jobs = [(case, False) for case in args.cases] + [(case, True) for case in args.synthetic]
    for case, synthetic in jobs:
        model, _, precisions = case.rpartition(":")
        for precision in precisions.split(","):
            start = time.time()
            label = f"{os.path.basename(model)} {precision}{' synthetic weights' if synthetic else ''}"
            with tempfile.TemporaryDirectory(prefix="modelc_cuda_") as work:
                try:
                    if synthetic:
                        worst = check_synthetic(args.modelc, model, precision, work)
                        what = "vs the C runner"
                    else:
                        worst = check(args.modelc, args.nvcc, model, precision, work)
                        what = "vs onnxruntime" + (", nvcc build ok" if args.nvcc else "")
                    print(f"PASS {label}: worst {worst:.2f} of the bound ({what}) "
                          f"[{time.time() - start:.1f} s]")
                except RuntimeError as e:
                    failures += 1
                    print(f"FAIL {label}: {e}")
            sys.stdout.flush()
    if failures:
        print(f"{failures} case(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
