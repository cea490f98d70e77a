//===- KernelEmitter.h - CUDA kernels of one kernel.dispatch ----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_CUDA_KERNELEMITTER_H
#define MODELC_TARGETS_CUDA_KERNELEMITTER_H

#include "dialects/Kernel/IR/KernelOps.h"
#include "modelc/Pipelines/CompileOptions.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace modelc::cuda_target {

/// The CUDA spelling of a stored element type (float, __half,
/// __nv_bfloat16, int64_t, uint8_t...). Which floats are 16-bit was decided
/// in the IR by kernel-convert-float-storage.
std::string storageTypeName(mlir::Type element);
/// The register type kernels compute it in (float for every float type).
std::string registerTypeName(mlir::Type element);
/// MC_F32, MC_F16 or MC_BF16: the library dtype of a float element type.
const char *libraryType(mlir::Type element);

/// The vendor-library work of an artifact: one plan per call site, made at
/// create time.
struct LibraryPlans {
  /// C initializers of mc_gemm_shape / mc_conv_shape, in call-site order.
  std::vector<std::string> gemms, convs;
};

/// The code of one dispatch.
struct DispatchCode {
  /// __global__ kernels.
  std::string device;
  /// `static int <name>(<ctx> *ctx, cudaStream_t stream, ...)`: enqueues the
  /// kernels and library calls, returns 0 or -1 when a library call failed.
  std::string host;
  /// Whether the kernels call runtime/qgemm.cuh.
  bool usesQuantizedProducts = false;
};

/// Writes the kernels of `dispatch`: loop nests (elementwise chains, views,
/// gathers, pads, resizes) and the per-element anchors (concat, pooling,
/// reductions, integer matmul and conv) as one kernel with the epilogue
/// fused into its store; softmax, log-softmax and
/// layer norm as one kernel with a block per row; 8-bit products as dp4a
/// kernels with their output stage and epilogue fused; matmul and conv
/// through cuBLASLt and cuDNN, followed by one in-place epilogue kernel.
llvm::Expected<DispatchCode>
emitDispatchKernels(mlir::modelc::kernel::DispatchOp dispatch,
                    const std::string &contextType, bool allowTf32,
                    LibraryPlans &plans);

/// Why the CUDA target cannot compile `dispatch`'s anchor, or empty: checked
/// for every dispatch before any code is written, so all are reported at once.
std::string unsupportedReason(mlir::modelc::kernel::DispatchOp dispatch);

} // namespace modelc::cuda_target

#endif // MODELC_TARGETS_CUDA_KERNELEMITTER_H
