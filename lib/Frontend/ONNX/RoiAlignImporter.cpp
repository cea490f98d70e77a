//===- RoiAlignImporter.cpp - ONNX RoiAlign as a grid sample --------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// RoiAlign with a fixed sampling_ratio S averages, for each output bin, an
// S x S grid of bilinear samples of its region. The sample positions are
// arithmetic on the run-time rois, so the op is written as graph ops:
//
//   image[r]    = X[batch_indices[r]]                      (a gather)
//   x[r, j]     = x1[r] + (j / S + 0.5 / S) * bin_width[r]  (j over W_out * S)
//   samples     = grid_sample(image, (x, y)), bilinear, border, align_corners
//   Y           = average_pool(samples * inside, S x S, stride S)
//
// With align_corners, grid position -1 .. 1 is pixel 0 .. W-1, and border
// padding clamps to the edge pixels: RoiAlign's own clamping of positions
// in [-1, 0] and [W-1, W]. A position past those (beyond one pixel outside
// the image) reads 0 in RoiAlign, which the `inside` mask gives.
//
// sampling_ratio 0 (adaptive) chooses S per roi from its size, so the
// sample count is data; it is refused, as is mode "max" (onnxruntime's max
// mode takes the maximum of the weighted corner terms, not of the samples).
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// Column `index` of the [R, 4] rois, as [R, 1].
Value roiColumn(NodeContext &ctx, Value rois, int64_t index) {
  OpBuilder &b = ctx.builder();
  int64_t count = cast<RankedTensorType>(rois.getType()).getDimSize(0);
  return ctx.create<graph::SliceOp>(rois, b.getDenseI64ArrayAttr({0, index}),
                                    b.getDenseI64ArrayAttr({count, index + 1}),
                                    b.getDenseI64ArrayAttr({1, 1}));
}

/// The sample positions along one image axis, [R, bins * S], and the mask of
/// those RoiAlign reads (within one pixel of the image), as 0 or 1.
struct AxisSamples {
  Value grid, inside;
};

AxisSamples axisSamples(NodeContext &ctx, Value start, Value end,
                        bool halfPixel, double scale, int64_t bins,
                        int64_t ratio, int64_t extent) {
  Type element = cast<RankedTensorType>(start.getType()).getElementType();
  auto scalar = [&](double value) {
    return scalarConstant(ctx, element, value);
  };
  double offset = halfPixel ? 0.5 : 0.0;
  Value first = ctx.create<graph::SubOp>(
      ctx.create<graph::MulOp>(start, scalar(scale)), scalar(offset));
  Value last = ctx.create<graph::SubOp>(
      ctx.create<graph::MulOp>(end, scalar(scale)), scalar(offset));
  Value length = ctx.create<graph::SubOp>(last, first);
  // The legacy mode makes every roi at least one pixel long.
  if (!halfPixel)
    length = ctx.create<graph::MaxOp>(length, scalar(1.0));
  Value binLength = ctx.create<graph::DivOp>(length, scalar(bins));
  std::vector<double> steps;
  for (int64_t bin = 0; bin < bins; ++bin)
    for (int64_t sample = 0; sample < ratio; ++sample)
      steps.push_back(bin + (sample + 0.5) / static_cast<double>(ratio));
  Value position = ctx.create<graph::AddOp>(
      first,
      ctx.create<graph::MulOp>(
          binLength, floatConstant(ctx, element, {bins * ratio}, steps)));
  Value inside = ctx.create<graph::AndOp>(
      ctx.create<graph::GreaterEqualOp>(position, scalar(-1.0)),
      ctx.create<graph::LessEqualOp>(position, scalar(extent)));
  // Pixel p is grid position 2 p / (extent - 1) - 1 with align_corners.
  double pixelsToGrid = extent > 1 ? 2.0 / static_cast<double>(extent - 1) : 0;
  Value grid = ctx.create<graph::SubOp>(
      ctx.create<graph::MulOp>(position, scalar(pixelsToGrid)), scalar(1.0));
  auto type = cast<RankedTensorType>(position.getType());
  return {grid, ctx.create<graph::CastOp>(
                    RankedTensorType::get(type.getShape(), element), inside)};
}

