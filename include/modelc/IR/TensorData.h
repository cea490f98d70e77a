//===- TensorData.h - Facts about builtin tensors every phase uses -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// How modelc stores a tensor's elements and how shapes broadcast. The graph
// dialect, the kernel passes and every printer need these; they are facts
// about builtin types and attributes, so they live below all dialects and
// targets, and a printer can use them without knowing the graph dialect.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_IR_TENSORDATA_H
#define MODELC_IR_TENSORDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace mlir::modelc {

/// Size in bytes of one element as the generated code stores it (bool: one
/// byte).
int64_t getElementByteWidth(Type elementType);

/// The dense little-endian bytes of a constant, one element after another,
/// with splats expanded and booleans as one byte each. Empty on an attribute
/// that holds no data (an unloaded resource).
std::vector<char> readConstantBytes(ElementsAttr attr);

/// The numpy broadcast of two shapes, or nothing if they do not broadcast.
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs);

} // namespace mlir::modelc

#endif // MODELC_IR_TENSORDATA_H
