// RUN: modelc-opt %s --split-input-file --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline | modelc-translate --split-input-file --emit-c --name net | FileCheck %s

// A conv with bias, residual add and relu: one function that calls the conv
// kernel straight into its output, then one loop that applies the epilogue
// in place. The conv's result needs no arena space of its own: only the
// kernel's scratch is in the arena.
// CHECK-LABEL: ----- net.h -----
//       CHECK: #define NET_ARENA_BYTES ((size_t)[[ARENA:[0-9]+]])
//       CHECK: #define NET_NUM_INPUTS 2
// CHECK-LABEL: ----- net.c -----
//       CHECK: static const mk_conv2d_params conv_0_add_relu_params = {
//       CHECK: static void conv_0_add_relu(const mk_exec *ex, const float *in0, const float *in1, const float *in2, const float *in3, float *out0, void *scratch)
//  CHECK-NEXT: {
//  CHECK-NEXT:   mk_conv2d(ex, &conv_0_add_relu_params, in0, in1, in2, out0, scratch);
//  CHECK-NEXT:   for (int64_t i0 = 0; i0 < 256; ++i0) {
//  CHECK-NEXT:     const float v0 = out0[i0];
//  CHECK-NEXT:     const float v1 = in3[i0];
//  CHECK-NEXT:     const float v2 = v0 + v1;
//  CHECK-NEXT:     const float v3 = (v2 < 0.0f) ? 0.0f : v2;
//  CHECK-NEXT:     out0[i0] = v3;
//  CHECK-NEXT:   }
//  CHECK-NEXT: }
// The init function checks the kernels compiled here fit the planned scratch.
//       CHECK: if (mk_conv2d_scratch_bytes(&conv_0_add_relu_params) > {{[0-9]+}})
//  CHECK-NEXT:   return MODELC_ERROR_BUILD_MISMATCH;
//       CHECK: conv_0_add_relu(&exec, input_0, (const float *)(weights + 0), (const float *)(weights + {{[0-9]+}}), input_1, output_0, arena + 0);
func.func @main(%x: tensor<1x4x8x8xf32>, %res: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %a = graph.add %c, %res : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %r = graph.relu %a : tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// An elementwise chain with broadcasting is one loop nest: the [2,1,16]
// operand walks with stride 0 over the middle dimension, the [16] one over
// both outer dimensions, and splat constants become literals.
// CHECK-LABEL: ----- net.c -----
//       CHECK: static void mul_0_add_sigmoid_mul(const float *in0, const float *in1, const float *in2, float *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   for (int64_t i0 = 0; i0 < 2; ++i0) {
//  CHECK-NEXT:     for (int64_t i1 = 0; i1 < 3; ++i1) {
//  CHECK-NEXT:       for (int64_t i2 = 0; i2 < 16; ++i2) {
//  CHECK-NEXT:         const float v0 = in0[i0 * 48 + i1 * 16 + i2];
//  CHECK-NEXT:         const float v1 = in1[i0 * 16 + i2];
//  CHECK-NEXT:         const float v2 = in2[i2];
//  CHECK-NEXT:         const float v3 = v0 * v1;
//  CHECK-NEXT:         const float v4 = v3 + v2;
//  CHECK-NEXT:         const float v5 = -v4;
//  CHECK-NEXT:         const float v6 = mk_expf(v5);
//  CHECK-NEXT:         const float v7 = 1.0f + v6;
//  CHECK-NEXT:         const float v8 = 1.0f / v7;
//  CHECK-NEXT:         const float v9 = v8 * 2.5f;
//  CHECK-NEXT:         out0[i0 * 48 + i1 * 16 + i2] = v9;
//   CHECK-NOT: static void
func.func @main(%x: tensor<2x3x16xf32>, %y: tensor<2x1x16xf32>, %z: tensor<16xf32>) -> tensor<2x3x16xf32> {
  %s = arith.constant dense<2.5> : tensor<f32>
  %m = graph.mul %x, %y : tensor<2x3x16xf32>, tensor<2x1x16xf32> -> tensor<2x3x16xf32>
  %a = graph.add %m, %z : tensor<2x3x16xf32>, tensor<16xf32> -> tensor<2x3x16xf32>
  %g = graph.sigmoid %a : tensor<2x3x16xf32>
  %o = graph.mul %g, %s : tensor<2x3x16xf32>, tensor<f32> -> tensor<2x3x16xf32>
  return %o : tensor<2x3x16xf32>
}

// -----

// A transpose is a loop nest that reads through permuted strides; dimensions
// both sides walk contiguously collapse into one loop.
// CHECK-LABEL: ----- net.c -----
//       CHECK: static void transpose_0(const float *in0, float *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   for (int64_t i0 = 0; i0 < 3; ++i0) {
//  CHECK-NEXT:     for (int64_t i1 = 0; i1 < 2; ++i1) {
//  CHECK-NEXT:       for (int64_t i2 = 0; i2 < 20; ++i2) {
//  CHECK-NEXT:         const float v0 = in0[i0 * 20 + i1 * 60 + i2];
//  CHECK-NEXT:         out0[i0 * 40 + i1 * 20 + i2] = v0;
func.func @main(%x: tensor<2x3x4x5xf32>) -> tensor<3x2x4x5xf32> {
  %t = graph.transpose %x [1, 0, 2, 3] : tensor<2x3x4x5xf32> -> tensor<3x2x4x5xf32>
  return %t : tensor<3x2x4x5xf32>
}

// -----

// erf on f32 calls the runtime's mk_erff, straight-line code that compilers
// vectorize, not libm's erff.
// CHECK-LABEL: static void erf_0(
//       CHECK:   mk_erff(
//   CHECK-NOT:   {{[^_]}}erff(
func.func @erf_loop(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = graph.erf %x : tensor<64xf32>
  return %e : tensor<64xf32>
}

// -----

// So does exp: mk_expf, not libm's expf.
// CHECK-LABEL: static void exp_0(
//       CHECK:   mk_expf(
//   CHECK-NOT:   {{[^_]}}expf(
func.func @exp_loop(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = graph.exp %x : tensor<64xf32>
  return %e : tensor<64xf32>
}
