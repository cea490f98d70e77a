//===- LowerReductions.cpp - The reduce family as reduction loop nests ----===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Rewrites every graph.reduce_* op in a dispatch into a linalg.fill of the
// reduction's identity and a linalg.generic with reduction iterators whose
// body combines one element into the accumulator. What a reduction needs
// afterwards (Mean's division, L2's root, LogSum's logarithm, the cast back
// from a wider accumulator) is left as elementwise graph ops, so that
// kernel-lower-loop-nests makes them part of the dispatch's epilogue.
//
// The numerically stable forms are written here, once for every target:
// LogSumExp keeps a running log-sum-exp, max(acc, x) + log1p(exp(-|acc - x|)),
// which never overflows and needs no second pass over the input.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_LOWERREDUCTIONSPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct LowerReductionsPass final
    : impl::LowerReductionsPassBase<LowerReductionsPass> {
  using Base::Base;
  void runOnOperation() override;
};

/// What one reduction kind starts from, how it folds in an element and what
/// it applies at the end.
enum class Finish { None, Mean, Sqrt, Log };
} // namespace

static bool isReduction(Operation *op) {
  return isa<graph::ReduceMeanOp, graph::ReduceSumOp, graph::ReduceMaxOp,
             graph::ReduceMinOp, graph::ReduceProdOp, graph::ReduceL1Op,
             graph::ReduceL2Op, graph::ReduceLogSumOp, graph::ReduceLogSumExpOp,
             graph::ReduceSumSquareOp>(op);
}

/// The identity of the reduction in `type`.
static TypedAttr identity(Operation *op, Type type, bool isUnsigned) {
  auto limit = [&](bool lowest) -> TypedAttr {
    if (auto floatType = dyn_cast<FloatType>(type))
      return FloatAttr::get(floatType,
                            lowest ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity());
    unsigned width = type.getIntOrFloatBitWidth();
    APInt value = isUnsigned || width == 1
                      ? (lowest ? APInt::getMinValue(width)
                                : APInt::getMaxValue(width))
                      : (lowest ? APInt::getSignedMinValue(width)
                                : APInt::getSignedMaxValue(width));
    return IntegerAttr::get(type, value);
  };
  auto number = [&](double value) -> TypedAttr {
    if (auto floatType = dyn_cast<FloatType>(type))
      return FloatAttr::get(floatType, value);
    return IntegerAttr::get(type, static_cast<int64_t>(value));
  };
  if (isa<graph::ReduceMaxOp, graph::ReduceLogSumExpOp>(op))
    return limit(/*lowest=*/true);
  if (isa<graph::ReduceMinOp>(op))
    return limit(/*lowest=*/false);
  if (isa<graph::ReduceProdOp>(op))
    return number(1);
  return number(0);
}

/// Folds element `x` into accumulator `acc`.
static Value combine(OpBuilder &b, Location loc, Operation *op, Value x,
                     Value acc, bool isUnsigned) {
  bool isFloat = isa<FloatType>(x.getType());
  auto add = [&](Value l, Value r) -> Value {
    return isFloat ? Value(arith::AddFOp::create(b, loc, l, r))
                   : Value(arith::AddIOp::create(b, loc, l, r));
  };
  auto mul = [&](Value l, Value r) -> Value {
    return isFloat ? Value(arith::MulFOp::create(b, loc, l, r))
                   : Value(arith::MulIOp::create(b, loc, l, r));
  };
  auto greater = [&](Value l, Value r) -> Value {
    if (isFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, l, r);
    return arith::CmpIOp::create(
        b, loc, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
        l, r);
  };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<graph::ReduceMeanOp, graph::ReduceSumOp, graph::ReduceLogSumOp>(
          [&](auto) { return add(acc, x); })
      .Case([&](graph::ReduceProdOp) { return mul(acc, x); })
      // A NaN element is skipped, as before: it never compares greater.
      .Case([&](graph::ReduceMaxOp) {
        return arith::SelectOp::create(b, loc, greater(x, acc), x, acc);
      })
      .Case([&](graph::ReduceMinOp) {
        return arith::SelectOp::create(b, loc, greater(acc, x), x, acc);
      })
      .Case([&](graph::ReduceL1Op) -> Value {
        if (isFloat)
          return add(acc, math::AbsFOp::create(b, loc, x));
        if (isUnsigned)
          return add(acc, x);
        return add(acc, math::AbsIOp::create(b, loc, x));
      })
      .Case<graph::ReduceL2Op, graph::ReduceSumSquareOp>(
          [&](auto) { return add(acc, mul(x, x)); })
      .Case([&](graph::ReduceLogSumExpOp) -> Value {
        // log(e^acc + e^x) = max + log1p(e^-|acc - x|), with a zero
        // difference when both are the same infinity (whose difference is
        // NaN).
        Value top = arith::SelectOp::create(b, loc, greater(acc, x), acc, x);
        Value same =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, acc, x);
        Value gap = arith::NegFOp::create(
            b, loc,
            math::AbsFOp::create(b, loc, arith::SubFOp::create(b, loc, acc, x)));
        Value zero = arith::ConstantOp::create(
            b, loc, FloatAttr::get(cast<FloatType>(x.getType()), 0.0));
        Value difference = arith::SelectOp::create(b, loc, same, zero, gap);
        return add(top, math::Log1pOp::create(
                            b, loc, math::ExpOp::create(b, loc, difference)));
      });
}

