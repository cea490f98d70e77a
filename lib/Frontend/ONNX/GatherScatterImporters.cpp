//===- GatherScatterImporters.cpp - Gathers, scatters and index ops -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Ops that read or write positions an index operand names: the Gather and
// Scatter variants, Compress, NonZero, OneHot, GridSample, ReverseSequence
// and MaxUnpool.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

llvm::Error importGather(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  Type indexType = ctx.inputType(1).getElementType();
  if (!indexType.isInteger(32) && !indexType.isInteger(64))
    return ctx.error("indices must be int32 or int64");
  ctx.setResult(0, ctx.create<graph::GatherOp>(ctx.input(0), ctx.input(1),
                                               ctx.builder().getI64IntegerAttr(*axis)));
  return llvm::Error::success();
}

llvm::Error importGatherElements(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  if (ctx.inputType(1).getRank() != rank)
    return ctx.error("indices must have the data's rank");
  auto type = RankedTensorType::get(ctx.inputType(1).getShape(),
                                    ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::GatherElementsOp>(
                       type, ctx.input(0), ctx.input(1),
                       ctx.builder().getI64IntegerAttr(*axis)));
  return llvm::Error::success();
}

llvm::Error importScatterElements(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return ctx.error("reduction '" + reduction + "' is not supported");
  ctx.setResult(0, ctx.create<graph::ScatterElementsOp>(
                       ctx.inputType(0), ctx.input(0), ctx.input(1),
                       ctx.input(2), ctx.builder().getI64IntegerAttr(*axis),
                       ctx.builder().getStringAttr(reduction)));
  return llvm::Error::success();
}

llvm::Error importScatterND(NodeContext &ctx) {
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return ctx.error("reduction '" + reduction + "' is not supported");
  ctx.setResult(0, ctx.create<graph::ScatterNDOp>(
                       ctx.inputType(0), ctx.input(0), ctx.input(1),
                       ctx.input(2), ctx.builder().getStringAttr(reduction)));
  return llvm::Error::success();
}

llvm::Error importGatherND(NodeContext &ctx) {
  ArrayRef<int64_t> data = ctx.inputType(0).getShape();
  ArrayRef<int64_t> indices = ctx.inputType(1).getShape();
  int64_t batch = ctx.intAttr("batch_dims", 0);
  if (indices.empty() || batch < 0 ||
      batch + indices.back() > static_cast<int64_t>(data.size()))
    return ctx.error("index tuples do not fit the data");
  SmallVector<int64_t> shape(indices.drop_back());
  llvm::append_range(shape, data.drop_front(batch + indices.back()));
  auto type = RankedTensorType::get(shape, ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::GatherNDOp>(type, ctx.input(0), ctx.input(1),
                                                 ctx.builder().getI64IntegerAttr(batch)));
  return llvm::Error::success();
}

/// Compress with a known condition is a Gather of the kept positions.
llvm::Error importCompress(NodeContext &ctx) {
  llvm::Expected<std::vector<int64_t>> condition =
      ctx.requireConstantInts(1, "condition");
  if (!condition)
    return condition.takeError();
  Value data = ctx.input(0);
  int64_t axis = 0;
  if (ctx.attribute("axis")) {
    llvm::Expected<int64_t> normalized =
        normalizeAxis(ctx, ctx.intAttr("axis", 0), ctx.inputType(0).getRank());
    if (!normalized)
      return normalized.takeError();
    axis = *normalized;
  } else {
    data = reshapeTo(ctx, data, {ctx.inputType(0).getNumElements()});
  }
  int64_t length = cast<RankedTensorType>(data.getType()).getDimSize(axis);
  std::vector<int64_t> kept;
  for (size_t i = 0; i < condition->size() && static_cast<int64_t>(i) < length; ++i)
    if ((*condition)[i])
      kept.push_back(i);
  auto indexType = RankedTensorType::get({static_cast<int64_t>(kept.size())},
                                         ctx.builder().getI64Type());
  Value indices = arith::ConstantOp::create(
      ctx.builder(), ctx.loc(), indexType,
      cast<TypedAttr>(graph::makeConstantFromInts(indexType, kept)));
  ctx.setResult(0, ctx.create<graph::GatherOp>(
                       data, indices, ctx.builder().getI64IntegerAttr(axis)));
  return llvm::Error::success();
}

