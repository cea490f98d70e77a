// RUN: modelc-opt %s --split-input-file --canonicalize | FileCheck %s

// Batch normalization after a conv folds into the conv's weight and bias:
// scale 2 / sqrt(3 + 1) = 1, so the weight stays and the bias becomes
// (0 - 1) * 1 + 0.5 = -0.5 on top of the conv's own 0.25.
// CHECK-LABEL: func.func @batch_norm_folds_into_conv(
//       CHECK:   %[[W:.+]] = arith.constant dense<1.000000e+00> : tensor<2x1x1x1xf32>
//       CHECK:   %[[B:.+]] = arith.constant dense<-2.500000e-01> : tensor<2xf32>
//       CHECK:   %[[C:.+]] = graph.conv %arg0, %[[W]], %[[B]]
//   CHECK-NOT:   graph.batch_norm
//   CHECK-NOT:   graph.mul
//   CHECK-NOT:   graph.add
//       CHECK:   return %[[C]]
func.func @batch_norm_folds_into_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %cb = arith.constant dense<0.25> : tensor<2xf32>
  %scale = arith.constant dense<2.0> : tensor<2xf32>
  %bias = arith.constant dense<0.5> : tensor<2xf32>
  %mean = arith.constant dense<1.0> : tensor<2xf32>
  %var = arith.constant dense<3.0> : tensor<2xf32>
  %c = graph.conv %x, %w, %cb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = graph.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Without a conv to fold into, batch normalization stays a multiply and add
// by per-channel constants: scale 4 / sqrt(3 + 1) = 2, shift 0.5 - 1 * 2.
// CHECK-LABEL: func.func @batch_norm_alone_becomes_affine(
//   CHECK-DAG:   %[[S:.+]] = arith.constant dense<2.000000e+00> : tensor<2x1x1xf32>
//   CHECK-DAG:   %[[T:.+]] = arith.constant dense<-1.500000e+00> : tensor<2x1x1xf32>
//       CHECK:   %[[M:.+]] = graph.mul %arg0, %[[S]]
//       CHECK:   %[[A:.+]] = graph.add %[[M]], %[[T]]
//       CHECK:   return %[[A]]
func.func @batch_norm_alone_becomes_affine(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %scale = arith.constant dense<4.0> : tensor<2xf32>
  %bias = arith.constant dense<0.5> : tensor<2xf32>
  %mean = arith.constant dense<1.0> : tensor<2xf32>
  %var = arith.constant dense<3.0> : tensor<2xf32>
  %y = graph.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Shape of a static tensor, gathered and concatenated, folds to a constant.
// CHECK-LABEL: func.func @shape_chain_folds(
//       CHECK:   %[[S:.+]] = arith.constant dense<[3, 7]> : tensor<2xi64>
//       CHECK:   return %[[S]]
func.func @shape_chain_folds(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  %s = graph.shape %x : tensor<2x3x4xf32> -> tensor<3xi64>
  %i = arith.constant dense<1> : tensor<1xi64>
  %d = graph.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %seven = arith.constant dense<7> : tensor<1xi64>
  %c = graph.concat %d, %seven {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// pow(x, 2) becomes x * x.
// CHECK-LABEL: func.func @pow_two_is_square(
//       CHECK:   %[[M:.+]] = graph.mul %arg0, %arg0
//       CHECK:   return %[[M]]
func.func @pow_two_is_square(%x: tensor<4xf32>) -> tensor<4xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %y = graph.pow %x, %two : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Two transposes compose, two reshapes compose.
// CHECK-LABEL: func.func @compose_views(
//       CHECK:   %[[T:.+]] = graph.transpose %arg0 [2, 0, 1]
//       CHECK:   %[[R:.+]] = graph.reshape %[[T]] : tensor<4x2x3xf32> -> tensor<24xf32>
//       CHECK:   return %[[R]]
func.func @compose_views(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %a = graph.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %b = graph.transpose %a [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  %c = graph.reshape %b : tensor<4x2x3xf32> -> tensor<8x3xf32>
  %d = graph.reshape %c : tensor<8x3xf32> -> tensor<24xf32>
  return %d : tensor<24xf32>
}

// -----

// Adding zero and multiplying by one fold away.
// CHECK-LABEL: func.func @identities_fold(
//  CHECK-NEXT:   return %arg0
func.func @identities_fold(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = arith.constant dense<0.0> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %a = graph.add %x, %zero : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %m = graph.mul %a, %one : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// A conv with several users keeps its affine consumer.
// CHECK-LABEL: func.func @negative_conv_with_two_users(
//       CHECK:   graph.conv
//       CHECK:   graph.mul
func.func @negative_conv_with_two_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %s = arith.constant dense<3.0> : tensor<1x1x1xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %m = graph.mul %c, %s : tensor<1x1x2x2xf32>, tensor<1x1x1xf32> -> tensor<1x1x2x2xf32>
  return %c, %m : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// A signless i8 constant is signed (ONNX's int8): widening sign-extends.
// CHECK-LABEL: func.func @int8_constant_widens_signed(
//       CHECK:   arith.constant dense<[-1, 71, -109, -98]> : tensor<4xi32>
func.func @int8_constant_widens_signed() -> tensor<4xi32> {
  %w = arith.constant dense<[-1, 71, -109, -98]> : tensor<4xi8>
  %c = graph.cast %w : tensor<4xi8> -> tensor<4xi32>
  return %c : tensor<4xi32>
}
