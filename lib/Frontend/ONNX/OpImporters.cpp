//===- OpImporters.cpp - One importer per supported ONNX op ---------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Each importer resolves what ONNX leaves to run time in an ahead-of-time
// setting (optional inputs, shape operands, auto_pad, negative axes, opset
// differences) and emits normalized graph ops. Shape operands must be
// compile-time constants; the graph ops' folders make them so for the
// Shape/Gather/Concat chains that exporters write.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"
#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "onnx/onnx_pb.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Normalizes a possibly negative axis into [0, rank); fails out of range.
llvm::Expected<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                      int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return ctx.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                     llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

Value reshapeTo(NodeContext &ctx, Value value, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return ctx.create<graph::ReshapeOp>(type, value);
}

Value scalarConstant(NodeContext &ctx, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return arith::ConstantOp::create(
      ctx.builder(), ctx.loc(), type,
      cast<TypedAttr>(graph::makeConstantFromDoubles(type, {value})));
}

/// Conv, MatMul, Gemm and the pools compute in floating point only.
llvm::Error requireFloatInput(NodeContext &ctx) {
  Type element = ctx.inputType(0).getElementType();
  if (isa<FloatType>(element))
    return llvm::Error::success();
  std::string name;
  llvm::raw_string_ostream os(name);
  os << element;
  return ctx.error("only floating-point inputs are supported, got " + name);
}

/// Window attributes of Conv and the pools, with auto_pad resolved to
/// explicit [top, left, bottom, right] pads.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

/// A window attribute (kernel_shape, strides, dilations, pads) as 2-D. A
/// 1-D op runs as 2-D with a unit height (`lifted`): its lists get a leading
/// 1, and its pads zero top and bottom pads.
std::optional<SmallVector<int64_t>> readWindowInts(NodeContext &ctx,
                                                   llvm::StringRef name,
                                                   bool lifted) {
  std::optional<std::vector<int64_t>> values = ctx.intsAttr(name);
  if (!values)
    return std::nullopt;
  if (!lifted)
    return SmallVector<int64_t>(values->begin(), values->end());
  if (name == "pads")
    return values->size() == 2
               ? SmallVector<int64_t>{0, (*values)[0], 0, (*values)[1]}
               : SmallVector<int64_t>{};
  return values->size() == 1 ? SmallVector<int64_t>{1, (*values)[0]}
                             : SmallVector<int64_t>{};
}

llvm::Expected<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> inShape,
                                  ArrayRef<int64_t> kernel, bool lifted) {
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  auto read = [&](llvm::StringRef name, SmallVector<int64_t> fallback) {
    return readWindowInts(ctx, name, lifted).value_or(fallback);
  };
  w.strides = read("strides", {1, 1});
  w.dilations = read("dilations", {1, 1});
  w.pads = read("pads", {0, 0, 0, 0});
  if (w.strides.size() != 2 || w.dilations.size() != 2 || w.pads.size() != 4)
    return ctx.error("expected 1-D or 2-D strides, dilations and pads");
  // What the graph ops' type inference requires (and auto_pad divides by):
  // a node breaking it must be an error here, as building the op would abort.
  for (int d = 0; d < 2; ++d) {
    if (w.kernel[d] < 1 || w.strides[d] < 1 || w.dilations[d] < 1)
      return ctx.error("kernel, strides and dilations must be positive");
    if (w.pads[d] < 0 || w.pads[d + 2] < 0)
      return ctx.error("pads must not be negative");
  }
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(4, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      int64_t out = (inShape[2 + d] + w.strides[d] - 1) / w.strides[d];
      int64_t span = (kernel[d] - 1) * w.dilations[d] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[d] + span - inShape[2 + d]);
      int64_t small = total / 2, large = total - small;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[d + 2] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.error("unknown auto_pad '" + autoPad + "'");
  }
  for (int d = 0; d < 2; ++d) {
    int64_t span = (w.kernel[d] - 1) * w.dilations[d] + 1;
    if (inShape[2 + d] + w.pads[d] + w.pads[d + 2] < span)
      return ctx.error("the output would be empty: the dilated kernel spans " +
                       llvm::Twine(span) + ", the padded input " +
                       llvm::Twine(inShape[2 + d] + w.pads[d] + w.pads[d + 2]));
  }
  return w;
}

/// `[3, 3]`, for messages.
std::string formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  for (auto [i, v] : llvm::enumerate(values))
    text += (i ? ", " : "") + std::to_string(v);
  return text + "]";
}

/// What ONNX ties together in a convolution node and onnxruntime checks:
/// the weight's rank and `kernel_shape`, channels and `group`, the bias, and
/// the lengths of the window attributes. `in` and `w` are the shapes as the
/// model gives them (before a 1-D op is lifted); `biasInput` is the bias
/// operand's index, or -1. A transposed weight is [C, M / group, k...], a
/// plain one [M, C / group, k...].
llvm::Error checkConvAttributes(NodeContext &ctx, ArrayRef<int64_t> in,
                                ArrayRef<int64_t> w, int biasInput,
                                bool transposed) {
  if (w.size() != in.size())
    return ctx.error("the weight has rank " + llvm::Twine(w.size()) +
                     ", the input rank " + llvm::Twine(in.size()));
  size_t spatial = in.size() - 2;
  ArrayRef<int64_t> kernel = w.drop_front(2);
  if (std::optional<std::vector<int64_t>> attr = ctx.intsAttr("kernel_shape"))
    if (ArrayRef<int64_t>(*attr) != kernel)
      return ctx.error("kernel_shape " + formatList(*attr) +
                       " contradicts the weight's spatial dims " +
                       formatList(kernel));
  auto checkLength = [&](llvm::StringRef name, size_t want,
                         size_t alsoFine) -> llvm::Error {
    std::optional<std::vector<int64_t>> attr = ctx.intsAttr(name);
    if (!attr || attr->size() == want || attr->size() == alsoFine)
      return llvm::Error::success();
    return ctx.error(name + " has " + llvm::Twine(attr->size()) + " value" +
                     (attr->size() == 1 ? "" : "s") + ", expected " +
                     llvm::Twine(want));
  };
  for (auto [name, want, alsoFine] :
       {std::tuple("strides", spatial, spatial),
        std::tuple("dilations", spatial, spatial),
        std::tuple("output_padding", spatial, spatial),
        std::tuple("pads", 2 * spatial, 2 * spatial),
        // Some exporters write the whole output shape.
        std::tuple("output_shape", spatial, in.size())})
    if (llvm::Error err = checkLength(name, want, alsoFine))
      return err;
  int64_t group = ctx.intAttr("group", 1);
  int64_t channels = in[1];
  if (group < 1 || channels % group)
    return ctx.error("group " + llvm::Twine(group) +
                     " does not divide the input's " + llvm::Twine(channels) +
                     " channels");
  int64_t outChannels;
  if (transposed) {
    if (w[0] != channels)
      return ctx.error("the weight's dim 0 is " + llvm::Twine(w[0]) +
                       ", the input has " + llvm::Twine(channels) +
                       " channels");
    outChannels = w[1] * group;
  } else {
    if (w[1] * group != channels)
      return ctx.error("the weight's dim 1 is " + llvm::Twine(w[1]) +
                       ", expected " + llvm::Twine(channels / group) +
                       " (the input's " + llvm::Twine(channels) +
                       " channels / group " + llvm::Twine(group) + ")");
    if (w[0] % group)
      return ctx.error("group " + llvm::Twine(group) +
                       " does not divide the weight's " + llvm::Twine(w[0]) +
                       " output channels");
    outChannels = w[0];
  }
  if (biasInput >= 0 && ctx.input(biasInput)) {
    ArrayRef<int64_t> bias = ctx.inputType(biasInput).getShape();
    if (bias.size() != 1 || bias[0] != outChannels)
      return ctx.error("the bias has shape " + formatList(bias) +
                       ", expected [" + llvm::Twine(outChannels) +
                       "], one value per output channel");
  }
  return llvm::Error::success();
}

/// Lifts a 1-D (rank-3) window op input to 2-D by inserting a unit height.
Value liftTo2D(NodeContext &ctx, Value value) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  return reshapeTo(ctx, value, {shape[0], shape[1], 1, shape[2]});
}

/// Window ops run in 2-D: a 1-D op (rank-3 input) has its operands lifted to
/// a unit height. Fails for other ranks; answers whether it lifted.
llvm::Expected<bool> liftWindowOperands(NodeContext &ctx,
                                        MutableArrayRef<Value> operands,
                                        llvm::StringRef what) {
  int64_t rank = ctx.inputType(0).getRank();
  if (rank == 4)
    return false;
  if (rank != 3)
    return ctx.error("only 1-D and 2-D " + what + " are supported, got a rank " +
                     llvm::Twine(rank) + " input");
  for (Value &operand : operands)
    operand = liftTo2D(ctx, operand);
  return true;
}

