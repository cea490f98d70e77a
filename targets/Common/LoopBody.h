//===- LoopBody.h - The scalar statements of a lowered loop body -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Writes the body of a linalg.generic (arith/math on scalars) as C
// statements, one `const` per value, for every C-family printer. Constants
// and comparisons that only steer selects are written inline, so a ReLU
// reads `v1 < 0.0f ? 0.0f : v1`.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_LOOPBODY_H
#define MODELC_TARGETS_COMMON_LOOPBODY_H

#include "ScalarExpression.h"

#include "mlir/IR/Block.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

namespace modelc::codegen {

/// Writes the statements of `body` (without its terminator) at `indent`.
/// `scalars` holds the C expression of every block argument the body uses
/// and receives one for every value it defines; `nextName` numbers the
/// `vN` names.
llvm::Error writeLoopBody(mlir::Block &body, llvm::raw_ostream &os,
                          llvm::StringRef indent,
                          llvm::DenseMap<mlir::Value, std::string> &scalars,
                          unsigned &nextName, const ScalarSpelling &spelling,
                          bool &usesHalfConversions);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_LOOPBODY_H
