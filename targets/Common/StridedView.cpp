//===- StridedView.cpp - Data movement as a strided read ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "StridedView.h"

#include "CSyntax.h"

namespace modelc::codegen {

/// Adds `expr` times `scale` to `view`, or fails for a term that is not a
/// dimension times a constant.
static bool addTerm(mlir::AffineExpr expr, int64_t scale, StridedView &view) {
  using namespace mlir;
  if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
    view.base += constant.getValue() * scale;
    return true;
  }
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    view.strides[dim.getPosition()] += scale;
    return true;
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return addTerm(binary.getLHS(), scale, view) &&
           addTerm(binary.getRHS(), scale, view);
  if (binary.getKind() == AffineExprKind::Mul)
    if (auto factor = dyn_cast<AffineConstantExpr>(binary.getRHS()))
      return addTerm(binary.getLHS(), scale * factor.getValue(), view);
  return false;
}

std::optional<StridedView> getStridedView(mlir::AffineMap map,
                                          llvm::ArrayRef<int64_t> shape) {
  if (map.getNumResults() != shape.size() || map.getNumSymbols() != 0)
    return std::nullopt;
  std::vector<int64_t> operandStrides = contiguousStrides(shape);
  StridedView view;
  view.strides.assign(map.getNumDims(), 0);
  for (auto [expr, stride] : llvm::zip(map.getResults(), operandStrides))
    if (!addTerm(expr, stride, view))
      return std::nullopt;
  return view;
}

StridedView getStridedView(mlir::modelc::graph::SliceOp op) {
  std::vector<int64_t> inStrides =
      contiguousStrides(op.getInput().getType().getShape());
  StridedView view;
  for (size_t d = 0; d < inStrides.size(); ++d) {
    view.base += op.getStarts()[d] * inStrides[d];
    view.strides.push_back(op.getSteps()[d] * inStrides[d]);
  }
  return view;
}

} // namespace modelc::codegen
