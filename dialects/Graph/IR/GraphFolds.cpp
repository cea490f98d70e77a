//===- GraphFolds.cpp - Graph dialect folds and canonicalization ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Folds evaluate ops on small constants: this is what collapses the
// Shape/Gather/Concat/Unsqueeze/Reshape chains that exporters write into
// constants, both while importing (through createOrFold) and in the
// canonicalizer. Canonicalization patterns decompose batch normalization and
// fold per-channel affine transforms into convolutions.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "dialects/Graph/IR/ConstantData.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

#define DEBUG_TYPE "graph-folds"

using namespace mlir;
using namespace mlir::modelc::graph;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A constant operand that folds may compute on: small enough, and with its
/// data loaded.
static ElementsAttr foldableConstant(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return {};
  if (cast<ShapedType>(elements.getType()).getNumElements() > kFoldElementLimit)
    return {};
  return elements;
}

/// Row-major strides of `shape` as seen from a broadcast result of rank
/// `rank`: dimensions that broadcast (size 1, or missing) get stride 0.
static SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> resultShape) {
  size_t rank = resultShape.size();
  SmallVector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t d = shape.size() - 1 - i;
    size_t r = rank - 1 - i;
    strides[r] = shape[d] == 1 && resultShape[r] != 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

/// Flat index into an operand for each flat index of the result.
static SmallVector<int64_t> broadcastIndexMap(ArrayRef<int64_t> shape,
                                              ArrayRef<int64_t> resultShape) {
  SmallVector<int64_t> strides = broadcastStrides(shape, resultShape);
  int64_t count = computeProduct(resultShape);
  SmallVector<int64_t> map(count);
  SmallVector<int64_t> index(resultShape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += index[d] * strides[d];
    map[flat] = offset;
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < resultShape[d])
        break;
      index[d] = 0;
    }
  }
  return map;
}

/// Folds a binary op whose operands are both constant, computing in double
/// for floats and in int64 for integers.
template <typename FloatFn, typename IntFn>
static OpFoldResult foldBinary(RankedTensorType resultType, Attribute lhsAttr,
                               Attribute rhsAttr, FloatFn floatFn,
                               IntFn intFn) {
  ElementsAttr lhs = foldableConstant(lhsAttr), rhs = foldableConstant(rhsAttr);
  if (!lhs || !rhs || resultType.getNumElements() > kFoldElementLimit)
    return {};
  auto lhsType = cast<ShapedType>(lhs.getType());
  auto rhsType = cast<ShapedType>(rhs.getType());
  SmallVector<int64_t> lhsMap =
      broadcastIndexMap(lhsType.getShape(), resultType.getShape());
  SmallVector<int64_t> rhsMap =
      broadcastIndexMap(rhsType.getShape(), resultType.getShape());
  if (isa<FloatType>(lhsType.getElementType())) {
    std::vector<double> l = readConstantAsDoubles(lhs);
    std::vector<double> r = readConstantAsDoubles(rhs);
    if (l.size() != static_cast<size_t>(lhsType.getNumElements()) ||
        r.size() != static_cast<size_t>(rhsType.getNumElements()))
      return {};
    std::vector<double> out(lhsMap.size());
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = floatFn(l[lhsMap[i]], r[rhsMap[i]]);
    return makeConstantFromDoubles(resultType, out);
  }
  std::vector<int64_t> l = readConstantAsInts(lhs), r = readConstantAsInts(rhs);
  std::vector<int64_t> out(lhsMap.size());
  for (size_t i = 0; i < out.size(); ++i) {
    std::optional<int64_t> value = intFn(l[lhsMap[i]], r[rhsMap[i]]);
    if (!value)
      return {};
    out[i] = *value;
  }
  return makeConstantFromInts(resultType, out);
}

/// True when `attr` is a constant whose every element equals `value`.
static bool isConstantSplatOf(Attribute attr, double value) {
  ElementsAttr elements = foldableConstant(attr);
  if (!elements)
    return false;
  std::vector<double> values = readConstantAsDoubles(elements);
  return !values.empty() &&
         llvm::all_of(values, [&](double v) { return v == value; });
}

