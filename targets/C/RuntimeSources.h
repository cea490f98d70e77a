//===- RuntimeSources.h - C runtime text shipped with artifacts -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The files under targets/C/runtime are compiled into modelc as text (see
// CMakeLists.txt) and pasted into the artifacts that need them, so a
// generated model depends on nothing but a C compiler and libm.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_RUNTIMESOURCES_H
#define MODELC_TARGETS_C_RUNTIMESOURCES_H

#include "llvm/ADT/StringRef.h"

namespace modelc::c_target {

llvm::StringRef getPreludeSource();
llvm::StringRef getGemmSource();
llvm::StringRef getConvSource();
llvm::StringRef getPoolSource();
llvm::StringRef getNormSource();
llvm::StringRef getHalfSource();
llvm::StringRef getHalfGemmSource();
llvm::StringRef getHalfConvSource();
llvm::StringRef getQuantizedGemmSource();
llvm::StringRef getQuantizedConvSource();
/// The model-generic runner: the pieces under runtime/runner (prologue.c to
/// main.c) joined into one translation unit; a target appends its binding.
llvm::StringRef getRunnerSource();
/// The C target's runner binding (init and run on host memory).
llvm::StringRef getRunnerBindingSource();

} // namespace modelc::c_target

#endif // MODELC_TARGETS_C_RUNTIMESOURCES_H
