// RUN: modelc-opt %s --split-input-file --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline=target=cuda | modelc-translate --split-input-file --emit-cuda --name net | FileCheck %s

// A conv of 32 output channels over 16 x 3 x 3 depths runs as dp4a tiles:
// the accessors read the weight per group and the input through the im2col
// map, padding at the input's zero point (128); the store adds the row
// offset and requantizes with the output zero point (5), so the clamp is
// [0 - 5, 255 - 5]. One block per 64 x 64 tile, z over images and groups.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __device__ __forceinline__ int mc_requantize(
//       CHECK: static __device__ __forceinline__ void mc_qgemm_tile(
//       CHECK: /*==== model ====*/
//       CHECK: static __global__ void __launch_bounds__(256) conv_integer_0_requantize_quantized_conv(const uint8_t *in0, const int8_t *in1, const float *in2, const int32_t *in3, uint8_t *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   __shared__ mc_qtile_shared tile;
//  CHECK-NEXT:   const int image = blockIdx.z, group = 0;
//  CHECK-NEXT:   const uint8_t *image_input = in0 + ((long long)image * 16 + group * 16) * 64;
//  CHECK-NEXT:   const int8_t *group_weight = in1 + (long long)group * 4608;
//  CHECK-NEXT:   auto weight = [&](int m, int k) { return group_weight[m * 144 + k]; };
//  CHECK-NEXT:   auto input = [&](int k, int n) -> uint8_t {
//  CHECK-NEXT:     const int c = k / 9, ky = k / 3 % 3, kx = k % 3;
//  CHECK-NEXT:     const int y = n / 8 - 1 + ky, x = n % 8 - 1 + kx;
//  CHECK-NEXT:     return (unsigned)y < 8u && (unsigned)x < 8u ? image_input[(c * 8 + y) * 8 + x] : (uint8_t)128;
//  CHECK-NEXT:   };
//  CHECK-NEXT:   auto store = [&](int m, int n, int s) {
//  CHECK-NEXT:     const long long i = ((long long)image * 32 + group * 32 + m) * 64 + n;
//  CHECK-NEXT:     const int acc = (int)((unsigned)s + (unsigned)in3[group * 32 + m]);
//  CHECK-NEXT:     const uint8_t a = (uint8_t)mc_requantize(acc, in2[0], -5.0f, 250.0f, 5);
//  CHECK-NEXT:     mc_store(out0, i, a);
//  CHECK-NEXT:   };
//  CHECK-NEXT:   mc_qgemm_tile<false>(tile, 32, 64, 144, weight, input, store);
//  CHECK-NEXT: }
//       CHECK: conv_integer_0_requantize_quantized_conv<<<dim3(1, 1, 1), 256, 0, stream>>>(in0, in1, in2, in3, out0);
func.func @conv(%x: tensor<1x16x8x8xui8>) -> tensor<1x32x8x8xui8> {
  %w = arith.constant dense<1> : tensor<32x16x3x3xi8>
  %zx = arith.constant dense<128> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %m = arith.constant dense<0.125> : tensor<f32>
  %zy = arith.constant dense<5> : tensor<ui8>
  %acc = graph.conv_integer %x, %w, %zx, %zw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x16x8x8xui8>, tensor<32x16x3x3xi8>, tensor<ui8>, tensor<i8>) -> tensor<1x32x8x8xi32>
  %y = graph.requantize %acc, %m, %zy {axis = 1 : i64, rounding = "half_to_even"} : (tensor<1x32x8x8xi32>, tensor<f32>, tensor<ui8>) -> tensor<1x32x8x8xui8>
  return %y : tensor<1x32x8x8xui8>
}

// -----

