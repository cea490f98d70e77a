// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline=target=cuda | not modelc-translate --emit-cuda 2>&1 | FileCheck %s

// Every dispatch the CUDA target cannot compile yet is named in one error,
// not just the first: here two convolutions with asymmetric padding, which
// cuDNN's symmetric descriptors cannot express.
// CHECK: 2 dispatches cannot be compiled for the cuda target: conv_0: asymmetric convolution padding is not supported by the cuda target yet; conv_1: asymmetric convolution padding is not supported by the cuda target yet
func.func @main(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %a = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  %b = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %a, %b : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}
