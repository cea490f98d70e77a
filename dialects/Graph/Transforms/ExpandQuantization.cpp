//===- ExpandQuantization.cpp - Quantization ops as exact arithmetic ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The fallback for targets without 8-bit kernels: every quantization op is
// spelled out in float and int32 graph ops that compute the same values.
//
//   quantize_linear    saturate(round(x / scale) + zero_point)
//   dequantize_linear  (float(x) - float(zero_point)) * scale
//   requantize         saturate(round(f32(sums) * multiplier) + zero_point)
//   conv_integer       graph.conv of the int32 differences x - zero_point
//   matmul_integer     graph.matmul of the int32 differences
//
// graph.round rounds half to even, as the ops require; 8-bit values and
// their zero points are exact in f32, and their differences in int32, so
// the only roundings are the ones the ops define.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "graph-expand-quantization"

namespace mlir::modelc::graph {
#define GEN_PASS_DEF_EXPANDQUANTIZATIONPASS
#include "dialects/Graph/Transforms/Passes.h.inc"

namespace {

RankedTensorType withElementType(Value value, Type element) {
  return RankedTensorType::get(
      cast<RankedTensorType>(value.getType()).getShape(), element);
}

Value castTo(PatternRewriter &rewriter, Location loc, Value value,
             Type element) {
  if (getElementTypeOrSelf(value.getType()) == element)
    return value;
  return CastOp::create(rewriter, loc, withElementType(value, element), value);
}

/// A per-axis parameter ([C]) reshaped to [C, 1, ..., 1] so it broadcasts
/// along `axis` of a rank-`rank` tensor; a single value as it is.
Value alongAxis(PatternRewriter &rewriter, Location loc, Value param,
                int64_t axis, int64_t rank) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() != 1 || type.getDimSize(0) == 1 || axis == rank - 1)
    return param;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getDimSize(0);
  return ReshapeOp::create(
      rewriter, loc, RankedTensorType::get(shape, type.getElementType()), param);
}

/// Rounded float values plus a zero point, saturated to its 8-bit type.
Value addZeroPointAndSaturate(PatternRewriter &rewriter, Location loc,
                              Value rounded, Value zeroPoint, int64_t axis,
                              RankedTensorType resultType) {
  Type floatType = getElementTypeOrSelf(rounded.getType());
  int64_t rank = resultType.getRank();
  Value shifted = AddOp::create(
      rewriter, loc, rounded,
      alongAxis(rewriter, loc, castTo(rewriter, loc, zeroPoint, floatType),
                axis, rank));
  bool isUnsigned = resultType.getElementType().isUnsignedInteger();
  Value clipped = ClipOp::create(
      rewriter, loc, shifted,
      rewriter.getF64FloatAttr(isUnsigned ? 0.0 : -128.0),
      rewriter.getF64FloatAttr(isUnsigned ? 255.0 : 127.0));
  return CastOp::create(rewriter, loc, resultType, clipped);
}

struct ExpandQuantize final : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    Value scaled = DivOp::create(
        rewriter, loc, op.getInput(),
        alongAxis(rewriter, loc, op.getScale(), op.getAxis(), rank));
    Value rounded = RoundOp::create(rewriter, loc, scaled);
    rewriter.replaceOp(op, addZeroPointAndSaturate(rewriter, loc, rounded,
                                                   op.getZeroPoint(),
                                                   op.getAxis(), op.getType()));
    return success();
  }
};

bool isOutputStageOfKeptProduct(Operation *op, bool keepEightBit);

struct ExpandDequantize final : OpRewritePattern<DequantizeLinearOp> {
  ExpandDequantize(MLIRContext *context, bool keepEightBit)
      : OpRewritePattern(context), keepEightBit(keepEightBit) {}
  bool keepEightBit;
  LogicalResult matchAndRewrite(DequantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    if (isOutputStageOfKeptProduct(op, keepEightBit) &&
        op.getInput().getType().getElementType().isInteger(32) &&
        isZeroConstant(op.getZeroPoint()) &&
        op.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "the 8-bit kernel's output stage");
    Location loc = op.getLoc();
    Type floatType = op.getType().getElementType();
    int64_t rank = op.getType().getRank();
    Value x = castTo(rewriter, loc, op.getInput(), floatType);
    x = SubOp::create(rewriter, loc, x,
                      alongAxis(rewriter, loc,
                                castTo(rewriter, loc, op.getZeroPoint(),
                                       floatType),
                                op.getAxis(), rank));
    rewriter.replaceOpWithNewOp<MulOp>(
        op, x, alongAxis(rewriter, loc, op.getScale(), op.getAxis(), rank));
    return success();
  }
};