// A depthwise conv (one row per group, 9 depths) is too small for a tile:
// one thread per output walks the same accessors with mc_qgemm_sum, in
// the activations' own values. Its per-channel multipliers are indexed by
// the output channel.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(256) conv_integer_0_requantize_quantized_conv(const uint8_t *in0, const int8_t *in1, const float *in2, const int32_t *in3, uint8_t *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   const int i = (int)blockIdx.x * blockDim.x + threadIdx.x;
//  CHECK-NEXT:   if (i >= 256)
//  CHECK-NEXT:     return;
//  CHECK-NEXT:   const int n = (int)(i % 64), m = 0;
//  CHECK-NEXT:   const int group = (int)(i / 64 % 4), image = (int)(i / 256);
//       CHECK:   : (uint8_t)3;
//       CHECK:   const int s = mc_qgemm_sum(m, n, 9, weight, input);
//  CHECK-NEXT:   const int acc = (int)((unsigned)s + (unsigned)in3[group]);
//  CHECK-NEXT:   const uint8_t a = (uint8_t)mc_requantize(acc, in2[group], 0.0f, 255.0f, 0);
//  CHECK-NEXT:   mc_store(out0, i, a);
//       CHECK: conv_integer_0_requantize_quantized_conv<<<1, 256, 0, stream>>>
func.func @depthwise(%x: tensor<1x4x8x8xui8>) -> tensor<1x4x8x8xui8> {
  %w = arith.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]], [[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]], [[[0, 0, 0], [0, 2, 0], [0, 0, 0]]]]> : tensor<4x1x3x3xi8>
  %zx = arith.constant dense<3> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %m = arith.constant dense<[0.5, 0.25, 0.125, 1.0]> : tensor<4xf32>
  %zy = arith.constant dense<0> : tensor<ui8>
  %acc = graph.conv_integer %x, %w, %zx, %zw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64} : (tensor<1x4x8x8xui8>, tensor<4x1x3x3xi8>, tensor<ui8>, tensor<i8>) -> tensor<1x4x8x8xi32>
  %y = graph.requantize %acc, %m, %zy {axis = 1 : i64, rounding = "half_to_even"} : (tensor<1x4x8x8xi32>, tensor<4xf32>, tensor<ui8>) -> tensor<1x4x8x8xui8>
  return %y : tensor<1x4x8x8xui8>
}

// -----

// A matmul with a dequantize stage and a Relu: the activations are read
// along the depth (the tile loads them as it loads the weights), the
// weight's rows are the output's columns, and the Relu runs in the store.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(256) matmul_integer_0_dequantize_linear_relu_quantized_matmul(
//  CHECK-NEXT: {
//  CHECK-NEXT:   __shared__ mc_qtile_shared tile;
//  CHECK-NEXT:   auto weight = [&](int m, int k) { return in2[(long long)m * 32 + k]; };
//  CHECK-NEXT:   auto input = [&](int k, int n) { return in0[(long long)n * 32 + k]; };
//  CHECK-NEXT:   auto store = [&](int m, int n, int s) {
//  CHECK-NEXT:     const long long i = (long long)n * 48 + m;
//  CHECK-NEXT:     const int acc = (int)((unsigned)s + (unsigned)in3[m]);
//  CHECK-NEXT:     const float a = (float)acc * in1[0];
//  CHECK-NEXT:     const float v0 = (a < 0.0f) ? 0.0f : a;
//  CHECK-NEXT:     mc_store(out0, i, v0);
//  CHECK-NEXT:   };
//  CHECK-NEXT:   mc_qgemm_tile<true>(tile, 48, 100, 32, weight, input, store);
//       CHECK: <<<dim3(2, 1, 1), 256, 0, stream>>>
func.func @matmul(%x: tensor<100x32xui8>) -> tensor<100x48xf32> {
  %w = arith.constant dense<-3> : tensor<32x48xi8>
  %zx = arith.constant dense<7> : tensor<ui8>
  %zw = arith.constant dense<0> : tensor<i8>
  %s = arith.constant dense<0.0625> : tensor<f32>
  %z = arith.constant dense<0> : tensor<i32>
  %acc = graph.matmul_integer %x, %w, %zx, %zw : (tensor<100x32xui8>, tensor<32x48xi8>, tensor<ui8>, tensor<i8>) -> tensor<100x48xi32>
  %y = graph.dequantize_linear %acc, %s, %z {axis = 1 : i64} : (tensor<100x48xi32>, tensor<f32>, tensor<i32>) -> tensor<100x48xf32>
  %r = graph.relu %y : tensor<100x48xf32>
  return %r : tensor<100x48xf32>
}
