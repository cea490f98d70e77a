//===- MaxPoolIndices.h - MaxPool's Indices output ---------------*- C++
//-*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_MAXPOOLINDICES_H
#define MODELC_LIB_FRONTEND_ONNX_MAXPOOLINDICES_H

#include "ImporterHelpers.h"
#include "NodeContext.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"

namespace modelc::onnx_frontend {

/// The flat position in `input` ([N, C, H, W]) of each maximum a 2-D max
/// pool with `window` picks, as ONNX's Indices output: row-major over the
/// whole tensor, or with H and W swapped for storage_order 1. `pooledShape`
/// is the pool's result shape; the first maximum in window order wins ties.
mlir::Value maxPoolIndices(NodeContext &ctx, mlir::Value input,
                           const Window &window,
                           llvm::ArrayRef<int64_t> pooledShape,
                           bool columnMajor);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_MAXPOOLINDICES_H
