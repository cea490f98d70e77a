//===- GemmShape.h - How a matmul maps onto SGEMM calls ---------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_GEMMSHAPE_H
#define MODELC_TARGETS_COMMON_GEMMSHAPE_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "llvm/ADT/SmallVector.h"

namespace modelc::codegen {

/// The SGEMM calls of one graph.matmul: rank-1 operands promoted to matrices
/// as numpy does, then either one call when the right operand is a single
/// matrix (the left batch folds into the rows), or one call per broadcast
/// batch index.
struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  llvm::SmallVector<int64_t> lhsBatch, rhsBatch;
  bool foldsBatch = false;

  /// Rows of each SGEMM call.
  int64_t rowsPerCall() const;
};

GemmShape getGemmShape(mlir::modelc::kernel::MatMulOp op);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_GEMMSHAPE_H
