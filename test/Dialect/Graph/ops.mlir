// RUN: modelc-opt %s | modelc-opt | FileCheck %s

// Every graph op prints and parses back unchanged.
// CHECK-LABEL: func.func @round_trip_all_ops(
func.func @round_trip_all_ops(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                              %m: tensor<8x16xf32>, %ids: tensor<2xi64>, %c: tensor<1x4x8x8xi1>) -> tensor<1x4x8x8xf32> {
  // CHECK: graph.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: graph.relu
  %1 = graph.relu %0 : tensor<1x4x8x8xf32>
  // CHECK: graph.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %2 = graph.clip %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x8x8xf32>
  // CHECK: graph.add %{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  %bias = graph.reshape %b : tensor<4xf32> -> tensor<4x1x1xf32>
  %3 = graph.add %2, %bias : tensor<1x4x8x8xf32>, tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  // CHECK: graph.max_pool
  %4 = graph.max_pool %3 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: 2, 3>, keepdims = true}
  %5 = graph.reduce_mean %4 {axes = array<i64: 2, 3>, keepdims = true} : tensor<1x4x4x4xf32> -> tensor<1x4x1x1xf32>
  // CHECK: graph.transpose %{{.*}} [1, 0]
  %6 = graph.transpose %m [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  // CHECK: graph.matmul
  %7 = graph.matmul %m, %6 : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  // CHECK: graph.softmax %{{.*}} {axis = 1 : i64}
  %8 = graph.softmax %7 {axis = 1 : i64} : tensor<8x8xf32>
  // CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 0 : i64}
  %9 = graph.gather %8, %ids {axis = 0 : i64} : (tensor<8x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  // CHECK: graph.slice %{{.*}} {ends = array<i64: 2, 8>, starts = array<i64: 0, 1>, steps = array<i64: 1, 2>}
  %10 = graph.slice %9 {starts = array<i64: 0, 1>, ends = array<i64: 2, 8>, steps = array<i64: 1, 2>} : tensor<2x8xf32> -> tensor<2x4xf32>
  // CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %11 = graph.concat %10, %10 {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  // CHECK: graph.layer_norm
  %gamma = graph.reshape %m : tensor<8x16xf32> -> tensor<128xf32>
  %g8 = graph.slice %gamma {starts = array<i64: 0>, ends = array<i64: 8>, steps = array<i64: 1>} : tensor<128xf32> -> tensor<8xf32>
  %12 = graph.layer_norm %11, %g8, %g8 {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: graph.equal
  %13 = graph.equal %12, %12 : tensor<2x8xf32>, tensor<2x8xf32> -> tensor<2x8xi1>
  // CHECK: graph.where
  %14 = graph.where %c, %3, %5 : tensor<1x4x8x8xi1>, tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x8x8xf32>
  // CHECK: graph.cast %{{.*}} : tensor<2xi64> -> tensor<2xf32>
  %15 = graph.cast %ids : tensor<2xi64> -> tensor<2xf32>
  // CHECK: graph.expand %{{.*}} : tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  %16 = graph.expand %bias : tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  // CHECK: graph.shape %{{.*}} : tensor<1x4x8x8xf32> -> tensor<4xi64>
  %17 = graph.shape %16 : tensor<1x4x8x8xf32> -> tensor<4xi64>
  // CHECK: graph.batch_norm
  %18 = graph.batch_norm %14, %b, %b, %b, %b {epsilon = 1.0e-5 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: graph.pow
  %19 = graph.pow %18, %16 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %19 : tensor<1x4x8x8xf32>
}
