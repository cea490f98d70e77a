#!/usr/bin/env python3
"""16-bit storage halves the arena: for each model, `modelc compile
--target=cuda --emit=mlir-planned --report` at fp32 and at each 16-bit
precision, and the 16-bit arena_bytes must be at most RATIO x the fp32 one.

The planner sizes buffers from the IR's types, so this holds only while
kernel-convert-float-storage puts the storage type in the IR before planning.

usage: check_storage_arena.py --modelc BIN [--ratio 0.55] MODEL.onnx...
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def arena_bytes(modelc, model, precision, work):
    out = os.path.join(work, f"{os.path.basename(model)}-{precision}")
    report = out + ".json"
    subprocess.run([modelc, "compile", model, "--target=cuda",
                    f"--precision={precision}", "--emit=mlir-planned",
                    "-o", out, "--report", report],
                   check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        return json.load(f)["arena_bytes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--ratio", type=float, default=0.55)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for model in args.models:
            full = arena_bytes(args.modelc, model, "fp32", work)
            for precision in ("fp16", "bf16"):
                narrow = arena_bytes(args.modelc, model, precision, work)
                ratio = narrow / full if full else 1.0
                ok = full > 0 and ratio <= args.ratio
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(model)} "
                      f"{precision}: arena {narrow} of fp32's {full} bytes "
                      f"({ratio:.3f} x, limit {args.ratio})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
