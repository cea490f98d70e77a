//===- ElementReads.cpp - Data movement that reads at computed positions --===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// ONNX leaves out-of-range gather indices undefined; the generated code must
// never read outside its inputs, so every data-dependent position is first
// made non-negative (index + size, the ONNX rule for negative indices) and
// then clamped into range.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/ElementReads.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"
#include "dialects/Kernel/Transforms/IndexBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::modelc::kernel {

namespace {

MLIRContext *contextOf(Operation *op) { return op->getContext(); }

/// The map reading dimensions `dims` of a rank-`rank` point.
AffineMap selectDims(unsigned rank, ArrayRef<unsigned> dims,
                     MLIRContext *ctx) {
  SmallVector<AffineExpr> results;
  for (unsigned d : dims)
    results.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, results, ctx);
}

/// Dimensions [from, to).
SmallVector<unsigned> range(unsigned from, unsigned to) {
  SmallVector<unsigned> dims;
  for (unsigned d = from; d < to; ++d)
    dims.push_back(d);
  return dims;
}

/// Gather: out[p_0..p_{a-1}, k..., p_rest] = data[p_0.., indices[k...], p_rest].
ElementRead gatherRead(graph::GatherOp op) {
  auto data = cast<RankedTensorType>(op.getData().getType());
  auto indices = cast<RankedTensorType>(op.getIndices().getType());
  unsigned rank = cast<RankedTensorType>(op.getType()).getRank();
  unsigned axis = op.getAxis(), q = indices.getRank();
  ElementRead read;
  read.operands.push_back(op.getIndices());
  read.maps.push_back(selectDims(rank, range(axis, axis + q), contextOf(op)));
  Value dataTensor = op.getData();
  int64_t size = data.getDimSize(axis);
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    SmallVector<Value> at(point.take_front(axis));
    at.push_back(ib.position(reads[0], size));
    llvm::append_range(at, point.drop_front(axis + q));
    return ib.extract(dataTensor, at);
  };
  return read;
}

/// GatherElements: out[p] = data[p with p_axis = indices[p]].
ElementRead gatherElementsRead(graph::GatherElementsOp op) {
  auto data = cast<RankedTensorType>(op.getData().getType());
  unsigned rank = data.getRank(), axis = op.getAxis();
  ElementRead read;
  read.operands.push_back(op.getIndices());
  read.maps.push_back(AffineMap::getMultiDimIdentityMap(rank, contextOf(op)));
  Value dataTensor = op.getData();
  int64_t size = data.getDimSize(axis);
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    SmallVector<Value> at(point);
    at[axis] = ib.position(reads[0], size);
    return ib.extract(dataTensor, at);
  };
  return read;
}

/// GatherND with b batch dimensions and tuples of m indices:
/// out[t..., r...] = data[t_0..t_{b-1}, indices[t..., 0..m-1], r...].
ElementRead gatherNDRead(graph::GatherNDOp op) {
  auto data = cast<RankedTensorType>(op.getData().getType());
  auto indices = cast<RankedTensorType>(op.getIndices().getType());
  unsigned rank = cast<RankedTensorType>(op.getType()).getRank();
  unsigned batch = op.getBatchDims(), q = indices.getRank();
  unsigned depth = indices.getShape().back();
  MLIRContext *ctx = contextOf(op);
  ElementRead read;
  for (unsigned j = 0; j < depth; ++j) {
    SmallVector<AffineExpr> results;
    for (unsigned d = 0; d + 1 < q; ++d)
      results.push_back(getAffineDimExpr(d, ctx));
    results.push_back(getAffineConstantExpr(j, ctx));
    read.operands.push_back(op.getIndices());
    read.maps.push_back(AffineMap::get(rank, 0, results, ctx));
  }
  Value dataTensor = op.getData();
  SmallVector<int64_t> sizes(data.getShape());
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    SmallVector<Value> at(point.take_front(batch));
    for (unsigned j = 0; j < depth; ++j)
      at.push_back(ib.position(reads[j], sizes[batch + j]));
    llvm::append_range(at, point.drop_front(q - 1));
    return ib.extract(dataTensor, at);
  };
  return read;
}

/// Trilu: the element where column - row is on the kept side of k, else 0.
/// A run-time offset is read once per element like any other operand: a
/// constant map, so the loop nest loads the same scalar everywhere.
ElementRead triluRead(graph::TriluOp op) {
  unsigned rank = cast<RankedTensorType>(op.getType()).getRank();
  MLIRContext *ctx = contextOf(op);
  ElementRead read;
  read.operands.push_back(op.getInput());
  read.maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Type offsetElement;
  if (Value offset = op.getOffset()) {
    auto type = cast<RankedTensorType>(offset.getType());
    offsetElement = type.getElementType();
    read.operands.push_back(offset);
    read.maps.push_back(AffineMap::get(
        rank, 0,
        SmallVector<AffineExpr>(type.getRank(), getAffineConstantExpr(0, ctx)),
        ctx));
  }
  bool upper = op.getUpper();
  int64_t k = op.getK();
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    Value diagonal = ib.sub(point[rank - 1], point[rank - 2]);
    Value bound =
        offsetElement ? ib.toI64(reads[1], offsetElement) : ib.constant(k);
    // upper: keep column - row >= k; lower: keep column - row <= k.
    Value dropped = upper ? ib.less(diagonal, bound) : ib.less(bound, diagonal);
    return ib.select(dropped, ib.zero(reads[0].getType()), reads[0]);
  };
  return read;
}

