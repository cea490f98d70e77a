#!/usr/bin/env python3
"""Checks the descriptors modelc's library layer builds (ctest cuda-library-descriptors).

descriptors.cpp runs the real mc_gemm_plan_init/mc_gemm_run and
mc_conv_plan_init/mc_conv_run (targets/CUDA/runtime/libraries.cuh) through the
emulated cuBLASLt and cuDNN (test/CUDA/emulator) on device buffers. Each case
here names what it must show:
  * the correct plans agree with naive loops (the positive controls, in fp32,
    fp16, bf16 and TF32, with and without a workspace);
  * a plan with one descriptor corrupted after planning (a leading dimension
    below or past the rows, a batch stride too long or overlapping, a batch
    count or inner dimension that disagrees, a conv pad or group count that
    is wrong) and runs that misuse a plan (a workspace too small or missing,
    a host or misaligned operand) either give numbers that differ from the
    correct loop and agree with the loop the corruption implies, or are
    rejected with a status and the reason the library checks, or fault
    (exit 3) on the operand that leaves device memory.

usage: check_descriptors.py WORKDIR
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
EMULATOR = os.path.join(ROOT, "test", "CUDA", "emulator")
RUNTIME = os.path.join(ROOT, "targets", "CUDA", "runtime")

# Each case: (exit status, [(stream, pattern)...]); every pattern must match a
# line of that stream. A case that exits 0 must print no emulator diagnostic
# unless one is expected.
FAULT = 3
CASES = {
    "gemm-f32": (0, [("out", r"^match reference:")]),
    "gemm-f16": (0, [("out", r"^match reference:")]),
    "gemm-bf16": (0, [("out", r"^match reference:")]),
    "gemm-tf32": (0, [("out", r"^match reference on TF32 inputs:"),
                      ("out", r"^mismatch reference:")]),
    "gemm-broadcast-b": (0, [("out", r"^match reference:")]),
    "gemm-split-k": (0, [("out", r"^plan: workspace 256 bytes$"),
                         ("out", r"^match reference:")]),
    "gemm-split-k-no-workspace": (0, [("out", r"^plan: workspace 0 bytes$"),
                                      ("out", r"^match reference:")]),
    "gemm-ld-below-rows": (0, [("out", r"^error: mc_gemm_run returned -1$"),
                               ("err", r"cublasLtMatmul: A has ld 4 < rows 5")]),
    "gemm-ld-at-plan": (0, [("out", r"^error: cublasLtMatmulAlgoGetHeuristic returned 7, found 0$"),
                            ("err", r"cublasLtMatmulAlgoGetHeuristic: A has ld 4 < rows 5")]),
    "gemm-ld-above-rows": (FAULT, [("err", r"cublasLtMatmul A: \[.*\) runs 20 bytes past the end of the 360-byte "
                                          r"cudaMalloc allocation")]),
    "gemm-ld-above-rows-padded": (0, [("out", r"^mismatch reference:"),
                                      ("out", r"^match reference with B's row pitch n \+ 1:")]),
    "gemm-stride-past-end": (FAULT, [("err", r"cublasLtMatmul B: \[.*\) runs 8 bytes past the end of the 288-byte "
                                            r"cudaMalloc allocation")]),
    "gemm-stride-padded": (0, [("out", r"^mismatch reference:"),
                               ("out", r"^match reference with A's batch stride m k \+ 1:")]),
    "gemm-stride-overlap": (0, [("out", r"^mismatch reference:")]),
    "gemm-batch-count": (0, [("out", r"^error: mc_gemm_run returned -1$"),
                             ("err", r"cublasLtMatmul: batch counts differ: A 3, B 3, C 2, D 2")]),
    "gemm-inner-dims": (0, [("out", r"^error: mc_gemm_run returned -1$"),
                            ("err", r"cublasLtMatmul: A is 5 x 7 and B is 6 x 4: .*\(k\) differ")]),
    "gemm-workspace-short": (0, [("out", r"^error: mc_gemm_run returned -1$"),
                                 ("err", r"cublasLtMatmul: a workspace of 255 bytes, the algorithm needs 256")]),
    "gemm-workspace-missing": (FAULT, [("err", r"cublasLtMatmul workspace: \(nil\) is not device memory")]),
    "gemm-host-operand": (FAULT, [("err", r"cublasLtMatmul B: .* is not device memory")]),
    "gemm-misaligned": (0, [("out", r"^error: mc_gemm_run returned -1$"),
                            ("err", r"cublasLtMatmul: B at .* is not 256-byte aligned")]),
    "conv-f32": (0, [("out", r"^plan: algorithm 1, workspace 256 bytes$"),
                     ("out", r"^match reference:")]),
    "conv-f16": (0, [("out", r"^match reference:")]),
    "conv-bf16": (0, [("out", r"^match reference:")]),
    "conv-grouped": (0, [("out", r"^match reference:")]),
    "conv-depthwise": (0, [("out", r"^match reference:")]),
    "conv-no-workspace": (0, [("out", r"^plan: algorithm 0, workspace 0 bytes$"),
                              ("out", r"^match reference:")]),
    "conv-pad-dims": (0, [("out", r"^error: mc_conv_run returned -1$"),
                          ("err", r"cudnnConvolutionForward: y is 7x6 \(h x w\) but the convolution gives 9x8")]),
    "conv-pad-same-dims": (0, [("out", r"^mismatch reference:"),
                               ("out", r"^match reference with pad \+ 1:")]),
    "conv-groups-patched": (0, [("out", r"^error: mc_conv_run returned -1$"),
                                ("err", r"cudnnConvolutionForward: the filter has 2 input channels per group "
                                        r"and there are 1 groups, but x has 4 channels")]),
    "conv-groups-plan": (0, [("out", r"^error: mc_conv_plan_init returned -1$"),
                             ("err", r"cudnnGetConvolutionForwardAlgorithm_v7: 4 output channels are not a "
                                     r"multiple of the 3 groups")]),
    "conv-output-dims-plan": (0, [("out", r"^error: mc_conv_plan_init returned -1$"),
                                  ("err", r"cudnnGetConvolutionForwardAlgorithm_v7: y is 8x6 \(h x w\) but the "
                                          r"convolution gives 7x6")]),
    "conv-workspace-short": (0, [("out", r"^error: mc_conv_run returned -1$"),
                                 ("err", r"cudnnConvolutionForward: a workspace of 255 bytes, algorithm 1 needs 256")]),
    "conv-workspace-missing": (FAULT, [("err", r"cudnnConvolutionForward workspace: \(nil\) is not device memory")]),
    "conv-host-filter": (FAULT, [("err", r"cudnnConvolutionForward w: .* is not device memory")]),
}


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    binary = os.path.join(work, "descriptors")
    build = subprocess.run(
        ["g++", "-std=c++17", "-O1", "-Wall", "-Werror", "-Wno-unused-function", "-I", EMULATOR,
         "-I", RUNTIME, os.path.join(HERE, "descriptors.cpp"), "-o", binary],
        capture_output=True, text=True)
    if build.returncode != 0:
        print("FAIL build:\n" + build.stderr)
        return 1
    listed = subprocess.run([binary, "--list"], capture_output=True, text=True).stdout.split()
    failures = []
    if sorted(listed) != sorted(CASES):
        failures.append("cases differ from descriptors.cpp: "
                        f"{sorted(set(listed) ^ set(CASES))}")
    for name, (status, expected) in CASES.items():
        proc = subprocess.run([binary, name], capture_output=True, text=True, timeout=60)
        streams = {"out": proc.stdout.splitlines(), "err": proc.stderr.splitlines()}
        problems = []
        if proc.returncode != status:
            problems.append(f"exit {proc.returncode}, expected {status}")
        for stream, pattern in expected:
            if not any(re.search(pattern, line) for line in streams[stream]):
                problems.append(f"no {stream} line matches /{pattern}/")
        wants_diagnostic = any(stream == "err" for stream, _ in expected)
        if not wants_diagnostic and proc.stderr.strip():
            problems.append("unexpected diagnostic")
        if problems:
            failures.append(name)
            print(f"FAIL {name}: " + "; ".join(problems))
            for stream in ("out", "err"):
                for line in streams[stream]:
                    print(f"     {stream}: {line}")
        else:
            shown = [line for stream, _ in expected for line in streams[stream]
                     if any(re.search(p, line) for s, p in expected if s == stream)]
            print(f"PASS {name}: " + " | ".join(dict.fromkeys(shown)))
    if failures:
        print(f"{len(failures)} of {len(CASES)} case(s) failed")
        return 1
    print(f"all {len(CASES)} cases behave as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
