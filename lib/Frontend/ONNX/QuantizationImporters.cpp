//===- QuantizationImporters.cpp - Quantized and integer ONNX ops ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// QuantizeLinear, DequantizeLinear, MatMulInteger and ConvInteger import as
// their graph ops, one to one; the QOperator products QLinearMatMul and
// QLinearConv import as an 8-bit product summed in int32 and a requantize,
// the form graph-fold-quantized-products gives QDQ models. An absent zero
// point becomes an explicit 0, so every graph op has all its operands.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

/// Input `index`, or a zero of `elementType` when the node leaves it out.
Value zeroPointOr(NodeContext &ctx, size_t index, Type elementType) {
  if (Value zeroPoint = ctx.input(index))
    return zeroPoint;
  return scalarConstant(ctx, elementType, 0.0);
}

llvm::Error requireEightBit(NodeContext &ctx, Type type) {
  if (!type.isInteger(8))
    return ctx.error("only 8-bit quantization is supported");
  return llvm::Error::success();
}

/// The axis of a per-axis (1-D) scale, input `scaleInput`; 0 for a scalar
/// scale, which has none. Blocked quantization (opset 21) is refused here.
llvm::Expected<int64_t> scaleAxis(NodeContext &ctx, size_t scaleInput) {
  if (ctx.intAttr("block_size", 0) != 0)
    return ctx.error("blocked quantization (block_size) is not supported");
  if (ctx.inputType(scaleInput).getNumElements() == 1)
    return 0;
  return normalizeAxis(ctx, ctx.intAttr("axis", 1), ctx.inputType(0).getRank());
}

llvm::Error importQuantizeLinear(NodeContext &ctx) {
  llvm::Expected<int64_t> axis = scaleAxis(ctx, 1);
  if (!axis)
    return axis.takeError();
  Type target = ctx.input(2) ? ctx.inputType(2).getElementType()
                             : ctx.builder().getIntegerType(8, false);
  if (llvm::Error err = requireEightBit(ctx, target))
    return err;
  Value zeroPoint = zeroPointOr(ctx, 2, target);
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), target);
  ctx.setResult(0, ctx.create<graph::QuantizeLinearOp>(
                       type, ctx.input(0), ctx.input(1), zeroPoint, *axis));
  return llvm::Error::success();
}

llvm::Error importDequantizeLinear(NodeContext &ctx) {
  llvm::Expected<int64_t> axis = scaleAxis(ctx, 1);
  if (!axis)
    return axis.takeError();
  Type element = ctx.inputType(0).getElementType();
  if (!element.isInteger(8) && !element.isInteger(32))
    return ctx.error("only 8-bit and int32 dequantization is supported");
  Value zeroPoint = zeroPointOr(ctx, 2, element);
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(),
                                    ctx.inputType(1).getElementType());
  ctx.setResult(0, ctx.create<graph::DequantizeLinearOp>(
                       type, ctx.input(0), ctx.input(1), zeroPoint, *axis));
  return llvm::Error::success();
}

llvm::Error importMatMulInteger(NodeContext &ctx) {
  for (size_t i : {0, 1})
    if (llvm::Error err = requireEightBit(ctx, ctx.inputType(i).getElementType()))
      return err;
  ctx.setResult(0, ctx.create<graph::MatMulIntegerOp>(
                       ctx.input(0), ctx.input(1),
                       zeroPointOr(ctx, 2, ctx.inputType(0).getElementType()),
                       zeroPointOr(ctx, 3, ctx.inputType(1).getElementType())));
  return llvm::Error::success();
}

/// A ConvInteger-shaped node (x, w and their zero points at `x`, `w`,
/// `xZero`, `wZero`; `bias`, or -1) as graph.conv_integer.
llvm::Expected<Value> importIntegerConv(NodeContext &ctx, size_t x, size_t w,
                                        size_t xZero, size_t wZero, int bias) {
  ArrayRef<int64_t> xShape = ctx.inputType(x).getShape();
  ArrayRef<int64_t> wShape = ctx.inputType(w).getShape();
  if (llvm::Error err = checkConvAttributes(ctx, xShape, wShape, bias,
                                            /*transposed=*/false))
    return std::move(err);
  if (xShape.size() != 4)
    return ctx.error("only 2-D integer convolutions are supported");
  for (size_t i : {x, w})
    if (llvm::Error err = requireEightBit(ctx, ctx.inputType(i).getElementType()))
      return std::move(err);
  llvm::Expected<Window> window =
      readWindow(ctx, xShape, wShape.drop_front(2), /*lifted=*/false);
  if (!window)
    return window.takeError();
  OpBuilder &b = ctx.builder();
  return ctx.create<graph::ConvIntegerOp>(
      ctx.input(x), ctx.input(w),
      zeroPointOr(ctx, xZero, ctx.inputType(x).getElementType()),
      zeroPointOr(ctx, wZero, ctx.inputType(w).getElementType()),
      bias >= 0 ? ctx.input(bias) : Value(),
      b.getDenseI64ArrayAttr(window->strides),
      b.getDenseI64ArrayAttr(window->pads),
      b.getDenseI64ArrayAttr(window->dilations),
      b.getI64IntegerAttr(ctx.intAttr("group", 1)));
}

