//===- LoopNest.h - Strided loop nests in generated C -----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Elementwise chains, epilogues, transposes, slices and broadcasts all become
// one loop nest over an iteration shape in which every operand is addressed by
// a stride per dimension (0 where it broadcasts). Dimensions that every
// operand walks contiguously are collapsed, so the innermost loop is as long
// and as contiguous as the layouts allow and compilers vectorize it.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_LOOPNEST_H
#define MODELC_TARGETS_C_LOOPNEST_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace modelc::c_target {

/// Writes loops over `shape` at `indent` spaces; `body` receives the C
/// expression of each operand's element offset (operand k walks with
/// `strides[k]`) and the indentation of the innermost body.
void emitLoopNest(
    llvm::raw_ostream &os, int indent, llvm::ArrayRef<int64_t> shape,
    llvm::ArrayRef<std::vector<int64_t>> strides,
    llvm::function_ref<void(int indent, llvm::ArrayRef<std::string> offsets)>
        body);

} // namespace modelc::c_target

#endif // MODELC_TARGETS_C_LOOPNEST_H
