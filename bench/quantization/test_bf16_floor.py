#!/usr/bin/env python3
"""Checks bf16_floor.py without onnxruntime: its bf16 rounding (to nearest,
halves to even, on hand-picked f32 bit patterns) and the models it writes
for MODEL.onnx (every product weight bf16-exact, a Cast pair on each
product's first input only in the weights+activations copy, kept nodes
untouched).

usage: test_bf16_floor.py MODEL.onnx
"""

import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bf16_floor  # noqa: E402

FAILURES = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILURES.append(what)


def bits(value):
    return int(np.array([value], dtype=np.float32).view(np.uint32)[0])


def rounded_bits(pattern):
    value = np.array([pattern], dtype=np.uint32).view(np.float32)
    return bits(bf16_floor.round_to_bf16(value)[0])


def check_rounding():
    cases = [
        (0x3F800000, 0x3F800000, "1.0 is exact"),
        (0x3F808000, 0x3F800000, "a half rounds down to the even 1.0"),
        (0x3F818000, 0x3F820000, "a half rounds up to the even 0x3F82"),
        (0x3F808001, 0x3F810000, "above a half rounds up"),
        (0x3F807FFF, 0x3F800000, "below a half rounds down"),
        (0xBF808001, 0xBF810000, "negative values round by magnitude"),
    ]
    for pattern, expected, what in cases:
        got = rounded_bits(pattern)
        check(got == expected, f"round_to_bf16: {what} (0x{pattern:08X} -> 0x{got:08X})")


def product_weights(model):
    initializers = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    return {n.name: initializers[n.input[1]] for n in model.graph.node
            if n.op_type in bf16_floor.PRODUCTS and n.input[1] in initializers}


def check_rewrite(source):
    original = onnx.load(source)
    weights = product_weights(original)
    check(len(weights) > 0, f"{os.path.basename(source)} has product weights")
    keep = sorted(weights)[0]
    with tempfile.TemporaryDirectory(prefix="bf16-floor-test-") as work:
        for activations in (False, True):
            target = os.path.join(work, f"rewritten-{activations}.onnx")
            bf16_floor.rewrite(source, target, activations, {keep})
            model = onnx.load(target)
            onnx.checker.check_model(model)
            rewritten = product_weights(model)
            exact = all((rewritten[n].view(np.uint32) & 0xFFFF == 0).all()
                        for n in rewritten if n != keep)
            check(exact, f"activations={activations}: every product weight is bf16-exact")
            check(np.array_equal(rewritten[keep], weights[keep]),
                  f"activations={activations}: the kept node's weight is unchanged")
            casts = sum(n.op_type == "Cast" for n in model.graph.node)
            products = sum(n.op_type in bf16_floor.PRODUCTS for n in original.graph.node)
            expected = 2 * (products - 1) if activations else 0
            check(casts == expected, f"activations={activations}: {casts} Casts, {expected} expected")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    check_rounding()
    check_rewrite(sys.argv[1])
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")


if __name__ == "__main__":
    main()
