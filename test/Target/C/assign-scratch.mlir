// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --c-assign-scratch | FileCheck %s

// A 3x3 conv goes through im2col and GEMM, so its dispatch records scratch;
// a depthwise conv runs directly and needs none.
// CHECK-LABEL: func.func @conv_scratch(
//       CHECK:   kernel.dispatch "conv_0"{{.*}}scratch_bytes = {{[1-9][0-9]*}} : i64
//       CHECK:   kernel.dispatch "conv_1"
//   CHECK-NOT:   scratch_bytes
//       CHECK:   return
func.func @conv_scratch(%x: tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<8x8x3x3xf32>
  %dw = arith.constant dense<0.5> : tensor<8x1x3x3xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x16x16xf32>
  %d = graph.conv %c, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 8 : i64} : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x16x16xf32>
  return %d : tensor<1x8x16x16xf32>
}

// -----

// A matrix-vector product packs nothing but the vector: k floats rounded up
// to 16 (256 * 4 bytes here).
// CHECK-LABEL: func.func @gemv_scratch(
//       CHECK:   kernel.dispatch "matmul_0"{{.*}}scratch_bytes = 1024 : i64
func.func @gemv_scratch(%x: tensor<1x256xf32>, %w: tensor<256x10xf32>) -> tensor<1x10xf32> {
  %y = graph.matmul %x, %w : (tensor<1x256xf32>, tensor<256x10xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// Elementwise chains call no kernel: no scratch.
// CHECK-LABEL: func.func @negative_elementwise_no_scratch(
//   CHECK-NOT:   scratch_bytes
func.func @negative_elementwise_no_scratch(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = graph.exp %x : tensor<64xf32>
  return %e : tensor<64xf32>
}