/// Undoes liftWindowOperands on a result: drops the unit height.
Value unliftResult(NodeContext &ctx, Value value, bool lifted) {
  if (!lifted)
    return value;
  ArrayRef<int64_t> s = cast<RankedTensorType>(value.getType()).getShape();
  return reshapeTo(ctx, value, {s[0], s[1], s[3]});
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

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
  if (!graph::broadcastShapes(cast<RankedTensorType>(lhs.getType()).getShape(),
                              cast<RankedTensorType>(rhs.getType()).getShape()))
    return ctx.error("operand shapes do not broadcast");
  if constexpr (std::is_same_v<OpTy, graph::PReluOp>) {
    // A per-channel slope of an NCHW input, as older exporters write it.
    auto slope = cast<RankedTensorType>(rhs.getType());
    RankedTensorType x = ctx.inputType(0);
    if (slope.getRank() == 1 && x.getRank() > 2 && slope.getDimSize(0) > 1 &&
        slope.getDimSize(0) == x.getDimSize(1)) {
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

llvm::Error importDropout(NodeContext &ctx) {
  if (ctx.resultUsed(1))
    return ctx.error("the mask output is not supported (inference only)");
  std::optional<std::vector<int64_t>> training = ctx.constantInts(ctx.input(2));
  if (ctx.input(2) && (!training || training->front() != 0))
    return ctx.error("training mode (random dropout) is not supported");
  ctx.setResult(0, ctx.input(0));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Convolution, products, pooling, normalization
//===----------------------------------------------------------------------===//

llvm::Error importConv(NodeContext &ctx) {
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  if (llvm::Error err = checkConvAttributes(
          ctx, ctx.inputType(0).getShape(), ctx.inputType(1).getShape(),
          /*biasInput=*/2, /*transposed=*/false))
    return err;
  Value operands[] = {ctx.input(0), ctx.input(1)};
  llvm::Expected<bool> lifted = liftWindowOperands(ctx, operands, "convolutions");
  if (!lifted)
    return lifted.takeError();
  Value input = operands[0], weight = operands[1];
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  llvm::Expected<Window> w = readWindow(ctx, inType.getShape(),
                                        wType.getShape().drop_front(2), *lifted);
  if (!w)
    return w.takeError();
  int64_t group = ctx.intAttr("group", 1);
  OpBuilder &b = ctx.builder();
  Value conv = ctx.create<graph::ConvOp>(
      input, weight, ctx.input(2), b.getDenseI64ArrayAttr(w->strides),
      b.getDenseI64ArrayAttr(w->pads), b.getDenseI64ArrayAttr(w->dilations),
      b.getI64IntegerAttr(group));
  ctx.setResult(0, unliftResult(ctx, conv, *lifted));
  return llvm::Error::success();
}

llvm::Error importConvTranspose(NodeContext &ctx) {
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  if (llvm::Error err = checkConvAttributes(
          ctx, ctx.inputType(0).getShape(), ctx.inputType(1).getShape(),
          /*biasInput=*/2, /*transposed=*/true))
    return err;
  Value operands[] = {ctx.input(0), ctx.input(1)};
  llvm::Expected<bool> liftedOr =
      liftWindowOperands(ctx, operands, "transposed convolutions");
  if (!liftedOr)
    return liftedOr.takeError();
  bool lifted = *liftedOr;
  Value input = operands[0], weight = operands[1];
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> w = cast<RankedTensorType>(weight.getType()).getShape();
  int64_t group = ctx.intAttr("group", 1);
  auto read = [&](llvm::StringRef name, SmallVector<int64_t> fallback) {
    return readWindowInts(ctx, name, lifted).value_or(fallback);
  };
  SmallVector<int64_t> strides = read("strides", {1, 1});
  SmallVector<int64_t> dilations = read("dilations", {1, 1});
  SmallVector<int64_t> pads = read("pads", {0, 0, 0, 0});
  SmallVector<int64_t> outputPadding = read("output_padding", {0, 0});
  if (lifted && ctx.intsAttr("output_padding"))
    outputPadding = {0, ctx.intsAttr("output_padding")->front()};
  std::optional<SmallVector<int64_t>> outputShape =
      readWindowInts(ctx, "output_shape", lifted);
  if (outputShape && outputShape->size() < 2)
    return ctx.error("output_shape must give the spatial dims");
  for (int d = 0; d < 2; ++d) {
    if (strides[d] < 1 || dilations[d] < 1 || w[2 + d] < 1)
      return ctx.error("kernel, strides and dilations must be positive");
    if (pads[d] < 0 || pads[d + 2] < 0 || outputPadding[d] < 0)
      return ctx.error("pads and output_padding must not be negative");
  }
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  SmallVector<int64_t> out = {in[0], w[1] * group, 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t span = (w[2 + d] - 1) * dilations[d] + 1;
    int64_t full = strides[d] * (in[2 + d] - 1) + outputPadding[d] + span;
    if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outputShape ? (*outputShape)[outputShape->size() - 2 + d]
                                   : in[2 + d] * strides[d];
      int64_t total = full - target;
      bool upper = autoPad == "SAME_UPPER";
      pads[d] = upper ? total / 2 : total - total / 2;
      pads[d + 2] = upper ? total - total / 2 : total / 2;
      // A requested output larger than the kernel reaches grows at the end,
      // as extra output padding does.
      if (total < 0) {
        pads[d] = 0;
        pads[d + 2] = total;
      }
    } else if (autoPad == "VALID") {
      pads[d] = pads[d + 2] = 0;
    }
    out[2 + d] = full - pads[d] - pads[d + 2];
    if (out[2 + d] <= 0)
      return ctx.error("the output would be empty");
  }
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get(out, ctx.inputType(0).getElementType());
  Value result = ctx.create<graph::ConvTransposeOp>(
      type, input, weight, ctx.input(2), b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(pads), b.getDenseI64ArrayAttr(dilations),
      b.getI64IntegerAttr(group));
  ctx.setResult(0, unliftResult(ctx, result, lifted));
  return llvm::Error::success();
}

llvm::Error importMatMul(NodeContext &ctx) {
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  SmallVector<Type> inferred;
  if (failed(graph::MatMulOp::inferReturnTypes(
          ctx.builder().getContext(), std::nullopt,
          graph::MatMulOp::Adaptor(ValueRange{ctx.input(0), ctx.input(1)}),
          inferred)))
    return ctx.error("operand shapes do not multiply");
  ctx.setResult(0, ctx.create<graph::MatMulOp>(ctx.input(0), ctx.input(1)));
  return llvm::Error::success();
}

llvm::Error importGemm(NodeContext &ctx) {
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  Value a = ctx.input(0), b = ctx.input(1), c = ctx.input(2);
  if (ctx.inputType(0).getRank() != 2 || ctx.inputType(1).getRank() != 2)
    return ctx.error("expected rank-2 A and B");
  if (ctx.intAttr("transA", 0))
    a = ctx.create<graph::TransposeOp>(a, ArrayRef<int64_t>{1, 0});
  if (ctx.intAttr("transB", 0))
    b = ctx.create<graph::TransposeOp>(b, ArrayRef<int64_t>{1, 0});
  if (cast<RankedTensorType>(a.getType()).getDimSize(1) !=
      cast<RankedTensorType>(b.getType()).getDimSize(0))
    return ctx.error("A and B do not multiply");
  Type elementType = ctx.inputType(0).getElementType();
  Value y = ctx.create<graph::MatMulOp>(a, b);
  float alpha = ctx.floatAttr("alpha", 1.0f), beta = ctx.floatAttr("beta", 1.0f);
  if (alpha != 1.0f)
    y = ctx.create<graph::MulOp>(y, scalarConstant(ctx, elementType, alpha));
  if (c && beta != 0.0f) {
    if (beta != 1.0f)
      c = ctx.create<graph::MulOp>(c, scalarConstant(ctx, elementType, beta));
    auto shape = graph::broadcastShapes(
        cast<RankedTensorType>(y.getType()).getShape(),
        cast<RankedTensorType>(c.getType()).getShape());
    if (!shape || *shape != cast<RankedTensorType>(y.getType()).getShape())
      return ctx.error("C does not broadcast to the product's shape");
    y = ctx.create<graph::AddOp>(y, c);
  }
  ctx.setResult(0, y);
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importPool(NodeContext &ctx) {
  if (ctx.resultUsed(1))
    return ctx.error("the Indices output is not supported");
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  Value operands[] = {ctx.input(0)};
  llvm::Expected<bool> liftedOr = liftWindowOperands(ctx, operands, "pools");
  if (!liftedOr)
    return liftedOr.takeError();
  bool lifted = *liftedOr;
  Value input = operands[0];
  std::optional<SmallVector<int64_t>> kernel =
      readWindowInts(ctx, "kernel_shape", lifted);
  if (!kernel || kernel->size() != 2)
    return ctx.error("missing kernel_shape, or one of the wrong rank");
  auto inType = cast<RankedTensorType>(input.getType());
  llvm::Expected<Window> w = readWindow(ctx, inType.getShape(), *kernel, lifted);
  if (!w)
    return w.takeError();
  for (int d = 0; d < 2; ++d)
    if (w->pads[d] >= w->kernel[d] || w->pads[d + 2] >= w->kernel[d])
      return ctx.error("pads must be smaller than the kernel");
  if (ctx.intAttr("storage_order", 0) != 0)
    return ctx.error("storage_order=1 is not supported");
  OpBuilder &b = ctx.builder();
  Value pooled = ctx.create<OpTy>(
      input, b.getDenseI64ArrayAttr(w->kernel),
      b.getDenseI64ArrayAttr(w->strides), b.getDenseI64ArrayAttr(w->pads),
      b.getDenseI64ArrayAttr(w->dilations),
      b.getBoolAttr(ctx.intAttr("ceil_mode", 0) != 0),
      b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0));
  ctx.setResult(0, unliftResult(ctx, pooled, lifted));
  return llvm::Error::success();
}

/// GlobalAveragePool and GlobalMaxPool: a reduction over every spatial axis
/// that keeps the dimensions.
template <typename ReduceOp>
llvm::Error importGlobalPool(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  if (rank < 3)
    return ctx.error("expected an input of rank >= 3");
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  ctx.setResult(0, ctx.create<ReduceOp>(
                       ctx.input(0), ctx.builder().getDenseI64ArrayAttr(axes),
                       ctx.builder().getBoolAttr(true)));
  return llvm::Error::success();
}

llvm::Error importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) != 0 || ctx.resultUsed(1) ||
      ctx.resultUsed(2))
    return ctx.error("training mode is not supported");
  if (ctx.opset() < 9 && ctx.intAttr("spatial", 1) != 1)
    return ctx.error("spatial=0 is not supported");
  int64_t channels = ctx.inputType(0).getDimSize(1);
  for (size_t i = 1; i < 5; ++i)
    if (ctx.inputType(i).getNumElements() != channels)
      return ctx.error("expected per-channel parameters of " +
                       llvm::Twine(channels) + " elements");
  ctx.setResult(0, ctx.create<graph::BatchNormOp>(
                       ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3),
                       ctx.input(4),
                       ctx.builder().getF64FloatAttr(
                           ctx.floatAttr("epsilon", 1e-5f))));
  return llvm::Error::success();
}

