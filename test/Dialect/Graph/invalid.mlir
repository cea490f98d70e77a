// RUN: modelc-opt %s --split-input-file --verify-diagnostics

func.func @transpose_rank_mismatch(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{expected permutation of size 2, got 3}}
  %t = graph.transpose %x [1, 0, 2] : tensor<4x8xf32> -> tensor<8x4xf32>
  return %t : tensor<8x4xf32>
}

// -----

func.func @add_no_broadcast(%x: tensor<4x8xf32>, %y: tensor<3xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{operand shapes [4, 8] and [3] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %z = graph.add %x, %y : tensor<4x8xf32>, tensor<3xf32> -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

func.func @reshape_element_count(%x: tensor<4x8xf32>) -> tensor<5x8xf32> {
  // expected-error @+1 {{expected 32 elements, got 40}}
  %y = graph.reshape %x : tensor<4x8xf32> -> tensor<5x8xf32>
  return %y : tensor<5x8xf32>
}

// -----

func.func @conv_group_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{expected weight dim 1 to be 2, got 4}}
  %y = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @clip_inverted(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected min <= max, got 6.000000e+00 > 0.000000e+00}}
  %y = graph.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @reduce_axes_unsorted(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{expected sorted, unique axes}}
  %y = graph.reduce_mean %x {axes = array<i64: 2, 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @matmul_contracting(%x: tensor<2x3xf32>, %y: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{contracting dimensions differ: 3 vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %z = graph.matmul %x, %y : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %z : tensor<2x5xf32>
}

// -----

func.func @expand_not_broadcast(%x: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{cannot broadcast [3] to [2, 4]}}
  %y = graph.expand %x : tensor<3xf32> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Requantization rounds one way, and the IR says which.
func.func @requantize_unknown_rounding(%acc: tensor<1x4xi32>, %m: tensor<f32>, %z: tensor<ui8>) -> tensor<1x4xui8> {
  // expected-error @+1 {{unknown rounding 'half_up'}}
  %y = graph.requantize %acc, %m, %z {axis = 1 : i64, rounding = "half_up"} : (tensor<1x4xi32>, tensor<f32>, tensor<ui8>) -> tensor<1x4xui8>
  return %y : tensor<1x4xui8>
}

// -----

// A per-axis scale has one value per index along its axis.
func.func @dequantize_scale_length(%q: tensor<3x8xi8>, %s: tensor<4xf32>, %z: tensor<i8>) -> tensor<3x8xf32> {
  // expected-error @+1 {{expected 3 values of scale along axis 0, got 4}}
  %y = graph.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<3x8xi8>, tensor<4xf32>, tensor<i8>) -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}

// -----

func.func @quantize_zero_point_type(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xui8> {
  // expected-error @+1 {{expected the result to have the zero point's element type}}
  %y = graph.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xui8>
  return %y : tensor<4xui8>
}

// -----

func.func @conv_integer_weight_zero_points(%x: tensor<1x2x4x4xui8>, %w: tensor<3x2x1x1xi8>, %xz: tensor<ui8>, %wz: tensor<2xi8>) -> tensor<1x3x4x4xi32> {
  // expected-error @+1 {{expected 3 values of weight zero point along axis 0, got 2}}
  %y = graph.conv_integer %x, %w, %xz, %wz {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x4x4xui8>, tensor<3x2x1x1xi8>, tensor<ui8>, tensor<2xi8>) -> tensor<1x3x4x4xi32>
  return %y : tensor<1x3x4x4xi32>
}

// -----

func.func @trilu_offset_not_one_element(%x: tensor<3x4xf32>, %k: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expected a one-element integer offset, got 'tensor<2xi64>'}}
  %t = graph.trilu %x, %k : tensor<2xi64> {upper = true, k = 0 : i64} : tensor<3x4xf32>
  return %t : tensor<3x4xf32>
}

// -----

func.func @trilu_offset_and_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expected k = 0 with an offset operand}}
  %t = graph.trilu %x, %k : tensor<1xi64> {upper = true, k = 2 : i64} : tensor<3x4xf32>
  return %t : tensor<3x4xf32>
}

// -----

func.func @trilu_rank_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected an input of rank >= 2}}
  %t = graph.trilu %x {upper = true, k = 0 : i64} : tensor<4xf32>
  return %t : tensor<4xf32>
}

// -----

func.func @grid_sample_shape(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x4xf32> {
  // expected-error @+1 {{expected a result of shape [1, 2, 3, 3], got [1, 2, 3, 4]}}
  %y = graph.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros", align_corners = false} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

func.func @grid_sample_mode(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{unknown mode 'trilinear'}}
  %y = graph.grid_sample %x, %g {mode = "trilinear", padding_mode = "zeros", align_corners = false} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
