//===- ReductionImporters.cpp - Reductions along axes ---------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// ReduceSum and its kin, ArgMax and ArgMin, CumSum and TopK: ops that combine
// or rank the values along some axes.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

#include <numeric>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

/// Reductions: axes are an attribute until `axesInputSince` (13 for
/// ReduceSum, 18 for the others) and an optional input after.
template <typename OpTy, int64_t axesInputSince>
llvm::Error importReduce(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  std::vector<int64_t> axes;
  if (ctx.opset() < axesInputSince) {
    axes = ctx.intsAttr("axes").value_or(std::vector<int64_t>{});
  } else if (ctx.input(1)) {
    llvm::Expected<std::vector<int64_t>> constant =
        ctx.requireConstantInts(1, "axes");
    if (!constant)
      return constant.takeError();
    axes = *constant;
  }
  if (axes.empty()) {
    if (ctx.opset() >= axesInputSince && ctx.intAttr("noop_with_empty_axes", 0)) {
      ctx.setResult(0, ctx.input(0));
      return llvm::Error::success();
    }
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t &axis : axes) {
    llvm::Expected<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (!normalized)
      return normalized.takeError();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  ctx.setResult(0, ctx.create<OpTy>(
                       ctx.input(0), ctx.builder().getDenseI64ArrayAttr(axes),
                       ctx.builder().getBoolAttr(ctx.intAttr("keepdims", 1))));
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importArgReduce(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<OpTy>(
                       ctx.input(0), b.getI64IntegerAttr(*axis),
                       b.getBoolAttr(ctx.intAttr("keepdims", 1) != 0),
                       b.getBoolAttr(ctx.intAttr("select_last_index", 0) != 0)));
  return llvm::Error::success();
}

llvm::Error importTopK(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  int64_t k = ctx.intAttr("k", 0);
  if (ctx.opset() >= 10) {
    llvm::Expected<std::vector<int64_t>> value = ctx.requireConstantInts(1, "k");
    if (!value)
      return value.takeError();
    k = value->front();
  }
  if (k < 0 || k > shape[*axis])
    return ctx.error("k is outside [0, axis length]");
  if (ctx.opset() >= 11 && ctx.intAttr("sorted", 1) == 0)
    return ctx.error("sorted=0 is not supported");
  SmallVector<int64_t> out(shape);
  out[*axis] = k;
  OpBuilder &b = ctx.builder();
  auto op = graph::TopKOp::create(
      b, ctx.loc(), RankedTensorType::get(out, ctx.inputType(0).getElementType()),
      RankedTensorType::get(out, b.getI64Type()), ctx.input(0),
      b.getI64IntegerAttr(*axis), b.getI64IntegerAttr(k),
      b.getBoolAttr(ctx.intAttr("largest", 1) != 0));
  ctx.setResult(0, op.getValues());
  ctx.setResult(1, op.getIndices());
  return llvm::Error::success();
}

/// The axis changes which values are summed, never the shape, so it may be
/// a run-time input. A rank-1 input has one axis whatever its value says.
/// Otherwise every axis is summed and the run-time axis picks one
/// (`axis == a or axis == a - rank`); an axis out of range, which ONNX
/// leaves undefined, gets the last one. That costs rank times the sums, a
/// price only models with a computed axis pay.
llvm::Error importCumSum(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  OpBuilder &b = ctx.builder();
  auto cumSum = [&](int64_t axis) -> Value {
    return ctx.create<graph::CumSumOp>(
        ctx.input(0), b.getI64IntegerAttr(axis),
        b.getBoolAttr(ctx.intAttr("exclusive", 0) != 0),
        b.getBoolAttr(ctx.intAttr("reverse", 0) != 0));
  };
  if (!ctx.input(1))
    return ctx.error("expected an axis operand");
  RankedTensorType axisType = ctx.inputType(1);
  if (axisType.getNumElements() != 1 || !axisType.getElementType().isInteger())
    return ctx.error("axis must be a one-element integer tensor");
  std::optional<std::vector<int64_t>> axisValue =
      ctx.constantInts(ctx.input(1));
  if (axisValue || rank == 1) {
    llvm::Expected<int64_t> axis =
        normalizeAxis(ctx, axisValue ? axisValue->front() : 0, rank);
    if (!axis)
      return axis.takeError();
    ctx.setResult(0, cumSum(*axis));
    return llvm::Error::success();
  }
  Value axis = ctx.input(1);
  Type axisElement = axisType.getElementType();
  Value picked = cumSum(rank - 1);
  for (int64_t a = rank - 2; a >= 0; --a) {
    // One statement per op: argument order is unspecified in C++, and the
    // IR should not depend on the compiler that built modelc.
    Value isA =
        ctx.create<graph::EqualOp>(axis, scalarConstant(ctx, axisElement, a));
    Value isNegativeA = ctx.create<graph::EqualOp>(
        axis, scalarConstant(ctx, axisElement, a - rank));
    Value isAxis = ctx.create<graph::OrOp>(isA, isNegativeA);
    Value sums = cumSum(a);
    picked = ctx.create<graph::WhereOp>(isAxis, sums, picked);
  }
  ctx.setResult(0, picked);
  return llvm::Error::success();
}

} // namespace

void registerReductionImporters(OpImporterTable &table) {
  addImporters(table, {
      {"CumSum", {11, kMaxKnownOpset, importCumSum}},
      {"TopK", {1, kMaxKnownOpset, importTopK}},
      {"ReduceMean", {1, kMaxKnownOpset, importReduce<graph::ReduceMeanOp, 18>}},
      {"ReduceSum", {1, kMaxKnownOpset, importReduce<graph::ReduceSumOp, 13>}},
      {"ReduceMax", {1, kMaxKnownOpset, importReduce<graph::ReduceMaxOp, 18>}},
      {"ReduceMin", {1, kMaxKnownOpset, importReduce<graph::ReduceMinOp, 18>}},
      {"ReduceProd", {1, kMaxKnownOpset, importReduce<graph::ReduceProdOp, 18>}},
      {"ReduceL1", {1, kMaxKnownOpset, importReduce<graph::ReduceL1Op, 18>}},
      {"ReduceL2", {1, kMaxKnownOpset, importReduce<graph::ReduceL2Op, 18>}},
      {"ReduceLogSum", {1, kMaxKnownOpset, importReduce<graph::ReduceLogSumOp, 18>}},
      {"ReduceLogSumExp",
       {1, kMaxKnownOpset, importReduce<graph::ReduceLogSumExpOp, 18>}},
      {"ReduceSumSquare",
       {1, kMaxKnownOpset, importReduce<graph::ReduceSumSquareOp, 18>}},
      {"ArgMax", {1, kMaxKnownOpset, importArgReduce<graph::ArgMaxOp>}},
      {"ArgMin", {1, kMaxKnownOpset, importArgReduce<graph::ArgMinOp>}},
  });
}

} // namespace modelc::onnx_frontend
