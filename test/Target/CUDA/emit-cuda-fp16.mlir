// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline=target=cuda | modelc-translate --emit-cuda --precision fp16 --name net | FileCheck %s

// At --precision=fp16 float tensors are stored in 16 bits: cuBLASLt multiplies
// half matrices (accumulating in float), the epilogue loads and stores halves
// and computes in float, and float inputs and outputs convert at the edges
// into and out of staging buffers in the one device allocation.
// CHECK-LABEL: ----- net.h -----
//       CHECK: #define NET_PRECISION "fp16"
// CHECK-LABEL: ----- net.cu -----
//       CHECK: {1, 8, 32, 64, 0, 0, 256, MC_F16, 0},
//       CHECK: static int matmul_0_add(net_context *ctx, cudaStream_t stream, const __half *in0, const __half *in1, __half *out0)
//       CHECK:   const __half *input_0 = (const __half *)(ctx->device + {{[0-9]+}});
//  CHECK-NEXT:   mc_launch_convert<float, __half>(inputs[0], (void *)input_0, 512, stream);
//       CHECK:   __half *output_0 = (__half *)(ctx->device + {{[0-9]+}});
//       CHECK:   if (matmul_0_add(ctx, stream, input_0, input_1, output_0) != 0)
//       CHECK:   mc_launch_convert<__half, float>(output_0, outputs[0], 256, stream);
func.func @main(%x: tensor<8x64xf32>, %w: tensor<64x32xf32>) -> tensor<8x32xf32> {
  %b = arith.constant dense<0.25> : tensor<32xf32>
  %m = graph.matmul %x, %w : (tensor<8x64xf32>, tensor<64x32xf32>) -> tensor<8x32xf32>
  %a = graph.add %m, %b : tensor<8x32xf32>, tensor<32xf32> -> tensor<8x32xf32>
  return %a : tensor<8x32xf32>
}
