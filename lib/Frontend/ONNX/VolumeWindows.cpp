//===- VolumeWindows.cpp - 3-D convolutions and pools as 2-D ops ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The targets' window ops are 2-D, so 3-D ones are written with them:
//   - A pool over a box is separable: the max over the box is the max over
//     depth of the maxima over height and width, and an average's divisor
//     (with or without the pads, ceil mode included) is the product of the
//     per-axis counts. So the input pools in (H, W) with depth folded into
//     the channels, then in depth with (H x W) as a unit-height width: two
//     2-D pools and reshapes, no copies.
//   - A convolution is the sum over the kernel's depth taps k of 2-D
//     convolutions: tap k reads the depth-padded input at depths
//     k * dilation + d * stride for every output depth d, which a strided
//     slice gathers; the output depths go into the batch, so each tap is
//     one 2-D convolution with weight[:, :, k]. The bias is added once.
//   - A transposed convolution is the sum over depth taps k of 2-D
//     transposed convolutions of every input depth (in the batch) with
//     weight[:, :, k], each spread to output depths d * stride + k *
//     dilation - pad (zeros interleaved for the stride, then a pad or crop
//     that shifts it). The bias is added to the sum.
//
//===----------------------------------------------------------------------===//

#include "VolumeWindows.h"

#include "ImporterHelpers.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

DenseI64ArrayAttr ints(NodeContext &ctx, ArrayRef<int64_t> values) {
  return ctx.builder().getDenseI64ArrayAttr(values);
}

/// `value` along `axis` from `start`, `count` elements `step` apart.
Value stridedSlice(NodeContext &ctx, Value value, int64_t axis, int64_t start,
                   int64_t count, int64_t step) {
  ArrayRef<int64_t> shape = shapeOf(value);
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape),
      steps(shape.size(), 1);
  starts[axis] = start;
  ends[axis] = start + (count - 1) * step + 1;
  steps[axis] = step;
  return ctx.create<graph::SliceOp>(value, ints(ctx, starts), ints(ctx, ends),
                                    ints(ctx, steps));
}

} // namespace

llvm::Error importVolumeConv(NodeContext &ctx) {
  Value input = ctx.input(0), weight = ctx.input(1);
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight);
  llvm::Expected<Window> window =
      readWindow(ctx, in, w.drop_front(2), /*lifted=*/false);
  if (!window)
    return window.takeError();
  const Window &win = *window;
  int64_t padFront = win.pads[0], padBack = win.pads[3];
  if (padFront || padBack) {
    SmallVector<int64_t> pads(10, 0), padded(in);
    pads[2] = padFront;
    pads[7] = padBack;
    padded[2] += padFront + padBack;
    input = ctx.create<graph::PadOp>(
        RankedTensorType::get(
            padded, cast<RankedTensorType>(input.getType()).getElementType()),
        input, Value(), ctx.builder().getStringAttr("constant"),
        ints(ctx, pads));
  }
  int64_t depth = shapeOf(input)[2];
  int64_t span = (w[2] - 1) * win.dilations[0] + 1;
  int64_t outDepth = (depth - span) / win.strides[0] + 1;
  int64_t batch = in[0], channels = in[1];

  Value sum;
  for (int64_t k = 0; k < w[2]; ++k) {
    Value taps = stridedSlice(ctx, input, 2, k * win.dilations[0], outDepth,
                              win.strides[0]);
    taps =
        ctx.create<graph::TransposeOp>(taps, ArrayRef<int64_t>{0, 2, 1, 3, 4});
    taps = reshapeTo(ctx, taps, {batch * outDepth, channels, in[3], in[4]});
    Value tapWeight = reshapeTo(ctx, stridedSlice(ctx, weight, 2, k, 1, 1),
                                {w[0], w[1], w[3], w[4]});
    Value conv = ctx.create<graph::ConvOp>(
        taps, tapWeight, k == 0 ? ctx.input(2) : Value(),
        ints(ctx, {win.strides[1], win.strides[2]}),
        ints(ctx, {win.pads[1], win.pads[2], win.pads[4], win.pads[5]}),
        ints(ctx, {win.dilations[1], win.dilations[2]}),
        ctx.builder().getI64IntegerAttr(ctx.intAttr("group", 1)));
    sum = sum ? ctx.create<graph::AddOp>(sum, conv) : conv;
  }
  ArrayRef<int64_t> planes = shapeOf(sum);
  Value result =
      reshapeTo(ctx, sum, {batch, outDepth, planes[1], planes[2], planes[3]});
  ctx.setResult(0, ctx.create<graph::TransposeOp>(
                       result, ArrayRef<int64_t>{0, 2, 1, 3, 4}));
  return llvm::Error::success();
}

