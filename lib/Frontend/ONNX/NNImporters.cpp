//===- NNImporters.cpp - Convolution, products, pooling, normalization ----===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Window ops (Conv, ConvTranspose, the pools) run in 2-D; a 1-D op is lifted
// to a unit height and its result unlifted. MatMul, Gemm, the norms,
// Softmax, LogSoftmax and Hardmax complete the neural-network family.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "MaxPoolIndices.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"
#include "VolumeWindows.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"

#include <type_traits>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

/// Conv, MatMul, Gemm and the pools compute in floating point (MaxPool also
/// on 8-bit integers, see importPool).
llvm::Error requireFloatInput(NodeContext &ctx) {
  Type element = ctx.inputType(0).getElementType();
  if (isa<FloatType>(element))
    return llvm::Error::success();
  std::string name;
  llvm::raw_string_ostream os(name);
  os << element;
  return ctx.error("only floating-point inputs are supported, got " + name);
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

llvm::Error importConv(NodeContext &ctx) {
  if (llvm::Error err = requireFloatInput(ctx))
    return err;
  if (llvm::Error err = checkConvAttributes(
          ctx, ctx.inputType(0).getShape(), ctx.inputType(1).getShape(),
          /*biasInput=*/2, /*transposed=*/false))
    return err;
  if (ctx.inputType(0).getRank() == 5)
    return importVolumeConv(ctx);
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
  if (ctx.inputType(0).getRank() == 5)
    return importVolumeConvTranspose(ctx);
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
  llvm::Expected<TransposedWindow> win =
      readTransposedWindow(ctx, in, w, lifted);
  if (!win)
    return win.takeError();
  SmallVector<int64_t> out = {in[0], w[1] * group, win->outSizes[0],
                              win->outSizes[1]};
  ArrayRef<int64_t> strides = win->strides, pads = win->pads,
                    dilations = win->dilations;
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
  bool withIndices =
      std::is_same_v<OpTy, graph::MaxPoolOp> && ctx.resultUsed(1);
  if (withIndices && (!isa<FloatType>(ctx.inputType(0).getElementType()) ||
                      ctx.inputType(0).getRank() == 5))
    return ctx.error("the Indices output is supported for 1-D and 2-D pools "
                     "of floats");
  // MaxPool also takes int8 and uint8 (opset 12): a max is exact on them.
  if (!std::is_same_v<OpTy, graph::MaxPoolOp> ||
      !ctx.inputType(0).getElementType().isInteger(8))
    if (llvm::Error err = requireFloatInput(ctx))
      return err;
  if (ctx.inputType(0).getRank() == 5)
    return importVolumePool(ctx, std::is_same_v<OpTy, graph::MaxPoolOp>);
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
  OpBuilder &b = ctx.builder();
  Value pooled = ctx.create<OpTy>(
      input, b.getDenseI64ArrayAttr(w->kernel),
      b.getDenseI64ArrayAttr(w->strides), b.getDenseI64ArrayAttr(w->pads),
      b.getDenseI64ArrayAttr(w->dilations),
      b.getBoolAttr(ctx.intAttr("ceil_mode", 0) != 0),
      b.getBoolAttr(ctx.intAttr("count_include_pad", 0) != 0));
  ctx.setResult(0, unliftResult(ctx, pooled, lifted));
  // storage_order changes only how Indices count positions.
  if (withIndices)
    ctx.setResult(
        1, unliftResult(ctx,
                        maxPoolIndices(
                            ctx, input, *w,
                            cast<RankedTensorType>(pooled.getType()).getShape(),
                            ctx.intAttr("storage_order", 0) != 0),
                        lifted));
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

/// BatchNormalization with training_mode = 1 (opset 14 on): Y is normalized
/// with the batch's own per-channel mean and population variance, and the
/// running statistics come out updated, `input * momentum + batch * (1 -
/// momentum)`, as the ONNX reference and onnxruntime compute them.
llvm::Error importTrainingBatchNorm(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank(), channels = type.getDimSize(1);
  OpBuilder &b = ctx.builder();
  Type element = type.getElementType();
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  SmallVector<int64_t> perChannel(rank, 1);
  perChannel[1] = channels;
  auto reduceMean = [&](Value value) {
    return ctx.create<graph::ReduceMeanOp>(value, b.getDenseI64ArrayAttr(axes),
                                           b.getBoolAttr(true));
  };
  // Opset 15 lets scale and bias (T1) and the statistics (T2) differ in
  // type from X: they compute in X's type, and the running statistics go
  // back to theirs.
  auto inXType = [&](size_t input) {
    Value value = reshapeTo(ctx, ctx.input(input), {channels});
    if (ctx.inputType(input).getElementType() == element)
      return value;
    return ctx.create<graph::CastOp>(RankedTensorType::get({channels}, element),
                                     value);
  };
  auto broadcastable = [&](size_t input) {
    return reshapeTo(ctx, inXType(input), perChannel);
  };
  Value x = ctx.input(0);
  Value mean = reduceMean(x);
  Value centered = ctx.create<graph::SubOp>(x, mean);
  Value variance = reduceMean(ctx.create<graph::MulOp>(centered, centered));
  Value deviation = ctx.create<graph::SqrtOp>(ctx.create<graph::AddOp>(
      variance, scalarConstant(ctx, element, ctx.floatAttr("epsilon", 1e-5f))));
  ctx.setResult(0, ctx.create<graph::AddOp>(
                       ctx.create<graph::MulOp>(
                           ctx.create<graph::DivOp>(centered, deviation),
                           broadcastable(1)),
                       broadcastable(2)));
  double momentum = ctx.floatAttr("momentum", 0.9f);
  auto running = [&](size_t input, Value batch) {
    Value kept = ctx.create<graph::MulOp>(
        inXType(input), scalarConstant(ctx, element, momentum));
    Value added =
        ctx.create<graph::MulOp>(reshapeTo(ctx, batch, {channels}),
                                 scalarConstant(ctx, element, 1.0 - momentum));
    Value updated = reshapeTo(ctx, ctx.create<graph::AddOp>(kept, added),
                              ctx.inputType(input).getShape());
    RankedTensorType statistics = ctx.inputType(input);
    if (statistics.getElementType() == element)
      return updated;
    return ctx.create<graph::CastOp>(statistics, updated);
  };
  if (ctx.resultUsed(1))
    ctx.setResult(1, running(3, mean));
  if (ctx.resultUsed(2))
    ctx.setResult(2, running(4, variance));
  return llvm::Error::success();
}

llvm::Error importBatchNorm(NodeContext &ctx) {
  bool training = ctx.intAttr("training_mode", 0) != 0;
  if (training && ctx.opset() < 14)
    return ctx.error("training_mode is an opset 14 attribute");
  if (!training && (ctx.resultUsed(1) || ctx.resultUsed(2)))
    return ctx.error(ctx.opset() >= 14
                         ? "running_mean and running_var are outputs of "
                           "training_mode = 1 only"
                         : "the statistics outputs of training (before "
                           "opset 14) are not supported");
  if (ctx.opset() < 9 && ctx.intAttr("spatial", 1) != 1)
    return ctx.error("spatial=0 is not supported");
  if (!isa<FloatType>(ctx.inputType(0).getElementType()) ||
      ctx.inputType(0).getRank() < 2)
    return ctx.error("expected a float input [N, C, ...]");
  int64_t channels = ctx.inputType(0).getDimSize(1);
  for (size_t i = 1; i < 5; ++i)
    if (ctx.inputType(i).getNumElements() != channels)
      return ctx.error("expected per-channel parameters of " +
                       llvm::Twine(channels) + " elements");
  if (training)
    return importTrainingBatchNorm(ctx);
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

} // namespace

void registerNNImporters(OpImporterTable &table) {
  addImporters(table, {
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
      {"GlobalMaxPool", {1, kMaxKnownOpset, importGlobalPool<graph::ReduceMaxOp>}},
      {"ConvTranspose", {1, kMaxKnownOpset, importConvTranspose}},
      {"InstanceNormalization", {6, kMaxKnownOpset, importInstanceNorm}},
      {"LRN", {1, kMaxKnownOpset, importLRN}},
      {"Hardmax", {1, kMaxKnownOpset, importHardmax}},
  });
}

} // namespace modelc::onnx_frontend
