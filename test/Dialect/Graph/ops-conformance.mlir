// RUN: modelc-opt %s | modelc-opt | FileCheck %s

// The ops added for the ONNX backend tests print and parse back unchanged.
// CHECK-LABEL: func.func @round_trip_conformance_ops(
func.func @round_trip_conformance_ops(%x: tensor<2x8xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  // CHECK: graph.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64}
  %0 = graph.leaky_relu %x {alpha = 0.1 : f64} : tensor<2x8xf32>
  // CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = false}
  %1 = graph.reduce_sum %0 {axes = array<i64: 1>, keepdims = false} : tensor<2x8xf32> -> tensor<2xf32>
  // CHECK: graph.arg_max
  %2 = graph.arg_max %x {axis = 1 : i64, keepdims = true, select_last_index = false} : tensor<2x8xf32> -> tensor<2x1xi64>
  // CHECK: graph.log_softmax %{{.*}} {axis = 1 : i64}
  %3 = graph.log_softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  // CHECK: graph.gather_elements
  %4 = graph.gather_elements %3, %i {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  // CHECK: graph.scatter_elements
  %5 = graph.scatter_elements %3, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<2x8xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<2x8xf32>
  // CHECK: graph.top_k
  %6:2 = graph.top_k %5 {axis = 1 : i64, k = 3 : i64, largest = true} : tensor<2x8xf32> -> (tensor<2x3xf32>, tensor<2x3xi64>)
  // CHECK: graph.pad %{{.*}} {mode = "reflect", pads = array<i64: 0, 1, 0, 1>}
  %7 = graph.pad %x {mode = "reflect", pads = array<i64: 0, 1, 0, 1>} : (tensor<2x8xf32>) -> tensor<2x10xf32>
  // CHECK: graph.greater
  %8 = graph.greater %x, %3 : tensor<2x8xf32>, tensor<2x8xf32> -> tensor<2x8xi1>
  return %6#0, %6#1 : tensor<2x3xf32>, tensor<2x3xi64>
}
