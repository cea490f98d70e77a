//===- FormLayerNorm.cpp - Raise decomposed layer normalization -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/Transforms/Passes.h"

#include "dialects/Graph/IR/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "graph-form-layer-norm"

namespace mlir::modelc::graph {
#define GEN_PASS_DEF_FORMLAYERNORMPASS
#include "dialects/Graph/Transforms/Passes.h.inc"

namespace {
/// Matches `div(d, sqrt(add(mean(d * d), eps)))` with `d = x - mean(x)`, both
/// means over the same trailing axes with keepdims, then absorbs a following
/// multiply by a constant scale and add of a constant bias.
struct RaiseLayerNorm final : OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DivOp div,
                                PatternRewriter &rewriter) const override {
    auto centered = div.getLhs().getDefiningOp<SubOp>();
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    if (!centered || !sqrt)
      return rewriter.notifyMatchFailure(div, "not (x - m) / sqrt(...)");
    auto mean = centered.getRhs().getDefiningOp<ReduceMeanOp>();
    Value input = centered.getLhs();
    if (!mean || mean.getInput() != input || !mean.getKeepdims())
      return rewriter.notifyMatchFailure(div, "centering is not x - mean(x)");
    RankedTensorType type = div.getType();
    if (input.getType() != type)
      return rewriter.notifyMatchFailure(div, "shapes change in the chain");
    int64_t rank = type.getRank();
    ArrayRef<int64_t> axes = mean.getAxes();
    int64_t axis = rank - static_cast<int64_t>(axes.size());
    for (auto [i, a] : llvm::enumerate(axes))
      if (a != axis + static_cast<int64_t>(i))
        return rewriter.notifyMatchFailure(div, "axes are not trailing");

    auto addEps = sqrt.getInput().getDefiningOp<AddOp>();
    if (!addEps)
      return rewriter.notifyMatchFailure(div, "no epsilon add");
    auto variance = addEps.getLhs().getDefiningOp<ReduceMeanOp>();
    DenseElementsAttr epsAttr;
    if (!variance || !matchPattern(addEps.getRhs(), m_Constant(&epsAttr)) ||
        !epsAttr.isSplat() || variance.getAxes() != axes ||
        !variance.getKeepdims())
      return rewriter.notifyMatchFailure(div, "no mean(d * d) + eps");
    auto square = variance.getInput().getDefiningOp<MulOp>();
    if (!square || square.getLhs() != centered.getResult() ||
        square.getRhs() != centered.getResult())
      return rewriter.notifyMatchFailure(div, "variance is not mean(d * d)");
    double epsilon = readConstantAsDoubles(epsAttr).front();

    // Absorb `* gamma + beta` when each is a constant over the normalized
    // dims and the chain has no other users.
    Operation *last = div;
    SmallVector<Location> locations = {mean.getLoc(),   centered.getLoc(),
                                       square.getLoc(), variance.getLoc(),
                                       addEps.getLoc(), sqrt.getLoc(),
                                       div.getLoc()};
    Value scale, bias;
    auto matchParam = [&](Operation *user, Value &param) {
      if (!user || user->getNumOperands() != 2 ||
          user->getResult(0).getType() != type)
        return false;
      Value other = user->getOperand(0) == last->getResult(0)
                        ? user->getOperand(1)
                        : user->getOperand(0);
      ElementsAttr attr;
      if (!matchPattern(other, m_Constant(&attr)))
        return false;
      auto paramType = cast<RankedTensorType>(attr.getType());
      if (paramType.getShape() != type.getShape().drop_front(axis))
        return false;
      param = other;
      last = user;
      locations.push_back(user->getLoc());
      return true;
    };
    auto singleUser = [](Operation *op) -> Operation * {
      return op->hasOneUse() ? *op->user_begin() : nullptr;
    };
    Operation *user = singleUser(last);
    if (isa_and_nonnull<MulOp>(user) && matchParam(user, scale)) {
      Operation *next = singleUser(last);
      if (isa_and_nonnull<AddOp>(next))
        matchParam(next, bias);
    }
    if (!scale) {
      auto paramType = RankedTensorType::get(type.getShape().drop_front(axis),
                                             type.getElementType());
      std::vector<double> ones(paramType.getNumElements(), 1.0);
      scale = arith::ConstantOp::create(
          rewriter, div.getLoc(), paramType,
          cast<TypedAttr>(makeConstantFromDoubles(paramType, ones, "ones")));
    }
    rewriter.setInsertionPoint(last);
    auto norm = LayerNormOp::create(
        rewriter, rewriter.getFusedLoc(locations), input, scale, bias,
        rewriter.getI64IntegerAttr(axis), rewriter.getF64FloatAttr(epsilon));
    rewriter.replaceOp(last, norm.getResult());
    return success();
  }
};

struct FormLayerNormPass final
    : impl::FormLayerNormPassBase<FormLayerNormPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseLayerNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::modelc::graph
