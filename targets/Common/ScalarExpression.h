//===- ScalarExpression.h - One element of an elementwise op in C -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Every target that writes C-family code (C99, CUDA C++) computes an
// elementwise op at one element with the same expression; what differs is how
// 16-bit floats are held, which ScalarSpelling says.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_SCALAREXPRESSION_H
#define MODELC_TARGETS_COMMON_SCALAREXPRESSION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>

namespace modelc::codegen {

struct ScalarSpelling {
  /// Named in errors: "node 'x': ... (<targetName> target)".
  std::string targetName = "C";
  /// True: float16/bfloat16 values are held in float registers and every op
  /// may compute on them (CUDA, which loads and stores through conversions).
  /// False: they are uint16_t bit patterns that only casts may touch (C).
  bool halfInFloatRegisters = false;
};

/// The expression of `op`'s result at one element, given the expression of
/// each operand (`operand(i)`). Sets `usesHalfConversions` when the C
/// runtime's 16-bit float conversions are called. Fails for ops that are not
/// elementwise.
llvm::Expected<std::string>
scalarExpression(mlir::Operation *op,
                 llvm::function_ref<std::string(unsigned)> operand,
                 const ScalarSpelling &spelling, bool &usesHalfConversions);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_SCALAREXPRESSION_H