llvm::Error importConvInteger(NodeContext &ctx) {
  llvm::Expected<Value> conv = importIntegerConv(ctx, 0, 1, 2, 3, -1);
  if (!conv)
    return conv.takeError();
  ctx.setResult(0, *conv);
  return llvm::Error::success();
}

/// Requantizes int32 sums whose scale is `lhsScale * rhsScale` (scalars, or
/// the rhs per output channel, along `axis` of the sums) to the output
/// scale and zero point at inputs `outScale` and `outZero`.
Value requantize(NodeContext &ctx, Value sums, Value lhsScale, Value rhsScale,
                 size_t outScale, size_t outZero, int64_t axis) {
  Value multiplier = ctx.create<graph::DivOp>(
      ctx.create<graph::MulOp>(lhsScale, rhsScale), ctx.input(outScale));
  auto multiplierType = cast<RankedTensorType>(multiplier.getType());
  if (multiplierType.getNumElements() == 1 && multiplierType.getRank() > 0)
    multiplier = reshapeTo(ctx, multiplier, {});
  Type target = ctx.inputType(outZero).getElementType();
  auto type = RankedTensorType::get(
      cast<RankedTensorType>(sums.getType()).getShape(), target);
  Value zeroPoint = ctx.input(outZero);
  if (ctx.inputType(outZero).getRank() > 0)
    zeroPoint = reshapeTo(ctx, zeroPoint, {});
  return ctx.create<graph::RequantizeOp>(type, sums, multiplier, zeroPoint,
                                         axis, "half_to_even");
}

/// QLinearMatMul (a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero).
llvm::Error importQLinearMatMul(NodeContext &ctx) {
  for (size_t i : {1, 4, 6})
    if (ctx.inputType(i).getNumElements() != 1)
      return ctx.error("only per-tensor scales are supported");
  if (llvm::Error err = requireEightBit(ctx, ctx.inputType(7).getElementType()))
    return err;
  Value sums = ctx.create<graph::MatMulIntegerOp>(
      ctx.input(0), ctx.input(3), ctx.input(2), ctx.input(5));
  ctx.setResult(0, requantize(ctx, sums, ctx.input(1), ctx.input(4), 6, 7,
                              /*axis=*/0));
  return llvm::Error::success();
}

/// QLinearConv (x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero,
/// B): the weight's scale and zero point may be per output channel; B is
/// int32 at scale x_scale * w_scale.
llvm::Error importQLinearConv(NodeContext &ctx) {
  for (size_t i : {1, 6})
    if (ctx.inputType(i).getNumElements() != 1)
      return ctx.error("only per-tensor input and output scales are supported");
  if (llvm::Error err = requireEightBit(ctx, ctx.inputType(7).getElementType()))
    return err;
  llvm::Expected<Value> sums =
      importIntegerConv(ctx, 0, 3, 2, 5, ctx.input(8) ? 8 : -1);
  if (!sums)
    return sums.takeError();
  ctx.setResult(0, requantize(ctx, *sums, ctx.input(1), ctx.input(4), 6, 7,
                              /*axis=*/1));
  return llvm::Error::success();
}

} // namespace

void registerQuantizationImporters(OpImporterTable &table) {
  addImporters(table, {
      {"MatMulInteger", {10, kMaxKnownOpset, importMatMulInteger}},
      {"QLinearMatMul", {10, kMaxKnownOpset, importQLinearMatMul}},
      {"ConvInteger", {10, kMaxKnownOpset, importConvInteger}},
      {"QLinearConv", {10, kMaxKnownOpset, importQLinearConv}},
      {"QuantizeLinear", {10, kMaxKnownOpset, importQuantizeLinear}},
      {"DequantizeLinear", {10, kMaxKnownOpset, importDequantizeLinear}},
  });
}

} // namespace modelc::onnx_frontend