//===----------------------------------------------------------------------===//
// Elementwise folds
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isConstantSplatOf(adaptor.getRhs(), 0.0) &&
      getLhs().getType() == getType())
    return getLhs();
  return foldBinary(
      getType(), adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a + b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isConstantSplatOf(adaptor.getRhs(), 0.0) &&
      getLhs().getType() == getType())
    return getLhs();
  return foldBinary(
      getType(), adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a - b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isConstantSplatOf(adaptor.getRhs(), 1.0) &&
      getLhs().getType() == getType())
    return getLhs();
  return foldBinary(
      getType(), adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a * b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isConstantSplatOf(adaptor.getRhs(), 1.0) &&
      getLhs().getType() == getType())
    return getLhs();
  return foldBinary(
      getType(), adaptor.getLhs(), adaptor.getRhs(),
      [](double a, double b) { return a / b; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> {
        // Integer division by zero is undefined in ONNX: leave it to run time.
        if (b == 0)
          return std::nullopt;
        return a / b;
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  ElementsAttr lhs = foldableConstant(adaptor.getLhs());
  ElementsAttr rhs = foldableConstant(adaptor.getRhs());
  if (!lhs || !rhs)
    return {};
  // Compare in the operands' type, then produce booleans.
  auto compareType = RankedTensorType::get(getType().getShape(),
                                           getLhs().getType().getElementType());
  OpFoldResult compared = foldBinary(
      compareType, lhs, rhs, [](double a, double b) { return a == b ? 1.0 : 0.0; },
      [](int64_t a, int64_t b) -> std::optional<int64_t> { return a == b; });
  auto values = dyn_cast_or_null<ElementsAttr>(dyn_cast_if_present<Attribute>(compared));
  if (!values)
    return {};
  return makeConstantFromDoubles(getType(), readConstantAsDoubles(values));
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input)
    return {};
  if (isa<FloatType>(getType().getElementType())) {
    std::vector<double> values = readConstantAsDoubles(input);
    for (double &v : values)
      v = -v;
    return makeConstantFromDoubles(getType(), values);
  }
  std::vector<int64_t> values = readConstantAsInts(input);
  for (int64_t &v : values)
    v = -v;
  return makeConstantFromInts(getType(), values);
}

OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input || !isa<FloatType>(getType().getElementType()))
    return {};
  std::vector<double> values = readConstantAsDoubles(input);
  for (double &v : values)
    v = std::sqrt(v);
  return makeConstantFromDoubles(getType(), values);
}

/// Rounds half to even, as ONNX Round does (the default floating-point
/// environment's std::nearbyint); a quantized bias rounds through here.
OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input || !isa<FloatType>(getType().getElementType()))
    return {};
  std::vector<double> values = readConstantAsDoubles(input);
  for (double &v : values)
    v = std::nearbyint(v);
  return makeConstantFromDoubles(getType(), values);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input)
    return {};
  Type from = getInput().getType().getElementType();
  Type to = getType().getElementType();
  if (isa<FloatType>(to) || to.isInteger(1))
    return makeConstantFromDoubles(getType(), readConstantAsDoubles(input));
  if (isa<FloatType>(from)) {
    // Float to integer truncates toward zero, which the int64 path does.
    std::vector<int64_t> values;
    for (double v : readConstantAsDoubles(input)) {
      if (!std::isfinite(v))
        return {};
      values.push_back(static_cast<int64_t>(v));
    }
    return makeConstantFromInts(getType(), values);
  }
  return makeConstantFromInts(getType(), readConstantAsInts(input));
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  ElementsAttr condition = foldableConstant(adaptor.getCondition());
  if (!condition)
    return {};
  std::vector<int64_t> flags = readConstantAsInts(condition);
  auto pick = [&](bool which, Value value) -> OpFoldResult {
    if (value.getType() == getType() &&
        llvm::all_of(flags, [&](int64_t f) { return (f != 0) == which; }))
      return value;
    return {};
  };
  if (OpFoldResult lhs = pick(true, getLhs()))
    return lhs;
  if (OpFoldResult rhs = pick(false, getRhs()))
    return rhs;
  ElementsAttr lhs = foldableConstant(adaptor.getLhs());
  ElementsAttr rhs = foldableConstant(adaptor.getRhs());
  if (!lhs || !rhs || getType().getNumElements() > kFoldElementLimit)
    return {};
  ArrayRef<int64_t> shape = getType().getShape();
  SmallVector<int64_t> cMap = broadcastIndexMap(
      cast<ShapedType>(condition.getType()).getShape(), shape);
  SmallVector<int64_t> lMap =
      broadcastIndexMap(cast<ShapedType>(lhs.getType()).getShape(), shape);
  SmallVector<int64_t> rMap =
      broadcastIndexMap(cast<ShapedType>(rhs.getType()).getShape(), shape);
  std::vector<double> l = readConstantAsDoubles(lhs);
  std::vector<double> r = readConstantAsDoubles(rhs);
  std::vector<double> out(cMap.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = flags[cMap[i]] ? l[lMap[i]] : r[rMap[i]];
  if (isa<FloatType>(getType().getElementType()))
    return makeConstantFromDoubles(getType(), out);
  std::vector<int64_t> ints(out.begin(), out.end());
  for (size_t i = 0; i < out.size(); ++i)
    ints[i] = flags[cMap[i]] ? readConstantAsInts(lhs)[lMap[i]]
                             : readConstantAsInts(rhs)[rMap[i]];
  return makeConstantFromInts(getType(), ints);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input || getType().getNumElements() > kFoldElementLimit)
    return {};
  auto inputType = cast<ShapedType>(input.getType());
  SmallVector<int64_t> map =
      broadcastIndexMap(inputType.getShape(), getType().getShape());
  std::vector<char> bytes = readConstantBytes(input);
  int64_t width = getElementByteWidth(getType().getElementType());
  std::vector<char> out(map.size() * width);
  for (size_t i = 0; i < map.size(); ++i)
    std::memcpy(out.data() + i * width, bytes.data() + map[i] * width, width);
  return makeConstant(getType(), out);
}

