//===- QuantizationImporters.cpp - Quantized and integer ONNX ops ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// QuantizeLinear, DequantizeLinear, MatMulInteger, ConvInteger and
// QLinearMatMul, spelled out as float and integer graph ops.
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

/// A per-axis quantization parameter reshaped to broadcast along `axis`.
Value broadcastAlongAxis(NodeContext &ctx, Value param, int64_t axis,
                         int64_t rank) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() != 1 || rank == 0)
    return param;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getDimSize(0);
  return reshapeTo(ctx, param, shape);
}

/// The axis of a per-axis (1-D) scale, input 1; any value for a scalar
/// scale, which has none.
llvm::Expected<int64_t> scaleAxis(NodeContext &ctx) {
  if (ctx.inputType(1).getRank() == 0)
    return 0;
  return normalizeAxis(ctx, ctx.intAttr("axis", 1), ctx.inputType(0).getRank());
}

/// Rounded float values clipped to the range of 8-bit `target` and cast.
Value saturateTo8Bit(NodeContext &ctx, Value rounded, Type target) {
  bool isUnsigned = target.isUnsignedInteger();
  OpBuilder &b = ctx.builder();
  Value clipped = ctx.create<graph::ClipOp>(
      rounded, b.getF64FloatAttr(isUnsigned ? 0.0 : -128.0),
      b.getF64FloatAttr(isUnsigned ? 255.0 : 127.0));
  auto type = cast<RankedTensorType>(clipped.getType());
  return ctx.create<graph::CastOp>(
      RankedTensorType::get(type.getShape(), target), clipped);
}

/// QuantizeLinear: saturate(rint(x / scale) + zero_point), as graph ops.
llvm::Error importQuantizeLinear(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = scaleAxis(ctx);
  if (!axis)
    return axis.takeError();
  Type target = ctx.input(2) ? ctx.inputType(2).getElementType()
                             : ctx.builder().getIntegerType(8, false);
  if (!target.isInteger(8))
    return ctx.error("only 8-bit quantization is supported");
  Type floatType = ctx.inputType(0).getElementType();
  Value scaled = ctx.create<graph::DivOp>(
      ctx.input(0), broadcastAlongAxis(ctx, ctx.input(1), *axis, rank));
  Value rounded = ctx.create<graph::RoundOp>(scaled);
  if (Value zero = ctx.input(2)) {
    auto zeroType = RankedTensorType::get(ctx.inputType(2).getShape(), floatType);
    Value zeroFloat = ctx.create<graph::CastOp>(zeroType, zero);
    rounded = ctx.create<graph::AddOp>(
        rounded, broadcastAlongAxis(ctx, zeroFloat, *axis, rank));
  }
  ctx.setResult(0, saturateTo8Bit(ctx, rounded, target));
  return llvm::Error::success();
}

/// DequantizeLinear: (x - zero_point) * scale, as graph ops.
llvm::Error importDequantizeLinear(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = scaleAxis(ctx);
  if (!axis)
    return axis.takeError();
  Type floatType = ctx.inputType(1).getElementType();
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), floatType);
  Value x = ctx.create<graph::CastOp>(type, ctx.input(0));
  if (Value zero = ctx.input(2)) {
    auto zeroType = RankedTensorType::get(ctx.inputType(2).getShape(), floatType);
    x = ctx.create<graph::SubOp>(
        x, broadcastAlongAxis(ctx, ctx.create<graph::CastOp>(zeroType, zero),
                              *axis, rank));
  }
  ctx.setResult(0, ctx.create<graph::MulOp>(
                       x, broadcastAlongAxis(ctx, ctx.input(1), *axis, rank)));
  return llvm::Error::success();
}

/// (x - zero_point) as `element` (f32 or i32), in which 8-bit differences
/// are exact.
Value centered(NodeContext &ctx, Value x, Value zeroPoint, Type element) {
  auto type = cast<RankedTensorType>(x.getType());
  Value value = ctx.create<graph::CastOp>(
      RankedTensorType::get(type.getShape(), element), x);
  if (!zeroPoint)
    return value;
  auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
  Value zero = ctx.create<graph::CastOp>(
      RankedTensorType::get(zeroType.getShape(), element), zeroPoint);
  // A per-row (A) or per-column (B) zero point broadcasts as a column.
  if (zeroType.getRank() == 1 && zeroType.getDimSize(0) > 1 && type.getRank() >= 2 &&
      zeroType.getDimSize(0) == type.getDimSize(type.getRank() - 2) &&
      zeroType.getDimSize(0) != type.getDimSize(type.getRank() - 1))
    zero = reshapeTo(ctx, zero, {zeroType.getDimSize(0), 1});
  return ctx.create<graph::SubOp>(value, zero);
}

Value centeredAsFloat(NodeContext &ctx, Value x, Value zeroPoint) {
  return centered(ctx, x, zeroPoint, ctx.builder().getF32Type());
}

