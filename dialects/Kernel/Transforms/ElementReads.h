//===- ElementReads.h - Data movement that reads at computed positions -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Gathers, pads, resizes, Trilu and OneHot compute each element of their result from
// a few reads of their operands, at positions that are either affine in the
// result's point (an indices tensor read where the point says) or computed
// from data (the gathered element, a reflected pad source). The first kind
// become `linalg.generic` inputs with indexing maps; the second kind are
// `tensor.extract` in the loop body, with `linalg.index` for the point. The
// element is then one more scalar of the dispatch's loop nest, and the
// epilogue after it joins the same loop.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTREADS_H
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTREADS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <functional>

namespace mlir::modelc::kernel {

/// How an anchor computes its element at one point of its result.
struct ElementRead {
  /// Operands read at affine positions of the point, and their maps (from
  /// the result's dimensions to the operand's).
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  /// Writes the element's computation at the builder's insertion point (a
  /// loop body), given the point as i64 coordinates and the scalars read
  /// through `maps`; returns it as a body scalar (getScalarType).
  std::function<Value(OpBuilder &, Location, ArrayRef<Value> point,
                      ArrayRef<Value> reads)>
      compute;
};

class DispatchOp;
} // namespace mlir::modelc::kernel

namespace mlir::modelc::graph {
class GridSampleOp;
class ResizeOp;
} // namespace mlir::modelc::graph

namespace mlir::modelc::kernel {

/// The element read of a Gather, GatherElements, GatherND, Trilu, OneHot,
/// Pad, Resize or GridSample in `dispatch`; none for other ops. A Resize's tap
/// tables become new operands of `dispatch` (ResizeRead.cpp).
std::optional<ElementRead> getElementRead(Operation *op, DispatchOp dispatch);

/// The element read of a Resize, its tap tables added to `dispatch`
/// (ResizeRead.cpp).
ElementRead getResizeRead(graph::ResizeOp op, DispatchOp dispatch);

/// The element read of a GridSample: taps at positions the grid holds
/// (GridSampleRead.cpp).
ElementRead getGridSampleRead(graph::GridSampleOp op);

} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTREADS_H
