//===- ScalarExpression.cpp - One loop-body op as a C expression ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ScalarExpression.h"

#include "CSyntax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace modelc::codegen {

static bool isHalf(Type type) { return type.isF16() || type.isBF16(); }

std::string scalarTypeName(Type type, const ScalarSpelling &spelling) {
  if (type.isIndex())
    return "int64_t";
  if (isHalf(type) && spelling.halfInFloatRegisters)
    return "float";
  if (auto integer = dyn_cast<IntegerType>(type); integer && integer.isSignless() &&
                                                  integer.getWidth() > 1)
    return cElementType(IntegerType::get(type.getContext(), integer.getWidth(),
                                         IntegerType::Signed));
  return cElementType(type);
}

static llvm::Error scalarError(Operation *op, const ScalarSpelling &spelling,
                               const llvm::Twine &message) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  std::string where = names.empty() ? op->getName().getStringRef().str()
                                    : "node '" + names.front() + "'";
  return llvm::createStringError(where + ": " + message + " (" +
                                 spelling.targetName + " target)");
}

/// The unsigned C type of an integer's width, for the ops that read their
/// signless operands as unsigned.
static std::string unsignedName(Type type) {
  if (type.isInteger(1))
    return "uint8_t";
  return "uint" + std::to_string(type.getIntOrFloatBitWidth()) + "_t";
}

static const char *comparison(arith::CmpFPredicate predicate) {
  switch (predicate) {
  case arith::CmpFPredicate::OEQ: return "==";
  case arith::CmpFPredicate::UNE: return "!=";
  case arith::CmpFPredicate::OLT: return "<";
  case arith::CmpFPredicate::OLE: return "<=";
  case arith::CmpFPredicate::OGT: return ">";
  case arith::CmpFPredicate::OGE: return ">=";
  default: return nullptr;
  }
}

