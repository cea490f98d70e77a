// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches | FileCheck %s

// A conv with its bias, a residual add and a relu is one dispatch.
// CHECK-LABEL: func.func @conv_bias_residual_relu_one_dispatch(
//  CHECK-SAME:     %[[X:[a-z0-9]+]]: tensor<1x4x8x8xf32>, %[[RES:[a-z0-9]+]]: tensor<1x4x8x8xf32>
//       CHECK:   %[[W:.+]] = arith.constant
//       CHECK:   %[[B:.+]] = arith.constant
//       CHECK:   %[[OUT:.+]] = kernel.dispatch "conv_0_add_relu"(%[[X]], %[[W]], %[[B]], %[[RES]])
//       CHECK:     %[[C:.+]] = graph.conv
//       CHECK:     %[[A:.+]] = graph.add %[[C]], %{{.+}}
//       CHECK:     %[[R:.+]] = graph.relu %[[A]]
//       CHECK:     kernel.yield %[[R]]
//   CHECK-NOT:   kernel.dispatch
//       CHECK:   return %[[OUT]]
func.func @conv_bias_residual_relu_one_dispatch(%x: tensor<1x4x8x8xf32>, %res: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %a = graph.add %c, %res : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %r = graph.relu %a : tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// A chain of elementwise ops (GELU) is one dispatch; its scalar constants are
// cloned into the body instead of becoming inputs.
// CHECK-LABEL: func.func @gelu_chain_one_dispatch(
//       CHECK:   %[[OUT:.+]] = kernel.dispatch "mul_0_div_erf_add_mul"(%arg0)
//       CHECK:     arith.constant dense<5.000000e-01>
//       CHECK:     graph.erf
//       CHECK:     kernel.yield
//   CHECK-NOT:   kernel.dispatch
//       CHECK:   return %[[OUT]]
func.func @gelu_chain_one_dispatch(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %h = graph.mul %x, %half : tensor<2x16xf32>, tensor<f32> -> tensor<2x16xf32>
  %d = graph.div %x, %sqrt2 : tensor<2x16xf32>, tensor<f32> -> tensor<2x16xf32>
  %e = graph.erf %d : tensor<2x16xf32>
  %p = graph.add %e, %one : tensor<2x16xf32>, tensor<f32> -> tensor<2x16xf32>
  %y = graph.mul %h, %p : tensor<2x16xf32>, tensor<2x16xf32> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// An epilogue may not change the anchor's result type (a broadcast to a
// bigger shape), so the add starts a dispatch of its own.
// CHECK-LABEL: func.func @negative_epilogue_changes_shape(
//       CHECK:   kernel.dispatch "matmul_0"
//       CHECK:   kernel.dispatch "add_1"
func.func @negative_epilogue_changes_shape(%x: tensor<1x4xf32>, %w: tensor<4x4xf32>, %y: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %m = graph.matmul %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %a = graph.add %m, %y : tensor<1x4xf32>, tensor<3x4xf32> -> tensor<3x4xf32>
  return %a : tensor<3x4xf32>
}

// -----

// A value with two users is a dispatch boundary: both users read it.
// CHECK-LABEL: func.func @negative_shared_value_not_fused(
//       CHECK:   %[[E:.+]] = kernel.dispatch "exp_0"
//       CHECK:   kernel.dispatch "neg_1"(%[[E]])
//       CHECK:   kernel.dispatch "tanh_2"(%[[E]])
func.func @negative_shared_value_not_fused(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = graph.exp %x : tensor<8xf32>
  %n = graph.neg %e : tensor<8xf32>
  %t = graph.tanh %e : tensor<8xf32>
  return %n, %t : tensor<8xf32>, tensor<8xf32>
}

// -----

// Views stay outside dispatches; the softmax is a dispatch of its own.
// CHECK-LABEL: func.func @softmax_and_view(
//       CHECK:   %[[S:.+]] = kernel.dispatch "softmax_0"(%arg0)
//       CHECK:   %[[V:.+]] = graph.reshape %[[S]]
//       CHECK:   return %[[V]]
func.func @softmax_and_view(%x: tensor<2x8xf32>) -> tensor<16xf32> {
  %s = graph.softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  %v = graph.reshape %s : tensor<2x8xf32> -> tensor<16xf32>
  return %v : tensor<16xf32>
}
