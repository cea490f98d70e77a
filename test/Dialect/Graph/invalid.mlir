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
