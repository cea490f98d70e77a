//===- CSyntax.h - Spelling MLIR types and values in C ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_CSYNTAX_H
#define MODELC_TARGETS_COMMON_CSYNTAX_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"

#include <string>
#include <vector>

namespace modelc::codegen {

/// The C type that stores one element (bool: uint8_t); empty if none.
std::string cElementType(mlir::Type elementType);

/// A C literal of `value` in `elementType` (`0.5f`, `INT64_C(3)`, `HUGE_VALF`).
std::string cLiteral(mlir::Type elementType, double value);

/// Row-major strides in elements.
std::vector<int64_t> contiguousStrides(llvm::ArrayRef<int64_t> shape);

/// Strides (in elements) with which an operand of shape `shape` is read at
/// each index of the broadcast iteration shape `iterationShape` (0 where it
/// broadcasts).
std::vector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> iterationShape);

/// The ONNX node names recorded in a (possibly fused) location, in order.
std::vector<std::string> onnxNodeNames(mlir::Location loc);

/// Makes `text` safe inside a C block comment.
std::string commentSafe(llvm::StringRef text);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_CSYNTAX_H
