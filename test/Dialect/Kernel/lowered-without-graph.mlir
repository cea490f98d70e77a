// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline | modelc-opt --without-graph-dialect | FileCheck %s

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
