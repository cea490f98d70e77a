//===- MaxPoolIndices.cpp - MaxPool's Indices output as graph ops ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The window taps are strided slices of the input padded with -inf (extra
// end padding covers ceil mode's last window), stacked on a new leading
// axis, so ArgMax over that axis gives each output's tap (the first of equal
// maxima, as onnxruntime's strict comparison does). A tap's row and column
// offsets are a constant table it gathers from; with the output position's
// window origin and the plane's base they make the flat index.
//
//===----------------------------------------------------------------------===//

#include "MaxPoolIndices.h"

#include "dialects/Graph/IR/GraphOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {

Value maxPoolIndices(NodeContext &ctx, Value input, const Window &window,
                     ArrayRef<int64_t> pooledShape, bool columnMajor) {
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> in = type.getShape();
  int64_t n = in[0], c = in[1], height = in[2], width = in[3];
  int64_t outH = pooledShape[2], outW = pooledShape[3];
  int64_t kh = window.kernel[0], kw = window.kernel[1];
  OpBuilder &b = ctx.builder();

  // Pad so that every tap of every window is inside.
  SmallVector<int64_t> pads(8, 0), padded(in);
  int64_t extent[2] = {height, width};
  for (int d = 0; d < 2; ++d) {
    int64_t needed = (pooledShape[2 + d] - 1) * window.strides[d] +
                     (window.kernel[d] - 1) * window.dilations[d] + 1;
    pads[2 + d] = window.pads[d];
    pads[6 + d] = std::max<int64_t>(needed - extent[d] - window.pads[d], 0);
    padded[2 + d] += pads[2 + d] + pads[6 + d];
  }
  Value lowest = scalarConstant(ctx, type.getElementType(),
                                -std::numeric_limits<double>::infinity());
  Value source = ctx.create<graph::PadOp>(
      RankedTensorType::get(padded, type.getElementType()), input, lowest,
      b.getStringAttr("constant"), b.getDenseI64ArrayAttr(pads));

  SmallVector<Value> taps;
  SmallVector<int64_t> rowOffsets, columnOffsets;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      int64_t row = i * window.dilations[0], column = j * window.dilations[1];
      Value tap = ctx.create<graph::SliceOp>(
          source, b.getDenseI64ArrayAttr({0, 0, row, column}),
          b.getDenseI64ArrayAttr({n, c,
                                  row + (outH - 1) * window.strides[0] + 1,
                                  column + (outW - 1) * window.strides[1] + 1}),
          b.getDenseI64ArrayAttr({1, 1, window.strides[0], window.strides[1]}));
      taps.push_back(reshapeTo(ctx, tap, {1, n, c, outH, outW}));
      rowOffsets.push_back(row);
      columnOffsets.push_back(column);
    }
  Value stacked =
      taps.size() == 1
          ? taps.front()
          : ctx.create<graph::ConcatOp>(taps, b.getI64IntegerAttr(0));
  Value tap =
      ctx.create<graph::ArgMaxOp>(stacked, b.getI64IntegerAttr(0),
                                  b.getBoolAttr(false), b.getBoolAttr(false));
  int64_t numTaps = kh * kw;
  auto gatherOffset = [&](ArrayRef<int64_t> table) {
    return ctx.create<graph::GatherOp>(intConstant(ctx, {numTaps}, table), tap,
                                       b.getI64IntegerAttr(0));
  };
  // Row and column of the window origin of each output position.
  SmallVector<int64_t> originRows, originColumns, planes;
  for (int64_t y = 0; y < outH; ++y)
    originRows.push_back(y * window.strides[0] - window.pads[0]);
  for (int64_t x = 0; x < outW; ++x)
    originColumns.push_back(x * window.strides[1] - window.pads[1]);
  for (int64_t p = 0; p < n * c; ++p)
    planes.push_back(p * height * width);
  Value row = ctx.create<graph::AddOp>(gatherOffset(rowOffsets),
                                       intConstant(ctx, {outH, 1}, originRows));
  Value column = ctx.create<graph::AddOp>(
      gatherOffset(columnOffsets), intConstant(ctx, {1, outW}, originColumns));
  Value within =
      columnMajor
          ? ctx.create<graph::AddOp>(
                ctx.create<graph::MulOp>(
                    column,
                    scalarConstant(ctx, b.getI64Type(), double(height))),
                row)
          : ctx.create<graph::AddOp>(
                ctx.create<graph::MulOp>(
                    row, scalarConstant(ctx, b.getI64Type(), double(width))),
                column);
  return ctx.create<graph::AddOp>(within,
                                  intConstant(ctx, {n, c, 1, 1}, planes));
}

} // namespace modelc::onnx_frontend