llvm::Error importLayerNorm(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t count = computeProduct(shape.drop_front(*axis));
  for (size_t i : {1, 2})
    if (ctx.input(i) && ctx.inputType(i).getNumElements() != count)
      return ctx.error("scale and bias must cover the normalized dimensions");
  OpBuilder &b = ctx.builder();
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  // Scale and bias may be given with leading unit dimensions; the op wants
  // them shaped like the normalized dimensions.
  auto normalizedParam = [&](size_t i) -> Value {
    if (!ctx.input(i))
      return Value();
    return reshapeTo(ctx, ctx.input(i), shape.drop_front(*axis));
  };
  if (!ctx.resultUsed(1) && !ctx.resultUsed(2)) {
    ctx.setResult(0, ctx.create<graph::LayerNormOp>(
                         ctx.input(0), normalizedParam(1), normalizedParam(2),
                         b.getI64IntegerAttr(*axis),
                         b.getF64FloatAttr(epsilon)));
    return llvm::Error::success();
  }
  // The Mean and InvStdDev outputs are wanted too: spell the computation out
  // so each intermediate exists as a value.
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error("expected a floating-point input");
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < rank; ++d)
    axes.push_back(d);
  Value x = ctx.input(0);
  Value mean = ctx.create<graph::ReduceMeanOp>(x, b.getDenseI64ArrayAttr(axes),
                                               b.getBoolAttr(true));
  Value centered = ctx.create<graph::SubOp>(x, mean);
  Value squares = ctx.create<graph::MulOp>(centered, centered);
  Value variance = ctx.create<graph::ReduceMeanOp>(
      squares, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(true));
  Type element = type.getElementType();
  Value stddev = ctx.create<graph::SqrtOp>(ctx.create<graph::AddOp>(
      variance, scalarConstant(ctx, element, epsilon)));
  Value invStdDev =
      ctx.create<graph::DivOp>(scalarConstant(ctx, element, 1.0), stddev);
  Value y = ctx.create<graph::MulOp>(centered, invStdDev);
  y = ctx.create<graph::MulOp>(y, normalizedParam(1));
  if (Value bias = normalizedParam(2))
    y = ctx.create<graph::AddOp>(y, bias);
  ctx.setResult(0, y);
  ctx.setResult(1, mean);
  ctx.setResult(2, invStdDev);
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importSoftmaxLike(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  llvm::Expected<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", ctx.opset() < 13 ? 1 : -1), rank);
  if (!axis)
    return axis.takeError();
  if (ctx.opset() >= 13 || *axis == rank - 1) {
    ctx.setResult(0, ctx.create<OpTy>(ctx.input(0),
                                      ctx.builder().getI64IntegerAttr(*axis)));
    return llvm::Error::success();
  }
  // Before opset 13, softmax normalizes over all dims from `axis` on.
  int64_t outer = computeProduct(type.getShape().take_front(*axis));
  int64_t inner = computeProduct(type.getShape().drop_front(*axis));
  Value flat = reshapeTo(ctx, ctx.input(0), {outer, inner});
  Value soft = ctx.create<OpTy>(flat, ctx.builder().getI64IntegerAttr(1));
  ctx.setResult(0, reshapeTo(ctx, soft, type.getShape()));
  return llvm::Error::success();
}

/// Reductions: axes are an attribute until `axesInputSince` (13 for
/// ReduceSum, 18 for the others) and an optional input after.
template <typename OpTy, int64_t axesInputSince>
llvm::Error importReduce(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  std::vector<int64_t> axes;
  if (ctx.opset() < axesInputSince) {
    axes = ctx.intsAttr("axes").value_or(std::vector<int64_t>{});
  } else if (ctx.input(1)) {
    llvm::Expected<std::vector<int64_t>> constant =
        ctx.requireConstantInts(1, "axes");
    if (!constant)
      return constant.takeError();
    axes = *constant;
  }
  if (axes.empty()) {
    if (ctx.opset() >= axesInputSince && ctx.intAttr("noop_with_empty_axes", 0)) {
      ctx.setResult(0, ctx.input(0));
      return llvm::Error::success();
    }
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t &axis : axes) {
    llvm::Expected<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (!normalized)
      return normalized.takeError();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  ctx.setResult(0, ctx.create<OpTy>(
                       ctx.input(0), ctx.builder().getDenseI64ArrayAttr(axes),
                       ctx.builder().getBoolAttr(ctx.intAttr("keepdims", 1))));
  return llvm::Error::success();
}

template <typename OpTy>
llvm::Error importArgReduce(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<OpTy>(
                       ctx.input(0), b.getI64IntegerAttr(*axis),
                       b.getBoolAttr(ctx.intAttr("keepdims", 1) != 0),
                       b.getBoolAttr(ctx.intAttr("select_last_index", 0) != 0)));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Shapes and data movement
//===----------------------------------------------------------------------===//

llvm::Error importReshape(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  std::vector<int64_t> shape;
  if (ctx.opset() < 5) {
    shape = ctx.intsAttr("shape").value_or(std::vector<int64_t>{});
  } else {
    llvm::Expected<std::vector<int64_t>> constant =
        ctx.requireConstantInts(1, "shape");
    if (!constant)
      return constant.takeError();
    shape = *constant;
  }
  bool allowZero = ctx.intAttr("allowzero", 0) != 0;
  int64_t inferred = -1, known = 1;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (dim == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return ctx.error("shape copies dimension " + llvm::Twine(i) +
                         " that the input does not have");
      dim = type.getDimSize(i);
    }
    if (dim == -1) {
      if (inferred >= 0)
        return ctx.error("shape has more than one -1");
      inferred = i;
      continue;
    }
    if (dim < 0)
      return ctx.error("shape has a negative dimension");
    known *= dim;
  }
  if (inferred >= 0) {
    if (known == 0 || type.getNumElements() % known)
      return ctx.error("cannot infer the -1 dimension");
    shape[inferred] = type.getNumElements() / known;
  }
  if (computeProduct(shape) != type.getNumElements())
    return ctx.error("cannot reshape " + llvm::Twine(type.getNumElements()) +
                     " elements to the requested shape");
  ctx.setResult(0, reshapeTo(ctx, ctx.input(0), shape));
  return llvm::Error::success();
}