Value centeredAsInt32(NodeContext &ctx, Value x, Value zeroPoint) {
  return centered(ctx, x, zeroPoint, ctx.builder().getI32Type());
}

/// MatMulInteger multiplies in int32: float would round once the sums pass
/// 2^24 (K = 4099 with uint8 extremes already does).
llvm::Error importMatMulInteger(NodeContext &ctx) {
  Value a = centeredAsInt32(ctx, ctx.input(0), ctx.input(2));
  Value b = centeredAsInt32(ctx, ctx.input(1), ctx.input(3));
  ctx.setResult(0, ctx.create<graph::MatMulOp>(a, b));
  return llvm::Error::success();
}

/// ConvInteger convolves in int32, like MatMulInteger: each output sums
/// in_channels x kernel products, which float would round past 2^24.
llvm::Error importConvInteger(NodeContext &ctx) {
  if (llvm::Error err = checkConvAttributes(
          ctx, ctx.inputType(0).getShape(), ctx.inputType(1).getShape(),
          /*biasInput=*/-1, /*transposed=*/false))
    return err;
  Value x = centeredAsInt32(ctx, ctx.input(0), ctx.input(2));
  Value w = centeredAsInt32(ctx, ctx.input(1), Value());
  if (Value zero = ctx.input(3)) {
    // The weight's zero point is per tensor or per output channel.
    auto zeroType = cast<RankedTensorType>(zero.getType());
    Value zero32 = ctx.create<graph::CastOp>(
        RankedTensorType::get(zeroType.getShape(), ctx.builder().getI32Type()),
        zero);
    if (zeroType.getRank() == 1 && zeroType.getDimSize(0) > 1)
      zero32 = reshapeTo(ctx, zero32, {zeroType.getDimSize(0), 1, 1, 1});
    w = ctx.create<graph::SubOp>(w, zero32);
  }
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (xType.getRank() != 4)
    return ctx.error("only 2-D integer convolutions are supported");
  llvm::Expected<Window> window =
      readWindow(ctx, xType.getShape(), wType.getShape().drop_front(2), false);
  if (!window)
    return window.takeError();
  OpBuilder &b = ctx.builder();
  Value conv = ctx.create<graph::ConvOp>(
      x, w, Value(), b.getDenseI64ArrayAttr(window->strides),
      b.getDenseI64ArrayAttr(window->pads),
      b.getDenseI64ArrayAttr(window->dilations),
      b.getI64IntegerAttr(ctx.intAttr("group", 1)));
  ctx.setResult(0, conv);
  return llvm::Error::success();
}

/// QLinearMatMul: the centered 8-bit values multiply exactly in int32, then
/// the sum is scaled by a_scale * b_scale in float and requantized.
llvm::Error importQLinearMatMul(NodeContext &ctx) {
  for (size_t i : {1, 4, 6})
    if (ctx.inputType(i).getNumElements() != 1)
      return ctx.error("only per-tensor scales are supported");
  Value sums = ctx.create<graph::MatMulOp>(
      centeredAsInt32(ctx, ctx.input(0), ctx.input(2)),
      centeredAsInt32(ctx, ctx.input(3), ctx.input(5)));
  auto sumsType = cast<RankedTensorType>(sums.getType());
  Value sumsAsFloat = ctx.create<graph::CastOp>(
      RankedTensorType::get(sumsType.getShape(), ctx.builder().getF32Type()),
      sums);
  Value product = ctx.create<graph::MulOp>(
      ctx.create<graph::MulOp>(sumsAsFloat, ctx.input(1)), ctx.input(4));
  Value rounded = ctx.create<graph::RoundOp>(
      ctx.create<graph::DivOp>(product, ctx.input(6)));
  Type target = ctx.inputType(7).getElementType();
  auto zeroType = RankedTensorType::get(ctx.inputType(7).getShape(),
                                        ctx.builder().getF32Type());
  rounded = ctx.create<graph::AddOp>(
      rounded, ctx.create<graph::CastOp>(zeroType, ctx.input(7)));
  ctx.setResult(0, saturateTo8Bit(ctx, rounded, target));
  return llvm::Error::success();
}

} // namespace

void registerQuantizationImporters(OpImporterTable &table) {
  addImporters(table, {
      {"MatMulInteger", {10, kMaxKnownOpset, importMatMulInteger}},
      {"QLinearMatMul", {10, kMaxKnownOpset, importQLinearMatMul}},
      {"ConvInteger", {10, kMaxKnownOpset, importConvInteger}},
      {"QuantizeLinear", {10, kMaxKnownOpset, importQuantizeLinear}},
      {"DequantizeLinear", {10, kMaxKnownOpset, importDequantizeLinear}},
  });
}

} // namespace modelc::onnx_frontend
