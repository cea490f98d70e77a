//===- ShapeHelpers.h - Shape rules shared by ops and importer --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The shape rules of ONNX ops, written once: the ops' type inference and
// verifiers use them, and so does the importer when it turns ONNX attributes
// into static shapes.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_SHAPEHELPERS_H
#define MODELC_DIALECTS_GRAPH_IR_SHAPEHELPERS_H

#include "modelc/IR/TensorData.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::modelc::graph {

// broadcastShapes: modelc/IR/TensorData.h.
using ::mlir::modelc::broadcastShapes;

/// Output length of a sliding window along one dimension (ONNX Conv/Pool).
int64_t slidingWindowOutputSize(int64_t inputSize, int64_t kernel,
                                int64_t stride, int64_t padBegin,
                                int64_t padEnd, int64_t dilation,
                                bool ceilMode);

/// Number of elements of a strided slice along one dimension whose start has
/// been clamped into range.
int64_t sliceLength(int64_t start, int64_t end, int64_t step);

} // namespace mlir::modelc::graph

#endif // MODELC_DIALECTS_GRAPH_IR_SHAPEHELPERS_H
