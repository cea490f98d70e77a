//===- ShapeHelpers.cpp - Shape rules shared by ops and importer ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/ShapeHelpers.h"

#include <algorithm>

namespace mlir::modelc::graph {

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

int64_t slidingWindowOutputSize(int64_t inputSize, int64_t kernel,
                                int64_t stride, int64_t padBegin,
                                int64_t padEnd, int64_t dilation,
                                bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = inputSize + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t size = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  // With ceil_mode, a last window that would start inside the end padding is
  // dropped (the rule shared by PyTorch and onnxruntime).
  if (ceilMode && (size - 1) * stride >= inputSize + padBegin)
    --size;
  return size;
}

int64_t sliceLength(int64_t start, int64_t end, int64_t step) {
  if (step > 0)
    return end > start ? (end - start + step - 1) / step : 0;
  return start > end ? (start - end - step - 1) / -step : 0;
}

} // namespace mlir::modelc::graph
