// RUN: modelc-opt %s --split-input-file --graph-fold-quantized-products --canonicalize | FileCheck %s

// A matmul of a per-tensor lhs and a per-column rhs sums in int32 and
// requantizes by 0.5 * [0.25, 0.5, 1] / 2 along the result's columns.
// CHECK-LABEL: func.func @per_column_matmul(
//       CHECK:   %[[M:.+]] = arith.constant dense<[6.250000e-02, 1.250000e-01, 2.500000e-01]> : tensor<3xf32>
//       CHECK:   %[[S:.+]] = graph.matmul_integer %arg0, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<2x3xi32>
//       CHECK:   %[[Y:.+]] = graph.requantize %[[S]], %[[M]], %{{.+}} {axis = 1 : i64, rounding = "half_to_even"}
//       CHECK:   return %[[Y]]
func.func @per_column_matmul(%a: tensor<2x4xui8>) -> tensor<2x3xi8> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %b = arith.constant dense<1> : tensor<4x3xi8>
  %sb = arith.constant dense<[0.25, 0.5, 1.0]> : tensor<3xf32>
  %zb = arith.constant dense<0> : tensor<3xi8>
  %sy = arith.constant dense<2.0> : tensor<f32>
  %zy = arith.constant dense<-1> : tensor<i8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 1 : i64} : (tensor<4x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %q = graph.quantize_linear %p, %sy, %zy {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<i8>) -> tensor<2x3xi8>
  return %q : tensor<2x3xi8>
}

// -----

// A product whose output stays float keeps the exact int32 sums and
// dequantizes them once, at scale 0.5 * 0.25.
// CHECK-LABEL: func.func @float_output(
//       CHECK:   %[[S:.+]] = graph.matmul_integer
//       CHECK:   graph.dequantize_linear %[[S]], %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<2x3xi32>, tensor<f32>, tensor<i32>) -> tensor<2x3xf32>
func.func @float_output(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %p : tensor<2x3xf32>
}

// -----

// An lhs quantized per row has no single input scale: the matmul stays float.
// CHECK-LABEL: func.func @per_row_lhs_stays_float(
//   CHECK-NOT:   graph.matmul_integer
//       CHECK:   graph.matmul {{.+}} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
func.func @per_row_lhs_stays_float(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %sa = arith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %za = arith.constant dense<3> : tensor<2xui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %p : tensor<2x3xf32>
}

// -----

