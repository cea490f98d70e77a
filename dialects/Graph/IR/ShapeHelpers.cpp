//===- ShapeHelpers.cpp - Shape rules shared by ops and importer ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/ShapeHelpers.h"

#include <algorithm>

namespace mlir::modelc::graph {

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