llvm::Error importFlatten(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = ctx.intAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return ctx.error("axis out of range");
  if (axis < 0)
    axis += rank;
  int64_t outer = computeProduct(type.getShape().take_front(axis));
  ctx.setResult(0, reshapeTo(ctx, ctx.input(0),
                             {outer, type.getNumElements() / std::max<int64_t>(outer, 1)}));
  return llvm::Error::success();
}

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after.
llvm::Expected<std::optional<std::vector<int64_t>>> readAxes(NodeContext &ctx) {
  if (ctx.opset() < 13)
    return ctx.intsAttr("axes");
  if (!ctx.input(1))
    return std::optional<std::vector<int64_t>>();
  llvm::Expected<std::vector<int64_t>> axes = ctx.requireConstantInts(1, "axes");
  if (!axes)
    return axes.takeError();
  return std::optional<std::vector<int64_t>>(*axes);
}

llvm::Error importSqueeze(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  auto axes = readAxes(ctx);
  if (!axes)
    return axes.takeError();
  SmallVector<bool> drop(shape.size(), false);
  if (!*axes) {
    for (auto [d, size] : llvm::enumerate(shape))
      drop[d] = size == 1;
  } else {
    for (int64_t axis : **axes) {
      llvm::Expected<int64_t> a = normalizeAxis(ctx, axis, shape.size());
      if (!a)
        return a.takeError();
      if (shape[*a] != 1)
        return ctx.error("cannot squeeze dimension " + llvm::Twine(*a) +
                         " of size " + llvm::Twine(shape[*a]));
      drop[*a] = true;
    }
  }
  SmallVector<int64_t> result;
  for (auto [d, size] : llvm::enumerate(shape))
    if (!drop[d])
      result.push_back(size);
  ctx.setResult(0, reshapeTo(ctx, ctx.input(0), result));
  return llvm::Error::success();
}

llvm::Error importUnsqueeze(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  auto axes = readAxes(ctx);
  if (!axes)
    return axes.takeError();
  if (!*axes)
    return ctx.error("missing axes");
  int64_t rank = shape.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    llvm::Expected<int64_t> a = normalizeAxis(ctx, axis, rank);
    if (!a)
      return a.takeError();
    if (inserted[*a])
      return ctx.error("repeated axis");
    inserted[*a] = true;
  }
  SmallVector<int64_t> result;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d)
    result.push_back(inserted[d] ? 1 : shape[next++]);
  ctx.setResult(0, reshapeTo(ctx, ctx.input(0), result));
  return llvm::Error::success();
}

llvm::Error importTranspose(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  std::vector<int64_t> perm = ctx.intsAttr("perm").value_or(std::vector<int64_t>{});
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank || !isPermutationVector(perm))
    return ctx.error("perm is not a permutation of the input's dimensions");
  ctx.setResult(0, ctx.create<graph::TransposeOp>(ctx.input(0), ArrayRef<int64_t>(perm)));
  return llvm::Error::success();
}

llvm::Error importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i)
    if (ctx.input(i))
      inputs.push_back(ctx.input(i));
  if (inputs.empty())
    return ctx.error("no inputs");
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  RankedTensorType first = cast<RankedTensorType>(inputs.front().getType());
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    bool compatible = type.getRank() == rank &&
                      type.getElementType() == first.getElementType();
    for (int64_t d = 0; compatible && d < rank; ++d)
      compatible = d == *axis || type.getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return ctx.error("input shapes differ outside the concatenated axis");
  }
  ctx.setResult(0, ctx.create<graph::ConcatOp>(inputs, ctx.builder().getI64IntegerAttr(*axis)));
  return llvm::Error::success();
}

llvm::Error importGather(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  Type indexType = ctx.inputType(1).getElementType();
  if (!indexType.isInteger(32) && !indexType.isInteger(64))
    return ctx.error("indices must be int32 or int64");
  ctx.setResult(0, ctx.create<graph::GatherOp>(ctx.input(0), ctx.input(1),
                                               ctx.builder().getI64IntegerAttr(*axis)));
  return llvm::Error::success();
}

llvm::Error importSlice(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.intsAttr("starts").value_or(std::vector<int64_t>{});
    ends = ctx.intsAttr("ends").value_or(std::vector<int64_t>{});
    axes = ctx.intsAttr("axes").value_or(std::vector<int64_t>{});
  } else {
    auto s = ctx.requireConstantInts(1, "starts");
    if (!s)
      return s.takeError();
    auto e = ctx.requireConstantInts(2, "ends");
    if (!e)
      return e.takeError();
    starts = *s;
    ends = *e;
    if (ctx.input(3)) {
      auto a = ctx.requireConstantInts(3, "axes");
      if (!a)
        return a.takeError();
      axes = *a;
    }
    if (ctx.input(4)) {
      auto st = ctx.requireConstantInts(4, "steps");
      if (!st)
        return st.takeError();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.error("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> allStarts(rank, 0), allEnds(shape), allSteps(rank, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    llvm::Expected<int64_t> axis = normalizeAxis(ctx, axes[i], rank);
    if (!axis)
      return axis.takeError();
    int64_t dim = shape[*axis], step = steps[i];
    if (step == 0)
      return ctx.error("step is 0");
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += dim;
      return std::clamp(v, lo, hi);
    };
    // ONNX clamps starts and ends into [0, dim] for positive steps and into
    // [-1, dim - 1] for negative ones.
    int64_t start = step > 0 ? clampIndex(starts[i], 0, dim)
                             : clampIndex(starts[i], 0, dim - 1);
    int64_t end = step > 0 ? clampIndex(ends[i], 0, dim)
                           : clampIndex(ends[i], -1, dim - 1);
    if (step < 0 && ends[i] < -dim)
      end = -1;
    allStarts[*axis] = start;
    allEnds[*axis] = end;
    allSteps[*axis] = step;
  }
  // An empty range is spelled [0, 0) so the op's start stays a valid index.
  for (int64_t d = 0; d < rank; ++d)
    if (graph::sliceLength(allStarts[d], allEnds[d], allSteps[d]) == 0) {
      allStarts[d] = 0;
      allEnds[d] = 0;
      allSteps[d] = 1;
    }
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::SliceOp>(
                       ctx.input(0), b.getDenseI64ArrayAttr(allStarts),
                       b.getDenseI64ArrayAttr(allEnds),
                       b.getDenseI64ArrayAttr(allSteps)));
  return llvm::Error::success();
}

llvm::Error importShape(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  int64_t start = ctx.intAttr("start", 0), end = ctx.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  Value full = ctx.create<graph::ShapeOp>(ctx.input(0));
  if (start == 0 && end == rank) {
    ctx.setResult(0, full);
    return llvm::Error::success();
  }
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::SliceOp>(
                       full, b.getDenseI64ArrayAttr({start}),
                       b.getDenseI64ArrayAttr({end}),
                       b.getDenseI64ArrayAttr({1})));
  return llvm::Error::success();
}

llvm::Error importExpand(NodeContext &ctx) {
  auto shape = ctx.requireConstantInts(1, "shape");
  if (!shape)
    return shape.takeError();
  auto result = graph::broadcastShapes(ctx.inputType(0).getShape(), *shape);
  if (!result)
    return ctx.error("input does not broadcast to the requested shape");
  auto type = RankedTensorType::get(*result, ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::ExpandOp>(type, ctx.input(0)));
  return llvm::Error::success();
}

llvm::Error importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  if (const onnx::AttributeProto *value = ctx.attribute("value")) {
    llvm::Expected<Value> constant = ctx.constantFromProto(value->t());
    if (!constant)
      return constant.takeError();
    ctx.setResult(0, *constant);
    return llvm::Error::success();
  }
  auto make = [&](Type elementType, ArrayRef<int64_t> shape,
                  ArrayRef<double> values) {
    auto type = RankedTensorType::get(shape, elementType);
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  };
  if (const onnx::AttributeProto *v = ctx.attribute("value_float")) {
    make(b.getF32Type(), {}, {v->f()});
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_floats")) {
    std::vector<double> values(v->floats().begin(), v->floats().end());
    make(b.getF32Type(), {static_cast<int64_t>(values.size())}, values);
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_int")) {
    auto type = RankedTensorType::get({}, b.getI64Type());
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromInts(type, {v->i()}))));
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_ints")) {
    std::vector<int64_t> values(v->ints().begin(), v->ints().end());
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      b.getI64Type());
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromInts(type, values))));
  } else {
    return ctx.error("only tensor, float(s) and int(s) values are supported");
  }
  return llvm::Error::success();
}

llvm::Error importConstantOfShape(NodeContext &ctx) {
  auto shape = ctx.requireConstantInts(0, "shape");
  if (!shape)
    return shape.takeError();
  OpBuilder &b = ctx.builder();
  Type elementType = b.getF32Type();
  std::vector<char> element(4, 0);
  if (const onnx::AttributeProto *value = ctx.attribute("value")) {
    llvm::Expected<Value> constant = ctx.constantFromProto(value->t());
    if (!constant)
      return constant.takeError();
    ElementsAttr attr;
    matchPattern(*constant, m_Constant(&attr));
    elementType = cast<ShapedType>(attr.getType()).getElementType();
    element = graph::readConstantBytes(attr);
    constant->getDefiningOp()->erase();
  }
  auto type = RankedTensorType::get(*shape, elementType);
  int64_t width = graph::getElementByteWidth(elementType);
  std::vector<char> bytes(type.getNumElements() * width);
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    std::memcpy(bytes.data() + i * width, element.data(), width);
  ctx.setResult(0, arith::ConstantOp::create(
                       b, ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstant(type, bytes))));
  return llvm::Error::success();
}

