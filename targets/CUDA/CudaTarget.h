//===- CudaTarget.h - The CUDA target plugin --------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_CUDA_CUDATARGET_H
#define MODELC_TARGETS_CUDA_CUDATARGET_H

#include "modelc/Target/TargetBackend.h"

#include <memory>

namespace modelc {

/// The `cuda` target: CUDA C++ for nvcc, cuBLASLt and cuDNN for the hot ops.
std::unique_ptr<TargetBackend> createCudaTarget();

/// Translates a planned module into the files of a CUDA artifact; also the
/// `--emit-cuda` translation of modelc-translate.
llvm::Expected<Artifact> emitCudaArtifact(mlir::ModuleOp module,
                                          const CompileOptions &options);

/// The nvcc modelc uses: `requested` if set, else $CUDACXX, else
/// $CUDA_HOME/bin/nvcc (CUDA_HOME defaults to /usr/local/cuda), else nvcc on
/// PATH; a one-line error when none exists.
llvm::Expected<std::string> findNvcc(const std::string &requested);

} // namespace modelc

#endif // MODELC_TARGETS_CUDA_CUDATARGET_H
