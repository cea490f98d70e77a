//===- StridedView.h - Data movement as a strided read ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_STRIDEDVIEW_H
#define MODELC_TARGETS_COMMON_STRIDEDVIEW_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Value.h"

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

/// What a loop nest reads for one operand: the tensor in memory (a block
/// argument or another buffer) and the strided read of it, seen through the
/// tensor.extract_slice views between that tensor and the loop nest.
struct OperandRead {
  mlir::Value memory;
  StridedView view;
};

/// The read of `operand` through `map`; none when a map or view is not a
/// strided read (dynamic offsets, rank-reducing slices).
std::optional<OperandRead> getOperandRead(mlir::Value operand,
                                          mlir::AffineMap map);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_STRIDEDVIEW_H
