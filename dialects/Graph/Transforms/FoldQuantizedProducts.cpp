//===- FoldQuantizedProducts.cpp - QDQ products into 8-bit products -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A QDQ model writes an int8 convolution as float arithmetic between
// quantize and dequantize ops:
//
//   quantize(conv(dequantize(xq, sx, zx), dequantize(wq, sw, zw), b), sy, zy)
//
// Two rewrites turn it into what an int8 kernel computes. A product whose
// operands are both dequantized becomes the 8-bit product summed in int32,
// with the bias rounded to the sums' scale sx * sw, dequantized once at that
// scale; and a quantize of such a dequantized sum becomes one requantize by
// sx * sw / sy. Products whose output stays float keep the exact int32 sums,
// and the rounding that is left happens once, in graph.requantize. A Relu or
// Clip before the quantize folds when the quantize's saturation clamps at
// its bounds (as calibration makes it for a Relu's or ReLU6's output), and a
// transposed dequantized weight (Gemm's transB) is dequantized after the
// transpose. A max pool between a dequantize and a quantize with the same
// parameters pools the 8-bit values themselves.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/Transforms/Passes.h"

#include "dialects/Graph/IR/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <cmath>
#include <limits>

#define DEBUG_TYPE "graph-fold-quantized-products"

namespace mlir::modelc::graph {
#define GEN_PASS_DEF_FOLDQUANTIZEDPRODUCTSPASS
#include "dialects/Graph/Transforms/Passes.h.inc"

namespace {

bool isSingleValue(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getRank() <= 1 && type.getNumElements() == 1;
}

/// A dequantized 8-bit operand: its integer values and parameters.
struct Dequantized {
  Value values;
  Value scale;
  Value zeroPoint;
  int64_t axis;
  bool perTensor() const { return isSingleValue(scale); }
};

/// The f32 dequantize of 8-bit values that produces `value`, if it is one.
std::optional<Dequantized> matchDequantized(Value value) {
  auto op = value.getDefiningOp<DequantizeLinearOp>();
  if (!op || !op.getInput().getType().getElementType().isInteger(8) ||
      !op.getType().getElementType().isF32())
    return std::nullopt;
  return Dequantized{op.getInput(), op.getScale(), op.getZeroPoint(),
                     static_cast<int64_t>(op.getAxis())};
}

/// `sums` (int32, at scale `scale`: one value or one per index along
/// `axis`) dequantized to f32.
Value dequantizeSums(PatternRewriter &rewriter, Location loc, Value sums,
                     Value scale, int64_t axis) {
  auto zeroType = RankedTensorType::get({}, rewriter.getI32Type());
  Value zero = arith::ConstantOp::create(
      rewriter, loc, zeroType, DenseElementsAttr::get(zeroType, int32_t(0)));
  auto type = RankedTensorType::get(
      cast<RankedTensorType>(sums.getType()).getShape(), rewriter.getF32Type());
  return DequantizeLinearOp::create(rewriter, loc, type, sums, scale, zero,
                                    axis);
}

/// A dequantize of constants (the int32 bias quantizers write) as the f32
/// constant it computes, so the bias the sums take folds to a constant; any
/// other value as it is. Weights are not evaluated: a dequantized 8-bit
/// weight is what the product folds from.
Value evaluateDequantizedConstant(PatternRewriter &rewriter, Value value) {
  auto dequantize = value.getDefiningOp<DequantizeLinearOp>();
  ElementsAttr values, scale, zero;
  if (!dequantize || !matchPattern(dequantize.getInput(), m_Constant(&values)) ||
      !matchPattern(dequantize.getScale(), m_Constant(&scale)) ||
      !matchPattern(dequantize.getZeroPoint(), m_Constant(&zero)) ||
      dequantize.getType().getRank() != 1 ||
      !dequantize.getType().getElementType().isF32())
    return value;
  std::vector<int64_t> q = readConstantAsInts(values);
  std::vector<int64_t> z = readConstantAsInts(zero);
  std::vector<double> s = readConstantAsDoubles(scale);
  std::vector<double> result(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    float difference = static_cast<float>(q[i] - z[z.size() == 1 ? 0 : i]);
    result[i] = difference * static_cast<float>(s[s.size() == 1 ? 0 : i]);
  }
  return arith::ConstantOp::create(
      rewriter, dequantize.getLoc(),
      cast<TypedAttr>(makeConstantFromDoubles(dequantize.getType(), result)));
}

/// conv(dequantize(xq), dequantize(wq), b): x per tensor, w per tensor or
/// per output channel.
struct FoldDequantizedConv final : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> x = matchDequantized(conv.getInput());
    std::optional<Dequantized> w = matchDequantized(conv.getWeight());
    if (!x || !w)
      return rewriter.notifyMatchFailure(conv, "operands are not dequantized");
    if (!x->perTensor() || (!w->perTensor() && w->axis != 0))
      return rewriter.notifyMatchFailure(
          conv, "needs a per-tensor input and a per-channel weight");
    Location loc = conv.getLoc();
    Value scale = MulOp::create(rewriter, loc, x->scale, w->scale);
    Value bias;
    if (Value floatBias = conv.getBias()) {
      floatBias = evaluateDequantizedConstant(rewriter, floatBias);
      // The bias joins the sums at their scale, as quantizers store it.
      Value rounded = RoundOp::create(
          rewriter, loc, DivOp::create(rewriter, loc, floatBias, scale));
      bias = CastOp::create(
          rewriter, loc,
          RankedTensorType::get(
              cast<RankedTensorType>(rounded.getType()).getShape(),
              rewriter.getI32Type()),
          rounded);
    }
    Value sums = ConvIntegerOp::create(
        rewriter, loc, x->values, w->values, x->zeroPoint,
        w->zeroPoint, bias, conv.getStridesAttr(), conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(conv, dequantizeSums(rewriter, loc, sums, scale,
                                            /*axis=*/1));
    return success();
  }
};

/// matmul(dequantize(aq), dequantize(bq)): a per tensor, b per tensor or per
/// column.
struct FoldDequantizedMatMul final : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> a = matchDequantized(matmul.getLhs());
    std::optional<Dequantized> b = matchDequantized(matmul.getRhs());
    if (!a || !b)
      return rewriter.notifyMatchFailure(matmul, "operands are not dequantized");
    int64_t rhsRank = cast<RankedTensorType>(b->values.getType()).getRank();
    int64_t rank = matmul.getType().getRank();
    if (!a->perTensor() || rhsRank < 2 ||
        (!b->perTensor() && b->axis != rhsRank - 1))
      return rewriter.notifyMatchFailure(
          matmul, "needs a per-tensor lhs and a per-column rhs");
    Location loc = matmul.getLoc();
    Value scale = MulOp::create(rewriter, loc, a->scale, b->scale);
    Value sums = MatMulIntegerOp::create(rewriter, loc, a->values,
                                         b->values, a->zeroPoint,
                                         b->zeroPoint);
    rewriter.replaceOp(matmul, dequantizeSums(rewriter, loc, sums, scale,
                                              /*axis=*/rank - 1));
    return success();
  }
};

