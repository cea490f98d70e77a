//===- ShapeImporters.cpp - Reshapes, slices, padding, resizing -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Ops that move data without computing on it. Their shape operands (shape,
// axes, starts, pads, sizes, ...) must be compile-time constants; the graph
// ops' folders make them so for the Shape/Gather/Concat chains that
// exporters write.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "onnx/onnx_pb.h"

#include <cmath>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

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

/// k changes values only, so it may be a run-time input: it becomes the
/// op's offset operand, and a constant k its attribute.
llvm::Error importTrilu(NodeContext &ctx) {
  if (ctx.inputType(0).getRank() < 2)
    return ctx.error("expected an input of rank >= 2");
  int64_t k = 0;
  Value offset;
  if (ctx.input(1)) {
    if (ctx.inputType(1).getNumElements() != 1 ||
        !ctx.inputType(1).getElementType().isInteger())
      return ctx.error("k must be a one-element integer tensor");
    if (std::optional<std::vector<int64_t>> value =
            ctx.constantInts(ctx.input(1)))
      k = value->front();
    else
      offset = ctx.input(1);
  }
  OpBuilder &b = ctx.builder();
  ctx.setResult(
      0, ctx.create<graph::TriluOp>(ctx.inputType(0), ctx.input(0), offset,
                                    b.getBoolAttr(ctx.intAttr("upper", 1) != 0),
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

/// Linear tf_crop_and_resize with a run-time roi, separably: along each
/// axis d the output positions x = start (in - 1) + i (end - start)
/// (in - 1) / (out - 1) (the roi's centre when out = 1) are arithmetic on the
/// roi, the two neighbours are gathered and mixed, and a position outside
/// [0, in - 1] on any axis gives extrapolation_value, as the ONNX reference
/// computes it. Every axis goes through this, since a roi may crop the batch
/// and channel axes too.
static llvm::Error importCropAndResize(NodeContext &ctx,
                                       ArrayRef<int64_t> out) {
  RankedTensorType type = ctx.inputType(0);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = type.getRank();
  Type element = type.getElementType();
  if (ctx.inputType(1).getNumElements() != 2 * rank)
    return ctx.error("roi must hold a start and an end for each of the " +
                     llvm::Twine(rank) + " dimensions");
  OpBuilder &b = ctx.builder();
  auto scalar = [&](double value) {
    return scalarConstant(ctx, element, value);
  };
  Value roi = reshapeTo(ctx, ctx.input(1), {2 * rank});
  if (ctx.inputType(1).getElementType() != element)
    roi = ctx.create<graph::CastOp>(RankedTensorType::get({2 * rank}, element),
                                    roi);
  auto roiEntry = [&](int64_t index) {
    Value entry = ctx.create<graph::SliceOp>(
        roi, b.getDenseI64ArrayAttr({index}),
        b.getDenseI64ArrayAttr({index + 1}), b.getDenseI64ArrayAttr({1}));
    return reshapeTo(ctx, entry, {});
  };
  Value result = ctx.input(0);
  Value inside;
  for (int64_t d = 0; d < rank; ++d) {
    double last = static_cast<double>(shape[d] - 1);
    Value start = roiEntry(d), end = roiEntry(rank + d);
    Value position;
    if (out[d] > 1) {
      std::vector<double> steps(out[d]);
      for (int64_t i = 0; i < out[d]; ++i)
        steps[i] =
            static_cast<double>(i) * last / static_cast<double>(out[d] - 1);
      position = ctx.create<graph::AddOp>(
          ctx.create<graph::MulOp>(start, scalar(last)),
          ctx.create<graph::MulOp>(
              ctx.create<graph::SubOp>(end, start),
              floatConstant(ctx, element, {out[d]}, steps)));
    } else {
      position = reshapeTo(
          ctx,
          ctx.create<graph::MulOp>(ctx.create<graph::AddOp>(start, end),
                                   scalar(0.5 * last)),
          {1});
    }
    Value axisInside = ctx.create<graph::AndOp>(
        ctx.create<graph::GreaterEqualOp>(position, scalar(0.0)),
        ctx.create<graph::LessEqualOp>(position, scalar(last)));
    // Neighbours clamped into the input; outside positions are replaced by
    // extrapolation_value below, whatever they read.
    Value below = ctx.create<graph::FloorOp>(position);
    Value clampedBelow = ctx.create<graph::MinOp>(
        ctx.create<graph::MaxOp>(below, scalar(0.0)), scalar(last));
    Value clampedAbove = ctx.create<graph::MinOp>(
        ctx.create<graph::AddOp>(clampedBelow, scalar(1.0)), scalar(last));
    Value weight = ctx.create<graph::SubOp>(position, below);
    auto indexType = RankedTensorType::get({out[d]}, b.getI64Type());
    auto gather = [&](Value index) {
      return ctx.create<graph::GatherOp>(
          result, ctx.create<graph::CastOp>(indexType, index),
          b.getI64IntegerAttr(d));
    };
    SmallVector<int64_t> along(rank, 1);
    along[d] = out[d];
    Value lower = gather(clampedBelow), upper = gather(clampedAbove);
    result = ctx.create<graph::AddOp>(
        lower, ctx.create<graph::MulOp>(ctx.create<graph::SubOp>(upper, lower),
                                        reshapeTo(ctx, weight, along)));
    Value axisMask = reshapeTo(ctx, axisInside, along);
    inside = inside ? ctx.create<graph::AndOp>(inside, axisMask) : axisMask;
  }
  ctx.setResult(0, ctx.create<graph::WhereOp>(
                       inside, result,
                       scalar(ctx.floatAttr("extrapolation_value", 0.0f))));
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
  // coordinate: the resize kernels take it as a constant, and a run-time one
  // is written out as graph ops for linear mode.
  if (coordinates == "tf_crop_and_resize" && roiUnknown) {
    if (mode == "linear" && isa<FloatType>(ctx.inputType(0).getElementType()))
      return importCropAndResize(ctx, out);
    return ctx.error("roi must be a compile-time constant for "
                     "coordinate_transformation_mode 'tf_crop_and_resize' "
                     "with mode '" +
                     mode + "' (freeze it with --bind)");
  }
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

} // namespace

void registerShapeImporters(OpImporterTable &table) {
  addImporters(table, {
      {"Trilu", {14, kMaxKnownOpset, importTrilu}},
      {"Size", {1, kMaxKnownOpset, importSize}},
      {"Split", {2, kMaxKnownOpset, importSplit}},
      {"Tile", {6, kMaxKnownOpset, importTile}},
      {"DepthToSpace", {1, kMaxKnownOpset, importDepthToSpace}},
      {"SpaceToDepth", {1, kMaxKnownOpset, importSpaceToDepth}},
      {"Resize", {10, kMaxKnownOpset, importResize}},
      {"Upsample", {7, 9, importResize}},
      {"Pad", {2, kMaxKnownOpset, importPad}},
      {"Reshape", {1, kMaxKnownOpset, importReshape}},
      {"Flatten", {1, kMaxKnownOpset, importFlatten}},
      {"Squeeze", {1, kMaxKnownOpset, importSqueeze}},
      {"Unsqueeze", {1, kMaxKnownOpset, importUnsqueeze}},
      {"Transpose", {1, kMaxKnownOpset, importTranspose}},
      {"Concat", {4, kMaxKnownOpset, importConcat}},
      {"Slice", {1, kMaxKnownOpset, importSlice}},
      {"Shape", {1, kMaxKnownOpset, importShape}},
      {"Expand", {8, kMaxKnownOpset, importExpand}},
  });
}

} // namespace modelc::onnx_frontend
