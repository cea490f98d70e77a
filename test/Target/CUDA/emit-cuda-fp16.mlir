// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline '--modelc-plan-pipeline=target=cuda precision=fp16' | modelc-translate --emit-cuda --precision fp16 --name net | FileCheck %s

// At --precision=fp16 float tensors are stored in 16 bits, as the IR's types
// say (kernel-convert-float-storage): cuBLASLt multiplies half matrices
// (accumulating in float), the epilogue loads and stores halves and computes
// in float, and the float inputs and outputs are converted by dispatches of
// their own, between the caller's buffers and the arena.
// CHECK-LABEL: ----- net.h -----
//       CHECK: #define NET_ARENA_BYTES ((size_t)5632)
//       CHECK: #define NET_PRECISION "fp16"
// CHECK-LABEL: ----- net.cu -----
//       CHECK: convert_input_0_elementwise(const float *in0, __half *out0)
//       CHECK:   const float v0 = mc_load(in0, i);
//  CHECK-NEXT:   const float v1 = __half2float(__float2half_rn((float)v0));
//  CHECK-NEXT:   mc_store(out0, i, v1);
//       CHECK: matmul_0_add_epilogue(const __half *in0, const __half *in1, __half *out0)
//       CHECK: convert_output_0_elementwise(const __half *in0, float *out0)
//       CHECK: {1, 8, 32, 64, 0, 0, 256, MC_F16, 0},
//       CHECK: static int matmul_0_add(net_context *ctx, cudaStream_t stream, const __half *in0, const __half *in1, __half *out0)
//       CHECK:   const float *input_0 = (const float *)inputs[0];
//       CHECK:   float *output_0 = (float *)outputs[0];
//       CHECK:   if (convert_input_0(ctx, stream, input_0, (__half *)(arena + {{[0-9]+}})) != 0)
//       CHECK:   if (matmul_0_add(ctx, stream,
//       CHECK:   if (convert_output_0(ctx, stream, (__half *)(arena + {{[0-9]+}}), output_0) != 0)
func.func @main(%x: tensor<8x64xf32>, %w: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %b = arith.constant dense<0.25> : tensor<32xf32>
  %m = graph.matmul %x, %w : (tensor<8x64xf32>, tensor<64x32xf32>) -> tensor<8x32xf32>
  %a = graph.add %m, %b : tensor<8x32xf32>, tensor<32xf32> -> tensor<8x32xf32>
  return %a : tensor<8x32xf32>
}
