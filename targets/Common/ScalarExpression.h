//===- ScalarExpression.h - One loop-body op as a C expression --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The C (and CUDA C++) spelling of the scalar ops that lowered loop bodies
// hold: arith, math and the casts that strip integer signedness. This is a
// table of spellings, not of semantics: what an ONNX op computes was decided
// when it was lowered into these ops.
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
  /// True: float16/bfloat16 scalars are held in float registers (CUDA,
  /// which loads and stores through conversions). False: they are uint16_t
  /// bit patterns that only extf/truncf and conversions touch (C).
  bool halfInFloatRegisters = false;
};

/// The C type of a loop-body scalar of `type`; empty if it has none.
std::string scalarTypeName(mlir::Type type, const ScalarSpelling &spelling);

/// The expression of `op`'s result, given the expression of each operand
/// (`operand(i)`). Sets `usesHalfConversions` when the C runtime's 16-bit
/// float conversions are called. Fails for ops outside the loop-body
/// vocabulary.
llvm::Expected<std::string>
scalarExpression(mlir::Operation *op,
                 llvm::function_ref<std::string(unsigned)> operand,
                 const ScalarSpelling &spelling, bool &usesHalfConversions);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_SCALAREXPRESSION_H