llvm::Error importRoiAlign(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() != 4 || !isa<FloatType>(type.getElementType()))
    return ctx.error("X must be a 4-D float tensor [N, C, H, W]");
  RankedTensorType roisType = ctx.inputType(1);
  if (roisType.getRank() != 2 || roisType.getDimSize(1) != 4 ||
      roisType.getElementType() != type.getElementType())
    return ctx.error("rois must be [num_rois, 4] of X's element type");
  int64_t count = roisType.getDimSize(0);
  if (ctx.inputType(2).getShape() != ArrayRef<int64_t>{count})
    return ctx.error("batch_indices must hold one index per roi");
  std::string mode = ctx.stringAttr("mode", "avg");
  if (mode != "avg")
    return ctx.error("mode '" + mode + "' is not supported (only 'avg')");
  int64_t ratio = ctx.intAttr("sampling_ratio", 0);
  if (ratio <= 0)
    return ctx.error("sampling_ratio " + llvm::Twine(ratio) +
                     " (adaptive: the sample count follows each roi's size) "
                     "is not supported; the exporter's sampling_ratio must "
                     "be positive");
  int64_t outH = ctx.intAttr("output_height", 1);
  int64_t outW = ctx.intAttr("output_width", 1);
  if (outH < 1 || outW < 1)
    return ctx.error("output_height and output_width must be positive");
  // Opset 16 added coordinate_transformation_mode; before it, the legacy
  // (output_half_pixel) behaviour is the only one.
  bool halfPixel =
      ctx.opset() >= 16 && ctx.stringAttr("coordinate_transformation_mode",
                                          "half_pixel") == "half_pixel";
  double scale = ctx.floatAttr("spatial_scale", 1.0f);
  int64_t channels = type.getDimSize(1), height = type.getDimSize(2),
          width = type.getDimSize(3);
  Type element = type.getElementType();
  OpBuilder &b = ctx.builder();

  Value rois = ctx.input(1);
  AxisSamples x =
      axisSamples(ctx, roiColumn(ctx, rois, 0), roiColumn(ctx, rois, 2),
                  halfPixel, scale, outW, ratio, width);
  AxisSamples y =
      axisSamples(ctx, roiColumn(ctx, rois, 1), roiColumn(ctx, rois, 3),
                  halfPixel, scale, outH, ratio, height);
  int64_t rows = outH * ratio, columns = outW * ratio;
  // grid[r, i, j] = (x[r, j], y[r, i]): each broadcast over the other axis.
  Value zeros = floatConstant(ctx, element, {1, rows, columns, 1}, {0.0});
  Value gridX = ctx.create<graph::AddOp>(
      reshapeTo(ctx, x.grid, {count, 1, columns, 1}), zeros);
  Value gridY = ctx.create<graph::AddOp>(
      reshapeTo(ctx, y.grid, {count, rows, 1, 1}), zeros);
  Value grid = ctx.create<graph::ConcatOp>(ValueRange{gridX, gridY},
                                           b.getI64IntegerAttr(3));
  Value images = ctx.create<graph::GatherOp>(ctx.input(0), ctx.input(2),
                                             b.getI64IntegerAttr(0));
  Value samples = ctx.create<graph::GridSampleOp>(
      RankedTensorType::get({count, channels, rows, columns}, element), images,
      grid, b.getStringAttr("bilinear"), b.getStringAttr("border"),
      b.getBoolAttr(true));
  Value inside = ctx.create<graph::MulOp>(
      reshapeTo(ctx, y.inside, {count, 1, rows, 1}),
      reshapeTo(ctx, x.inside, {count, 1, 1, columns}));
  Value masked = ctx.create<graph::MulOp>(samples, inside);
  ctx.setResult(0, ctx.create<graph::AvgPoolOp>(
                       masked, b.getDenseI64ArrayAttr({ratio, ratio}),
                       b.getDenseI64ArrayAttr({ratio, ratio}),
                       b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                       b.getDenseI64ArrayAttr({1, 1}), b.getBoolAttr(false),
                       b.getBoolAttr(false)));
  return llvm::Error::success();
}

} // namespace

void registerRoiAlignImporter(OpImporterTable &table) {
  addImporters(table, {{"RoiAlign", {10, kMaxKnownOpset, importRoiAlign}}});
}

} // namespace modelc::onnx_frontend
