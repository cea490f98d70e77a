#!/usr/bin/env python3
"""Einsum equations through `modelc run`, against numpy.einsum.

Each case is a one-node model built with onnx.helper and run on the C
target. The equations cover what the importer decomposes (EinsumImporter.cpp):
matrix products with transposed operands, implicit results, the ellipsis,
diagonals (in one operand and before a product), traces, full sums, three
operands, upper-case labels, and integers (exact, on the elementwise path),
and equations that must be refused with one error line.
Floats must match within 1e-4 of the output's largest magnitude; integers
exactly.

usage: einsum_equations.py --modelc BIN     (prints "N passed, M failed")
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)], np.float32),
    ("bij,bkj->bik", [(2, 3, 4), (2, 5, 4)], np.float32),
    ("i,i", [(7,), (7,)], np.float32),
    ("ij,jk", [(3, 4), (4, 2)], np.float32),
    ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 6)], np.float32),
    ("ii->i", [(5, 5)], np.float32),
    ("ii", [(4, 4)], np.float32),
    ("ij->", [(3, 4)], np.float32),
    ("abc,cd,de->ae", [(2, 3, 4), (4, 5), (5, 3)], np.float32),
    ("ij,ij->ij", [(3, 4), (3, 4)], np.float32),
    ("Ab,bC->CA", [(3, 4), (4, 2)], np.float32),
    ("bii,bi->b", [(2, 3, 3), (2, 3)], np.float32),
    ("ij,jk->ik", [(3, 4), (4, 5)], np.int64),
    ("ij,kj->ki", [(3, 4), (2, 4)], np.float64),
]

# Equations modelc must refuse with one line naming the node and the fault.
REFUSED = [
    ("ij,jk->iq", [(3, 4), (4, 5)], "the result has label 'q', which no operand has"),
    ("ijk,jk->ik", [(3, 4), (4, 5)], "term 'ijk' does not match input 0 of rank 2"),
    ("ij,jk->ik", [(3, 4), (5, 2)], "label 'j' has sizes 4 and 5"),
    ("i1,1k->ik", [(3, 4), (4, 5)], "bad term 'i1'"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modelc", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    work = tempfile.mkdtemp(prefix="einsum_")
    passed = failed = 0
    try:
        runs = [(e, s, d, None) for e, s, d in CASES]
        runs += [(e, s, np.float32, message) for e, s, message in REFUSED]
        for index, (equation, shapes, dtype, refusal) in enumerate(runs):
            label = f"{equation} {np.dtype(dtype).name}"
            folder = os.path.join(work, str(index))
            inputs = os.path.join(folder, "in")
            os.makedirs(inputs)
            names = [f"x{k}" for k in range(len(shapes))]
            arrays = []
            for k, shape in enumerate(shapes):
                if np.issubdtype(dtype, np.integer):
                    a = rng.integers(-50, 50, size=shape).astype(dtype)
                else:
                    a = rng.standard_normal(shape).astype(dtype)
                arrays.append(a)
                with open(os.path.join(inputs, f"input_{k}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(a, names[k]).SerializeToString())
            want = (np.zeros((1,), dtype) if refusal
                    else np.einsum(equation, *arrays))
            elem = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]
            graph = helper.make_graph(
                [helper.make_node("Einsum", names, ["y"], name="einsum",
                                  equation=equation)],
                "einsum",
                [helper.make_tensor_value_info(n, elem, list(a.shape))
                 for n, a in zip(names, arrays)],
                [helper.make_tensor_value_info("y", elem, list(want.shape))])
            model = helper.make_model(
                graph, opset_imports=[helper.make_opsetid("", 12)])
            model.ir_version = 8
            path = os.path.join(folder, "model.onnx")
            onnx.save(model, path)
            outputs = os.path.join(folder, "out")
            proc = subprocess.run(
                [args.modelc, "run", path, "--target=c", "--inputs", inputs,
                 "--outputs", outputs], capture_output=True, text=True)
            if refusal:
                lines = proc.stderr.strip().splitlines()
                if proc.returncode == 1 and len(lines) == 1 and \
                        lines[0].startswith("modelc: error: node 'einsum'") and \
                        refusal in lines[0]:
                    passed += 1
                    print(f"PASS {equation} refused: {lines[0]}")
                else:
                    failed += 1
                    print(f"FAIL {equation}: exit {proc.returncode}, expected "
                          f"'{refusal}': {proc.stderr.strip()[-300:]}")
                continue
            if proc.returncode != 0:
                failed += 1
                print(f"FAIL {label}: {proc.stderr.strip()[-300:]}")
                continue
            got = numpy_helper.to_array(
                onnx.load_tensor(os.path.join(outputs, "output_0.pb")))
            if got.shape != want.shape or got.dtype != want.dtype:
                failed += 1
                print(f"FAIL {label}: {got.dtype}{list(got.shape)}, expected "
                      f"{want.dtype}{list(want.shape)}")
                continue
            if np.issubdtype(dtype, np.integer):
                ok, detail = np.array_equal(got, want), "exact"
            else:
                scale = max(float(np.max(np.abs(want))), 1e-30)
                error = float(np.max(np.abs(got.astype(np.float64) - want)))
                ok = error <= 1e-4 * scale
                detail = f"max |error| {error / scale:.2g} of the largest output"
            if ok:
                passed += 1
                print(f"PASS {label}: {detail}")
            else:
                failed += 1
                print(f"FAIL {label}: {detail}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
