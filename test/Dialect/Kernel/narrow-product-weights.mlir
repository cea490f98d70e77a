// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --kernel-narrow-product-weights=storage=bf16 | FileCheck %s

// The constant weight of a float conv becomes a bf16 constant; the input,
// the bias and the result stay f32.
// CHECK-LABEL: func.func @conv(
//       CHECK:   arith.constant {{.+}} : tensor<4x3x3x3xbf16>
//       CHECK:   kernel.conv %{{.+}}, %{{.+}}, %{{.+}} {{.+}} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xbf16>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
func.func @conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = arith.constant dense<1.5> : tensor<4x3x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %c : tensor<1x4x8x8xf32>
}

// -----

// A matmul's constant right operand rounds to nearest even: 1.00390625 is
// halfway between the bf16 values 1 and 1.0078125 and goes to 1; 1.01171875
// goes up to 1.015625. An activation right operand stays f32.
// CHECK-LABEL: func.func @matmul(
//       CHECK:   arith.constant dense<{{\[\[}}1.000000e+00, 1.015630e+00]]> : tensor<1x2xbf16>
//       CHECK:   kernel.matmul {{.+}} : (tensor<3x1xf32>, tensor<1x2xbf16>) -> tensor<3x2xf32>
//       CHECK:   kernel.matmul {{.+}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
func.func @matmul(%x: tensor<3x1xf32>, %v: tensor<2x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.00390625, 1.01171875]]> : tensor<1x2xf32>
  %y = graph.matmul %x, %w : (tensor<3x1xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  %z = graph.matmul %y, %v : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %z : tensor<3x2xf32>
}
