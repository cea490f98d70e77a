//===- StridedView.h - Data movement as a strided read ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_STRIDEDVIEW_H
#define MODELC_TARGETS_COMMON_STRIDEDVIEW_H

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/AffineMap.h"

#include <optional>
#include <vector>

namespace modelc::codegen {

/// How a loop nest reads an operand: at iteration point (i_0, ..., i_n) it
/// reads element `base + sum(i_d * strides[d])`.
struct StridedView {
  int64_t base = 0;
  std::vector<int64_t> strides;
};

/// The strided read of a contiguous operand of `shape` through an indexing
/// map whose results are sums of loop dimensions times constants plus a
/// constant (broadcasts, transposes, slices); none for other maps.
std::optional<StridedView> getStridedView(mlir::AffineMap map,
                                          llvm::ArrayRef<int64_t> shape);

/// Starts at the slice's corner, each dimension stepping by its step. (Slices
/// stay graph anchors until they lower to tensor.extract_slice views.)
StridedView getStridedView(mlir::modelc::graph::SliceOp op);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_STRIDEDVIEW_H