/// GridSample on 4-D inputs; opset 20's "linear" and "cubic" are opset
/// 16's "bilinear" and "bicubic".
llvm::Error importGridSample(NodeContext &ctx) {
  RankedTensorType input = ctx.inputType(0), grid = ctx.inputType(1);
  if (input.getRank() != 4)
    return ctx.error("only 4-D inputs (2-D images) are supported, got rank " +
                     llvm::Twine(input.getRank()));
  if (grid.getRank() != 4 || grid.getDimSize(3) != 2 ||
      grid.getDimSize(0) != input.getDimSize(0))
    return ctx.error("expected an [N, H, W, 2] grid for the input's N");
  if (!isa<FloatType>(input.getElementType()) ||
      grid.getElementType() != input.getElementType())
    return ctx.error("expected floating-point input and grid of one type");
  std::string mode = ctx.stringAttr("mode", "bilinear");
  if (mode == "linear")
    mode = "bilinear";
  if (mode == "cubic")
    mode = "bicubic";
  std::string padding = ctx.stringAttr("padding_mode", "zeros");
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, mode))
    return ctx.error("unknown mode '" + mode + "'");
  if (!llvm::is_contained({"zeros", "border", "reflection"}, padding))
    return ctx.error("unknown padding_mode '" + padding + "'");
  auto type = RankedTensorType::get({input.getDimSize(0), input.getDimSize(1),
                                     grid.getDimSize(1), grid.getDimSize(2)},
                                    input.getElementType());
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::GridSampleOp>(
                       type, ctx.input(0), ctx.input(1), b.getStringAttr(mode),
                       b.getStringAttr(padding),
                       b.getBoolAttr(ctx.intAttr("align_corners", 0) != 0)));
  return llvm::Error::success();
}

llvm::Error importOneHot(NodeContext &ctx) {
  llvm::Expected<std::vector<int64_t>> depth = ctx.requireConstantInts(1, "depth");
  if (!depth)
    return depth.takeError();
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size() + 1;
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  SmallVector<int64_t> result(shape);
  result.insert(result.begin() + *axis, depth->front());
  auto type = RankedTensorType::get(result, ctx.inputType(2).getElementType());
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::OneHotOp>(
                       type, ctx.input(0), ctx.input(2),
                       b.getI64IntegerAttr(*axis),
                       b.getI64IntegerAttr(depth->front())));
  return llvm::Error::success();
}

/// ReverseSequence gathers along the time axis: entry b's element t comes
/// from position lens[b] - 1 - t while t < lens[b], and stays otherwise. The
/// indices are computed in the graph, so sequence_lens may be a run-time
/// input.
llvm::Error importReverseSequence(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t timeAxis = ctx.intAttr("time_axis", 0);
  int64_t batchAxis = ctx.intAttr("batch_axis", 1);
  if (rank < 2 || (timeAxis != 0 && timeAxis != 1) ||
      (batchAxis != 0 && batchAxis != 1) || timeAxis == batchAxis)
    return ctx.error("time_axis and batch_axis must be 0 and 1 in some order "
                     "over an input of rank 2 or more");
  int64_t steps = type.getDimSize(timeAxis), batch = type.getDimSize(batchAxis);
  RankedTensorType lensType = ctx.inputType(1);
  if (lensType.getShape() != ArrayRef<int64_t>{batch} ||
      !isa<IntegerType>(lensType.getElementType()))
    return ctx.error("sequence_lens must be integers of shape [" +
                     llvm::Twine(batch) + "]");
  OpBuilder &b = ctx.builder();
  Type i64 = b.getI64Type();
  SmallVector<int64_t> timeShape(rank, 1), batchShape(rank, 1);
  timeShape[timeAxis] = steps;
  batchShape[batchAxis] = batch;
  SmallVector<double> iota(steps);
  for (int64_t t = 0; t < steps; ++t)
    iota[t] = static_cast<double>(t);
  auto timeType = RankedTensorType::get(timeShape, i64);
  Value time = arith::ConstantOp::create(
      b, ctx.loc(), timeType,
      cast<TypedAttr>(graph::makeConstantFromDoubles(timeType, iota)));
  Value lens = ctx.input(1);
  if (!lensType.getElementType().isInteger(64))
    lens = ctx.create<graph::CastOp>(RankedTensorType::get({batch}, i64), lens);
  lens = reshapeTo(ctx, lens, batchShape);
  Value reversed = ctx.create<graph::SubOp>(
      ctx.create<graph::SubOp>(lens, scalarConstant(ctx, i64, 1.0)), time);
  Value inside = ctx.create<graph::LessOp>(time, lens);
  Value index = ctx.create<graph::WhereOp>(inside, reversed, time);
  index = ctx.create<graph::ExpandOp>(
      RankedTensorType::get(type.getShape(), i64), index);
  ctx.setResult(
      0, ctx.create<graph::GatherElementsOp>(type, ctx.input(0), index,
                                             b.getI64IntegerAttr(timeAxis)));
  return llvm::Error::success();
}

/// NonZero's result size is its input's data, so the input must be known
/// at compile time (`modelc run` freezes it as a shape operand); its
/// positions are then a constant [rank, count], in row-major order.
llvm::Error importNonZero(NodeContext &ctx) {
  ElementsAttr data;
  if (!matchPattern(ctx.input(0), m_Constant(&data)))
    return ctx.error("the output's size is the number of nonzero elements, "
                     "so the input must be known at compile time; bind it "
                     "with --bind");
  std::vector<double> values = graph::readConstantAsDoubles(data);
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  std::vector<std::vector<int64_t>> coordinates(rank);
  for (size_t flat = 0; flat < values.size(); ++flat) {
    if (values[flat] == 0.0)
      continue;
    int64_t rest = static_cast<int64_t>(flat);
    for (int64_t d = rank - 1; d >= 0; --d) {
      coordinates[d].push_back(rest % shape[d]);
      rest /= shape[d];
    }
  }
  int64_t count = rank ? coordinates[0].size() : (values[0] != 0.0);
  std::vector<int64_t> flatCoordinates;
  for (const std::vector<int64_t> &axis : coordinates)
    flatCoordinates.insert(flatCoordinates.end(), axis.begin(), axis.end());
  auto type = RankedTensorType::get({rank, count}, ctx.builder().getI64Type());
  ctx.setResult(
      0, arith::ConstantOp::create(ctx.builder(), ctx.loc(), type,
                                   cast<TypedAttr>(graph::makeConstantFromInts(
                                       type, flatCoordinates))));
  return llvm::Error::success();
}