struct ExpandRequantize final : OpRewritePattern<RequantizeOp> {
  ExpandRequantize(MLIRContext *context, bool keepEightBit)
      : OpRewritePattern(context), keepEightBit(keepEightBit) {}
  bool keepEightBit;
  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (isOutputStageOfKeptProduct(op, keepEightBit))
      return rewriter.notifyMatchFailure(op, "the 8-bit kernel's output stage");
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    Value sums = castTo(rewriter, loc, op.getInput(), rewriter.getF32Type());
    Value scaled = MulOp::create(
        rewriter, loc, sums,
        alongAxis(rewriter, loc, op.getMultiplier(), op.getAxis(), rank));
    Value rounded = RoundOp::create(rewriter, loc, scaled);
    rewriter.replaceOp(op, addZeroPointAndSaturate(rewriter, loc, rounded,
                                                   op.getZeroPoint(),
                                                   op.getAxis(), op.getType()));
    return success();
  }
};

/// `x - zeroPoint` in int32, the zero point broadcast along `axis`.
Value centered(PatternRewriter &rewriter, Location loc, Value x,
               Value zeroPoint, int64_t axis) {
  Type i32 = rewriter.getI32Type();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  return SubOp::create(
      rewriter, loc, castTo(rewriter, loc, x, i32),
      alongAxis(rewriter, loc, castTo(rewriter, loc, zeroPoint, i32), axis,
                rank));
}

/// Products the target's 8-bit kernels compute are left to it.
template <typename OpTy>
struct ExpandProduct : OpRewritePattern<OpTy> {
  ExpandProduct(MLIRContext *context, bool keepEightBit)
      : OpRewritePattern<OpTy>(context), keepEightBit(keepEightBit) {}
  bool keep(OpTy op) const { return keepEightBit && fitsEightBitKernels(op); }
  bool keepEightBit;
};

struct ExpandConvInteger final : ExpandProduct<ConvIntegerOp> {
  using ExpandProduct::ExpandProduct;
  LogicalResult matchAndRewrite(ConvIntegerOp op,
                                PatternRewriter &rewriter) const override {
    if (keep(op))
      return rewriter.notifyMatchFailure(op, "an 8-bit kernel computes it");
    Location loc = op.getLoc();
    Value x = centered(rewriter, loc, op.getInput(), op.getInputZeroPoint(), 0);
    // The weight's zero point is per tensor or per output channel (axis 0).
    Value w =
        centered(rewriter, loc, op.getWeight(), op.getWeightZeroPoint(), 0);
    rewriter.replaceOpWithNewOp<ConvOp>(op, x, w, op.getBias(),
                                        op.getStridesAttr(), op.getPadsAttr(),
                                        op.getDilationsAttr(),
                                        op.getGroupAttr());
    return success();
  }
};

struct ExpandMatMulInteger final : ExpandProduct<MatMulIntegerOp> {
  using ExpandProduct::ExpandProduct;
  LogicalResult matchAndRewrite(MatMulIntegerOp op,
                                PatternRewriter &rewriter) const override {
    if (keep(op))
      return rewriter.notifyMatchFailure(op, "an 8-bit kernel computes it");
    Location loc = op.getLoc();
    // A per-row lhs zero point runs along the rows (rank - 2), a per-column
    // rhs one along the last axis.
    int64_t lhsRank = op.getLhs().getType().getRank();
    Value a = centered(rewriter, loc, op.getLhs(), op.getLhsZeroPoint(),
                       std::max<int64_t>(lhsRank - 2, 0));
    Value b = centered(rewriter, loc, op.getRhs(), op.getRhsZeroPoint(),
                       op.getRhs().getType().getRank() - 1);
    rewriter.replaceOpWithNewOp<MatMulOp>(op, a, b);
    return success();
  }
};

/// A requantize or dequantize of a kept product's sums is the product's
/// output stage, which the 8-bit kernel computes too: its scale is one
/// value or one per output channel (axis 1 of a conv, the last of a
/// matmul), its zero point a constant.
bool isOutputStageOfKeptProduct(Operation *op, bool keepEightBit) {
  Operation *producer = op->getOperand(0).getDefiningOp();
  if (!keepEightBit || !producer || !producer->hasOneUse() ||
      !isa<ConvIntegerOp, MatMulIntegerOp>(producer) ||
      !fitsEightBitKernels(producer))
    return false;
  Value scale = op->getOperand(1), zeroPoint = op->getOperand(2);
  int64_t axis = cast<IntegerAttr>(op->getAttr("axis")).getInt();
  int64_t channelAxis = isa<ConvIntegerOp>(producer)
                            ? 1
                            : cast<RankedTensorType>(producer->getResult(0).getType())
                                      .getRank() - 1;
  auto scaleType = cast<RankedTensorType>(scale.getType());
  bool perTensor = scaleType.getRank() <= 1 && scaleType.getNumElements() == 1;
  return (perTensor || axis == channelAxis) &&
         matchPattern(zeroPoint, m_Constant());
}

struct ExpandQuantizationPass final
    : impl::ExpandQuantizationPassBase<ExpandQuantizationPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandQuantize>(&getContext());
    patterns.add<ExpandDequantize, ExpandRequantize>(&getContext(),
                                                     keepEightBitProducts);
    patterns.add<ExpandConvInteger, ExpandMatMulInteger>(&getContext(),
                                                         keepEightBitProducts);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace mlir::modelc::graph
