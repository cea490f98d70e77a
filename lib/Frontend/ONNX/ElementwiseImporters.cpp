//===- ElementwiseImporters.cpp - Elementwise ONNX ops --------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Arithmetic, comparisons, logic, activations, Clip, Cast and Where, and
// the pass-through ops Identity and Dropout: one graph op per node, with
// operands broadcast (numpy style, or legacy before opset 7).
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

template <typename OpTy>
llvm::Error importUnary(NodeContext &ctx) {
  ctx.setResult(0, ctx.create<OpTy>(ctx.input(0)));
  return llvm::Error::success();
}

/// Before opset 7, a binary op broadcasts only with `broadcast=1`, aligning
/// the right operand at `axis` (by default, at the end, as numpy does).
Value legacyBroadcastOperand(NodeContext &ctx, Value lhs, Value rhs) {
  if (ctx.opset() >= 7 || ctx.intAttr("broadcast", 0) == 0 ||
      !ctx.attribute("axis"))
    return rhs;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t axis = ctx.intAttr("axis", 0);
  if (axis < 0)
    axis += lhsType.getRank();
  SmallVector<int64_t> shape(rhsType.getShape());
  for (int64_t d = axis + rhsType.getRank(); d < lhsType.getRank(); ++d)
    shape.push_back(1);
  return reshapeTo(ctx, rhs, shape);
}

template <typename OpTy>
llvm::Error importBinary(NodeContext &ctx) {
  Value lhs = ctx.input(0);
  Value rhs = legacyBroadcastOperand(ctx, lhs, ctx.input(1));
  if constexpr (std::is_same_v<OpTy, graph::PReluOp>) {
    // Before opset 7 a 1-D slope is per channel, whatever the rank.
    auto slope = cast<RankedTensorType>(rhs.getType());
    RankedTensorType x = ctx.inputType(0);
    if (ctx.opset() < 7 && slope.getRank() == 1 && x.getRank() > 2 &&
        slope.getDimSize(0) == x.getDimSize(1)) {
      SmallVector<int64_t> shape(x.getRank() - 1, 1);
      shape[0] = slope.getDimSize(0);
      rhs = reshapeTo(ctx, rhs, shape);
    }
  }
  if (!graph::broadcastShapes(cast<RankedTensorType>(lhs.getType()).getShape(),
                              cast<RankedTensorType>(rhs.getType()).getShape()))
    return ctx.error("operand shapes do not broadcast");
  if constexpr (std::is_same_v<OpTy, graph::PReluOp>) {
    // A per-channel slope of an NCHW input whose width is 1, as older
    // exporters write it: numpy broadcasting would give a larger result than
    // the input. Where the width equals the slope, numpy's rule holds.
    auto slope = cast<RankedTensorType>(rhs.getType());
    RankedTensorType x = ctx.inputType(0);
    if (slope.getRank() == 1 && x.getRank() > 2 && slope.getDimSize(0) > 1 &&
        slope.getDimSize(0) == x.getDimSize(1) &&
        x.getDimSize(x.getRank() - 1) != slope.getDimSize(0)) {
      SmallVector<int64_t> shape(x.getRank() - 1, 1);
      shape[0] = slope.getDimSize(0);
      rhs = reshapeTo(ctx, rhs, shape);
    }
  }
  if (!std::is_same_v<OpTy, graph::PowOp> &&
      ctx.inputType(0).getElementType() != ctx.inputType(1).getElementType())
    return ctx.error("operands have different element types");
  ctx.setResult(0, ctx.create<OpTy>(lhs, rhs));
  return llvm::Error::success();
}

/// Max and Min fold any number of operands pairwise, left to right.
template <typename OpTy>
llvm::Error importVariadic(NodeContext &ctx) {
  Value result;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    Value operand = ctx.input(i);
    if (!operand)
      continue;
    if (!result) {
      result = operand;
      continue;
    }
    auto lhs = cast<RankedTensorType>(result.getType());
    auto rhs = cast<RankedTensorType>(operand.getType());
    if (!graph::broadcastShapes(lhs.getShape(), rhs.getShape()) ||
        lhs.getElementType() != rhs.getElementType())
      return ctx.error("operands do not broadcast or differ in element type");
    result = ctx.create<OpTy>(result, operand);
  }
  if (!result)
    return ctx.error("expected at least one operand");
  ctx.setResult(0, result);
  return llvm::Error::success();
}