llvm::Error importGatherElements(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  if (ctx.inputType(1).getRank() != rank)
    return ctx.error("indices must have the data's rank");
  auto type = RankedTensorType::get(ctx.inputType(1).getShape(),
                                    ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::GatherElementsOp>(
                       type, ctx.input(0), ctx.input(1),
                       ctx.builder().getI64IntegerAttr(*axis)));
  return llvm::Error::success();
}

llvm::Error importTrilu(NodeContext &ctx) {
  if (ctx.inputType(0).getRank() < 2)
    return ctx.error("expected an input of rank >= 2");
  int64_t k = 0;
  if (ctx.input(1)) {
    llvm::Expected<std::vector<int64_t>> value = ctx.requireConstantInts(1, "k");
    if (!value)
      return value.takeError();
    k = value->front();
  }
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::TriluOp>(
                       ctx.input(0), b.getBoolAttr(ctx.intAttr("upper", 1) != 0),
                       b.getI64IntegerAttr(k)));
  return llvm::Error::success();
}

/// Size is the element count: a compile-time constant.
llvm::Error importSize(NodeContext &ctx) {
  auto type = RankedTensorType::get({}, ctx.builder().getI64Type());
  ctx.setResult(0, arith::ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstantFromInts(
                           type, {ctx.inputType(0).getNumElements()}))));
  return llvm::Error::success();
}

/// Split: one slice per output, sizes from the `split` input (13+) or
/// attribute, or equal parts.
llvm::Error importSplit(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  int64_t outputs = ctx.node().output_size();
  std::vector<int64_t> sizes;
  if (ctx.opset() >= 13 && ctx.input(1)) {
    llvm::Expected<std::vector<int64_t>> split = ctx.requireConstantInts(1, "split");
    if (!split)
      return split.takeError();
    sizes = *split;
  } else if (ctx.opset() < 13 && ctx.intsAttr("split")) {
    sizes = *ctx.intsAttr("split");
  } else {
    int64_t parts = ctx.opset() >= 18 ? ctx.intAttr("num_outputs", outputs) : outputs;
    int64_t chunk = (shape[*axis] + parts - 1) / parts;
    for (int64_t begin = 0; begin < shape[*axis]; begin += chunk)
      sizes.push_back(std::min(chunk, shape[*axis] - begin));
  }
  if (static_cast<int64_t>(sizes.size()) != outputs)
    return ctx.error("split sizes do not match the number of outputs");
  OpBuilder &b = ctx.builder();
  int64_t begin = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    SmallVector<int64_t> starts(rank, 0), ends(shape), steps(rank, 1);
    starts[*axis] = sizes[i] ? begin : 0;
    ends[*axis] = sizes[i] ? begin + sizes[i] : 0;
    begin += sizes[i];
    ctx.setResult(i, ctx.create<graph::SliceOp>(
                         ctx.input(0), b.getDenseI64ArrayAttr(starts),
                         b.getDenseI64ArrayAttr(ends),
                         b.getDenseI64ArrayAttr(steps)));
  }
  if (begin != shape[*axis])
    return ctx.error("split sizes do not add up to the axis length");
  return llvm::Error::success();
}

/// Tile as a view and a broadcast: [a, b] tiled (r, s) is [1, a, 1, b]
/// expanded to [r, a, s, b], then flattened pairwise.
llvm::Error importTile(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  llvm::Expected<std::vector<int64_t>> repeats = ctx.requireConstantInts(1, "repeats");
  if (!repeats)
    return repeats.takeError();
  if (repeats->size() != shape.size())
    return ctx.error("expected one repeat count per dimension");
  SmallVector<int64_t> spread, expanded, result;
  for (auto [dim, repeat] : llvm::zip(shape, *repeats)) {
    spread.append({1, dim});
    expanded.append({repeat, dim});
    result.push_back(repeat * dim);
  }
  Value x = reshapeTo(ctx, ctx.input(0), spread);
  auto type = RankedTensorType::get(expanded, ctx.inputType(0).getElementType());
  x = ctx.create<graph::ExpandOp>(type, x);
  ctx.setResult(0, reshapeTo(ctx, x, result));
  return llvm::Error::success();
}

/// DepthToSpace and SpaceToDepth are a reshape, a transpose and a reshape.
llvm::Error importDepthToSpace(NodeContext &ctx) {
  ArrayRef<int64_t> s = ctx.inputType(0).getShape();
  if (s.size() != 4)
    return ctx.error("expected a rank-4 input");
  int64_t b = ctx.intAttr("blocksize", 0);
  if (b < 1 || s[1] % (b * b))
    return ctx.error("channels must be a multiple of blocksize^2");
  bool crd = ctx.stringAttr("mode", "DCR") == "CRD";
  int64_t c = s[1] / (b * b);
  Value x = reshapeTo(ctx, ctx.input(0),
                      crd ? SmallVector<int64_t>{s[0], c, b, b, s[2], s[3]}
                          : SmallVector<int64_t>{s[0], b, b, c, s[2], s[3]});
  SmallVector<int64_t> perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
                                  : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
  x = ctx.create<graph::TransposeOp>(x, ArrayRef<int64_t>(perm));
  ctx.setResult(0, reshapeTo(ctx, x, {s[0], c, s[2] * b, s[3] * b}));
  return llvm::Error::success();
}

llvm::Error importSpaceToDepth(NodeContext &ctx) {
  ArrayRef<int64_t> s = ctx.inputType(0).getShape();
  if (s.size() != 4)
    return ctx.error("expected a rank-4 input");
  int64_t b = ctx.intAttr("blocksize", 0);
  if (b < 1 || s[2] % b || s[3] % b)
    return ctx.error("height and width must be multiples of blocksize");
  Value x = reshapeTo(ctx, ctx.input(0), {s[0], s[1], s[2] / b, b, s[3] / b, b});
  x = ctx.create<graph::TransposeOp>(x, ArrayRef<int64_t>{0, 3, 5, 1, 2, 4});
  ctx.setResult(0, reshapeTo(ctx, x, {s[0], s[1] * b * b, s[2] / b, s[3] / b}));
  return llvm::Error::success();
}

/// Range with constant bounds is a constant.
llvm::Error importRange(NodeContext &ctx) {
  ElementsAttr start, limit, delta;
  if (!matchPattern(ctx.input(0), m_Constant(&start)) ||
      !matchPattern(ctx.input(1), m_Constant(&limit)) ||
      !matchPattern(ctx.input(2), m_Constant(&delta)))
    return ctx.error("start, limit and delta must be compile-time constants");
  double a = graph::readConstantAsDoubles(start).front();
  double l = graph::readConstantAsDoubles(limit).front();
  double d = graph::readConstantAsDoubles(delta).front();
  if (d == 0)
    return ctx.error("delta is 0");
  int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((l - a) / d)));
  Type element = ctx.inputType(0).getElementType();
  auto type = RankedTensorType::get({count}, element);
  std::vector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(a + i * d);
  ctx.setResult(0, arith::ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  return llvm::Error::success();
}

