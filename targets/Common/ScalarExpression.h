//===- ScalarExpression.h - One loop-body op as a C expression --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The C (and CUDA C++) spelling of the scalar ops that lowered loop bodies
// hold: arith, math, the casts that strip integer signedness, and the two
// ops that tie a body to its loops and memory: linalg.index and
// tensor.extract. This is a
// table of spellings, not of semantics: what an ONNX op computes was decided
// when it was lowered into these ops.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_SCALAREXPRESSION_H
#define MODELC_TARGETS_COMMON_SCALAREXPRESSION_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace modelc::codegen {

struct ScalarSpelling {
  /// Named in errors: "node 'x': ... (<targetName> target)".
  std::string targetName = "C";
  /// True: float16/bfloat16 scalars are held in float registers (CUDA,
  /// which loads and stores through conversions). False: they are uint16_t
  /// bit patterns that only extf/truncf and conversions touch (C).
  bool halfInFloatRegisters = false;
  /// The C expression of loop dimension `dim` (for linalg.index); unset
  /// where the printer gives none.
  std::function<std::string(unsigned dim)> loopIndex;
  /// The C expression that loads element `offset` of `tensor` (a dispatch
  /// operand), for tensor.extract: the data-dependent reads of gathers,
  /// pads and resize taps.
  std::function<std::string(mlir::Value tensor, const std::string &offset)>
      loadElement;
  /// The functions computing a float32 erf and exp: libm's by default; the
  /// C target's runtime has ones that compilers vectorize.
  std::string erfF32 = "erff";
  std::string expF32 = "expf";
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
