//===- ImporterHelpers.h - Helpers the op importers share -------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// What more than one op family needs: axis normalization, reshapes and scalar
// constants, and the window attributes that Conv, the pools and ConvInteger
// read alike.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_IMPORTERHELPERS_H
#define MODELC_LIB_FRONTEND_ONNX_IMPORTERHELPERS_H

#include "NodeContext.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>

namespace modelc::onnx_frontend {

/// Normalizes a possibly negative axis into [0, rank); fails out of range.
llvm::Expected<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                      int64_t rank);

/// `value` with the same elements in `shape`, as a graph.reshape.
mlir::Value reshapeTo(NodeContext &ctx, mlir::Value value,
                      llvm::ArrayRef<int64_t> shape);

/// A rank-0 constant: the scalar operand of a broadcasting graph op.
mlir::Value scalarConstant(NodeContext &ctx, mlir::Type elementType,
                           double value);

/// An i64 constant of `shape` holding `values` (index tables, selections).
mlir::Value intConstant(NodeContext &ctx, llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<int64_t> values);

/// A floating-point constant of `shape` holding `values`, converted to
/// `elementType`; a single value fills the whole shape.
mlir::Value floatConstant(NodeContext &ctx, mlir::Type elementType,
                          llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<double> values);

/// Window attributes of Conv and the pools, with auto_pad resolved to
/// explicit pads: all the begins, then all the ends ([top, left, bottom,
/// right] in 2-D).
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, pads, dilations;
};

/// A window attribute (kernel_shape, strides, dilations, pads) as 2-D. A
/// 1-D op runs as 2-D with a unit height (`lifted`): its lists get a leading
/// 1, and its pads zero top and bottom pads.
std::optional<llvm::SmallVector<int64_t>>
readWindowInts(NodeContext &ctx, llvm::StringRef name, bool lifted);

/// The window of an op with `kernel.size()` spatial dimensions (2 for a
/// lifted 1-D op) over an input of shape `inShape`, checked here because
/// the graph ops' type inference would abort on a bad one.
llvm::Expected<Window> readWindow(NodeContext &ctx,
                                  llvm::ArrayRef<int64_t> inShape,
                                  llvm::ArrayRef<int64_t> kernel, bool lifted);

/// A transposed convolution's window with output_shape and auto_pad
/// resolved into `pads` (begins, then ends; a negative end grows the
/// output), and the spatial sizes of its output.
struct TransposedWindow {
  llvm::SmallVector<int64_t> strides, dilations, pads, outputPadding, outSizes;
};

/// The window of a transposed convolution over `in` ([N, C, spatial...],
/// lifted to 2-D for a 1-D op) with weight shape `w`.
llvm::Expected<TransposedWindow>
readTransposedWindow(NodeContext &ctx, llvm::ArrayRef<int64_t> in,
                     llvm::ArrayRef<int64_t> w, bool lifted);

/// What ONNX ties together in a convolution node and onnxruntime checks:
/// the weight's rank and `kernel_shape`, channels and `group`, the bias, and
/// the lengths of the window attributes. `in` and `w` are the shapes as the
/// model gives them (before a 1-D op is lifted); `biasInput` is the bias
/// operand's index, or -1. A transposed weight is [C, M / group, k...], a
/// plain one [M, C / group, k...].
llvm::Error checkConvAttributes(NodeContext &ctx, llvm::ArrayRef<int64_t> in,
                                llvm::ArrayRef<int64_t> w, int biasInput,
                                bool transposed);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_IMPORTERHELPERS_H
