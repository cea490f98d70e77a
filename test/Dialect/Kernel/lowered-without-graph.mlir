// RUN: modelc-opt %s --split-input-file --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline | modelc-opt --without-graph-dialect --split-input-file | FileCheck %s

// Once lowered, a conv with its epilogue, a pooling, a reduction, a matmul,
// a softmax, a layer norm and a transpose are all in the kernel vocabulary:
// the planned module parses and prints with the graph dialect unregistered.
// CHECK-LABEL: func.func @main(
//   CHECK-NOT: graph.
//       CHECK:   kernel.conv
//       CHECK:   linalg.generic
//       CHECK:   kernel.pool {{.*}}kind = "max"
//       CHECK:   linalg.fill
//       CHECK:   kernel.matmul {{.*}}accumulator = f32
//       CHECK:   kernel.softmax
//       CHECK:   kernel.layer_norm
//   CHECK-NOT: graph.
func.func @main(%x: tensor<1x4x8x8xf32>, %g: tensor<8xf32>) -> (tensor<1x8xf32>, tensor<8x1xf32>) {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %r = graph.relu %c : tensor<1x4x8x8xf32>
  %p = graph.max_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %m = graph.reduce_mean %p {axes = array<i64: 3>, keepdims = false} : tensor<1x4x4x4xf32> -> tensor<1x4x4xf32>
  %f = graph.reshape %m : tensor<1x4x4xf32> -> tensor<1x16xf32>
  %k = arith.constant dense<0.25> : tensor<16x8xf32>
  %y = graph.matmul %f, %k : (tensor<1x16xf32>, tensor<16x8xf32>) -> tensor<1x8xf32>
  %s = graph.softmax %y {axis = 1 : i64} : tensor<1x8xf32>
  %n = graph.layer_norm %s, %g {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %t = graph.transpose %n [1, 0] : tensor<1x8xf32> -> tensor<8x1xf32>
  return %n, %t : tensor<1x8xf32>, tensor<8x1xf32>
}

// -----

// The data movement that reads at computed positions is in the vocabulary
// too: a slice view, a gather, a pad, a Trilu, a OneHot and a Resize (whose
// tap tables are constants) lower, plan and parse without the graph dialect.
// CHECK-LABEL: func.func @movement(
//   CHECK-NOT: graph.
//       CHECK:   tensor.extract_slice
//       CHECK:   tensor.extract
//   CHECK-NOT: graph.
func.func @movement(%x: tensor<6x8xf32>, %ids: tensor<3xi64>, %hot: tensor<4xi64>, %v: tensor<2xf32>) -> (tensor<2x4xf32>, tensor<3x8xf32>, tensor<6x10xf32>, tensor<6x8xf32>, tensor<4x5xf32>, tensor<12x16xf32>) {
  %s = graph.slice %x {starts = array<i64: 1, 7>, ends = array<i64: 5, 3>, steps = array<i64: 2, -1>} : tensor<6x8xf32> -> tensor<2x4xf32>
  %g = graph.gather %x, %ids {axis = 0 : i64} : (tensor<6x8xf32>, tensor<3xi64>) -> tensor<3x8xf32>
  %p = graph.pad %x {mode = "edge", pads = array<i64: 0, 1, 0, 1>} : (tensor<6x8xf32>) -> tensor<6x10xf32>
  %t = graph.trilu %x {upper = false, k = 0 : i64} : tensor<6x8xf32>
  %o = graph.one_hot %hot, %v {axis = 1 : i64, depth = 5 : i64} : (tensor<4xi64>, tensor<2xf32>) -> tensor<4x5xf32>
  %r = graph.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -7.5e-01 : f64, exclude_outside = false, extrapolation_value = 0.0 : f64, scales = array<f64: 2.0, 2.0>, roi = array<f64>} : tensor<6x8xf32> -> tensor<12x16xf32>
  return %s, %g, %p, %t, %o, %r : tensor<2x4xf32>, tensor<3x8xf32>, tensor<6x10xf32>, tensor<6x8xf32>, tensor<4x5xf32>, tensor<12x16xf32>
}