static Finish finishOf(Operation *op) {
  if (isa<graph::ReduceMeanOp>(op))
    return Finish::Mean;
  if (isa<graph::ReduceL2Op>(op))
    return Finish::Sqrt;
  if (isa<graph::ReduceLogSumOp>(op))
    return Finish::Log;
  return Finish::None;
}

static LogicalResult lowerReduction(Operation *op) {
  Location loc = op->getLoc();
  MLIRContext *ctx = op->getContext();
  Value input = op->getOperand(0);
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  ArrayRef<int64_t> shape = inputType.getShape();
  ArrayRef<int64_t> axes =
      cast<DenseI64ArrayAttr>(op->getAttr("axes")).asArrayRef();
  bool keepdims = cast<BoolAttr>(op->getAttr("keepdims")).getValue();
  Type element = inputType.getElementType();
  bool isUnsigned = element.isUnsignedInteger();
  bool isFloat = isa<FloatType>(element);
  if (!isFloat && (isa<graph::ReduceLogSumExpOp>(op) ||
                   finishOf(op) == Finish::Sqrt || finishOf(op) == Finish::Log))
    return op->emitOpError("takes logarithms or roots, which integers do not have");
  // 16-bit floats accumulate in f32 and are rounded once at the end.
  Type accumulator = element.isF16() || element.isBF16()
                         ? Type(Float32Type::get(ctx))
                         : getScalarType(element);

  // Iterate over the input; the accumulator is the result indexed by the
  // kept dimensions (0 for a reduced one the result keeps).
  SmallVector<utils::IteratorType> iterators;
  SmallVector<AffineExpr> outputExprs;
  for (size_t d = 0; d < shape.size(); ++d) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      outputExprs.push_back(getAffineDimExpr(d, ctx));
    else if (keepdims)
      outputExprs.push_back(getAffineConstantExpr(0, ctx));
  }
  if (outputExprs.size() != static_cast<size_t>(resultType.getRank()))
    return op->emitOpError("result rank does not match its axes and keepdims");
  AffineMap inputMap = AffineMap::getMultiDimIdentityMap(shape.size(), ctx);
  AffineMap outputMap = AffineMap::get(shape.size(), 0, outputExprs, ctx);

  OpBuilder b(op);
  // Integer tensors keep their signedness at the tensor level; the
  // accumulator tensor is signless only when the body computes in it.
  Type accumulatorElement =
      accumulator == getScalarType(element) ? element : accumulator;
  auto accumulatorType =
      RankedTensorType::get(resultType.getShape(), accumulatorElement);
  Value empty = tensor::EmptyOp::create(b, loc, accumulatorType.getShape(),
                                        accumulatorElement);
  Value start = arith::ConstantOp::create(
      b, loc, identity(op, accumulator, isUnsigned));
  if (accumulator != accumulatorElement)
    start = UnrealizedConversionCastOp::create(b, loc, accumulatorElement, start)
                .getResult(0);
  Value init = linalg::FillOp::create(b, loc, start, empty).getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{accumulatorType}, ValueRange{input}, ValueRange{init},
      ArrayRef<AffineMap>{inputMap, outputMap}, iterators,
      [&](OpBuilder &nb, Location bodyLoc, ValueRange args) {
        auto scalar = [&](Value value, Type type) -> Value {
          if (value.getType() == type)
            return value;
          if (isa<FloatType>(type))
            return arith::ExtFOp::create(nb, bodyLoc, type, value);
          return UnrealizedConversionCastOp::create(nb, bodyLoc, type, value)
              .getResult(0);
        };
        Value x = scalar(args[0], accumulator);
        Value acc = scalar(args[1], accumulator);
        Value next = combine(nb, bodyLoc, op, x, acc, isUnsigned);
        if (next.getType() != args[1].getType())
          next = UnrealizedConversionCastOp::create(nb, bodyLoc,
                                                    args[1].getType(), next)
                     .getResult(0);
        linalg::YieldOp::create(nb, bodyLoc, next);
      });

  // What follows the accumulation, as elementwise ops for the epilogue.
  Value result = generic.getResult(0);
  auto splat = [&](double value) -> Value {
    auto type = RankedTensorType::get({}, accumulatorElement);
    Attribute attr = isa<FloatType>(accumulatorElement)
                         ? Attribute(FloatAttr::get(accumulatorElement, value))
                         : Attribute(IntegerAttr::get(
                               accumulatorElement, static_cast<int64_t>(value)));
    return arith::ConstantOp::create(b, loc, type,
                                     DenseElementsAttr::get(type, attr));
  };
  switch (finishOf(op)) {
  case Finish::Mean: {
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= shape[axis];
    result = graph::DivOp::create(b, loc, accumulatorType, result,
                                  splat(static_cast<double>(std::max<int64_t>(count, 1))));
    break;
  }
  case Finish::Sqrt:
    result = graph::SqrtOp::create(b, loc, accumulatorType, result);
    break;
  case Finish::Log:
    result = graph::LogOp::create(b, loc, accumulatorType, result);
    break;
  case Finish::None:
    break;
  }
  if (accumulatorType != resultType)
    result = graph::CastOp::create(b, loc, resultType, result);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

void LowerReductionsPass::runOnOperation() {
  SmallVector<Operation *> reductions;
  getOperation().walk([&](DispatchOp dispatch) {
    for (Operation &op : dispatch.getBodyBlock())
      if (isReduction(&op))
        reductions.push_back(&op);
  });
  for (Operation *op : reductions)
    if (failed(lowerReduction(op)))
      return signalPassFailure();
}

} // namespace mlir::modelc::kernel