//===----------------------------------------------------------------------===//
// Data movement folds
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  if (auto dense = dyn_cast<DenseElementsAttr>(input))
    return dense.reshape(getType());
  // A reshape of a blob keeps the bytes; only the type changes.
  return makeConstant(getType(), readConstantBytes(input), "reshaped");
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (isIdentityPermutation(getPermutation()))
    return getInput();
  // Transposes of weights (Gemm's transB, attention projections) fold at
  // compile time whatever their size: the copy happens once, here.
  auto input = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  std::vector<char> bytes = readConstantBytes(input);
  if (bytes.empty())
    return {};
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  ArrayRef<int64_t> perm = getPermutation();
  int64_t width = getElementByteWidth(getType().getElementType());
  SmallVector<int64_t> inStrides = computeStrides(inShape);
  ArrayRef<int64_t> outShape = getType().getShape();
  std::vector<char> out(bytes.size());
  SmallVector<int64_t> index(outShape.size(), 0);
  for (int64_t flat = 0, e = getType().getNumElements(); flat < e; ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += index[d] * inStrides[perm[d]];
    std::memcpy(out.data() + flat * width, bytes.data() + source * width,
                width);
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return makeConstant(getType(), out, "transposed");
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  if (getType().getNumElements() > kFoldElementLimit)
    return {};
  SmallVector<std::vector<char>> parts;
  for (Attribute attr : adaptor.getInputs()) {
    ElementsAttr elements = foldableConstant(attr);
    if (!elements)
      return {};
    parts.push_back(readConstantBytes(elements));
  }
  int64_t axis = getAxis();
  ArrayRef<int64_t> shape = getType().getShape();
  int64_t width = getElementByteWidth(getType().getElementType());
  int64_t outer = computeProduct(shape.take_front(axis));
  int64_t inner = computeProduct(shape.drop_front(axis + 1)) * width;
  std::vector<char> out;
  out.reserve(getType().getNumElements() * width);
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [part, input] : llvm::zip(parts, getInputs())) {
      int64_t chunk =
          cast<RankedTensorType>(input.getType()).getDimSize(axis) * inner;
      out.insert(out.end(), part.begin() + o * chunk,
                 part.begin() + (o + 1) * chunk);
    }
  }
  return makeConstant(getType(), out);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  ElementsAttr data = foldableConstant(adaptor.getData());
  ElementsAttr indices = foldableConstant(adaptor.getIndices());
  if (!data || !indices || getType().getNumElements() > kFoldElementLimit)
    return {};
  ArrayRef<int64_t> dataShape = getData().getType().getShape();
  int64_t axis = getAxis();
  int64_t width = getElementByteWidth(getType().getElementType());
  int64_t outer = computeProduct(dataShape.take_front(axis));
  int64_t axisSize = dataShape[axis];
  int64_t inner = computeProduct(dataShape.drop_front(axis + 1)) * width;
  std::vector<char> bytes = readConstantBytes(data);
  std::vector<int64_t> picks = readConstantAsInts(indices);
  std::vector<char> out;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t pick : picks) {
      if (pick < 0)
        pick += axisSize;
      if (pick < 0 || pick >= axisSize)
        return {};
      const char *row = bytes.data() + (o * axisSize + pick) * inner;
      out.insert(out.end(), row, row + inner);
    }
  }
  return makeConstant(getType(), out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  ElementsAttr input = foldableConstant(adaptor.getInput());
  if (!input)
    return {};
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  ArrayRef<int64_t> outShape = getType().getShape();
  SmallVector<int64_t> inStrides = computeStrides(inShape);
  int64_t width = getElementByteWidth(getType().getElementType());
  std::vector<char> bytes = readConstantBytes(input);
  std::vector<char> out(getType().getNumElements() * width);
  SmallVector<int64_t> index(outShape.size(), 0);
  for (int64_t flat = 0, e = getType().getNumElements(); flat < e; ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += (getStarts()[d] + index[d] * getSteps()[d]) * inStrides[d];
    std::memcpy(out.data() + flat * width, bytes.data() + source * width,
                width);
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return makeConstant(getType(), out);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  return makeConstantFromInts(getType(), getInput().getType().getShape());
}

//===----------------------------------------------------------------------===//
// Canonicalization patterns
//===----------------------------------------------------------------------===//

namespace {
/// Rewrites `reshape(reshape(x))` as one reshape.
struct ComposeReshapes final : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<ReshapeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(),
                                           producer.getInput());
    return success();
  }
};

