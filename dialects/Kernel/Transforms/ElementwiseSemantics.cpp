//===- ElementwiseSemantics.cpp - Graph elementwise ops as arith/math -----===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::modelc;

namespace mlir::modelc::kernel {

Type getScalarType(Type element) {
  if (auto integer = dyn_cast<IntegerType>(element))
    return IntegerType::get(element.getContext(), integer.getWidth());
  return element;
}

static bool isHalf(Type type) { return type.isF16() || type.isBF16(); }

namespace {
/// Spells arith/math ops at one insertion point. Signedness, which arith's
/// types do not carry, is given per call.
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &builder, Location loc) : b_(builder), loc_(loc) {}

  Value constant(Type type, double value) {
    if (auto floatType = dyn_cast<FloatType>(type))
      return arith::ConstantOp::create(b_, loc_, type,
                                       b_.getFloatAttr(floatType, value));
    return arith::ConstantOp::create(
        b_, loc_, type,
        b_.getIntegerAttr(type, static_cast<int64_t>(value)));
  }
  Value boolean(bool value) { return constant(b_.getI1Type(), value ? 1 : 0); }

  enum class Relation { LT, LE, GT, GE, EQ, NE };
  /// `a <relation> b`; float comparisons are ordered (false with a NaN)
  /// except NE, which is true with a NaN, as in C.
  Value compare(Relation relation, Value a, Value b, bool isUnsigned) {
    if (isa<FloatType>(a.getType())) {
      arith::CmpFPredicate predicate;
      switch (relation) {
      case Relation::LT: predicate = arith::CmpFPredicate::OLT; break;
      case Relation::LE: predicate = arith::CmpFPredicate::OLE; break;
      case Relation::GT: predicate = arith::CmpFPredicate::OGT; break;
      case Relation::GE: predicate = arith::CmpFPredicate::OGE; break;
      case Relation::EQ: predicate = arith::CmpFPredicate::OEQ; break;
      case Relation::NE: predicate = arith::CmpFPredicate::UNE; break;
      }
      return arith::CmpFOp::create(b_, loc_, predicate, a, b);
    }
    arith::CmpIPredicate predicate;
    switch (relation) {
    case Relation::LT:
      predicate = isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
      break;
    case Relation::LE:
      predicate = isUnsigned ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
      break;
    case Relation::GT:
      predicate = isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
      break;
    case Relation::GE:
      predicate = isUnsigned ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
      break;
    case Relation::EQ: predicate = arith::CmpIPredicate::eq; break;
    case Relation::NE: predicate = arith::CmpIPredicate::ne; break;
    }
    return arith::CmpIOp::create(b_, loc_, predicate, a, b);
  }
  Value compareWith(Relation relation, Value a, double b, bool isUnsigned) {
    return compare(relation, a, constant(a.getType(), b), isUnsigned);
  }

  Value select(Value condition, Value a, Value b) {
    return arith::SelectOp::create(b_, loc_, condition, a, b);
  }
  Value add(Value a, Value b) {
    if (isa<FloatType>(a.getType()))
      return arith::AddFOp::create(b_, loc_, a, b);
    return arith::AddIOp::create(b_, loc_, a, b);
  }
  Value sub(Value a, Value b) {
    if (isa<FloatType>(a.getType()))
      return arith::SubFOp::create(b_, loc_, a, b);
    return arith::SubIOp::create(b_, loc_, a, b);
  }
  Value mul(Value a, Value b) {
    if (isa<FloatType>(a.getType()))
      return arith::MulFOp::create(b_, loc_, a, b);
    return arith::MulIOp::create(b_, loc_, a, b);
  }
  Value mulBy(double factor, Value a) {
    return mul(constant(a.getType(), factor), a);
  }
  Value divf(Value a, Value b) { return arith::DivFOp::create(b_, loc_, a, b); }

  /// Integer division and remainder give 0 for a zero divisor instead of
  /// trapping: ONNX leaves it undefined and a CPU raises SIGFPE.
  Value guardedDivide(Value a, Value b, bool isUnsigned, bool remainder) {
    Value isZero = compareWith(Relation::EQ, b, 0, isUnsigned);
    Value divisor = select(isZero, constant(b.getType(), 1), b);
    Value result;
    if (remainder)
      result = isUnsigned ? Value(arith::RemUIOp::create(b_, loc_, a, divisor))
                          : Value(arith::RemSIOp::create(b_, loc_, a, divisor));
    else
      result = isUnsigned ? Value(arith::DivUIOp::create(b_, loc_, a, divisor))
                          : Value(arith::DivSIOp::create(b_, loc_, a, divisor));
    return select(isZero, constant(a.getType(), 0), result);
  }