/// Resize (opset 10+) and Upsample: scales or sizes must be known.
llvm::Error importResize(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  size_t rank = shape.size();
  bool upsample = ctx.node().op_type() == "Upsample";
  std::vector<double> scales, roi;
  std::vector<int64_t> sizes;
  auto constantDoubles = [&](Value value) -> std::optional<std::vector<double>> {
    ElementsAttr attr;
    if (!value || !matchPattern(value, m_Constant(&attr)))
      return std::nullopt;
    return graph::readConstantAsDoubles(attr);
  };
  // Operand positions: Upsample (X, scales); Resize 10 (X, scales);
  // Resize 11+ (X, roi, scales, sizes).
  bool opset10 = upsample || ctx.opset() < 11;
  size_t scalesIndex = opset10 ? 1 : 2;
  if (upsample && ctx.opset() < 9) {
    // Upsample-7 keeps its scales in an attribute.
    if (const onnx::AttributeProto *attr = ctx.attribute("scales"))
      scales.assign(attr->floats().begin(), attr->floats().end());
  } else if (std::optional<std::vector<double>> s = constantDoubles(ctx.input(scalesIndex))) {
    scales = *s;
  }
  bool roiUnknown = false;
  if (!opset10) {
    if (std::optional<std::vector<double>> r = constantDoubles(ctx.input(1)))
      roi = *r;
    else
      roiUnknown = static_cast<bool>(ctx.input(1));
    if (ctx.input(3)) {
      llvm::Expected<std::vector<int64_t>> s = ctx.requireConstantInts(3, "sizes");
      if (!s)
        return s.takeError();
      sizes = *s;
    }
  }
  if (scales.empty() && sizes.empty())
    return ctx.error("scales or sizes must be compile-time constants");
  if ((!scales.empty() && scales.size() != rank) ||
      (!sizes.empty() && sizes.size() != rank))
    return ctx.error("expected one scale or size per dimension");
  SmallVector<int64_t> out(rank);
  SmallVector<double> scale(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (!sizes.empty()) {
      out[d] = sizes[d];
      scale[d] = static_cast<double>(sizes[d]) / static_cast<double>(shape[d]);
    } else {
      scale[d] = scales[d];
      out[d] = static_cast<int64_t>(std::floor(shape[d] * scales[d]));
    }
  }
  std::string mode = ctx.stringAttr("mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear")
    mode = "linear";
  std::string coordinates = ctx.stringAttr(
      "coordinate_transformation_mode", opset10 ? "asymmetric" : "half_pixel");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return ctx.error("unknown mode '" + mode + "'");
  // Only tf_crop_and_resize reads roi. It decides no shape, but every
  // coordinate, and the kernels take it as a constant: ignoring an unknown
  // roi would compute with the wrong one.
  if (coordinates == "tf_crop_and_resize" && roiUnknown)
    return ctx.error("roi must be a compile-time constant for "
                     "coordinate_transformation_mode 'tf_crop_and_resize' "
                     "(freeze it with --bind)");
  OpBuilder &b = ctx.builder();
  auto type = RankedTensorType::get(out, ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::ResizeOp>(
                       type, ctx.input(0), b.getStringAttr(mode),
                       b.getStringAttr(coordinates),
                       b.getStringAttr(opset10 ? "floor"
                                               : ctx.stringAttr("nearest_mode",
                                                                "round_prefer_floor")),
                       b.getF64FloatAttr(ctx.floatAttr("cubic_coeff_a", -0.75f)),
                       b.getBoolAttr(ctx.intAttr("exclude_outside", 0) != 0),
                       b.getF64FloatAttr(ctx.floatAttr("extrapolation_value", 0.0f)),
                       b.getDenseF64ArrayAttr(scale), b.getDenseF64ArrayAttr(roi)));
  return llvm::Error::success();
}

llvm::Error importPad(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  std::vector<int64_t> pads;
  Value value;
  if (ctx.opset() < 11) {
    pads = ctx.intsAttr("pads").value_or(std::vector<int64_t>{});
    float fill = ctx.floatAttr("value", 0.0f);
    if (fill != 0.0f)
      value = scalarConstant(ctx, ctx.inputType(0).getElementType(), fill);
  } else {
    llvm::Expected<std::vector<int64_t>> given = ctx.requireConstantInts(1, "pads");
    if (!given)
      return given.takeError();
    pads = *given;
    value = ctx.input(2);
    if (ctx.input(3)) {
      // Opset 18: pads name only some axes; spread them over every axis.
      llvm::Expected<std::vector<int64_t>> axes = ctx.requireConstantInts(3, "axes");
      if (!axes)
        return axes.takeError();
      std::vector<int64_t> full(2 * rank, 0);
      for (auto [i, axis] : llvm::enumerate(*axes)) {
        llvm::Expected<int64_t> a = normalizeAxis(ctx, axis, rank);
        if (!a)
          return a.takeError();
        full[*a] = pads[i];
        full[rank + *a] = pads[axes->size() + i];
      }
      pads = full;
    }
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.error("expected two pads per dimension");
  std::string mode = ctx.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.error("pad mode '" + mode + "' is not supported");
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d) {
    out.push_back(shape[d] + pads[d] + pads[rank + d]);
    if (out.back() < 0)
      return ctx.error("pads crop more than the dimension holds");
    if (mode == "reflect" && (pads[d] >= shape[d] || pads[rank + d] >= shape[d]))
      return ctx.error("reflect pads must be smaller than the dimension");
  }
  auto type = RankedTensorType::get(out, ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::PadOp>(type, ctx.input(0), value,
                                            ctx.builder().getStringAttr(mode),
                                            ctx.builder().getDenseI64ArrayAttr(pads)));
  return llvm::Error::success();
}

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

/// QuantizeLinear: saturate(rint(x / scale) + zero_point), as graph ops.
llvm::Error importQuantizeLinear(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  // The axis only matters for per-axis (1-D) scales.
  llvm::Expected<int64_t> axis =
      ctx.inputType(1).getRank() == 0
          ? llvm::Expected<int64_t>(0)
          : normalizeAxis(ctx, ctx.intAttr("axis", 1), rank);
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
  bool isUnsigned = target.isUnsignedInteger();
  OpBuilder &b = ctx.builder();
  Value clipped = ctx.create<graph::ClipOp>(
      rounded, b.getF64FloatAttr(isUnsigned ? 0.0 : -128.0),
      b.getF64FloatAttr(isUnsigned ? 255.0 : 127.0));
  auto type = RankedTensorType::get(ctx.inputType(0).getShape(), target);
  ctx.setResult(0, ctx.create<graph::CastOp>(type, clipped));
  return llvm::Error::success();
}

/// DequantizeLinear: (x - zero_point) * scale, as graph ops.
llvm::Error importDequantizeLinear(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  // The axis only matters for per-axis (1-D) scales.
  llvm::Expected<int64_t> axis =
      ctx.inputType(1).getRank() == 0
          ? llvm::Expected<int64_t>(0)
          : normalizeAxis(ctx, ctx.intAttr("axis", 1), rank);
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

llvm::Error importScatterElements(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
  if (!axis)
    return axis.takeError();
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return ctx.error("reduction '" + reduction + "' is not supported");
  ctx.setResult(0, ctx.create<graph::ScatterElementsOp>(
                       ctx.inputType(0), ctx.input(0), ctx.input(1),
                       ctx.input(2), ctx.builder().getI64IntegerAttr(*axis),
                       ctx.builder().getStringAttr(reduction)));
  return llvm::Error::success();
}

llvm::Error importScatterND(NodeContext &ctx) {
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return ctx.error("reduction '" + reduction + "' is not supported");
  ctx.setResult(0, ctx.create<graph::ScatterNDOp>(
                       ctx.inputType(0), ctx.input(0), ctx.input(1),
                       ctx.input(2), ctx.builder().getStringAttr(reduction)));
  return llvm::Error::success();
}

llvm::Error importGatherND(NodeContext &ctx) {
  ArrayRef<int64_t> data = ctx.inputType(0).getShape();
  ArrayRef<int64_t> indices = ctx.inputType(1).getShape();
  int64_t batch = ctx.intAttr("batch_dims", 0);
  if (indices.empty() || batch < 0 ||
      batch + indices.back() > static_cast<int64_t>(data.size()))
    return ctx.error("index tuples do not fit the data");
  SmallVector<int64_t> shape(indices.drop_back());
  llvm::append_range(shape, data.drop_front(batch + indices.back()));
  auto type = RankedTensorType::get(shape, ctx.inputType(0).getElementType());
  ctx.setResult(0, ctx.create<graph::GatherNDOp>(type, ctx.input(0), ctx.input(1),
                                                 ctx.builder().getI64IntegerAttr(batch)));
  return llvm::Error::success();
}

llvm::Error importTopK(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  int64_t k = ctx.intAttr("k", 0);
  if (ctx.opset() >= 10) {
    llvm::Expected<std::vector<int64_t>> value = ctx.requireConstantInts(1, "k");
    if (!value)
      return value.takeError();
    k = value->front();
  }
  if (k < 0 || k > shape[*axis])
    return ctx.error("k is outside [0, axis length]");
  if (ctx.opset() >= 11 && ctx.intAttr("sorted", 1) == 0)
    return ctx.error("sorted=0 is not supported");
  SmallVector<int64_t> out(shape);
  out[*axis] = k;
  OpBuilder &b = ctx.builder();
  auto op = graph::TopKOp::create(
      b, ctx.loc(), RankedTensorType::get(out, ctx.inputType(0).getElementType()),
      RankedTensorType::get(out, b.getI64Type()), ctx.input(0),
      b.getI64IntegerAttr(*axis), b.getI64IntegerAttr(k),
      b.getBoolAttr(ctx.intAttr("largest", 1) != 0));
  ctx.setResult(0, op.getValues());
  ctx.setResult(1, op.getIndices());
  return llvm::Error::success();
}

/// InstanceNormalization: per (n, c) normalization over the spatial axes,
/// then a per-channel scale and bias, as graph ops.
llvm::Error importInstanceNorm(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 3 || !isa<FloatType>(type.getElementType()))
    return ctx.error("expected a floating-point input of rank >= 3");
  OpBuilder &b = ctx.builder();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Value x = ctx.input(0);
  Value mean = ctx.create<graph::ReduceMeanOp>(x, b.getDenseI64ArrayAttr(axes),
                                               b.getBoolAttr(true));
  Value centered = ctx.create<graph::SubOp>(x, mean);
  Value variance = ctx.create<graph::ReduceMeanOp>(
      ctx.create<graph::MulOp>(centered, centered), b.getDenseI64ArrayAttr(axes),
      b.getBoolAttr(true));
  Value stddev = ctx.create<graph::SqrtOp>(ctx.create<graph::AddOp>(
      variance, scalarConstant(ctx, type.getElementType(),
                               ctx.floatAttr("epsilon", 1e-5f))));
  SmallVector<int64_t> paramShape(rank - 1, 1);
  paramShape[0] = type.getDimSize(1);
  Value y = ctx.create<graph::DivOp>(centered, stddev);
  y = ctx.create<graph::MulOp>(y, reshapeTo(ctx, ctx.input(1), paramShape));
  ctx.setResult(0, ctx.create<graph::AddOp>(y, reshapeTo(ctx, ctx.input(2), paramShape)));
  return llvm::Error::success();
}

