//===- RuntimeSources.cpp - C runtime text shipped with artifacts ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "RuntimeSources.h"

#include <string>

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
llvm::StringRef getHalfGemmSource() { return kHalfGemmSource; }
llvm::StringRef getHalfConvSource() { return kHalfConvSource; }
llvm::StringRef getQuantizedGemmSource() { return kQuantizedGemmSource; }
llvm::StringRef getQuantizedConvSource() { return kQuantizedConvSource; }
llvm::StringRef getRunnerSource() {
  // Definition order: each piece uses only what the pieces before it define,
  // and the prologue declares the binding a target appends after them all.
  // One blank line separates two pieces.
  static const std::string text = [] {
    const llvm::StringRef pieces[] = {
        kRunnerPrologueSource, kRunnerSupportSource,   kRunnerDtypesSource,
        kRunnerTensorIoSource, kRunnerSyntheticSource, kRunnerThreadPoolSource,
        kRunnerMainSource};
    std::string joined;
    for (llvm::StringRef piece : pieces) {
      if (!joined.empty())
        joined += '\n';
      joined.append(piece.begin(), piece.end());
    }
    return joined;
  }();
  return text;
}
llvm::StringRef getRunnerBindingSource() { return kRunnerBindingSource; }

} // namespace modelc::c_target