  /// Converts between any two scalar types with ONNX Cast's rules: floats to
  /// integers truncate toward zero, anything to bool tests for non-zero.
  Value convert(Value value, bool fromUnsigned, Type to, bool toUnsigned) {
    Type from = value.getType();
    if (from == to)
      return value;
    if (to.isInteger(1))
      return compareWith(Relation::NE, value, 0, fromUnsigned);
    auto fromFloat = dyn_cast<FloatType>(from);
    auto toFloat = dyn_cast<FloatType>(to);
    if (fromFloat && toFloat) {
      if (isHalf(from) && isHalf(to))
        value = arith::ExtFOp::create(b_, loc_, b_.getF32Type(), value);
      if (cast<FloatType>(value.getType()).getWidth() < toFloat.getWidth())
        return arith::ExtFOp::create(b_, loc_, to, value);
      return arith::TruncFOp::create(b_, loc_, to, value);
    }
    if (fromFloat)
      return toUnsigned ? Value(arith::FPToUIOp::create(b_, loc_, to, value))
                        : Value(arith::FPToSIOp::create(b_, loc_, to, value));
    bool zeroExtends = fromUnsigned || from.isInteger(1);
    if (toFloat)
      return zeroExtends ? Value(arith::UIToFPOp::create(b_, loc_, to, value))
                         : Value(arith::SIToFPOp::create(b_, loc_, to, value));
    unsigned fromWidth = from.getIntOrFloatBitWidth();
    unsigned toWidth = to.getIntOrFloatBitWidth();
    if (fromWidth < toWidth)
      return zeroExtends ? Value(arith::ExtUIOp::create(b_, loc_, to, value))
                         : Value(arith::ExtSIOp::create(b_, loc_, to, value));
    return arith::TruncIOp::create(b_, loc_, to, value);
  }

  OpBuilder &builder() { return b_; }
  Location loc() const { return loc_; }

private:
  OpBuilder &b_;
  Location loc_;
};

using Relation = ScalarBuilder::Relation;

/// The element type of operand `i` of `op` as the graph states it (with its
/// signedness).
Type graphElement(Operation *op, unsigned i) {
  return getElementTypeOrSelf(op->getOperand(i).getType());
}

