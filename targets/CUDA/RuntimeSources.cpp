//===- RuntimeSources.cpp - CUDA runtime text shipped with artifacts ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSources.h"

namespace modelc::cuda_target {
namespace {
#include "targets/CUDA/RuntimeSources.inc"
} // namespace

llvm::StringRef getCudaPreludeSource() { return kCudaPreludeSource; }
llvm::StringRef getCudaLibraryShapesSource() {
  return kCudaLibraryShapesSource;
}
llvm::StringRef getCudaLibrariesSource() { return kCudaLibrariesSource; }
llvm::StringRef getCudaQuantizedGemmSource() {
  return kCudaQuantizedGemmSource;
}
llvm::StringRef getCudaRunnerBindingSource() {
  return kCudaRunnerBindingSource;
}

} // namespace modelc::cuda_target