llvm::Error importClip(NodeContext &ctx) {
  Type elementType = ctx.inputType(0).getElementType();
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  Value x = ctx.input(0);
  if (ctx.opset() < 11) {
    lo = ctx.floatAttr("min", -std::numeric_limits<float>::max());
    hi = ctx.floatAttr("max", std::numeric_limits<float>::max());
  } else {
    // Constant bounds become attributes; bounds computed at run time become
    // max/min ops (NaN in x stays NaN either way).
    for (size_t i : {1, 2}) {
      Value bound = ctx.input(i);
      if (!bound)
        continue;
      ElementsAttr attr;
      if (matchPattern(bound, m_Constant(&attr))) {
        (i == 1 ? lo : hi) = graph::readConstantAsDoubles(attr).front();
        continue;
      }
      if (i == 1)
        x = ctx.create<graph::MaxOp>(x, bound);
      else
        x = ctx.create<graph::MinOp>(x, bound);
    }
  }
  if (!isa<FloatType>(elementType)) {
    // Integer clips: bounds stay within int64 range.
    lo = std::max(lo, -9.2e18);
    hi = std::min(hi, 9.2e18);
  }
  ctx.setResult(0, ctx.create<graph::ClipOp>(x, ctx.builder().getF64FloatAttr(lo),
                                             ctx.builder().getF64FloatAttr(hi)));
  return llvm::Error::success();
}

llvm::Error importCast(NodeContext &ctx) {
  Type to = convertDataType(*ctx.builder().getContext(), ctx.intAttr("to", 0));
  if (!to)
    return ctx.error("unsupported target type " +
                     llvm::Twine(ctx.intAttr("to", 0)));
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), to);
  ctx.setResult(0, ctx.create<graph::CastOp>(type, ctx.input(0)));
  return llvm::Error::success();
}

llvm::Error importWhere(NodeContext &ctx) {
  if (ctx.inputType(1).getElementType() != ctx.inputType(2).getElementType())
    return ctx.error("value operands have different element types");
  auto shape = graph::broadcastShapes(ctx.inputType(1).getShape(),
                                      ctx.inputType(2).getShape());
  if (!shape || !graph::broadcastShapes(ctx.inputType(0).getShape(), *shape))
    return ctx.error("operand shapes do not broadcast");
  ctx.setResult(0, ctx.create<graph::WhereOp>(ctx.input(0), ctx.input(1),
                                              ctx.input(2)));
  return llvm::Error::success();
}

/// An activation whose attributes default as ONNX says.
template <typename OpTy>
llvm::Error importActivation(NodeContext &ctx,
                             ArrayRef<std::pair<llvm::StringRef, float>> params) {
  SmallVector<Attribute> values;
  for (auto [name, fallback] : params)
    values.push_back(ctx.builder().getF64FloatAttr(ctx.floatAttr(name, fallback)));
  Value x = ctx.input(0);
  if constexpr (std::is_same_v<OpTy, graph::SeluOp> ||
                std::is_same_v<OpTy, graph::HardSigmoidOp> ||
                std::is_same_v<OpTy, graph::ShrinkOp>)
    ctx.setResult(0, ctx.create<OpTy>(x, cast<FloatAttr>(values[0]),
                                      cast<FloatAttr>(values[1])));
  else
    ctx.setResult(0, ctx.create<OpTy>(x, cast<FloatAttr>(values[0])));
  return llvm::Error::success();
}

llvm::Error importLeakyRelu(NodeContext &ctx) {
  return importActivation<graph::LeakyReluOp>(ctx, {{"alpha", 0.01f}});
}
llvm::Error importElu(NodeContext &ctx) {
  return importActivation<graph::EluOp>(ctx, {{"alpha", 1.0f}});
}
llvm::Error importCelu(NodeContext &ctx) {
  return importActivation<graph::CeluOp>(ctx, {{"alpha", 1.0f}});
}
llvm::Error importSelu(NodeContext &ctx) {
  return importActivation<graph::SeluOp>(
      ctx, {{"alpha", 1.67326319217681884765625f},
            {"gamma", 1.05070102214813232421875f}});
}
llvm::Error importHardSigmoid(NodeContext &ctx) {
  return importActivation<graph::HardSigmoidOp>(ctx,
                                                {{"alpha", 0.2f}, {"beta", 0.5f}});
}
llvm::Error importThresholdedRelu(NodeContext &ctx) {
  return importActivation<graph::ThresholdedReluOp>(ctx, {{"alpha", 1.0f}});
}
llvm::Error importShrink(NodeContext &ctx) {
  return importActivation<graph::ShrinkOp>(ctx, {{"bias", 0.0f}, {"lambd", 0.5f}});
}

/// HardSwish(x) = x * HardSigmoid(x) with alpha 1/6 and beta 1/2.
llvm::Error importHardSwish(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Value gate = ctx.create<graph::HardSigmoidOp>(
      ctx.input(0), b.getF64FloatAttr(1.0f / 6.0f), b.getF64FloatAttr(0.5));
  ctx.setResult(0, ctx.create<graph::MulOp>(ctx.input(0), gate));
  return llvm::Error::success();
}