/// LRN: x / (bias + alpha / size * sum of squares over a channel window)^beta.
/// The window sum is an average pool (counting pads) over [N, 1, C, H*W].
llvm::Error importLRN(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  ArrayRef<int64_t> shape = type.getShape();
  if (shape.size() < 3 || !type.getElementType().isF32())
    return ctx.error("expected a float32 input of rank >= 3");
  int64_t size = ctx.intAttr("size", 0);
  if (size < 1)
    return ctx.error("size must be positive");
  OpBuilder &b = ctx.builder();
  Type element = type.getElementType();
  int64_t spatial = computeProduct(shape.drop_front(2));
  Value x = ctx.input(0);
  Value squares = ctx.create<graph::MulOp>(x, x);
  Value planes = reshapeTo(ctx, squares, {shape[0], 1, shape[1], spatial});
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value mean = ctx.create<graph::AvgPoolOp>(
      planes, b.getDenseI64ArrayAttr({size, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({before, 0, after, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getBoolAttr(false), b.getBoolAttr(true));
  Value sum = reshapeTo(ctx, mean, shape);
  // mean * size * alpha / size = mean * alpha.
  Value scaled = ctx.create<graph::AddOp>(
      ctx.create<graph::MulOp>(sum, scalarConstant(ctx, element,
                                                   ctx.floatAttr("alpha", 1e-4f))),
      scalarConstant(ctx, element, ctx.floatAttr("bias", 1.0f)));
  Value denominator = ctx.create<graph::PowOp>(
      scaled, scalarConstant(ctx, element, ctx.floatAttr("beta", 0.75f)));
  ctx.setResult(0, ctx.create<graph::DivOp>(x, denominator));
  return llvm::Error::success();
}

/// (x - zero_point) in float, exact for 8-bit data.
Value centeredAsFloat(NodeContext &ctx, Value x, Value zeroPoint) {
  auto type = cast<RankedTensorType>(x.getType());
  FloatType f32 = ctx.builder().getF32Type();
  Value value = ctx.create<graph::CastOp>(
      RankedTensorType::get(type.getShape(), f32), x);
  if (!zeroPoint)
    return value;
  auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
  Value zero = ctx.create<graph::CastOp>(
      RankedTensorType::get(zeroType.getShape(), f32), zeroPoint);
  // A per-row (A) or per-column (B) zero point broadcasts as a column.
  if (zeroType.getRank() == 1 && zeroType.getDimSize(0) > 1 && type.getRank() >= 2 &&
      zeroType.getDimSize(0) == type.getDimSize(type.getRank() - 2) &&
      zeroType.getDimSize(0) != type.getDimSize(type.getRank() - 1))
    zero = reshapeTo(ctx, zero, {zeroType.getDimSize(0), 1});
  return ctx.create<graph::SubOp>(value, zero);
}

/// (x - zero_point) in int32, where 8-bit differences are exact.
Value centeredAsInt32(NodeContext &ctx, Value x, Value zeroPoint) {
  auto type = cast<RankedTensorType>(x.getType());
  IntegerType i32 = ctx.builder().getI32Type();
  Value value = ctx.create<graph::CastOp>(
      RankedTensorType::get(type.getShape(), i32), x);
  if (!zeroPoint)
    return value;
  auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
  Value zero = ctx.create<graph::CastOp>(
      RankedTensorType::get(zeroType.getShape(), i32), zeroPoint);
  // A per-row (A) or per-column (B) zero point broadcasts as a column.
  if (zeroType.getRank() == 1 && zeroType.getDimSize(0) > 1 && type.getRank() >= 2 &&
      zeroType.getDimSize(0) == type.getDimSize(type.getRank() - 2) &&
      zeroType.getDimSize(0) != type.getDimSize(type.getRank() - 1))
    zero = reshapeTo(ctx, zero, {zeroType.getDimSize(0), 1});
  return ctx.create<graph::SubOp>(value, zero);
}

/// MatMulInteger multiplies in int32: float would round once the sums pass
/// 2^24 (K = 4099 with uint8 extremes already does).
llvm::Error importMatMulInteger(NodeContext &ctx) {
  Value a = centeredAsInt32(ctx, ctx.input(0), ctx.input(2));
  Value b = centeredAsInt32(ctx, ctx.input(1), ctx.input(3));
  ctx.setResult(0, ctx.create<graph::MatMulOp>(a, b));
  return llvm::Error::success();
}

llvm::Error importConvInteger(NodeContext &ctx) {
  if (llvm::Error err = checkConvAttributes(
          ctx, ctx.inputType(0).getShape(), ctx.inputType(1).getShape(),
          /*biasInput=*/-1, /*transposed=*/false))
    return err;
  Value x = centeredAsFloat(ctx, ctx.input(0), ctx.input(2));
  Value w = ctx.input(3)
                ? centeredAsFloat(ctx, ctx.input(1), Value())
                : centeredAsFloat(ctx, ctx.input(1), Value());
  if (Value zero = ctx.input(3)) {
    auto zeroType = cast<RankedTensorType>(zero.getType());
    Value zeroF = ctx.create<graph::CastOp>(
        RankedTensorType::get(zeroType.getShape(), ctx.builder().getF32Type()), zero);
    if (zeroType.getRank() == 1 && zeroType.getDimSize(0) > 1)
      zeroF = reshapeTo(ctx, zeroF, {zeroType.getDimSize(0), 1, 1, 1});
    w = ctx.create<graph::SubOp>(w, zeroF);
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
  auto type = cast<RankedTensorType>(conv.getType());
  ctx.setResult(0, ctx.create<graph::CastOp>(
                       RankedTensorType::get(type.getShape(), b.getI32Type()), conv));
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
  bool isUnsigned = target.isUnsignedInteger();
  OpBuilder &builder = ctx.builder();
  Value clipped = ctx.create<graph::ClipOp>(
      rounded, builder.getF64FloatAttr(isUnsigned ? 0.0 : -128.0),
      builder.getF64FloatAttr(isUnsigned ? 255.0 : 127.0));
  auto type = cast<RankedTensorType>(clipped.getType());
  ctx.setResult(0, ctx.create<graph::CastOp>(
                       RankedTensorType::get(type.getShape(), target), clipped));
  return llvm::Error::success();
}

/// Compress with a known condition is a Gather of the kept positions.
llvm::Error importCompress(NodeContext &ctx) {
  llvm::Expected<std::vector<int64_t>> condition =
      ctx.requireConstantInts(1, "condition");
  if (!condition)
    return condition.takeError();
  Value data = ctx.input(0);
  int64_t axis = 0;
  if (ctx.attribute("axis")) {
    llvm::Expected<int64_t> normalized =
        normalizeAxis(ctx, ctx.intAttr("axis", 0), ctx.inputType(0).getRank());
    if (!normalized)
      return normalized.takeError();
    axis = *normalized;
  } else {
    data = reshapeTo(ctx, data, {ctx.inputType(0).getNumElements()});
  }
  int64_t length = cast<RankedTensorType>(data.getType()).getDimSize(axis);
  std::vector<int64_t> kept;
  for (size_t i = 0; i < condition->size() && static_cast<int64_t>(i) < length; ++i)
    if ((*condition)[i])
      kept.push_back(i);
  auto indexType = RankedTensorType::get({static_cast<int64_t>(kept.size())},
                                         ctx.builder().getI64Type());
  Value indices = arith::ConstantOp::create(
      ctx.builder(), ctx.loc(), indexType,
      cast<TypedAttr>(graph::makeConstantFromInts(indexType, kept)));
  ctx.setResult(0, ctx.create<graph::GatherOp>(
                       data, indices, ctx.builder().getI64IntegerAttr(axis)));
  return llvm::Error::success();
}

llvm::Error importCumSum(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  llvm::Expected<std::vector<int64_t>> axisValue = ctx.requireConstantInts(1, "axis");
  if (!axisValue)
    return axisValue.takeError();
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, axisValue->front(), rank);
  if (!axis)
    return axis.takeError();
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::CumSumOp>(
                       ctx.input(0), b.getI64IntegerAttr(*axis),
                       b.getBoolAttr(ctx.intAttr("exclusive", 0) != 0),
                       b.getBoolAttr(ctx.intAttr("reverse", 0) != 0)));
  return llvm::Error::success();
}

llvm::Error importHardmax(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  llvm::Expected<int64_t> axis =
      normalizeAxis(ctx, ctx.intAttr("axis", ctx.opset() < 13 ? 1 : -1), rank);
  if (!axis)
    return axis.takeError();
  OpBuilder &b = ctx.builder();
  if (ctx.opset() >= 13 || *axis == rank - 1) {
    ctx.setResult(0, ctx.create<graph::HardmaxOp>(ctx.input(0),
                                                  b.getI64IntegerAttr(*axis)));
    return llvm::Error::success();
  }
  // Before opset 13: over all dimensions from `axis` on, as Softmax.
  int64_t outer = computeProduct(type.getShape().take_front(*axis));
  int64_t inner = computeProduct(type.getShape().drop_front(*axis));
  Value flat = reshapeTo(ctx, ctx.input(0), {outer, inner});
  Value hard = ctx.create<graph::HardmaxOp>(flat, b.getI64IntegerAttr(1));
  ctx.setResult(0, reshapeTo(ctx, hard, type.getShape()));
  return llvm::Error::success();
}

llvm::Error importOneHot(NodeContext &ctx) {
  llvm::Expected<std::vector<int64_t>> depth = ctx.requireConstantInts(1, "depth");
  if (!depth)
    return depth.takeError();
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size() + 1;
  llvm::Expected<int64_t> axis = normalizeAxis(ctx, ctx.intAttr("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  SmallVector<int64_t> result(shape);
  result.insert(result.begin() + *axis, depth->front());
  auto type = RankedTensorType::get(result, ctx.inputType(2).getElementType());
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<graph::OneHotOp>(
                       type, ctx.input(0), ctx.input(2),
                       b.getI64IntegerAttr(*axis),
                       b.getI64IntegerAttr(depth->front())));
  return llvm::Error::success();
}

/// EyeLike depends only on the input's shape: a constant.
llvm::Error importEyeLike(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  if (shape.size() != 2)
    return ctx.error("expected a rank-2 input");
  Type element = ctx.inputType(0).getElementType();
  if (const onnx::AttributeProto *dtype = ctx.attribute("dtype"))
    element = convertDataType(*ctx.builder().getContext(), dtype->i());
  if (!element)
    return ctx.error("unsupported dtype");
  int64_t k = ctx.intAttr("k", 0);
  auto type = RankedTensorType::get(shape, element);
  std::vector<double> values(type.getNumElements(), 0.0);
  for (int64_t r = 0; r < shape[0]; ++r)
    if (r + k >= 0 && r + k < shape[1])
      values[r * shape[1] + r + k] = 1.0;
  ctx.setResult(0, arith::ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  return llvm::Error::success();
}

} // namespace

const llvm::StringMap<OpImporter> &getOpImporters() {
  static const llvm::StringMap<OpImporter> importers = {
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
      {"Conv", {1, kMaxKnownOpset, importConv}},
      {"Gemm", {6, kMaxKnownOpset, importGemm}},
      {"MatMul", {1, kMaxKnownOpset, importMatMul}},
      {"MaxPool", {1, kMaxKnownOpset, importPool<graph::MaxPoolOp>}},
      {"AveragePool", {1, kMaxKnownOpset, importPool<graph::AvgPoolOp>}},
      {"GlobalAveragePool", {1, kMaxKnownOpset, importGlobalPool<graph::ReduceMeanOp>}},
      {"BatchNormalization", {6, kMaxKnownOpset, importBatchNorm}},
      {"LayerNormalization", {17, kMaxKnownOpset, importLayerNorm}},
      {"Softmax", {1, kMaxKnownOpset, importSoftmaxLike<graph::SoftmaxOp>}},
      {"LogSoftmax", {1, kMaxKnownOpset, importSoftmaxLike<graph::LogSoftmaxOp>}},
      {"GatherElements", {11, kMaxKnownOpset, importGatherElements}},
      {"Trilu", {14, kMaxKnownOpset, importTrilu}},
      {"Size", {1, kMaxKnownOpset, importSize}},
      {"GlobalMaxPool", {1, kMaxKnownOpset, importGlobalPool<graph::ReduceMaxOp>}},
      {"Split", {2, kMaxKnownOpset, importSplit}},
      {"Tile", {6, kMaxKnownOpset, importTile}},
      {"DepthToSpace", {1, kMaxKnownOpset, importDepthToSpace}},
      {"SpaceToDepth", {1, kMaxKnownOpset, importSpaceToDepth}},
      {"Range", {11, kMaxKnownOpset, importRange}},
      {"ConvTranspose", {1, kMaxKnownOpset, importConvTranspose}},
      {"Resize", {10, kMaxKnownOpset, importResize}},
      {"Upsample", {7, 9, importResize}},
      {"CumSum", {11, kMaxKnownOpset, importCumSum}},
      {"Compress", {9, kMaxKnownOpset, importCompress}},
      {"Pad", {2, kMaxKnownOpset, importPad}},
      {"ScatterElements", {11, kMaxKnownOpset, importScatterElements}},
      {"Scatter", {9, 10, importScatterElements}},
      {"ScatterND", {11, kMaxKnownOpset, importScatterND}},
      {"GatherND", {11, kMaxKnownOpset, importGatherND}},
      {"TopK", {1, kMaxKnownOpset, importTopK}},
      {"InstanceNormalization", {6, kMaxKnownOpset, importInstanceNorm}},
      {"LRN", {1, kMaxKnownOpset, importLRN}},
      {"MatMulInteger", {10, kMaxKnownOpset, importMatMulInteger}},
      {"QLinearMatMul", {10, kMaxKnownOpset, importQLinearMatMul}},
      {"ConvInteger", {10, kMaxKnownOpset, importConvInteger}},
      {"QuantizeLinear", {10, kMaxKnownOpset, importQuantizeLinear}},
      {"DequantizeLinear", {10, kMaxKnownOpset, importDequantizeLinear}},
      {"Hardmax", {1, kMaxKnownOpset, importHardmax}},
      {"OneHot", {9, kMaxKnownOpset, importOneHot}},
      {"EyeLike", {9, kMaxKnownOpset, importEyeLike}},
      {"ReduceMean", {1, kMaxKnownOpset, importReduce<graph::ReduceMeanOp, 18>}},
      {"ReduceSum", {1, kMaxKnownOpset, importReduce<graph::ReduceSumOp, 13>}},
      {"ReduceMax", {1, kMaxKnownOpset, importReduce<graph::ReduceMaxOp, 18>}},
      {"ReduceMin", {1, kMaxKnownOpset, importReduce<graph::ReduceMinOp, 18>}},
      {"ReduceProd", {1, kMaxKnownOpset, importReduce<graph::ReduceProdOp, 18>}},
      {"ReduceL1", {1, kMaxKnownOpset, importReduce<graph::ReduceL1Op, 18>}},
      {"ReduceL2", {1, kMaxKnownOpset, importReduce<graph::ReduceL2Op, 18>}},
      {"ReduceLogSum", {1, kMaxKnownOpset, importReduce<graph::ReduceLogSumOp, 18>}},
      {"ReduceLogSumExp",
       {1, kMaxKnownOpset, importReduce<graph::ReduceLogSumExpOp, 18>}},
      {"ReduceSumSquare",
       {1, kMaxKnownOpset, importReduce<graph::ReduceSumSquareOp, 18>}},
      {"ArgMax", {1, kMaxKnownOpset, importArgReduce<graph::ArgMaxOp>}},
      {"ArgMin", {1, kMaxKnownOpset, importArgReduce<graph::ArgMinOp>}},
      {"Reshape", {1, kMaxKnownOpset, importReshape}},
      {"Flatten", {1, kMaxKnownOpset, importFlatten}},
      {"Squeeze", {1, kMaxKnownOpset, importSqueeze}},
      {"Unsqueeze", {1, kMaxKnownOpset, importUnsqueeze}},
      {"Transpose", {1, kMaxKnownOpset, importTranspose}},
      {"Concat", {4, kMaxKnownOpset, importConcat}},
      {"Gather", {1, kMaxKnownOpset, importGather}},
      {"Slice", {1, kMaxKnownOpset, importSlice}},
      {"Shape", {1, kMaxKnownOpset, importShape}},
      {"Expand", {8, kMaxKnownOpset, importExpand}},
      {"Constant", {1, kMaxKnownOpset, importConstant}},
      {"ConstantOfShape", {9, kMaxKnownOpset, importConstantOfShape}},
  };
  return importers;
}

} // namespace modelc::onnx_frontend