/// MaxUnpool scatters each value to the flat position its index names, in
/// zeros of the output's shape: a scatter into the flattened output.
llvm::Error importMaxUnpool(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 3 || ctx.inputType(1).getShape() != type.getShape())
    return ctx.error("X must be [N, C, spatial...] and I of the same shape");
  size_t spatial = rank - 2;
  std::vector<int64_t> kernel =
      ctx.intsAttr("kernel_shape").value_or(std::vector<int64_t>());
  std::vector<int64_t> strides =
      ctx.intsAttr("strides").value_or(std::vector<int64_t>(spatial, 1));
  std::vector<int64_t> pads =
      ctx.intsAttr("pads").value_or(std::vector<int64_t>(2 * spatial, 0));
  if (kernel.size() != spatial || strides.size() != spatial ||
      pads.size() != 2 * spatial)
    return ctx.error("kernel_shape, strides and pads must give every spatial "
                     "dimension");
  // The indices address the default output; a larger output_shape pads it
  // at the end of each spatial dimension, as ONNX's reference does.
  SmallVector<int64_t> outShape(type.getShape().take_front(2));
  for (size_t d = 0; d < spatial; ++d)
    outShape.push_back((type.getDimSize(2 + d) - 1) * strides[d] - pads[d] -
                       pads[spatial + d] + kernel[d]);
  SmallVector<int64_t> requested(outShape);
  if (ctx.input(2)) {
    llvm::Expected<std::vector<int64_t>> given =
        ctx.requireConstantInts(2, "output_shape");
    if (!given)
      return given.takeError();
    if (given->size() != static_cast<size_t>(rank) ||
        (*given)[0] != outShape[0] || (*given)[1] != outShape[1])
      return ctx.error(
          "output_shape must be [N, C, spatial...] of X's N and C");
    requested.assign(given->begin(), given->end());
    for (int64_t d = 2; d < rank; ++d)
      if (requested[d] < outShape[d])
        return ctx.error("output_shape is smaller than the unpooled size");
  }
  int64_t total = 1;
  for (int64_t dim : outShape) {
    if (dim <= 0)
      return ctx.error("the output would be empty");
    total *= dim;
  }
  Type element = type.getElementType();
  auto flatType = RankedTensorType::get({total}, element);
  OpBuilder &b = ctx.builder();
  Value zeros = arith::ConstantOp::create(
      b, ctx.loc(), flatType, cast<TypedAttr>(b.getZeroAttr(flatType)));
  int64_t count = type.getNumElements();
  Value scattered = ctx.create<graph::ScatterElementsOp>(
      flatType, zeros, reshapeTo(ctx, ctx.input(1), {count}),
      reshapeTo(ctx, ctx.input(0), {count}), b.getI64IntegerAttr(0),
      b.getStringAttr("none"));
  Value result = reshapeTo(ctx, scattered, outShape);
  if (requested != outShape) {
    SmallVector<int64_t> padding(2 * rank, 0);
    for (int64_t d = 2; d < rank; ++d)
      padding[rank + d] = requested[d] - outShape[d];
    result = ctx.create<graph::PadOp>(
        RankedTensorType::get(requested, element), result, Value(),
        b.getStringAttr("constant"), b.getDenseI64ArrayAttr(padding));
  }
  ctx.setResult(0, result);
  return llvm::Error::success();
}

} // namespace

void registerGatherScatterImporters(OpImporterTable &table) {
  addImporters(
      table,
      {
          {"GatherElements", {11, kMaxKnownOpset, importGatherElements}},
          {"Compress", {9, kMaxKnownOpset, importCompress}},
          {"ScatterElements", {11, kMaxKnownOpset, importScatterElements}},
          {"Scatter", {9, 10, importScatterElements}},
          {"ScatterND", {11, kMaxKnownOpset, importScatterND}},
          {"GatherND", {11, kMaxKnownOpset, importGatherND}},
          {"OneHot", {9, kMaxKnownOpset, importOneHot}},
          {"GridSample", {16, kMaxKnownOpset, importGridSample}},
          {"Gather", {1, kMaxKnownOpset, importGather}},
          {"ReverseSequence", {10, kMaxKnownOpset, importReverseSequence}},
          {"MaxUnpool", {9, kMaxKnownOpset, importMaxUnpool}},
          {"NonZero", {9, kMaxKnownOpset, importNonZero}},
      });
}

} // namespace modelc::onnx_frontend