/// IsNaN and IsInf answer with booleans of the input's shape.
template <typename OpTy, typename... Attrs>
llvm::Error importPredicate(NodeContext &ctx, Attrs... attrs) {
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(),
                                    ctx.builder().getI1Type());
  ctx.setResult(0, ctx.create<OpTy>(type, ctx.input(0), attrs...));
  return llvm::Error::success();
}

llvm::Error importIsNaN(NodeContext &ctx) {
  return importPredicate<graph::IsNaNOp>(ctx);
}

llvm::Error importIsInf(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  return importPredicate<graph::IsInfOp>(
      ctx, b.getBoolAttr(ctx.intAttr("detect_positive", 1) != 0),
      b.getBoolAttr(ctx.intAttr("detect_negative", 1) != 0));
}

llvm::Error importMod(NodeContext &ctx) {
  bool fmod = ctx.intAttr("fmod", 0) != 0;
  if (isa<FloatType>(ctx.inputType(0).getElementType()) && !fmod)
    return ctx.error("floating-point Mod requires fmod=1");
  if (!graph::broadcastShapes(ctx.inputType(0).getShape(),
                              ctx.inputType(1).getShape()))
    return ctx.error("operand shapes do not broadcast");
  ctx.setResult(0, ctx.create<graph::ModOp>(ctx.input(0), ctx.input(1),
                                            ctx.builder().getBoolAttr(fmod)));
  return llvm::Error::success();
}

llvm::Error importBitShift(NodeContext &ctx) {
  std::string direction = ctx.stringAttr("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return ctx.error("direction must be LEFT or RIGHT");
  ctx.setResult(0, ctx.create<graph::BitShiftOp>(
                       ctx.input(0), ctx.input(1),
                       ctx.builder().getBoolAttr(direction == "LEFT")));
  return llvm::Error::success();
}

/// Sum and Mean: a chain of adds, divided by the count for Mean.
llvm::Error importSumOrMean(NodeContext &ctx, bool mean) {
  if (llvm::Error err = importVariadic<graph::AddOp>(ctx))
    return err;
  if (mean && ctx.numInputs() > 1)
    ctx.setResult(0, ctx.create<graph::DivOp>(
                         ctx.results()[0],
                         scalarConstant(ctx, ctx.inputType(0).getElementType(),
                                        static_cast<double>(ctx.numInputs()))));
  return llvm::Error::success();
}
llvm::Error importSum(NodeContext &ctx) { return importSumOrMean(ctx, false); }
llvm::Error importMean(NodeContext &ctx) { return importSumOrMean(ctx, true); }

llvm::Error importIdentity(NodeContext &ctx) {
  ctx.setResult(0, ctx.input(0));
  return llvm::Error::success();
}

/// Inference-mode Dropout passes its input through and drops nothing, so
/// its mask is true everywhere.
llvm::Error importDropout(NodeContext &ctx) {
  std::optional<std::vector<int64_t>> training = ctx.constantInts(ctx.input(2));
  if (ctx.input(2) && (!training || training->front() != 0))
    return ctx.error("training mode (random dropout) is not supported");
  ctx.setResult(0, ctx.input(0));
  if (ctx.resultUsed(1)) {
    auto maskType = RankedTensorType::get(ctx.inputType(0).getShape(),
                                          ctx.builder().getI1Type());
    ctx.setResult(
        1, arith::ConstantOp::create(ctx.builder(), ctx.loc(), maskType,
                                     DenseElementsAttr::get(maskType, true)));
  }
  return llvm::Error::success();
}

} // namespace

