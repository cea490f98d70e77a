//===- StridedView.h - Data movement as a strided read ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_STRIDEDVIEW_H
#define MODELC_TARGETS_COMMON_STRIDEDVIEW_H

#include "dialects/Graph/IR/GraphOps.h"

#include <vector>

namespace modelc::codegen {

/// How an op that only moves data reads its input: result element
/// (i_0, ..., i_n) is input element `base + sum(i_d * strides[d])`.
struct StridedView {
  int64_t base = 0;
  std::vector<int64_t> strides;
};

/// Result dimension d walks input dimension permutation[d].
StridedView getStridedView(mlir::modelc::graph::TransposeOp op);
/// Starts at the slice's corner, each dimension stepping by its step.
StridedView getStridedView(mlir::modelc::graph::SliceOp op);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_STRIDEDVIEW_H