/// transpose(dequantize(q, s, z)) -> dequantize(transpose(q), s, z), the
/// axis following its dimension: Gemm's transB leaves a transposed weight
/// between the dequantize and the matmul. A transposed constant folds.
struct SwapTransposeAndDequantize final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    auto dequantize = transpose.getInput().getDefiningOp<DequantizeLinearOp>();
    if (!dequantize || !dequantize->hasOneUse())
      return rewriter.notifyMatchFailure(transpose, "not a dequantized input");
    ArrayRef<int64_t> permutation = transpose.getPermutation();
    int64_t axis = dequantize.getAxis();
    if (!isSingleValue(dequantize.getScale()))
      axis = llvm::find(permutation, axis) - permutation.begin();
    Location loc = transpose.getLoc();
    Value values = TransposeOp::create(rewriter, loc, dequantize.getInput(),
                                       transpose.getPermutationAttr());
    rewriter.replaceOpWithNewOp<DequantizeLinearOp>(
        transpose, transpose.getType(), values, dequantize.getScale(),
        dequantize.getZeroPoint(), axis);
    return success();
  }
};

/// The lowest value of an 8-bit quantized element type; its highest is 255
/// above.
int64_t quantizedLowest(Type element) {
  return element.isUnsignedInteger() ? 0 : -128;
}

/// QuantizeLinear of one value, as the op computes it: x / scale in f32,
/// rounded half to even, plus the zero point, saturated to the type.
int64_t quantizeScalar(double x, float scale, int64_t zero, Type element) {
  int64_t lowest = quantizedLowest(element);
  double q = std::nearbyint(static_cast<float>(x) / scale) + zero;
  return static_cast<int64_t>(std::clamp(q, double(lowest), double(lowest + 255)));
}

/// The bounds of a Relu or Clip, the clamps a quantize may make itself.
std::optional<std::pair<double, double>> clampBounds(Operation *op) {
  if (isa_and_nonnull<ReluOp>(op))
    return std::make_pair(0.0, std::numeric_limits<double>::infinity());
  if (auto clip = dyn_cast_or_null<ClipOp>(op))
    return std::make_pair(clip.getMin().convertToDouble(),
                          clip.getMax().convertToDouble());
  return std::nullopt;
}

/// Whether quantize(clamp(x, lo, hi)) == quantize(x) for every x: the
/// quantize maps lo to the type's lowest value and hi to its highest, so
/// its saturation clamps where the clamp does (as calibration makes it for
/// a Relu's or ReLU6's output).
bool quantizeMakesClamp(QuantizeLinearOp quantize, double lo, double hi) {
  APInt zero;
  DenseElementsAttr scale;
  if (!matchPattern(quantize.getZeroPoint(), m_ConstantInt(&zero)) ||
      !matchPattern(quantize.getScale(), m_Constant(&scale)) ||
      !scale.isSplat() || !scale.getElementType().isF32())
    return false;
  Type element = getElementTypeOrSelf(quantize.getType());
  float s = scale.getSplatValue<float>();
  int64_t z = zero.getSExtValue();
  int64_t lowest = quantizedLowest(element);
  return s > 0 && quantizeScalar(lo, s, z, element) == lowest &&
         quantizeScalar(hi, s, z, element) == lowest + 255;
}

