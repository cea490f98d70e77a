#!/usr/bin/env python3
"""Quantize, compile, compare: `modelc quantize` on each model, then its
int8 artifact against onnxruntime running the QDQ model it wrote.

A model passes when, on every held-out input and for every output, modelc
is within 2 quantization steps of the output's scale of onnxruntime, and its
SQNR against fp32 is within 0.5 dB of onnxruntime's.

usage: check_quantized.py --modelc BIN MODEL.onnx [...]
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import qdq_eval  # noqa: E402

MAX_STEPS = 2.0
MAX_SQNR_GAP_DB = 0.5


def check(modelc, model, calibration, held_out):
    with tempfile.TemporaryDirectory(prefix="modelc-quantized-") as work:
        report = qdq_eval.evaluate(modelc, model, work, calibration, held_out)
    details = []
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
    return ok, "; ".join(details)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modelc", required=True)
    parser.add_argument("--calibration", type=int, default=8)
    parser.add_argument("--held-out", type=int, default=4)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    passed = failed = 0
    for model in args.models:
        ok, detail = check(args.modelc, model, args.calibration, args.held_out)
        print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)}: {detail}",
              flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
