//===- ScalarExpression.cpp - One element of an elementwise op in C -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ScalarExpression.h"

#include "CSyntax.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

static bool isHalfType(Type type) {
  Type element = getElementTypeOrSelf(type);
  return element.isF16() || element.isBF16();
}

static llvm::Error scalarError(Operation *op, const ScalarSpelling &spelling,
                               const llvm::Twine &message) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  std::string where = names.empty() ? op->getName().getStringRef().str()
                                    : "node '" + names.front() + "'";
  return llvm::createStringError(where + ": " + message + " (" +
                                 spelling.targetName + " target)");
}

llvm::Expected<std::string>
scalarExpression(Operation *op, llvm::function_ref<std::string(unsigned)> operand,
                 const ScalarSpelling &spelling, bool &usesHalfConversions) {
  if (!spelling.halfInFloatRegisters && !isa<graph::CastOp, graph::ExpandOp>(op) &&
      (llvm::any_of(op->getOperandTypes(), isHalfType) ||
       llvm::any_of(op->getResultTypes(), isHalfType)))
    return scalarError(op, spelling, "16-bit float arithmetic is not supported; "
                                     "cast to float first");
  Type resultElement = getElementTypeOrSelf(op->getResult(0).getType());
  // The type scalars of the result live in: 16-bit floats are float
  // registers where the target computes in them.
  Type registerElement =
      spelling.halfInFloatRegisters && isHalfType(resultElement)
          ? Type(Float32Type::get(op->getContext()))
          : resultElement;
  std::string valueType = cElementType(registerElement);
  bool isFloat = isa<FloatType>(resultElement);
  bool single = registerElement.isF32();
  auto math = [&](llvm::StringRef fn) {
    return (fn + (single ? "f" : "") + "(" + operand(0) + ")").str();
  };
  auto literal = [&](llvm::APFloat value) {
    return cLiteral(registerElement, value.convertToDouble());
  };
  return llvm::TypeSwitch<Operation *, llvm::Expected<std::string>>(op)
      .Case([&](graph::AddOp) { return operand(0) + " + " + operand(1); })
      .Case([&](graph::SubOp) { return operand(0) + " - " + operand(1); })
      .Case([&](graph::MulOp) { return operand(0) + " * " + operand(1); })
      .Case([&](graph::DivOp) -> std::string {
        if (isFloat)
          return operand(0) + " / " + operand(1);
        // ONNX leaves integer division by zero undefined; generated code
        // must not trap on it (a CPU raises SIGFPE), so it gives 0.
        return "(" + operand(1) + " == 0 ? (" + valueType + ")0 : (" +
               valueType + ")(" + operand(0) + " / " + operand(1) + "))";
      })
      .Case([&](graph::PowOp) -> llvm::Expected<std::string> {
        if (single)
          return "powf(" + operand(0) + ", (float)" + operand(1) + ")";
        return "(" + valueType + ")pow((double)" + operand(0) + ", (double)" +
               operand(1) + ")";
      })
      .Case([&](graph::MaxOp) {
        // NaN in the first operand (the clipped value) propagates.
        return operand(0) + " < " + operand(1) + " ? " + operand(1) + " : " +
               operand(0);
      })
      .Case([&](graph::MinOp) {
        return operand(0) + " > " + operand(1) + " ? " + operand(1) + " : " +
               operand(0);
      })
      .Case([&](graph::EqualOp) {
        return "(uint8_t)(" + operand(0) + " == " + operand(1) + ")";
      })
      .Case([&](graph::WhereOp) {
        return operand(0) + " ? " + operand(1) + " : " + operand(2);
      })
      .Case([&](graph::ReluOp) -> llvm::Expected<std::string> {
        // NaN passes through, as in onnxruntime.
        return operand(0) + " < " + cLiteral(registerElement, 0) + " ? " +
               cLiteral(registerElement, 0) + " : " + operand(0);
      })
      .Case([&](graph::SigmoidOp) -> llvm::Expected<std::string> {
        if (!isFloat)
          return scalarError(op, spelling, "sigmoid of integers");
        return cLiteral(registerElement, 1) + " / (" + cLiteral(registerElement, 1) +
               " + " + (single ? "expf(-" : "exp(-") + operand(0) + "))";
      })
      .Case([&](graph::TanhOp) { return math("tanh"); })
      .Case([&](graph::ErfOp) { return math("erf"); })
      .Case([&](graph::SqrtOp) { return math("sqrt"); })
      .Case([&](graph::ExpOp) { return math("exp"); })
      .Case([&](graph::NegOp) { return "-" + operand(0); })
      .Case([&](graph::AbsOp) -> std::string {
        if (isFloat)
          return math("fabs");
        return operand(0) + " < 0 ? -" + operand(0) + " : " + operand(0);
      })
      .Case([&](graph::CeilOp) { return math("ceil"); })
      .Case([&](graph::FloorOp) { return math("floor"); })
      // Round halves to even: the default rounding mode of rint.
      .Case([&](graph::RoundOp) { return math("rint"); })
      .Case([&](graph::SignOp) {
        return "(" + valueType + ")((" + operand(0) +
               " > 0) - (" + operand(0) + " < 0))";
      })
      .Case([&](graph::ReciprocalOp) {
        return cLiteral(registerElement, 1) + " / " + operand(0);
      })
      .Case([&](graph::LogOp) { return math("log"); })
      .Case([&](graph::SinOp) { return math("sin"); })
      .Case([&](graph::CosOp) { return math("cos"); })
      .Case([&](graph::TanOp) { return math("tan"); })
      .Case([&](graph::AsinOp) { return math("asin"); })
      .Case([&](graph::AcosOp) { return math("acos"); })
      .Case([&](graph::AtanOp) { return math("atan"); })
      .Case([&](graph::SinhOp) { return math("sinh"); })
      .Case([&](graph::CoshOp) { return math("cosh"); })
      .Case([&](graph::AsinhOp) { return math("asinh"); })
      .Case([&](graph::AcoshOp) { return math("acosh"); })
      .Case([&](graph::AtanhOp) { return math("atanh"); })
      .Case([&](graph::SoftplusOp) {
        // ln(1 + e^x) without overflow for large x.
        std::string x = operand(0), f = single ? "f" : "";
        return x + " > 0 ? " + x + " + log1p" + f + "(exp" + f + "(-" + x +
               ")) : log1p" + f + "(exp" + f + "(" + x + "))";
      })
      .Case([&](graph::SoftsignOp) {
        return operand(0) + " / (" + cLiteral(registerElement, 1) + " + " +
               math("fabs") + ")";
      })
      .Case([&](graph::NotOp) { return "(uint8_t)!" + operand(0); })
      .Case([&](graph::LeakyReluOp op) {
        return operand(0) + " < 0 ? " + literal(op.getAlpha()) + " * " +
               operand(0) + " : " + operand(0);
      })
      .Case([&](graph::EluOp op) {
        return operand(0) + " < 0 ? " + literal(op.getAlpha()) + " * " +
               math("expm1") + " : " + operand(0);
      })
      .Case([&](graph::CeluOp op) {
        std::string x = operand(0), a = literal(op.getAlpha());
        std::string f = single ? "f" : "";
        return "(" + x + " > 0 ? " + x + " : 0) + (" + x + " < 0 ? " + a +
               " * expm1" + f + "(" + x + " / " + a + ") : 0)";
      })
      .Case([&](graph::SeluOp op) {
        std::string x = operand(0), a = literal(op.getAlpha()),
                    g = literal(op.getGamma());
        return x + " <= 0 ? " + g + " * (" + a + " * " + math("exp") +
               " - " + a + ") : " + g + " * " + x;
      })
      .Case([&](graph::HardSigmoidOp op) {
        std::string v = literal(op.getAlpha()) + " * " + operand(0) + " + " +
                        literal(op.getBeta());
        std::string zero = cLiteral(registerElement, 0),
                    one = cLiteral(registerElement, 1);
        return "(" + v + ") < " + zero + " ? " + zero + " : ((" + v + ") > " +
               one + " ? " + one + " : (" + v + "))";
      })
      .Case([&](graph::ThresholdedReluOp op) {
        return operand(0) + " > " + literal(op.getAlpha()) + " ? " +
               operand(0) + " : " + cLiteral(registerElement, 0);
      })
      .Case([&](graph::ShrinkOp op) {
        std::string x = operand(0), l = literal(op.getLambd()),
                    b = literal(op.getBias());
        return "(" + valueType + ")(" + x + " < -" + l +
               " ? " + x + " + " + b + " : (" + x + " > " + l + " ? " + x +
               " - " + b + " : 0))";
      })
      .Case([&](graph::IsNaNOp) {
        return "(uint8_t)(" + operand(0) + " != " + operand(0) + ")";
      })
      .Case([&](graph::IsInfOp op) {
        std::string x = operand(0);
        std::string positive = op.getDetectPositive() ? x + " == HUGE_VAL" : "0";
        std::string negative = op.getDetectNegative() ? x + " == -HUGE_VAL" : "0";
        return "(uint8_t)(" + positive + " || " + negative + ")";
      })
      .Case([&](graph::PReluOp) {
        return operand(0) + " < 0 ? " + operand(1) + " * " + operand(0) +
               " : " + operand(0);
      })
      .Case([&](graph::AndOp) {
        return "(uint8_t)(" + operand(0) + " && " + operand(1) + ")";
      })
      .Case([&](graph::OrOp) {
        return "(uint8_t)(" + operand(0) + " || " + operand(1) + ")";
      })
      .Case([&](graph::XorOp) {
        return "(uint8_t)((" + operand(0) + " != 0) != (" + operand(1) +
               " != 0))";
      })
      .Case([&](graph::GreaterOp) {
        return "(uint8_t)(" + operand(0) + " > " + operand(1) + ")";
      })
      .Case([&](graph::GreaterEqualOp) {
        return "(uint8_t)(" + operand(0) + " >= " + operand(1) + ")";
      })
      .Case([&](graph::LessOp) {
        return "(uint8_t)(" + operand(0) + " < " + operand(1) + ")";
      })
      .Case([&](graph::LessEqualOp) {
        return "(uint8_t)(" + operand(0) + " <= " + operand(1) + ")";
      })
      .Case([&](graph::ModOp op) -> std::string {
        std::string a = operand(0), b = operand(1);
        if (isFloat)
          return (single ? "fmodf(" : "fmod(") + a + ", " + b + ")";
        // A zero divisor gives 0 instead of a trap, as for Div.
        std::string r = "(" + b + " == 0 ? 0 : " + a + " % " + b + ")";
        if (op.getFmod())
          return "(" + valueType + ")" + r;
        // Python-style: the remainder takes the divisor's sign.
        return "(" + valueType + ")(" + r + " != 0 && ((" + r + " < 0) != (" +
               b + " < 0)) ? " + r + " + " + b + " : " + r + ")";
      })
      .Case([&](graph::BitShiftOp op) {
        return "(" + valueType + ")(" + operand(0) +
               (op.getShiftLeft() ? " << " : " >> ") + operand(1) + ")";
      })
      .Case([&](graph::ClipOp clip) -> llvm::Expected<std::string> {
        double lo = clip.getMin().convertToDouble();
        double hi = clip.getMax().convertToDouble();
        std::string x = operand(0), expr = x;
        if (std::isfinite(hi))
          expr = x + " > " + cLiteral(registerElement, hi) + " ? " +
                 cLiteral(registerElement, hi) + " : " + expr;
        if (std::isfinite(lo))
          expr = x + " < " + cLiteral(registerElement, lo) + " ? " +
                 cLiteral(registerElement, lo) + " : (" + expr + ")";
        return expr;
      })
      .Case([&](graph::CastOp cast) -> llvm::Expected<std::string> {
        Type from = cast.getInput().getType().getElementType();
        std::string value = operand(0);
        if (spelling.halfInFloatRegisters) {
          // Already a float; a cast to a 16-bit float rounds to its grid.
          if (resultElement.isF16())
            return "__half2float(__float2half_rn((float)" + value + "))";
          if (resultElement.isBF16())
            return "__bfloat162float(__float2bfloat16_rn((float)" + value +
                   "))";
        } else {
          // 16-bit floats are bit patterns that convert through float.
          if (from.isF16() || from.isBF16()) {
            usesHalfConversions = true;
            value = (from.isF16() ? "mk_f16_to_f32(" : "mk_bf16_to_f32(") +
                    value + ")";
          }
          if (resultElement.isF16() || resultElement.isBF16()) {
            usesHalfConversions = true;
            return (resultElement.isF16() ? "mk_f32_to_f16((float)"
                                          : "mk_f32_to_bf16((float)") +
                   value + ")";
          }
        }
        if (resultElement.isInteger(1))
          return "(uint8_t)(" + value + " != 0)";
        return "(" + valueType + ")" + value;
      })
      .Case([&](graph::ExpandOp) { return operand(0); })
      .Default([&](Operation *) -> llvm::Expected<std::string> {
        return scalarError(op, spelling, "op not supported in elementwise code");
      });
}


} // namespace modelc::codegen