/// quantize(clamp(x)) -> quantize(x) for a Relu or Clip whose bounds the
/// quantize's saturation makes (quantizeMakesClamp): the clamp changes
/// nothing. It leaves a product's quantize next to its dequantized sums
/// (FoldRequantize), and an elementwise chain (a residual Add and its
/// Relu) one select per element shorter.
struct DropSaturatedClamp final : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeLinearOp quantize,
                                PatternRewriter &rewriter) const override {
    Value input = quantize.getInput();
    auto bounds = clampBounds(input.getDefiningOp());
    if (!bounds || !input.hasOneUse() ||
        !quantizeMakesClamp(quantize, bounds->first, bounds->second))
      return rewriter.notifyMatchFailure(quantize,
                                         "no clamp that the quantize makes");
    rewriter.modifyOpInPlace(quantize, [&] {
      quantize.getInputMutable().assign(input.getDefiningOp()->getOperand(0));
    });
    return success();
  }
};

/// quantize(dequantize(sums, s, 0), sy, zy) -> requantize(sums, s / sy, zy).
struct FoldRequantize final : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeLinearOp quantize,
                                PatternRewriter &rewriter) const override {
    Value input = quantize.getInput();
    auto dequantize = input.getDefiningOp<DequantizeLinearOp>();
    if (!dequantize ||
        !dequantize.getInput().getType().getElementType().isInteger(32) ||
        !isZeroConstant(dequantize.getZeroPoint()))
      return rewriter.notifyMatchFailure(quantize, "not a dequantized sum");
    if (!isSingleValue(quantize.getScale()) ||
        !isSingleValue(quantize.getZeroPoint()))
      return rewriter.notifyMatchFailure(quantize, "needs a per-tensor output");
    Location loc = quantize.getLoc();
    Value multiplier =
        DivOp::create(rewriter, loc, dequantize.getScale(), quantize.getScale());
    Value zeroPoint = quantize.getZeroPoint();
    if (cast<RankedTensorType>(zeroPoint.getType()).getRank() != 0)
      zeroPoint = ReshapeOp::create(
          rewriter, loc,
          RankedTensorType::get({}, getElementTypeOrSelf(zeroPoint.getType())),
          zeroPoint);
    rewriter.replaceOpWithNewOp<RequantizeOp>(
        quantize, quantize.getType(), dequantize.getInput(), multiplier,
        zeroPoint, dequantize.getAxis(), "half_to_even");
    return success();
  }
};

/// Whether `a` and `b` are the same single constant.
bool isSameScalarConstant(Value a, Value b) {
  ElementsAttr x, y;
  if (!matchPattern(a, m_Constant(&x)) || !matchPattern(b, m_Constant(&y)) ||
      x.getNumElements() != 1 || y.getNumElements() != 1 ||
      x.getElementType() != y.getElementType())
    return false;
  return readConstantBytes(x) == readConstantBytes(y);
}

/// quantize(max_pool(dequantize(xq, s, z)), s, z) -> max_pool(xq). A
/// dequantize is increasing, so the max of the dequantized window is the
/// dequantized max, and quantizing a dequantized 8-bit value with the same
/// scale and zero point gives it back exactly (|xq - z| <= 255 survives the
/// f32 multiply and divide to within far less than half a step).
struct FoldQuantizedMaxPool final : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeLinearOp quantize,
                                PatternRewriter &rewriter) const override {
    auto pool = quantize.getInput().getDefiningOp<MaxPoolOp>();
    if (!pool || !pool->hasOneUse())
      return rewriter.notifyMatchFailure(quantize, "not a max pool's quantize");
    auto dequantize = pool.getInput().getDefiningOp<DequantizeLinearOp>();
    if (!dequantize ||
        dequantize.getInput().getType().getElementType() !=
            quantize.getType().getElementType() ||
        !isSameScalarConstant(dequantize.getScale(), quantize.getScale()) ||
        !isSameScalarConstant(dequantize.getZeroPoint(),
                              quantize.getZeroPoint()))
      return rewriter.notifyMatchFailure(
          quantize, "not a dequantize with the quantize's own parameters");
    rewriter.replaceOpWithNewOp<MaxPoolOp>(
        quantize, quantize.getType(), dequantize.getInput(),
        pool.getKernelShapeAttr(), pool.getStridesAttr(), pool.getPadsAttr(),
        pool.getDilationsAttr(), pool.getCeilModeAttr(),
        pool.getCountIncludePadAttr());
    return success();
  }
};

struct FoldQuantizedProductsPass final
    : impl::FoldQuantizedProductsPassBase<FoldQuantizedProductsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldDequantizedConv, FoldDequantizedMatMul, FoldRequantize,
                 DropSaturatedClamp, FoldQuantizedMaxPool,
                 SwapTransposeAndDequantize>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace mlir::modelc::graph