/// Rewrites `transpose(transpose(x, p0), p1)` as a single transpose.
struct ComposeTransposes final : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm =
        applyPermutation(producer.getPermutation(), op.getPermutation());
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             producer.getInput(), perm);
    return success();
  }
};

/// Rewrites `pow(x, 2)` as `x * x` and `pow(x, 0.5)` as `sqrt(x)`, the forms
/// that layer-norm chains use and that need no libm call.
struct SimplifyConstantPow final : OpRewritePattern<PowOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PowOp op,
                                PatternRewriter &rewriter) const override {
    Attribute exponent;
    if (!matchPattern(op.getRhs(), m_Constant(&exponent)))
      return rewriter.notifyMatchFailure(op, "exponent is not constant");
    if (op.getLhs().getType() != op.getType() ||
        !isa<FloatType>(op.getType().getElementType()))
      return rewriter.notifyMatchFailure(op, "exponent broadcasts the base");
    if (isConstantSplatOf(exponent, 2.0)) {
      rewriter.replaceOpWithNewOp<MulOp>(op, op.getLhs(), op.getLhs());
      return success();
    }
    if (isConstantSplatOf(exponent, 0.5)) {
      rewriter.replaceOpWithNewOp<SqrtOp>(op, op.getLhs());
      return success();
    }
    return rewriter.notifyMatchFailure(op, "exponent is not 2 or 0.5");
  }
};

/// Rewrites inference-mode batch normalization as `x * s + t` with
/// `s = scale / sqrt(var + eps)` and `t = bias - mean * s`, each a [C,1,...]
/// tensor. With constant parameters, folds compute `s` and `t` at compile time
/// and the affine then folds into a producing conv; otherwise the chain runs
/// as generated elementwise code.
struct DecomposeBatchNorm final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (type.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "expected a channel dimension");
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    auto paramType = RankedTensorType::get(paramShape, type.getElementType());
    auto scalarType = RankedTensorType::get({}, type.getElementType());
    Location loc = op.getLoc();
    auto asParam = [&](Value value) -> Value {
      return rewriter.createOrFold<ReshapeOp>(loc, paramType, value);
    };
    Value epsilon = arith::ConstantOp::create(
        rewriter, loc, scalarType,
        cast<TypedAttr>(makeConstantFromDoubles(
            scalarType, {op.getEpsilon().convertToDouble()})));
    Value variance = rewriter.createOrFold<AddOp>(
        loc, asParam(op.getVariance()), epsilon);
    Value stddev = rewriter.createOrFold<SqrtOp>(loc, variance);
    Value scale =
        rewriter.createOrFold<DivOp>(loc, asParam(op.getScale()), stddev);
    Value shift = rewriter.createOrFold<SubOp>(
        loc, asParam(op.getBias()),
        rewriter.createOrFold<MulOp>(loc, asParam(op.getMean()), scale));
    Value scaled = MulOp::create(rewriter, loc, op.getInput(), scale);
    rewriter.replaceOpWithNewOp<AddOp>(op, scaled, shift);
    return success();
  }
};