void registerElementwiseImporters(OpImporterTable &table) {
  addImporters(table, {
      {"Add", {6, kMaxKnownOpset, importBinary<graph::AddOp>}},
      {"Sub", {6, kMaxKnownOpset, importBinary<graph::SubOp>}},
      {"Mul", {6, kMaxKnownOpset, importBinary<graph::MulOp>}},
      {"Div", {6, kMaxKnownOpset, importBinary<graph::DivOp>}},
      {"Pow", {6, kMaxKnownOpset, importBinary<graph::PowOp>}},
      {"Equal", {7, kMaxKnownOpset, importBinary<graph::EqualOp>}},
      {"Max", {6, kMaxKnownOpset, importVariadic<graph::MaxOp>}},
      {"Sum", {6, kMaxKnownOpset, importSum}},
      {"Mean", {6, kMaxKnownOpset, importMean}},
      {"PRelu", {6, kMaxKnownOpset, importBinary<graph::PReluOp>}},
      {"And", {7, kMaxKnownOpset, importBinary<graph::AndOp>}},
      {"Or", {7, kMaxKnownOpset, importBinary<graph::OrOp>}},
      {"Xor", {7, kMaxKnownOpset, importBinary<graph::XorOp>}},
      {"Greater", {7, kMaxKnownOpset, importBinary<graph::GreaterOp>}},
      {"GreaterOrEqual", {12, kMaxKnownOpset, importBinary<graph::GreaterEqualOp>}},
      {"Less", {7, kMaxKnownOpset, importBinary<graph::LessOp>}},
      {"LessOrEqual", {12, kMaxKnownOpset, importBinary<graph::LessEqualOp>}},
      {"Mod", {10, kMaxKnownOpset, importMod}},
      {"BitShift", {11, kMaxKnownOpset, importBitShift}},
      {"Abs", {6, kMaxKnownOpset, importUnary<graph::AbsOp>}},
      {"Ceil", {6, kMaxKnownOpset, importUnary<graph::CeilOp>}},
      {"Floor", {6, kMaxKnownOpset, importUnary<graph::FloorOp>}},
      {"Round", {11, kMaxKnownOpset, importUnary<graph::RoundOp>}},
      {"Sign", {9, kMaxKnownOpset, importUnary<graph::SignOp>}},
      {"Reciprocal", {6, kMaxKnownOpset, importUnary<graph::ReciprocalOp>}},
      {"Log", {6, kMaxKnownOpset, importUnary<graph::LogOp>}},
      {"Sin", {7, kMaxKnownOpset, importUnary<graph::SinOp>}},
      {"Cos", {7, kMaxKnownOpset, importUnary<graph::CosOp>}},
      {"Tan", {7, kMaxKnownOpset, importUnary<graph::TanOp>}},
      {"Asin", {7, kMaxKnownOpset, importUnary<graph::AsinOp>}},
      {"Acos", {7, kMaxKnownOpset, importUnary<graph::AcosOp>}},
      {"Atan", {7, kMaxKnownOpset, importUnary<graph::AtanOp>}},
      {"Sinh", {9, kMaxKnownOpset, importUnary<graph::SinhOp>}},
      {"Cosh", {9, kMaxKnownOpset, importUnary<graph::CoshOp>}},
      {"Asinh", {9, kMaxKnownOpset, importUnary<graph::AsinhOp>}},
      {"Acosh", {9, kMaxKnownOpset, importUnary<graph::AcoshOp>}},
      {"Atanh", {9, kMaxKnownOpset, importUnary<graph::AtanhOp>}},
      {"Softplus", {1, kMaxKnownOpset, importUnary<graph::SoftplusOp>}},
      {"Softsign", {1, kMaxKnownOpset, importUnary<graph::SoftsignOp>}},
      {"Not", {1, kMaxKnownOpset, importUnary<graph::NotOp>}},
      {"IsNaN", {9, kMaxKnownOpset, importIsNaN}},
      {"IsInf", {10, kMaxKnownOpset, importIsInf}},
      {"LeakyRelu", {6, kMaxKnownOpset, importLeakyRelu}},
      {"Elu", {6, kMaxKnownOpset, importElu}},
      {"Celu", {12, kMaxKnownOpset, importCelu}},
      {"Selu", {6, kMaxKnownOpset, importSelu}},
      {"HardSigmoid", {6, kMaxKnownOpset, importHardSigmoid}},
      {"HardSwish", {14, kMaxKnownOpset, importHardSwish}},
      {"ThresholdedRelu", {10, kMaxKnownOpset, importThresholdedRelu}},
      {"Shrink", {9, kMaxKnownOpset, importShrink}},
      {"Min", {6, kMaxKnownOpset, importVariadic<graph::MinOp>}},
      {"Where", {9, kMaxKnownOpset, importWhere}},
      {"Relu", {6, kMaxKnownOpset, importUnary<graph::ReluOp>}},
      {"Sigmoid", {6, kMaxKnownOpset, importUnary<graph::SigmoidOp>}},
      {"Tanh", {6, kMaxKnownOpset, importUnary<graph::TanhOp>}},
      {"Erf", {9, kMaxKnownOpset, importUnary<graph::ErfOp>}},
      {"Sqrt", {6, kMaxKnownOpset, importUnary<graph::SqrtOp>}},
      {"Exp", {6, kMaxKnownOpset, importUnary<graph::ExpOp>}},
      {"Neg", {6, kMaxKnownOpset, importUnary<graph::NegOp>}},
      {"Clip", {6, kMaxKnownOpset, importClip}},
      {"Cast", {6, kMaxKnownOpset, importCast}},
      {"Identity", {1, kMaxKnownOpset, importIdentity}},
      {"Dropout", {7, kMaxKnownOpset, importDropout}},
  });
}

} // namespace modelc::onnx_frontend