llvm::Expected<std::string>
scalarExpression(Operation *op, llvm::function_ref<std::string(unsigned)> operand,
                 const ScalarSpelling &spelling, bool &usesHalfConversions) {
  Type resultType = op->getNumResults() ? op->getResult(0).getType() : Type();
  std::string resultName = resultType ? scalarTypeName(resultType, spelling) : "";
  bool cuda = spelling.halfInFloatRegisters;
  auto cast = [&](const std::string &value) {
    return "(" + resultName + ")" + value;
  };
  auto asUnsigned = [&](unsigned i) {
    return "(" + unsignedName(op->getOperand(i).getType()) + ")" + operand(i);
  };
  auto binary = [&](const char *symbol) {
    return operand(0) + " " + symbol + " " + operand(1);
  };
  /// A float operand as a float or double value (16-bit patterns widened).
  auto floatValue = [&](unsigned i) -> std::string {
    Type type = op->getOperand(i).getType();
    if (!isHalf(type) || cuda)
      return operand(i);
    usesHalfConversions = true;
    return (type.isF16() ? "mk_f16_to_f32(" : "mk_bf16_to_f32(") + operand(i) +
           ")";
  };
  /// `value` (a float, double or integer expression) in the result's float
  /// type, rounding to 16 bits where the result is half.
  auto toFloatResult = [&](const std::string &value) -> std::string {
    if (!isHalf(resultType))
      return cast(value);
    if (cuda)
      return resultType.isF16()
                 ? "__half2float(__float2half_rn((float)" + value + "))"
                 : "__bfloat162float(__float2bfloat16_rn((float)" + value + "))";
    usesHalfConversions = true;
    return (resultType.isF16() ? "mk_f32_to_f16((float)" : "mk_f32_to_bf16((float)") +
           value + ")";
  };
  auto math = [&](llvm::StringRef fn) -> llvm::Expected<std::string> {
    if (!resultType.isF32() && !resultType.isF64())
      return scalarError(op, spelling, "math on this type is not supported");
    std::string args;
    for (unsigned i = 0; i < op->getNumOperands(); ++i)
      args += (i ? ", " : "") + operand(i);
    return (fn + (resultType.isF32() ? "f" : "") + "(" + args + ")").str();
  };
  if (resultType && resultName.empty())
    return scalarError(op, spelling, "element type not supported");

  return llvm::TypeSwitch<Operation *, llvm::Expected<std::string>>(op)
      .Case([&](arith::ConstantOp constant) -> llvm::Expected<std::string> {
        if (auto value = dyn_cast<FloatAttr>(constant.getValue())) {
          if (isHalf(resultType) && !cuda) {
            uint64_t bits = value.getValue().bitcastToAPInt().getZExtValue();
            std::string text;
            llvm::raw_string_ostream os(text);
            os << "UINT16_C(" << llvm::format_hex(bits, 6) << ")";
            return text;
          }
          Type literalType =
              isHalf(resultType) ? Type(Float32Type::get(op->getContext()))
                                 : resultType;
          return cLiteral(literalType, value.getValueAsDouble());
        }
        if (auto value = dyn_cast<IntegerAttr>(constant.getValue())) {
          if (resultType.isInteger(1))
            return std::string(value.getValue().isZero() ? "0" : "1");
          int64_t number = value.getValue().getSExtValue();
          if (number >= INT32_MIN && number <= INT32_MAX)
            return std::to_string(number);
          return cast(number == INT64_MIN ? "INT64_MIN"
                                          : "INT64_C(" + std::to_string(number) + ")");
        }
        return scalarError(op, spelling, "constant not supported");
      })
      .Case<arith::AddFOp, arith::AddIOp>([&](auto) { return binary("+"); })
      .Case<arith::SubFOp, arith::SubIOp>([&](auto) { return binary("-"); })
      .Case<arith::MulFOp, arith::MulIOp>([&](auto) { return binary("*"); })
      .Case<arith::DivFOp, arith::DivSIOp>([&](auto) { return binary("/"); })
      .Case([&](arith::RemSIOp) { return binary("%"); })
      .Case([&](arith::DivUIOp) {
        return cast("(" + asUnsigned(0) + " / " + asUnsigned(1) + ")");
      })
      .Case([&](arith::RemUIOp) {
        return cast("(" + asUnsigned(0) + " % " + asUnsigned(1) + ")");
      })
      .Case([&](arith::RemFOp) { return math("fmod"); })
      .Case([&](arith::NegFOp) { return "-" + operand(0); })
      .Case([&](arith::AndIOp) { return binary("&"); })
      .Case([&](arith::OrIOp) { return binary("|"); })
      .Case([&](arith::XOrIOp) { return binary("^"); })
      // Shifts go through unsigned values: shifting a negative is undefined.
      .Case([&](arith::ShLIOp) {
        return cast("(" + asUnsigned(0) + " << " + operand(1) + ")");
      })
      .Case([&](arith::ShRUIOp) {
        return cast("(" + asUnsigned(0) + " >> " + operand(1) + ")");
      })
      .Case([&](arith::ShRSIOp) { return binary(">>"); })
      .Case([&](arith::CmpFOp compare) -> llvm::Expected<std::string> {
        if (compare.getPredicate() == arith::CmpFPredicate::UNO)
          return "(uint8_t)(" + operand(0) + " != " + operand(0) + " || " +
                 operand(1) + " != " + operand(1) + ")";
        const char *symbol = comparison(compare.getPredicate());
        if (!symbol)
          return scalarError(op, spelling, "float comparison not supported");
        return "(uint8_t)(" + floatValue(0) + " " + symbol + " " +
               floatValue(1) + ")";
      })
      .Case([&](arith::CmpIOp compare) -> llvm::Expected<std::string> {
        using P = arith::CmpIPredicate;
        P predicate = compare.getPredicate();
        bool isUnsigned = predicate == P::ult || predicate == P::ule ||
                          predicate == P::ugt || predicate == P::uge;
        const char *symbol = predicate == P::eq    ? "=="
                             : predicate == P::ne  ? "!="
                             : predicate == P::slt || predicate == P::ult ? "<"
                             : predicate == P::sle || predicate == P::ule ? "<="
                             : predicate == P::sgt || predicate == P::ugt ? ">"
                                                                          : ">=";
        std::string a = isUnsigned ? asUnsigned(0) : operand(0);
        std::string b = isUnsigned ? asUnsigned(1) : operand(1);
        return "(uint8_t)(" + a + " " + symbol + " " + b + ")";
      })
      .Case([&](arith::SelectOp) {
        return operand(0) + " ? " + operand(1) + " : " + operand(2);
      })
      .Case<arith::ExtFOp, arith::TruncFOp>(
          [&](auto) { return toFloatResult(floatValue(0)); })
      .Case([&](arith::SIToFPOp) { return toFloatResult(operand(0)); })
      .Case([&](arith::UIToFPOp) { return toFloatResult(asUnsigned(0)); })
      .Case([&](arith::FPToSIOp) { return cast(floatValue(0)); })
      .Case([&](arith::FPToUIOp) {
        return cast("(" + unsignedName(resultType) + ")" + floatValue(0));
      })
      .Case([&](arith::ExtSIOp) { return cast(operand(0)); })
      // Truncation keeps the low bits; a C conversion to bool instead tests
      // for non-zero, so i1 takes the low bit explicitly.
      .Case([&](arith::TruncIOp) {
        return resultType.isInteger(1) ? cast("(" + operand(0) + " & 1)")
                                       : cast(operand(0));
      })
      .Case([&](arith::ExtUIOp) { return cast(asUnsigned(0)); })
      .Case([&](UnrealizedConversionCastOp) { return cast(operand(0)); })
      .Case<arith::IndexCastOp, arith::IndexCastUIOp>(
          [&](auto) { return cast(operand(0)); })
      .Case([&](linalg::IndexOp index) -> llvm::Expected<std::string> {
        if (!spelling.loopIndex)
          return scalarError(op, spelling, "loop indices are not available");
        return spelling.loopIndex(index.getDim());
      })
      .Case([&](tensor::ExtractOp extract) -> llvm::Expected<std::string> {
        auto type = extract.getTensor().getType();
        if (!spelling.loadElement || !type.hasStaticShape())
          return scalarError(op, spelling, "tensor.extract is not available");
        std::vector<int64_t> strides = contiguousStrides(type.getShape());
        std::string offset;
        for (auto [k, stride] : llvm::enumerate(strides)) {
          if (type.getDimSize(k) == 1)
            continue;
          std::string term = operand(1 + k);
          bool simple = llvm::all_of(term, [](char c) {
            return llvm::isAlnum(c) || c == '_';
          });
          if (stride != 1)
            term = (simple ? term : "(" + term + ")") + " * " +
                   std::to_string(stride);
          offset += (offset.empty() ? "" : " + ") + term;
        }
        return spelling.loadElement(extract.getTensor(),
                                    offset.empty() ? "0" : offset);
      })
      .Case([&](math::AbsFOp) { return math("fabs"); })
      .Case([&](math::AbsIOp) {
        return operand(0) + " < 0 ? -" + operand(0) + " : " + operand(0);
      })
      .Case([&](math::SqrtOp) { return math("sqrt"); })
      .Case([&](math::ExpOp) -> llvm::Expected<std::string> {
        if (resultType.isF32())
          return spelling.expF32 + "(" + operand(0) + ")";
        return math("exp");
      })
      .Case([&](math::ExpM1Op) { return math("expm1"); })
      .Case([&](math::LogOp) { return math("log"); })
      .Case([&](math::Log1pOp) { return math("log1p"); })
      .Case([&](math::TanhOp) { return math("tanh"); })
      .Case([&](math::ErfOp) -> llvm::Expected<std::string> {
        if (resultType.isF32())
          return spelling.erfF32 + "(" + operand(0) + ")";
        return math("erf");
      })
      .Case([&](math::SinOp) { return math("sin"); })
      .Case([&](math::CosOp) { return math("cos"); })
      .Case([&](math::TanOp) { return math("tan"); })
      .Case([&](math::AsinOp) { return math("asin"); })
      .Case([&](math::AcosOp) { return math("acos"); })
      .Case([&](math::AtanOp) { return math("atan"); })
      .Case([&](math::SinhOp) { return math("sinh"); })
      .Case([&](math::CoshOp) { return math("cosh"); })
      .Case([&](math::AsinhOp) { return math("asinh"); })
      .Case([&](math::AcoshOp) { return math("acosh"); })
      .Case([&](math::AtanhOp) { return math("atanh"); })
      .Case([&](math::CeilOp) { return math("ceil"); })
      .Case([&](math::FloorOp) { return math("floor"); })
      // rint rounds halves to even in the default rounding mode.
      .Case([&](math::RoundEvenOp) { return math("rint"); })
      .Case([&](math::PowFOp) { return math("pow"); })
      .Default([&](Operation *) -> llvm::Expected<std::string> {
        return scalarError(op, spelling,
                           "'" + op->getName().getStringRef() +
                               "' is not in the loop-body vocabulary");
      });
}

} // namespace modelc::codegen
