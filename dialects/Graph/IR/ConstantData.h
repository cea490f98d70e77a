//===- ConstantData.h - Reading and making constant tensors -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Weights arrive as `dense_resource` blobs and small constants as `dense`
// attributes. Folds, the graph rewrites and the emitters all need the bytes
// behind either form, and need to make new constants of the right form; these
// helpers are the one place that knows both.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_CONSTANTDATA_H
#define MODELC_DIALECTS_GRAPH_IR_CONSTANTDATA_H

#include "modelc/IR/TensorData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <vector>

namespace mlir::modelc::graph {

/// Constants with at most this many elements are kept as `dense` attributes,
/// which lit tests can read and folds can use; larger ones become blobs.
constexpr int64_t kInlineConstantLimit = 64;

/// Folds compute on constants of at most this many elements; larger constant
/// arithmetic is left to the generated code (or to dedicated rewrites such as
/// the conv/batch-norm fold).
constexpr int64_t kFoldElementLimit = 1 << 16;

// getElementByteWidth and readConstantBytes: modelc/IR/TensorData.h.
using ::mlir::modelc::getElementByteWidth;
using ::mlir::modelc::readConstantBytes;

/// The elements of a constant as doubles (floats) or int64 (integers). Only
/// for small constants: callers check kFoldElementLimit.
std::vector<double> readConstantAsDoubles(ElementsAttr attr);
std::vector<int64_t> readConstantAsInts(ElementsAttr attr);

/// Makes a constant of `type` from dense bytes laid out as readConstantBytes
/// returns them: inline below kInlineConstantLimit elements, else a blob
/// named after `nameHint`.
ElementsAttr makeConstant(ShapedType type, ArrayRef<char> bytes,
                          StringRef nameHint = "folded");

/// Makes a constant of `type` from doubles or int64s, converting each to the
/// element type.
ElementsAttr makeConstantFromDoubles(ShapedType type, ArrayRef<double> values,
                                     StringRef nameHint = "folded");
ElementsAttr makeConstantFromInts(ShapedType type, ArrayRef<int64_t> values);

} // namespace mlir::modelc::graph

#endif // MODELC_DIALECTS_GRAPH_IR_CONSTANTDATA_H
