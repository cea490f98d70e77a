// RUN: modelc-opt %s --split-input-file --graph-expand-quantization=keep-eight-bit-products=true | FileCheck %s

// For a target with 8-bit kernels the expansion keeps a product that fits
// them (uint8 input, constant symmetric int8 weight) with its requantize,
// and still expands the quantize before it.
// CHECK-LABEL: func.func @fits_the_kernels(
//       CHECK:   graph.round
//       CHECK:   %[[S:.+]] = graph.matmul_integer
//       CHECK:   graph.requantize %[[S]]
func.func @fits_the_kernels(%f: tensor<4x2xf32>) -> tensor<4x2xui8> {
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<3> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %m = arith.constant dense<0.25> : tensor<f32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %x = graph.quantize_linear %f, %sx, %zx {axis = 0 : i64} : (tensor<4x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x2xui8>
  %acc = graph.matmul_integer %x, %w, %zx, %zw : (tensor<4x2xui8>, tensor<2x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x2xi32>
  %y = graph.requantize %acc, %m, %zy {axis = 1 : i64, rounding = "half_to_even"} : (tensor<4x2xi32>, tensor<f32>, tensor<ui8>) -> tensor<4x2xui8>
  return %y : tensor<4x2xui8>
}

// -----

// A weight zero point of 1 is not symmetric: the product and its
// requantize are expanded into int32 and float arithmetic.
// CHECK-LABEL: func.func @asymmetric_weight(
//   CHECK-NOT:   graph.matmul_integer
//   CHECK-NOT:   graph.requantize
//       CHECK:   graph.matmul {{.+}} : (tensor<4x2xi32>, tensor<2x2xi32>) -> tensor<4x2xi32>
func.func @asymmetric_weight(%x: tensor<4x2xui8>) -> tensor<4x2xui8> {
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %zx = arith.constant dense<3> : tensor<ui8>
  %zw = arith.constant dense<1> : tensor<i8>
  %m = arith.constant dense<0.25> : tensor<f32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %acc = graph.matmul_integer %x, %w, %zx, %zw : (tensor<4x2xui8>, tensor<2x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x2xi32>
  %y = graph.requantize %acc, %m, %zy {axis = 1 : i64, rounding = "half_to_even"} : (tensor<4x2xi32>, tensor<f32>, tensor<ui8>) -> tensor<4x2xui8>
  return %y : tensor<4x2xui8>
}