FailureOr<Value> lowerArithmetic(ScalarBuilder &s, Operation *op,
                                 ArrayRef<Value> x, Type resultScalar) {
  Location loc = s.loc();
  OpBuilder &b = s.builder();
  Type type = x.front().getType();
  bool isFloat = isa<FloatType>(type);
  bool isUnsigned = graphElement(op, 0).isUnsignedInteger();
  auto floatOnly = [&](auto build) -> FailureOr<Value> {
    if (!isFloat)
      return op->emitOpError("needs a float operand");
    return Value(build());
  };
  auto math = [&](auto opTag) -> FailureOr<Value> {
    using MathOp = decltype(opTag);
    return floatOnly([&] { return MathOp::create(b, loc, x[0]); });
  };
  Value zero = s.constant(type, 0);
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](graph::AddOp) { return s.add(x[0], x[1]); })
      .Case([&](graph::SubOp) { return s.sub(x[0], x[1]); })
      .Case([&](graph::MulOp) { return s.mul(x[0], x[1]); })
      .Case([&](graph::DivOp) -> Value {
        if (isFloat)
          return s.divf(x[0], x[1]);
        return s.guardedDivide(x[0], x[1], isUnsigned, /*remainder=*/false);
      })
      .Case([&](graph::ModOp mod) -> Value {
        if (isFloat)
          return arith::RemFOp::create(b, loc, x[0], x[1]);
        Value r = s.guardedDivide(x[0], x[1], isUnsigned, /*remainder=*/true);
        if (mod.getFmod() || isUnsigned)
          return r;
        // Python-style: a non-zero remainder takes the divisor's sign.
        Value signsDiffer = s.compare(
            Relation::NE, s.compareWith(Relation::LT, r, 0, false),
            s.compareWith(Relation::LT, x[1], 0, false), false);
        Value adjust = arith::AndIOp::create(
            b, loc, s.compareWith(Relation::NE, r, 0, false), signsDiffer);
        return s.select(adjust, s.add(r, x[1]), r);
      })
      .Case([&](graph::PowOp) -> Value {
        bool exponentUnsigned = graphElement(op, 1).isUnsignedInteger();
        if (resultScalar.isF32())
          return math::PowFOp::create(
              b, loc, x[0],
              s.convert(x[1], exponentUnsigned, b.getF32Type(), false));
        // Every other type raises in double and converts back.
        Value base = s.convert(x[0], isUnsigned, b.getF64Type(), false);
        Value exponent = s.convert(x[1], exponentUnsigned, b.getF64Type(), false);
        Value power = math::PowFOp::create(b, loc, base, exponent);
        return s.convert(power, false, resultScalar, isUnsigned);
      })
      // NaN in the first operand propagates, as in onnxruntime.
      .Case([&](graph::MaxOp) {
        return s.select(s.compare(Relation::LT, x[0], x[1], isUnsigned), x[1],
                        x[0]);
      })
      .Case([&](graph::MinOp) {
        return s.select(s.compare(Relation::GT, x[0], x[1], isUnsigned), x[1],
                        x[0]);
      })
      .Case([&](graph::EqualOp) {
        return s.compare(Relation::EQ, x[0], x[1], isUnsigned);
      })
      .Case([&](graph::GreaterOp) {
        return s.compare(Relation::GT, x[0], x[1], isUnsigned);
      })
      .Case([&](graph::GreaterEqualOp) {
        return s.compare(Relation::GE, x[0], x[1], isUnsigned);
      })
      .Case([&](graph::LessOp) {
        return s.compare(Relation::LT, x[0], x[1], isUnsigned);
      })
      .Case([&](graph::LessEqualOp) {
        return s.compare(Relation::LE, x[0], x[1], isUnsigned);
      })
      .Case([&](graph::AndOp) -> Value {
        return arith::AndIOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](graph::OrOp) -> Value {
        return arith::OrIOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](graph::XorOp) -> Value {
        return arith::XOrIOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](graph::NotOp) -> Value {
        return arith::XOrIOp::create(b, loc, x[0], s.boolean(true));
      })
      .Case([&](graph::BitShiftOp shift) -> Value {
        if (shift.getShiftLeft())
          return arith::ShLIOp::create(b, loc, x[0], x[1]);
        if (isUnsigned)
          return arith::ShRUIOp::create(b, loc, x[0], x[1]);
        return arith::ShRSIOp::create(b, loc, x[0], x[1]);
      })
      // NaN passes through, as in onnxruntime.
      .Case([&](graph::ReluOp) {
        return s.select(s.compare(Relation::LT, x[0], zero, isUnsigned), zero,
                        x[0]);
      })
      .Case([&](graph::PReluOp) {
        return s.select(s.compare(Relation::LT, x[0], zero, isUnsigned),
                        s.mul(x[1], x[0]), x[0]);
      })
      .Case([&](graph::LeakyReluOp leaky) {
        return s.select(s.compare(Relation::LT, x[0], zero, isUnsigned),
                        s.mulBy(leaky.getAlpha().convertToDouble(), x[0]), x[0]);
      })
      .Case([&](graph::SigmoidOp) {
        return floatOnly([&] {
          Value one = s.constant(type, 1);
          Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x[0]));
          return s.divf(one, s.add(one, e));
        });
      })
      .Case([&](graph::TanhOp) { return math(math::TanhOp()); })
      .Case([&](graph::ErfOp) { return math(math::ErfOp()); })
      .Case([&](graph::SqrtOp) { return math(math::SqrtOp()); })
      .Case([&](graph::ExpOp) { return math(math::ExpOp()); })
      .Case([&](graph::LogOp) { return math(math::LogOp()); })
      .Case([&](graph::SinOp) { return math(math::SinOp()); })
      .Case([&](graph::CosOp) { return math(math::CosOp()); })
      .Case([&](graph::TanOp) { return math(math::TanOp()); })
      .Case([&](graph::AsinOp) { return math(math::AsinOp()); })
      .Case([&](graph::AcosOp) { return math(math::AcosOp()); })
      .Case([&](graph::AtanOp) { return math(math::AtanOp()); })
      .Case([&](graph::SinhOp) { return math(math::SinhOp()); })
      .Case([&](graph::CoshOp) { return math(math::CoshOp()); })
      .Case([&](graph::AsinhOp) { return math(math::AsinhOp()); })
      .Case([&](graph::AcoshOp) { return math(math::AcoshOp()); })
      .Case([&](graph::AtanhOp) { return math(math::AtanhOp()); })
      .Case([&](graph::CeilOp) { return math(math::CeilOp()); })
      .Case([&](graph::FloorOp) { return math(math::FloorOp()); })
      // Halves round to even.
      .Case([&](graph::RoundOp) { return math(math::RoundEvenOp()); })
      .Case([&](graph::NegOp) -> Value {
        if (isFloat)
          return arith::NegFOp::create(b, loc, x[0]);
        return s.sub(zero, x[0]);
      })
      .Case([&](graph::AbsOp) -> Value {
        if (isFloat)
          return math::AbsFOp::create(b, loc, x[0]);
        if (isUnsigned)
          return x[0];
        return math::AbsIOp::create(b, loc, x[0]);
      })
      // NaN gives 0.
      .Case([&](graph::SignOp) {
        Value positive = s.compare(Relation::GT, x[0], zero, isUnsigned);
        Value negative = s.compare(Relation::LT, x[0], zero, isUnsigned);
        return s.select(positive, s.constant(type, 1),
                        s.select(negative, s.constant(type, -1), zero));
      })
      .Case([&](graph::ReciprocalOp) {
        return floatOnly([&] { return s.divf(s.constant(type, 1), x[0]); });
      })
      // ln(1 + e^x) without overflow for large x.
      .Case([&](graph::SoftplusOp) {
        return floatOnly([&] {
          Value large = s.add(
              x[0], math::Log1pOp::create(
                        b, loc,
                        math::ExpOp::create(b, loc,
                                            arith::NegFOp::create(b, loc, x[0]))));
          Value small = math::Log1pOp::create(
              b, loc, math::ExpOp::create(b, loc, x[0]));
          return s.select(s.compare(Relation::GT, x[0], zero, false), large,
                          small);
        });
      })
      .Case([&](graph::SoftsignOp) {
        return floatOnly([&] {
          return s.divf(x[0], s.add(s.constant(type, 1),
                                    math::AbsFOp::create(b, loc, x[0])));
        });
      })
      .Case([&](graph::EluOp elu) {
        return floatOnly([&] {
          Value negative =
              s.mulBy(elu.getAlpha().convertToDouble(),
                      math::ExpM1Op::create(b, loc, x[0]));
          return s.select(s.compare(Relation::LT, x[0], zero, false), negative,
                          x[0]);
        });
      })
      .Case([&](graph::CeluOp celu) {
        return floatOnly([&] {
          double alpha = celu.getAlpha().convertToDouble();
          Value positive = s.select(s.compare(Relation::GT, x[0], zero, false),
                                    x[0], zero);
          Value scaled = s.mulBy(
              alpha, math::ExpM1Op::create(
                         b, loc, s.divf(x[0], s.constant(type, alpha))));
          Value negative = s.select(s.compare(Relation::LT, x[0], zero, false),
                                    scaled, zero);
          return s.add(positive, negative);
        });
      })
      .Case([&](graph::SeluOp selu) {
        return floatOnly([&] {
          double alpha = selu.getAlpha().convertToDouble();
          double gamma = selu.getGamma().convertToDouble();
          Value negative = s.mulBy(
              gamma, s.sub(s.mulBy(alpha, math::ExpOp::create(b, loc, x[0])),
                           s.constant(type, alpha)));
          return s.select(s.compare(Relation::LE, x[0], zero, false), negative,
                          s.mulBy(gamma, x[0]));
        });
      })
      .Case([&](graph::HardSigmoidOp hard) {
        return floatOnly([&] {
          Value v = s.add(s.mulBy(hard.getAlpha().convertToDouble(), x[0]),
                          s.constant(type, hard.getBeta().convertToDouble()));
          Value one = s.constant(type, 1);
          return s.select(s.compare(Relation::LT, v, zero, false), zero,
                          s.select(s.compare(Relation::GT, v, one, false), one, v));
        });
      })
      .Case([&](graph::ThresholdedReluOp relu) {
        return s.select(s.compareWith(Relation::GT, x[0],
                                      relu.getAlpha().convertToDouble(),
                                      isUnsigned),
                        x[0], zero);
      })
      .Case([&](graph::ShrinkOp shrink) {
        double lambda = shrink.getLambd().convertToDouble();
        Value bias = s.constant(type, shrink.getBias().convertToDouble());
        Value above = s.select(
            s.compareWith(Relation::GT, x[0], lambda, isUnsigned),
            s.sub(x[0], bias), zero);
        if (isUnsigned)
          return above;
        return s.select(s.compareWith(Relation::LT, x[0], -lambda, false),
                        s.add(x[0], bias), above);
      })
      .Case([&](graph::IsNaNOp) {
        return floatOnly([&] {
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x[0],
                                       x[0]);
        });
      })
      .Case([&](graph::IsInfOp isInf) {
        return floatOnly([&]() -> Value {
          double inf = std::numeric_limits<double>::infinity();
          Value result = s.boolean(false);
          if (isInf.getDetectPositive())
            result = s.compareWith(Relation::EQ, x[0], inf, false);
          if (isInf.getDetectNegative())
            result = arith::OrIOp::create(
                b, loc, result, s.compareWith(Relation::EQ, x[0], -inf, false));
          return result;
        });
      })
      .Case([&](graph::ClipOp clip) {
        double lo = clip.getMin().convertToDouble();
        double hi = clip.getMax().convertToDouble();
        // Integer bounds at or past the type's range clip nothing (the
        // defaults are the float limits).
        if (auto integer = dyn_cast<IntegerType>(type)) {
          unsigned width = integer.getWidth();
          double lowest = isUnsigned ? 0 : -std::ldexp(1.0, width - 1);
          double highest = std::ldexp(1.0, isUnsigned ? width : width - 1) - 1;
          if (lo <= lowest)
            lo = -std::numeric_limits<double>::infinity();
          if (hi >= highest)
            hi = std::numeric_limits<double>::infinity();
        }
        Value result = x[0];
        if (std::isfinite(hi))
          result = s.select(s.compareWith(Relation::GT, x[0], hi, isUnsigned),
                            s.constant(type, hi), result);
        if (std::isfinite(lo))
          result = s.select(s.compareWith(Relation::LT, x[0], lo, isUnsigned),
                            s.constant(type, lo), result);
        return result;
      })
      .Default([&](Operation *) -> FailureOr<Value> {
        return op->emitOpError("has no elementwise lowering");
      });
}

} // namespace

