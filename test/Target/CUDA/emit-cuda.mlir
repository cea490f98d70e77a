// RUN: modelc-opt %s --split-input-file --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline=target=cuda | modelc-translate --split-input-file --emit-cuda --name net | FileCheck %s

// A conv with bias, residual add and relu: cuDNN writes the conv straight
// into the output, then one kernel adds the bias of each channel and applies
// the epilogue in place. The plan is made at create time; a run only enqueues.
// CHECK-LABEL: ----- net.h -----
//       CHECK: modelc_status net_create(net_context **ctx, const void *weights,
//       CHECK: modelc_status net_run_device(net_context *ctx, struct CUstream_st *stream,
// CHECK-LABEL: ----- net.cu -----
// The library layer is pasted as is: the emulation that tests it provides
// cublasLt.h and cudnn.h, with no switch in the generated code.
//   CHECK-NOT: MODELC_CUDA_EMULATION
//       CHECK: #include <cublasLt.h>
//  CHECK-NEXT: #include <cudnn.h>
//   CHECK-NOT: MODELC_CUDA_EMULATION
//       CHECK: static int mc_conv_plan_init(
//   CHECK-NOT: MODELC_CUDA_EMULATION
//       CHECK: /*==== model ====*/
//       CHECK: static __global__ void __launch_bounds__(256) conv_0_add_relu_epilogue(const float *in0, const float *in1, const float *in2, const float *in3, float *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   const int i = (int)blockIdx.x * blockDim.x + threadIdx.x;
//  CHECK-NEXT:   if (i >= 256)
//  CHECK-NEXT:     return;
//  CHECK-NEXT:   const float a = mc_load(out0, i) + mc_load(in2, (i / 64) % 4);
//  CHECK-NEXT:   const float v0 = mc_load(in3, i);
//  CHECK-NEXT:   const float v1 = a + v0;
//  CHECK-NEXT:   const float v2 = (v1 < 0.0f) ? 0.0f : v1;
//  CHECK-NEXT:   mc_store(out0, i, v2);
//  CHECK-NEXT: }
//       CHECK: mc_conv_plan conv[1];
//       CHECK: {1, 4, 8, 8, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, MC_F32, 0},
//       CHECK: error = cudaMalloc((void **)&ctx->device, ctx->device_bytes);
//       CHECK: static int conv_0_add_relu(net_context *ctx, cudaStream_t stream, const float *in0, const float *in1, const float *in2, const float *in3, float *out0)
//  CHECK-NEXT: {
//  CHECK-NEXT:   if (mc_conv_run(&ctx->conv[0], &ctx->libraries, stream, in0, in1, out0, ctx->workspace) != 0)
//  CHECK-NEXT:     return -1;
//  CHECK-NEXT:   conv_0_add_relu_epilogue<<<1, 256, 0, stream>>>(in0, in1, in2, in3, out0);
// The whole inference is captured once and replayed.
//       CHECK: cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal)
//       CHECK: cudaGraphLaunch(ctx->graph, stream)
func.func @main(%x: tensor<1x4x8x8xf32>, %res: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %a = graph.add %c, %res : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %r = graph.relu %a : tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// A broadcasting elementwise chain is one kernel, one thread per element;
// each operand's offset is a closed form of the flat index (the [2,1,16]
// operand skips the middle dimension, the [16] one keeps the last), and splat
// constants are literals.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(256) mul_0_add_sigmoid_mul_elementwise(const float *in0, const float *in1, const float *in2, float *out0)
//       CHECK:   if (i >= 96)
//  CHECK-NEXT:     return;
//  CHECK-NEXT:   const float v0 = mc_load(in0, i);
//  CHECK-NEXT:   const float v1 = mc_load(in1, (i / 48) * 16 + (i % 16));
//  CHECK-NEXT:   const float v2 = mc_load(in2, (i % 16));
//  CHECK-NEXT:   const float v3 = v0 * v1;
//  CHECK-NEXT:   const float v4 = v3 + v2;
//  CHECK-NEXT:   const float v5 = -v4;
//  CHECK-NEXT:   const float v6 = expf(v5);
//  CHECK-NEXT:   const float v7 = 1.0f + v6;
//  CHECK-NEXT:   const float v8 = 1.0f / v7;
//  CHECK-NEXT:   const float v9 = v8 * 2.5f;
//  CHECK-NEXT:   mc_store(out0, i, v9);
//   CHECK-NOT: mc_libraries
func.func @main(%x: tensor<2x3x16xf32>, %y: tensor<2x1x16xf32>, %z: tensor<16xf32>) -> tensor<2x3x16xf32> {
  %s = arith.constant dense<2.5> : tensor<f32>
  %m = graph.mul %x, %y : tensor<2x3x16xf32>, tensor<2x1x16xf32> -> tensor<2x3x16xf32>
  %a = graph.add %m, %z : tensor<2x3x16xf32>, tensor<16xf32> -> tensor<2x3x16xf32>
  %g = graph.sigmoid %a : tensor<2x3x16xf32>
  %o = graph.mul %g, %s : tensor<2x3x16xf32>, tensor<f32> -> tensor<2x3x16xf32>
  return %o : tensor<2x3x16xf32>
}

// -----

// Layer norm is one kernel with one block per row: the mean, then the
// variance around it, both with block-wide reductions.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(256) layer_norm_0_layer_norm(const float *in0, const float *in1, const float *in2, float *out0)
//       CHECK:   const float mean = mc_block_sum(sum) / 768.0f;
//       CHECK:     squares += (x - mean) * (x - mean);
//       CHECK:   const float rstd = rsqrtf(mc_block_sum(squares) / 768.0f + 1e-12f);
//       CHECK:     const float a = (x - mean) * rstd * mc_load(in1, j) + mc_load(in2, j);
//  CHECK-NEXT:     mc_store(out0, e, a);
//       CHECK:   layer_norm_0_layer_norm<<<512, 256, 0, stream>>>(in0, in1, in2, out0);
func.func @main(%x: tensor<4x128x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<4x128x768xf32> {
  %y = graph.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-12 : f64} : (tensor<4x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<4x128x768xf32>
  return %y : tensor<4x128x768xf32>
}

// -----

// Softmax over rows of 128: one block of 128 threads per row.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(128) softmax_0_softmax(const float *in0, float *out0)
//       CHECK:   top = mc_block_max(top);
//       CHECK:   sum = mc_block_sum(sum);
//       CHECK:     const float a = expf(x - top) * scale;
//       CHECK:   softmax_0_softmax<<<3072, 128, 0, stream>>>(in0, out0);
func.func @main(%x: tensor<2x12x128x128xf32>) -> tensor<2x12x128x128xf32> {
  %y = graph.softmax %x {axis = 3 : i64} : tensor<2x12x128x128xf32>
  return %y : tensor<2x12x128x128xf32>
}

// -----

// A transpose reads through permuted strides; the dimensions both sides walk
// contiguously merge.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: transpose_0_elementwise(const float *in0, float *out0)
//       CHECK:   const float v0 = mc_load(in0, (i / 40) * 20 + ((i / 20) % 2) * 60 + (i % 20));
//  CHECK-NEXT:   mc_store(out0, i, v0);
func.func @main(%x: tensor<2x3x4x5xf32>) -> tensor<3x2x4x5xf32> {
  %t = graph.transpose %x [1, 0, 2, 3] : tensor<2x3x4x5xf32> -> tensor<3x2x4x5xf32>
  return %t : tensor<3x2x4x5xf32>
}

// -----

// Softmax over an axis that is not the last: one thread per (outer, inner)
// pair, 20 of them here, each walking the axis with stride 20.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: static __global__ void __launch_bounds__(256) softmax_0_softmax(const float *in0, float *out0)
//       CHECK:   if (t >= 20)
//  CHECK-NEXT:     return;
//  CHECK-NEXT:   const long long start = (t / 20) * 60 + t % 20;
//       CHECK:   softmax_0_softmax<<<1, 256, 0, stream>>>(in0, out0);
func.func @main(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %y = graph.softmax %x {axis = 0 : i64} : tensor<3x4x5xf32>
  return %y : tensor<3x4x5xf32>
}

// -----

// An 8-bit max pool starts each window at the type's lowest value, what a
// window with no cell inside the input gives (as on the C target); f32
// starts at -inf.
// CHECK-LABEL: ----- net.cu -----
//       CHECK: max_pool_0_pool(const uint8_t *in0, uint8_t *out0)
//       CHECK:   float acc = 0.0f;
//       CHECK: max_pool_1_pool(const int8_t *in0, int8_t *out0)
//       CHECK:   float acc = -128.0f;
//       CHECK: max_pool_2_pool(const float *in0, float *out0)
//       CHECK:   float acc = -INFINITY;
func.func @main(%u: tensor<1x1x4x4xui8>, %s: tensor<1x1x4x4xi8>, %f: tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xui8>, tensor<1x1x2x2xi8>, tensor<1x1x2x2xf32>) {
  %pu = graph.max_pool %u {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x1x4x4xui8> -> tensor<1x1x2x2xui8>
  %ps = graph.max_pool %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x1x4x4xi8> -> tensor<1x1x2x2xi8>
  %pf = graph.max_pool %f {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %pu, %ps, %pf : tensor<1x1x2x2xui8>, tensor<1x1x2x2xi8>, tensor<1x1x2x2xf32>
}
