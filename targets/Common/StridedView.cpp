//===- StridedView.cpp - Data movement as a strided read ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "StridedView.h"

#include "CSyntax.h"

namespace modelc::codegen {

StridedView getStridedView(mlir::modelc::graph::TransposeOp op) {
  std::vector<int64_t> inStrides =
      contiguousStrides(op.getInput().getType().getShape());
  StridedView view;
  for (int64_t d : op.getPermutation())
    view.strides.push_back(inStrides[d]);
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
