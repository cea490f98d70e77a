//===- GemmShape.cpp - How a matmul maps onto SGEMM calls -----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "GemmShape.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"

namespace modelc::codegen {

int64_t GemmShape::rowsPerCall() const {
  return foldsBatch ? m * mlir::computeProduct(lhsBatch) : m;
}

GemmShape getGemmShape(mlir::modelc::kernel::MatMulOp op) {
  llvm::SmallVector<int64_t> lhs(op.getLhs().getType().getShape());
  llvm::SmallVector<int64_t> rhs(op.getRhs().getType().getShape());
  if (lhs.size() == 1)
    lhs.insert(lhs.begin(), 1);
  if (rhs.size() == 1)
    rhs.push_back(1);
  GemmShape shape;
  shape.m = lhs[lhs.size() - 2];
  shape.k = lhs.back();
  shape.n = rhs.back();
  shape.lhsBatch.assign(lhs.begin(), lhs.end() - 2);
  shape.rhsBatch.assign(rhs.begin(), rhs.end() - 2);
  shape.foldsBatch = mlir::computeProduct(shape.rhsBatch) == 1;
  return shape;
}

} // namespace modelc::codegen