/// The per-output-channel values of a constant that broadcasts along channel
/// 1 of a rank-4 NCHW conv result (shapes [C,1,1], [1,C,1,1], [1], ...).
static std::optional<std::vector<double>>
readPerChannelConstant(Value value, int64_t channels) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  ArrayRef<int64_t> shape = cast<ShapedType>(attr.getType()).getShape();
  if (shape.size() > 4)
    return std::nullopt;
  // Pad to rank 4 and require every non-channel dimension to be 1.
  SmallVector<int64_t> padded(4 - shape.size(), 1);
  llvm::append_range(padded, shape);
  if (padded[0] != 1 || padded[2] != 1 || padded[3] != 1 ||
      (padded[1] != 1 && padded[1] != channels))
    return std::nullopt;
  std::vector<double> values = readConstantAsDoubles(attr);
  if (values.empty())
    return std::nullopt;
  if (values.size() == 1)
    values.assign(channels, values.front());
  return values;
}

/// Folds `conv(x, w, b) * s` and `conv(x, w, b) + t` with per-channel
/// constants `s`, `t` into the conv's weight and bias, so batch
/// normalization costs nothing at run time.
struct FoldAffineIntoConv final : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (!isa<FloatType>(conv.getType().getElementType()))
      return rewriter.notifyMatchFailure(conv, "an integer conv keeps its "
                                               "exact int32 sums");
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(conv, "conv has several users");
    Operation *user = *conv->user_begin();
    if (!isa<MulOp, AddOp>(user) || user->getResult(0).getType() != conv.getType())
      return rewriter.notifyMatchFailure(conv, "user is not an affine op");
    Value other = user->getOperand(0) == conv.getResult() ? user->getOperand(1)
                                                          : user->getOperand(0);
    int64_t channels = conv.getType().getDimSize(1);
    std::optional<std::vector<double>> factor =
        readPerChannelConstant(other, channels);
    if (!factor)
      return rewriter.notifyMatchFailure(conv, "operand is not per-channel");
    ElementsAttr weightAttr;
    if (!matchPattern(conv.getWeight(), m_Constant(&weightAttr)))
      return rewriter.notifyMatchFailure(conv, "weight is not constant");
    std::vector<double> bias(channels, 0.0);
    if (Value b = conv.getBias()) {
      ElementsAttr biasAttr;
      if (!matchPattern(b, m_Constant(&biasAttr)))
        return rewriter.notifyMatchFailure(conv, "bias is not constant");
      bias = readConstantAsDoubles(biasAttr);
    }
    RankedTensorType weightType = conv.getWeight().getType();
    Value newWeight = conv.getWeight();
    if (isa<MulOp>(user)) {
      std::vector<double> weight = readConstantAsDoubles(weightAttr);
      int64_t perChannel = weightType.getNumElements() / channels;
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t i = 0; i < perChannel; ++i)
          weight[c * perChannel + i] *= (*factor)[c];
        bias[c] *= (*factor)[c];
      }
      newWeight = arith::ConstantOp::create(
          rewriter, conv.getLoc(), weightType,
          cast<TypedAttr>(
              makeConstantFromDoubles(weightType, weight, "conv_weight")));
    } else {
      for (int64_t c = 0; c < channels; ++c)
        bias[c] += (*factor)[c];
    }
    auto biasType =
        RankedTensorType::get({channels}, weightType.getElementType());
    Value newBias = arith::ConstantOp::create(
        rewriter, conv.getLoc(), biasType,
        cast<TypedAttr>(makeConstantFromDoubles(biasType, bias, "conv_bias")));
    // The fused conv takes the location of both ops, so the generated kernel
    // names every ONNX node it came from.
    Location loc = rewriter.getFusedLoc({conv.getLoc(), user->getLoc()});
    auto fused = ConvOp::create(rewriter, loc, conv.getInput(), newWeight,
                                newBias, conv.getStridesAttr(),
                                conv.getPadsAttr(), conv.getDilationsAttr(),
                                conv.getGroupAttr());
    rewriter.replaceOp(user, fused.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}

void PowOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<SimplifyConstantPow>(context);
}

void BatchNormOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DecomposeBatchNorm>(context);
}

void ConvOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FoldAffineIntoConv>(context);
}
