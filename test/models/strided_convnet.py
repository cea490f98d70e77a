#!/usr/bin/env python3
"""Writes a small float convolution net whose quantized convolutions take
every path of the 8-bit C kernels' implicit im2col (qconv.c): 3x3 stride 1
with same padding, 3x3 and 7x7 stride 2 on an input twice the output's
size (four input phases), 1x1 stride 2 (one phase), and an unpadded 3x3,
whose rows are narrower than its input's, through an im2col buffer. Weights are
seeded normals, so the file is the same on every run.

usage: strided_convnet.py OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    rng = np.random.default_rng(7)
    nodes, inits = [], []

    def conv(x, out, cin, cout, k, stride, pad, relu=True):
        w = (rng.standard_normal((cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
        b = (0.1 * rng.standard_normal(cout)).astype(np.float32)
        inits.extend([numpy_helper.from_array(w, out + "_w"), numpy_helper.from_array(b, out + "_b")])
        y = out + "_conv" if relu else out
        nodes.append(helper.make_node("Conv", [x, out + "_w", out + "_b"], [y], kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[pad] * 4))
        if relu:
            nodes.append(helper.make_node("Relu", [y], [out]))
        return out

    x = conv("input", "same3x3", 3, 8, 3, 1, 1)            # 3x32x32 -> 8x32x32
    x = conv(x, "stem7x7", 8, 16, 7, 2, 3)                 # -> 16x16x16
    x = conv(x, "down3x3", 16, 24, 3, 2, 1)                # -> 24x8x8
    x = conv(x, "down1x1", 24, 32, 1, 2, 0)                # -> 32x4x4
    x = conv(x, "same3x3b", 32, 32, 3, 1, 1)               # -> 32x4x4
    x = conv(x, "valid3x3", 32, 16, 3, 1, 0, relu=False)   # -> 16x2x2, through an im2col buffer
    graph = helper.make_graph(
        nodes, "strided_convnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, 16, 2, 2])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[1])


if __name__ == "__main__":
    main()
