// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-quantized-products | FileCheck %s

// A matmul of uint8 activations (zero point 3) and a constant int8 weight
// with its dequantize stage becomes one kernel.quantized_matmul: the weight
// is transposed to [N, K] and the zero point folds into the row offsets,
// -3 * (1 + 3) = -12 and -3 * (2 + 4) = -18. The Relu after the stage stays
// the dispatch's in-place epilogue.
// CHECK-LABEL: func.func @matmul_with_dequantize_stage(
//   CHECK-DAG:   %[[WT:.+]] = arith.constant dense<{{\[\[}}1, 3], [2, 4]]> : tensor<2x2xi8>
//   CHECK-DAG:   %[[OFF:.+]] = arith.constant dense<[-12, -18]> : tensor<2xi32>
//       CHECK:   kernel.dispatch "matmul_integer_0_dequantize_linear_relu"(%arg0, %{{.+}}, %[[WT]], %[[OFF]])
//       CHECK:     %[[Y:.+]] = kernel.quantized_matmul %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {output_zero_point = 0 : i64} : (tensor<4x2xui8>, tensor<2x2xi8>, tensor<2xi32>, tensor<2xf32>) -> tensor<4x2xf32>
//       CHECK:     graph.relu %[[Y]]
//   CHECK-NOT:   graph.matmul_integer
func.func @matmul_with_dequantize_stage(%x: tensor<4x2xui8>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %zx = arith.constant dense<3> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %s = arith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %z = arith.constant dense<0> : tensor<i32>
  %acc = graph.matmul_integer %x, %w, %zx, %zw : (tensor<4x2xui8>, tensor<2x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x2xi32>
  %y = graph.dequantize_linear %acc, %s, %z {axis = 1 : i64} : (tensor<4x2xi32>, tensor<2xf32>, tensor<i32>) -> tensor<4x2xf32>
  %r = graph.relu %y : tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// -----

// A conv with a bias and a requantize stage: row offsets
// bias - 128 * sum(row), 10 - 128 * 3 = -374 and -5 - 128 * (-1) = 123, and
// the requantize's zero point becomes the output zero point.
// CHECK-LABEL: func.func @conv_with_requantize_stage(
//       CHECK:   %[[OFF:.+]] = arith.constant dense<[-374, 123]> : tensor<2xi32>
//       CHECK:   kernel.dispatch "conv_integer_0_requantize"
//       CHECK:     kernel.quantized_conv {{.+}} {dilations = array<i64: 1, 1>, group = 1 : i64, input_zero_point = 128 : i64, output_zero_point = 5 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xui8>, tensor<2x1x2x2xi8>, tensor<2xi32>, tensor<f32>) -> tensor<1x2x5x5xui8>
func.func @conv_with_requantize_stage(%x: tensor<1x1x4x4xui8>) -> tensor<1x2x5x5xui8> {
  %w = arith.constant dense<[[[[1, 1], [1, 0]]], [[[0, -1], [1, -1]]]]> : tensor<2x1x2x2xi8>
  %b = arith.constant dense<[10, -5]> : tensor<2xi32>
  %zx = arith.constant dense<128> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %m = arith.constant dense<0.125> : tensor<f32>
  %zy = arith.constant dense<5> : tensor<ui8>
  %acc = graph.conv_integer %x, %w, %zx, %zw, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xui8>, tensor<2x1x2x2xi8>, tensor<ui8>, tensor<i8>, tensor<2xi32>) -> tensor<1x2x5x5xi32>
  %y = graph.requantize %acc, %m, %zy {axis = 1 : i64, rounding = "half_to_even"} : (tensor<1x2x5x5xi32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x5x5xui8>
  return %y : tensor<1x2x5x5xui8>
}