FailureOr<Value> lowerElementwiseScalar(OpBuilder &builder, Operation *op,
                                        ValueRange operands) {
  ScalarBuilder s(builder, op->getLoc());
  Type resultElement = getElementTypeOrSelf(op->getResult(0).getType());
  Type resultScalar = getScalarType(resultElement);
  if (isa<graph::ExpandOp>(op))
    return Value(operands.front());
  if (isa<graph::CastOp>(op))
    return s.convert(operands.front(), graphElement(op, 0).isUnsignedInteger(),
                     resultScalar, resultElement.isUnsignedInteger());
  if (isa<graph::WhereOp>(op))
    return s.select(operands[0], operands[1], operands[2]);

  // 16-bit floats compute in f32 and round once, at the op's result.
  SmallVector<Value> widened(operands.begin(), operands.end());
  bool widen = llvm::any_of(operands, [](Value v) { return isHalf(v.getType()); });
  if (widen)
    for (Value &value : widened)
      if (isHalf(value.getType()))
        value = arith::ExtFOp::create(builder, op->getLoc(),
                                      builder.getF32Type(), value);
  Type computeScalar =
      widen && isHalf(resultScalar) ? builder.getF32Type() : resultScalar;
  FailureOr<Value> result = lowerArithmetic(s, op, widened, computeScalar);
  if (failed(result))
    return failure();
  if (result->getType() != resultScalar)
    return s.convert(*result, false, resultScalar,
                     resultElement.isUnsignedInteger());
  return result;
}

} // namespace mlir::modelc::kernel
