// RUN: modelc-opt %s --split-input-file --canonicalize --graph-form-layer-norm | FileCheck %s

// The chain exporters write before opset 17 becomes one layer_norm that also
// takes the scale and bias.
// CHECK-LABEL: func.func @decomposed_layer_norm(
//       CHECK:   %[[G:.+]] = arith.constant dense<2.000000e+00> : tensor<8xf32>
//       CHECK:   %[[B:.+]] = arith.constant dense<1.000000e+00> : tensor<8xf32>
//       CHECK:   %[[N:.+]] = graph.layer_norm %arg0, %[[G]], %[[B]] {axis = 2 : i64, epsilon = 9.9999997473787516E-6 : f64}
//   CHECK-NOT:   graph.reduce_mean
//       CHECK:   return %[[N]]
func.func @decomposed_layer_norm(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %gamma = arith.constant dense<2.0> : tensor<8xf32>
  %beta = arith.constant dense<1.0> : tensor<8xf32>
  %m = graph.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<1x4x8xf32> -> tensor<1x4x1xf32>
  %d = graph.sub %x, %m : tensor<1x4x8xf32>, tensor<1x4x1xf32> -> tensor<1x4x8xf32>
  %sq = graph.pow %d, %two : tensor<1x4x8xf32>, tensor<f32> -> tensor<1x4x8xf32>
  %v = graph.reduce_mean %sq {axes = array<i64: 2>, keepdims = true} : tensor<1x4x8xf32> -> tensor<1x4x1xf32>
  %ve = graph.add %v, %eps : tensor<1x4x1xf32>, tensor<f32> -> tensor<1x4x1xf32>
  %s = graph.sqrt %ve : tensor<1x4x1xf32>
  %n = graph.div %d, %s : tensor<1x4x8xf32>, tensor<1x4x1xf32> -> tensor<1x4x8xf32>
  %g = graph.mul %n, %gamma : tensor<1x4x8xf32>, tensor<8xf32> -> tensor<1x4x8xf32>
  %y = graph.add %g, %beta : tensor<1x4x8xf32>, tensor<8xf32> -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Normalizing by a different mean than the one subtracted is not a layer norm.
// CHECK-LABEL: func.func @negative_mismatched_variance(
//   CHECK-NOT:   graph.layer_norm
func.func @negative_mismatched_variance(%x: tensor<1x4x8xf32>, %other: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %m = graph.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<1x4x8xf32> -> tensor<1x4x1xf32>
  %d = graph.sub %x, %m : tensor<1x4x8xf32>, tensor<1x4x1xf32> -> tensor<1x4x8xf32>
  %sq = graph.mul %other, %other : tensor<1x4x8xf32>, tensor<1x4x8xf32> -> tensor<1x4x8xf32>
  %v = graph.reduce_mean %sq {axes = array<i64: 2>, keepdims = true} : tensor<1x4x8xf32> -> tensor<1x4x1xf32>
  %ve = graph.add %v, %eps : tensor<1x4x1xf32>, tensor<f32> -> tensor<1x4x1xf32>
  %s = graph.sqrt %ve : tensor<1x4x1xf32>
  %n = graph.div %d, %s : tensor<1x4x8xf32>, tensor<1x4x1xf32> -> tensor<1x4x8xf32>
  return %n : tensor<1x4x8xf32>
}
