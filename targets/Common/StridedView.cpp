//===- StridedView.cpp - Data movement as a strided read ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "StridedView.h"

#include "CSyntax.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

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

std::optional<OperandRead> getOperandRead(mlir::Value operand,
                                          mlir::AffineMap map) {
  using namespace mlir;
  // Index i of a view is index offset + stride * i of what it views.
  while (auto slice = operand.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != slice.getType().getRank() ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticStrides()))
      return std::nullopt;
    SmallVector<AffineExpr> results;
    for (auto [expr, offset, stride] :
         llvm::zip(map.getResults(), slice.getStaticOffsets(),
                   slice.getStaticStrides()))
      results.push_back(expr * stride + offset);
    map = AffineMap::get(map.getNumDims(), 0, results, map.getContext());
    operand = slice.getSource();
  }
  std::optional<StridedView> view = getStridedView(
      map, cast<RankedTensorType>(operand.getType()).getShape());
  if (!view)
    return std::nullopt;
  return OperandRead{operand, *view};
}

} // namespace modelc::codegen