/// OneHot: values[1] where the point's axis coordinate is the index (taken
/// modulo depth once when negative), values[0] elsewhere.
ElementRead oneHotRead(graph::OneHotOp op) {
  unsigned rank = cast<RankedTensorType>(op.getType()).getRank();
  unsigned axis = op.getAxis();
  int64_t depth = op.getDepth();
  MLIRContext *ctx = contextOf(op);
  SmallVector<unsigned> outer = range(0, axis);
  llvm::append_range(outer, range(axis + 1, rank));
  ElementRead read;
  read.operands = {op.getIndices(), op.getValues(), op.getValues()};
  read.maps = {selectDims(rank, outer, ctx),
               AffineMap::get(rank, 0, getAffineConstantExpr(0, ctx)),
               AffineMap::get(rank, 0, getAffineConstantExpr(1, ctx))};
  Type indexElement =
      cast<RankedTensorType>(op.getIndices().getType()).getElementType();
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    Value hot = ib.toI64(reads[0], indexElement);
    hot = ib.select(ib.less(hot, ib.constant(0)),
                    ib.add(hot, ib.constant(depth)), hot);
    Value isHot = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        point[axis], hot);
    return ib.select(isHot, reads[2], reads[1]);
  };
  return read;
}

/// Pad: the input element a point of the result comes from (shifted by the
/// leading pads; clamped for edge, mirrored for reflect), or the fill value
/// where there is none.
ElementRead padRead(graph::PadOp op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  unsigned rank = input.getRank();
  MLIRContext *ctx = contextOf(op);
  ElementRead read;
  bool hasValue = static_cast<bool>(op.getValue());
  if (hasValue) {
    auto valueType = cast<RankedTensorType>(op.getValue().getType());
    SmallVector<AffineExpr> zeros(valueType.getRank(),
                                  getAffineConstantExpr(0, ctx));
    read.operands.push_back(op.getValue());
    read.maps.push_back(AffineMap::get(rank, 0, zeros, ctx));
  }
  Value inputTensor = op.getInput();
  SmallVector<int64_t> sizes(input.getShape());
  SmallVector<int64_t> pads(op.getPads());
  std::string mode = op.getMode().str();
  Type element = getScalarType(input.getElementType());
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) {
    IndexBuilder ib(b, loc);
    Value fill = hasValue ? reads[0] : ib.zero(element);
    // An empty input has nothing to read: every element is the fill.
    if (llvm::is_contained(sizes, 0))
      return fill;
    SmallVector<Value> at;
    Value hole;
    for (unsigned d = 0; d < rank; ++d) {
      int64_t n = sizes[d];
      // An unpadded dimension reads where the point is.
      if (pads[d] == 0 && pads[rank + d] == 0) {
        at.push_back(point[d]);
        continue;
      }
      Value source = ib.sub(point[d], ib.constant(pads[d]));
      if (mode == "edge") {
        source = ib.clamp(source, 0, n - 1);
      } else if (mode == "reflect") {
        Value zero = ib.constant(0), last = ib.constant(n - 1);
        Value mirrored = ib.select(
            ib.less(last, source), ib.sub(ib.constant(2 * (n - 1)), source),
            source);
        source = ib.select(ib.less(source, zero), ib.sub(zero, source),
                           mirrored);
      }
      Value outside = ib.orI(ib.less(source, ib.constant(0)),
                             ib.less(ib.constant(n - 1), source));
      hole = hole ? ib.orI(hole, outside) : outside;
      at.push_back(ib.clamp(source, 0, n - 1));
    }
    Value inside = ib.extract(inputTensor, at);
    return hole ? ib.select(hole, fill, inside) : inside;
  };
  return read;
}
} // namespace

std::optional<ElementRead> getElementRead(Operation *op, DispatchOp dispatch) {
  if (auto resize = dyn_cast<graph::ResizeOp>(op))
    return getResizeRead(resize, dispatch);
  if (auto sample = dyn_cast<graph::GridSampleOp>(op))
    return getGridSampleRead(sample);
  if (auto gather = dyn_cast<graph::GatherOp>(op))
    return gatherRead(gather);
  if (auto gather = dyn_cast<graph::GatherElementsOp>(op))
    return gatherElementsRead(gather);
  if (auto gather = dyn_cast<graph::GatherNDOp>(op))
    return gatherNDRead(gather);
  if (auto trilu = dyn_cast<graph::TriluOp>(op))
    return triluRead(trilu);
  if (auto oneHot = dyn_cast<graph::OneHotOp>(op))
    return oneHotRead(oneHot);
  if (auto pad = dyn_cast<graph::PadOp>(op))
    return padRead(pad);
  return std::nullopt;
}

} // namespace mlir::modelc::kernel
