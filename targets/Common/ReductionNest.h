//===- ReductionNest.h - A reduction loop nest, ready to print --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// What a printer needs to write a lowered reduction (a linalg.generic with
// reduction iterators over one input, accumulating into a result that a
// linalg.fill starts at the reduction's identity): the iteration space, the
// strided reads of input and accumulator, and the identity as C.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_REDUCTIONNEST_H
#define MODELC_TARGETS_COMMON_REDUCTIONNEST_H

#include "ScalarExpression.h"
#include "StridedView.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/Error.h"

namespace modelc::codegen {

struct ReductionNest {
  mlir::linalg::GenericOp generic;
  /// Loop ranges, in the generic's dimension order.
  llvm::SmallVector<int64_t> iteration;
  /// Which loops reduce.
  llvm::SmallVector<bool> reduced;
  /// Reads of the input and of the accumulator (the result) per loop.
  StridedView input, accumulator;
  /// The C expression of the identity the accumulator starts from.
  std::string identity;
};

/// Describes `generic`; fails for a generic that is not a one-input
/// reduction started by a linalg.fill of a constant.
llvm::Expected<ReductionNest> getReductionNest(mlir::linalg::GenericOp generic,
                                               const ScalarSpelling &spelling,
                                               bool &usesHalfConversions);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_REDUCTIONNEST_H