// A Relu between the sums and a quantize whose zero point is 0 (uint8's
// lowest value) changes nothing the saturation does not: it folds away.
// CHECK-LABEL: func.func @relu_at_the_lowest_zero_point(
//       CHECK:   %[[S:.+]] = graph.matmul_integer
//       CHECK:   graph.requantize %[[S]]
//   CHECK-NOT:   graph.relu
func.func @relu_at_the_lowest_zero_point(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xui8> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %sy = arith.constant dense<2.0> : tensor<f32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = graph.relu %p : tensor<2x3xf32>
  %q = graph.quantize_linear %r, %sy, %zy {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}

// -----

// With zero point 10 the Relu clamps at 10 where the saturation would let
// values down to 0 through: it must stay, in float.
// CHECK-LABEL: func.func @relu_above_the_lowest_zero_point(
//       CHECK:   graph.relu
//   CHECK-NOT:   graph.requantize
func.func @relu_above_the_lowest_zero_point(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xui8> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %sy = arith.constant dense<2.0> : tensor<f32>
  %zy = arith.constant dense<10> : tensor<ui8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = graph.relu %p : tensor<2x3xf32>
  %q = graph.quantize_linear %r, %sy, %zy {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}

// -----

// A ReLU6 (Clip to [0, 6]) before a quantize of scale 6 / 255 and zero
// point 0: the quantize maps 0 to 0 and 6 to 255, so its saturation is the
// clip and it folds away.
// CHECK-LABEL: func.func @relu6_the_quantize_makes(
//       CHECK:   %[[S:.+]] = graph.matmul_integer
//       CHECK:   graph.requantize %[[S]]
//   CHECK-NOT:   graph.clip
func.func @relu6_the_quantize_makes(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xui8> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %sy = arith.constant dense<0.0235294122> : tensor<f32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = graph.clip %p {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  %q = graph.quantize_linear %r, %sy, %zy {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}

// -----

// The same clip before a quantize whose range reaches 12: 6 is quantized
// to 128, not 255, so the clip still cuts values the saturation would let
// through and must stay, in float.
// CHECK-LABEL: func.func @clip_inside_the_quantized_range(
//       CHECK:   graph.clip
//   CHECK-NOT:   graph.requantize
func.func @clip_inside_the_quantized_range(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>) -> tensor<2x3xui8> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<0> : tensor<i8>
  %sy = arith.constant dense<0.0470588244> : tensor<f32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %bd = graph.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %p = graph.matmul %ad, %bd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = graph.clip %p {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  %q = graph.quantize_linear %r, %sy, %zy {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}

// -----

// Gemm's transB: the weight is dequantized per row (axis 0) and then
// transposed; dequantized after the transpose its axis is 1, per column,
// and the matmul folds.
// CHECK-LABEL: func.func @transposed_weight(
//       CHECK:   %[[S:.+]] = graph.matmul_integer %arg0, %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<2x3xi32>
//       CHECK:   graph.dequantize_linear %[[S]], %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<2x3xi32>, tensor<3xf32>, tensor<i32>) -> tensor<2x3xf32>
func.func @transposed_weight(%a: tensor<2x4xui8>) -> tensor<2x3xf32> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<3> : tensor<ui8>
  %w = arith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi8>
  %sw = arith.constant dense<[0.25, 0.5, 1.0]> : tensor<3xf32>
  %zw = arith.constant dense<0> : tensor<3xi8>
  %ad = graph.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %wd = graph.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x4xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x4xf32>
  %wt = graph.transpose %wd [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %p = graph.matmul %ad, %wt : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %p : tensor<2x3xf32>
}

// -----

// A max pool between a dequantize and a quantize with the same scale and
// zero point pools the uint8 values themselves.
// CHECK-LABEL: func.func @max_pool_of_quantized_values(
//   CHECK-NOT:   graph.dequantize_linear
//       CHECK:   %[[P:.+]] = graph.max_pool %arg0 {{.+}} : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xui8>
//   CHECK-NOT:   graph.quantize_linear
//       CHECK:   return %[[P]]
func.func @max_pool_of_quantized_values(%x: tensor<1x2x4x4xui8>) -> tensor<1x2x2x2xui8> {
  %s = arith.constant dense<0.125> : tensor<f32>
  %z = arith.constant dense<7> : tensor<ui8>
  %d = graph.dequantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4x4xf32>
  %p = graph.max_pool %d {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %q = graph.quantize_linear %p, %s, %z {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %q : tensor<1x2x2x2xui8>
}

// -----

// Another output scale would requantize: the max pool stays float.
// CHECK-LABEL: func.func @max_pool_with_another_scale(
//       CHECK:   graph.dequantize_linear
//       CHECK:   graph.max_pool {{.+}} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
//       CHECK:   graph.quantize_linear
func.func @max_pool_with_another_scale(%x: tensor<1x2x4x4xui8>) -> tensor<1x2x2x2xui8> {
  %s = arith.constant dense<0.125> : tensor<f32>
  %s2 = arith.constant dense<0.25> : tensor<f32>
  %z = arith.constant dense<7> : tensor<ui8>
  %d = graph.dequantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4x4xf32>
  %p = graph.max_pool %d {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %q = graph.quantize_linear %p, %s2, %z {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %q : tensor<1x2x2x2xui8>
}

// -----

// A residual Add's Relu before a quantize whose zero point is uint8's
// lowest: the saturation makes the Relu, which goes.
// CHECK-LABEL: func.func @relu_after_an_add(
//       CHECK:   %[[S:.+]] = graph.add
//   CHECK-NOT:   graph.relu
//       CHECK:   graph.quantize_linear %[[S]]
func.func @relu_after_an_add(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %s = arith.constant dense<0.125> : tensor<f32>
  %z = arith.constant dense<7> : tensor<ui8>
  %zy = arith.constant dense<0> : tensor<ui8>
  %ad = graph.dequantize_linear %a, %s, %z {axis = 0 : i64} : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  %bd = graph.dequantize_linear %b, %s, %z {axis = 0 : i64} : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  %sum = graph.add %ad, %bd : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %r = graph.relu %sum : tensor<4xf32>
  %q = graph.quantize_linear %r, %s, %zy {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %q : tensor<4xui8>
}
