//===- RuntimeSources.h - CUDA runtime text shipped with artifacts -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The files under targets/CUDA/runtime, embedded at build time and pasted
// into the artifacts that need them.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_CUDA_RUNTIMESOURCES_H
#define MODELC_TARGETS_CUDA_RUNTIMESOURCES_H

#include "llvm/ADT/StringRef.h"

namespace modelc::cuda_target {

/// Loads, stores, block reductions and I/O conversion kernels.
llvm::StringRef getCudaPreludeSource();
/// What each library call computes (shared with the CPU emulation).
llvm::StringRef getCudaLibraryShapesSource();
/// The cuBLASLt and cuDNN plans and calls.
llvm::StringRef getCudaLibrariesSource();
/// The 8-bit product schedules (dp4a tiles), for artifacts that have them.
llvm::StringRef getCudaQuantizedGemmSource();
/// The runner's CUDA binding, appended to the C target's generic runner.
llvm::StringRef getCudaRunnerBindingSource();

} // namespace modelc::cuda_target

#endif // MODELC_TARGETS_CUDA_RUNTIMESOURCES_H