llvm::Error importVolumeConvTranspose(NodeContext &ctx) {
  Value input = ctx.input(0), weight = ctx.input(1);
  ArrayRef<int64_t> in = shapeOf(input), w = shapeOf(weight);
  int64_t group = ctx.intAttr("group", 1);
  llvm::Expected<TransposedWindow> window =
      readTransposedWindow(ctx, in, w, /*lifted=*/false);
  if (!window)
    return window.takeError();
  ArrayRef<int64_t> strides = window->strides, dilations = window->dilations,
                    pads = window->pads, out = window->outSizes;
  int64_t batch = in[0], channels = in[1], depth = in[2];
  int64_t filters = w[1] * group;
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  Value planes =
      ctx.create<graph::TransposeOp>(input, ArrayRef<int64_t>{0, 2, 1, 3, 4});
  planes = reshapeTo(ctx, planes, {batch * depth, channels, in[3], in[4]});
  // Where tap k's input depths land before the depth pads apply: k *
  // dilation + i * stride for i < depth.
  int64_t reach = (depth - 1) * strides[0] + 1;
  OpBuilder &b = ctx.builder();
  Value sum;
  for (int64_t k = 0; k < w[2]; ++k) {
    Value tapWeight = reshapeTo(ctx, stridedSlice(ctx, weight, 2, k, 1, 1),
                                {w[0], w[1], w[3], w[4]});
    Value tap = ctx.create<graph::ConvTransposeOp>(
        RankedTensorType::get({batch * depth, filters, out[1], out[2]},
                              element),
        planes, tapWeight, Value(), ints(ctx, {strides[1], strides[2]}),
        ints(ctx, {pads[1], pads[2], pads[4], pads[5]}),
        ints(ctx, {dilations[1], dilations[2]}), b.getI64IntegerAttr(group));
    tap = reshapeTo(ctx, tap, {batch, depth, 1, filters, out[1], out[2]});
    if (strides[0] > 1) {
      auto gapType = RankedTensorType::get(
          {batch, depth, strides[0] - 1, filters, out[1], out[2]}, element);
      Value gap = arith::ConstantOp::create(
          b, ctx.loc(), gapType, cast<TypedAttr>(b.getZeroAttr(gapType)));
      tap = ctx.create<graph::ConcatOp>(ValueRange{tap, gap},
                                        b.getI64IntegerAttr(2));
    }
    tap = reshapeTo(ctx, tap,
                    {batch, depth * strides[0], filters, out[1], out[2]});
    tap = stridedSlice(ctx, tap, 1, 0, reach, 1);
    int64_t before = k * dilations[0] - pads[0];
    int64_t after = out[0] - before - reach;
    SmallVector<int64_t> shift(10, 0);
    shift[1] = before;
    shift[6] = after;
    tap = ctx.create<graph::PadOp>(
        RankedTensorType::get({batch, out[0], filters, out[1], out[2]},
                              element),
        tap, Value(), b.getStringAttr("constant"), ints(ctx, shift));
    sum = sum ? ctx.create<graph::AddOp>(sum, tap) : tap;
  }
  Value result =
      ctx.create<graph::TransposeOp>(sum, ArrayRef<int64_t>{0, 2, 1, 3, 4});
  if (Value bias = ctx.input(2))
    result = ctx.create<graph::AddOp>(
        result, reshapeTo(ctx, bias, {1, filters, 1, 1, 1}));
  ctx.setResult(0, result);
  return llvm::Error::success();
}

llvm::Error importVolumePool(NodeContext &ctx, bool isMax) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  std::optional<std::vector<int64_t>> kernel = ctx.intsAttr("kernel_shape");
  if (!kernel || kernel->size() != 3)
    return ctx.error("missing kernel_shape, or one of the wrong rank");
  llvm::Expected<Window> window = readWindow(ctx, in, *kernel, false);
  if (!window)
    return window.takeError();
  const Window &win = *window;
  for (int d = 0; d < 3; ++d)
    if (win.pads[d] >= win.kernel[d] || win.pads[d + 3] >= win.kernel[d])
      return ctx.error("pads must be smaller than the kernel");
  OpBuilder &b = ctx.builder();
  auto ceilMode = b.getBoolAttr(ctx.intAttr("ceil_mode", 0) != 0);
  auto countPads = b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0);
  auto pool = [&](Value x, ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                  ArrayRef<int64_t> p, ArrayRef<int64_t> dil) -> Value {
    if (isMax)
      return ctx.create<graph::MaxPoolOp>(x, ints(ctx, k), ints(ctx, s),
                                          ints(ctx, p), ints(ctx, dil),
                                          ceilMode, countPads);
    return ctx.create<graph::AvgPoolOp>(x, ints(ctx, k), ints(ctx, s),
                                        ints(ctx, p), ints(ctx, dil), ceilMode,
                                        countPads);
  };
  int64_t n = in[0], c = in[1], d = in[2];
  Value planes = reshapeTo(ctx, ctx.input(0), {n, c * d, in[3], in[4]});
  planes = pool(planes, {win.kernel[1], win.kernel[2]},
                {win.strides[1], win.strides[2]},
                {win.pads[1], win.pads[2], win.pads[4], win.pads[5]},
                {win.dilations[1], win.dilations[2]});
  int64_t height = shapeOf(planes)[2], width = shapeOf(planes)[3];
  Value columns = reshapeTo(ctx, planes, {n, c, d, height * width});
  columns = pool(columns, {win.kernel[0], 1}, {win.strides[0], 1},
                 {win.pads[0], 0, win.pads[3], 0}, {win.dilations[0], 1});
  ctx.setResult(
      0, reshapeTo(ctx, columns, {n, c, shapeOf(columns)[2], height, width}));
  return llvm::Error::success();
}

} // namespace modelc::onnx_frontend
