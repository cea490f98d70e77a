#!/usr/bin/env python3
"""Quantize, compile, compare: `modelc quantize` on each model, then its
int8 artifact against onnxruntime running the QDQ model it wrote.

A model passes when, on every held-out input and for every output, modelc
is within 2 quantization steps of the output's scale of onnxruntime, and its
SQNR against fp32 is within 0.5 dB of onnxruntime's. With --cuda-emulated,
the same QDQ model compiled for CUDA must also give the C target's int8
outputs through the emulated CUDA runtime (test/CUDA/check_emulated.py),
and with --nvcc also build with the real toolkit.

onnxruntime runs the QDQ model through its fused int8 kernels where those
are exact (CPUs with AVX512-VNNI or AVX-VNNI). On plain AVX2 they saturate
pairs of products in int16 (vpmaddubsw), so there onnxruntime runs the
model as written instead, dequantize, float op, quantize: the QDQ model's
defined meaning. The line printed says which.

usage: check_quantized.py --modelc BIN [--cuda-emulated [--nvcc NVCC]] MODEL.onnx [...]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import qdq_eval  # noqa: E402

MAX_STEPS = 2.0
MAX_SQNR_GAP_DB = 0.5


HERE = os.path.dirname(os.path.abspath(__file__))


def check_cuda_emulated(modelc, work, held_out, nvcc=""):
    """The QDQ model through the emulated CUDA target, against the C
    target's int8 outputs of the same inputs."""
    staged = os.path.join(work, "cuda", "qdq")
    for k in range(held_out):
        test_set = os.path.join(staged, f"test_data_set_{k}")
        os.makedirs(test_set)
        source = os.path.join(work, "held_out", f"test_data_set_{k}")
        for name in os.listdir(source):
            shutil.copy(os.path.join(source, name), test_set)
        c_outputs = os.path.join(work, "mc8", str(k))
        for name in os.listdir(c_outputs):
            shutil.copy(os.path.join(c_outputs, name), test_set)
    shutil.copy(os.path.join(work, "model.qdq.onnx"), staged + ".onnx")
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "..", "CUDA", "check_emulated.py"),
         "--modelc", modelc, *(["--nvcc", nvcc] if nvcc else []), staged + ".onnx:fp32"],
        capture_output=True, text=True)
    last = (proc.stdout.strip().splitlines() or [proc.stderr.strip()])[-1]
    return proc.returncode == 0, "emulated CUDA vs C int8: " + last


def check(modelc, model, calibration, held_out, cuda_emulated=False, nvcc=""):
    ort_opt = "all" if qdq_eval.has_exact_ort_int8() else "disabled"
    with tempfile.TemporaryDirectory(prefix="modelc-quantized-") as work:
        report = qdq_eval.evaluate(modelc, model, work, calibration, held_out,
                                   ort_opt=ort_opt)
        cuda = check_cuda_emulated(modelc, work, held_out, nvcc) if cuda_emulated else None
    details = ["onnxruntime " + ("int8 kernels" if ort_opt == "all"
                                 else "unoptimized (no exact int8 kernels on this CPU)")]
    ok = True
    for out in report["outputs"]:
        steps = out.get("max_steps_vs_ort")
        gap = abs(out["sqnr_modelc_db"] - out["sqnr_ort_db"])
        if steps is None or steps > MAX_STEPS or gap > MAX_SQNR_GAP_DB:
            ok = False
        details.append(f"{out['output']}: {steps if steps is not None else 'no scale'} steps "
                       f"from onnxruntime, SQNR {out['sqnr_modelc_db']:.2f} dB "
                       f"(onnxruntime {out['sqnr_ort_db']:.2f} dB)")
    sizes = report["initializer_bytes"]
    details.append(f"weights {sizes['int8']} / {sizes['fp32']} bytes")
    if cuda:
        ok = ok and cuda[0]
        details.append(cuda[1])
    return ok, "; ".join(details)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modelc", required=True)
    parser.add_argument("--calibration", type=int, default=8)
    parser.add_argument("--held-out", type=int, default=4)
    parser.add_argument("--cuda-emulated", action="store_true")
    parser.add_argument("--nvcc", default="", help="also build the CUDA artifact with this nvcc")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    passed = failed = 0
    for model in args.models:
        ok, detail = check(args.modelc, model, args.calibration, args.held_out,
                           args.cuda_emulated, args.nvcc)
        print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)}: {detail}",
              flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
