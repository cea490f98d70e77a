//===- RuntimeSources.cpp - C runtime text shipped with artifacts ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSources.h"

namespace modelc::c_target {
namespace {
#include "targets/C/RuntimeSources.inc"
} // namespace

llvm::StringRef getPreludeSource() { return kPreludeSource; }
llvm::StringRef getGemmSource() { return kGemmSource; }
llvm::StringRef getConvSource() { return kConvSource; }
llvm::StringRef getPoolSource() { return kPoolSource; }
llvm::StringRef getNormSource() { return kNormSource; }
llvm::StringRef getHalfSource() { return kHalfSource; }
llvm::StringRef getRunnerSource() { return kRunnerSource; }
llvm::StringRef getRunnerBindingSource() { return kRunnerBindingSource; }

} // namespace modelc::c_target
