//===- GraphOps.cpp - Graph dialect operations ----------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Type inference and verifiers. Folds and canonicalization patterns live in
// GraphFolds.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#define DEBUG_TYPE "graph-ops"

using namespace mlir;
using namespace mlir::modelc::graph;

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"

/// Emits `message` at `location` when there is one; type inference runs both
/// from builders (where failure is a programming error) and the verifier.
static LogicalResult failInference(std::optional<Location> location,
                                   const Twine &message) {
  if (location)
    return emitError(*location, message);
  return failure();
}

static RankedTensorType rankedType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

bool mlir::modelc::graph::isElementwise(Operation *op) {
  // Every op with the Elementwise trait, and the broadcasting ones.
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, EqualOp, WhereOp,
             PReluOp, AndOp, OrOp, XorOp, GreaterOp, GreaterEqualOp, LessOp,
             LessEqualOp, ModOp, BitShiftOp, ExpandOp>(op);
}

bool mlir::modelc::graph::isView(Operation *op) { return isa<ReshapeOp>(op); }

Value mlir::modelc::graph::getViewSource(Value value) {
  while (Operation *producer = value.getDefiningOp()) {
    if (!isView(producer))
      break;
    value = producer->getOperand(0);
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// Shared by the binary ops: broadcast shapes, lhs element type unless the
/// op produces a predicate.
static LogicalResult inferBroadcastType(std::optional<Location> location,
                                        Value lhs, Value rhs, Type elementType,
                                        SmallVectorImpl<Type> &results) {
  RankedTensorType lhsType = rankedType(lhs), rhsType = rankedType(rhs);
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (!shape)
    return failInference(location, "operand shapes " +
                                       shapeString(lhsType.getShape()) +
                                       " and " +
                                       shapeString(rhsType.getShape()) +
                                       " do not broadcast");
  results.push_back(RankedTensorType::get(
      *shape, elementType ? elementType : lhsType.getElementType()));
  return success();
}

#define DEFINE_BINARY_OP(OP, RESULT_ELEMENT_TYPE)                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    return inferBroadcastType(location, adaptor.getLhs(), adaptor.getRhs(),    \
                              RESULT_ELEMENT_TYPE, results);                   \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    if (getLhs().getType().getElementType() !=                                 \
        getRhs().getType().getElementType())                                   \
      return emitOpError("expected operands of one element type, got ")        \
             << getLhs().getType().getElementType() << " and "                 \
             << getRhs().getType().getElementType();                           \
    return success();                                                          \
  }

DEFINE_BINARY_OP(AddOp, Type())
DEFINE_BINARY_OP(SubOp, Type())
DEFINE_BINARY_OP(MulOp, Type())
DEFINE_BINARY_OP(DivOp, Type())
DEFINE_BINARY_OP(MaxOp, Type())
DEFINE_BINARY_OP(PReluOp, Type())
DEFINE_BINARY_OP(AndOp, Type())
DEFINE_BINARY_OP(OrOp, Type())
DEFINE_BINARY_OP(XorOp, Type())
DEFINE_BINARY_OP(GreaterOp, IntegerType::get(context, 1))
DEFINE_BINARY_OP(GreaterEqualOp, IntegerType::get(context, 1))
DEFINE_BINARY_OP(LessOp, IntegerType::get(context, 1))
DEFINE_BINARY_OP(LessEqualOp, IntegerType::get(context, 1))
DEFINE_BINARY_OP(ModOp, Type())
DEFINE_BINARY_OP(BitShiftOp, Type())
DEFINE_BINARY_OP(MinOp, Type())
DEFINE_BINARY_OP(EqualOp, IntegerType::get(context, 1))
#undef DEFINE_BINARY_OP

// Pow allows a different exponent type (ONNX T1/T2), so it has its own rules.
LogicalResult PowOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  return inferBroadcastType(location, adaptor.getLhs(), adaptor.getRhs(),
                            Type(), results);
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  SmallVector<Type, 1> valueType;
  if (failed(inferBroadcastType(location, adaptor.getLhs(), adaptor.getRhs(),
                                Type(), valueType)))
    return failure();
  auto partial = cast<RankedTensorType>(valueType.front());
  std::optional<SmallVector<int64_t>> shape = broadcastShapes(
      rankedType(adaptor.getCondition()).getShape(), partial.getShape());
  if (!shape)
    return failInference(location, "condition does not broadcast");
  results.push_back(RankedTensorType::get(*shape, partial.getElementType()));
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("expected min <= max, got ")
           << getMin().convertToDouble() << " > "
           << getMax().convertToDouble();
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2)
    return emitOpError("expected an input of rank >= 2");
  if (!getOffset())
    return success();
  auto offset = cast<RankedTensorType>(getOffset().getType());
  if (!offset.getElementType().isInteger() || offset.getNumElements() != 1)
    return emitOpError("expected a one-element integer offset, got ") << offset;
  if (getK() != 0)
    return emitOpError("expected k = 0 with an offset operand");
  return success();
}

LogicalResult GridSampleOp::verify() {
  auto input = getInput().getType(), grid = getGrid().getType();
  auto result = getType();
  if (input.getRank() != 4 || grid.getRank() != 4 || grid.getDimSize(3) != 2)
    return emitOpError("expected a 4-D input and an [N, H, W, 2] grid");
  SmallVector<int64_t> want = {input.getDimSize(0), input.getDimSize(1),
                               grid.getDimSize(1), grid.getDimSize(2)};
  if (grid.getDimSize(0) != input.getDimSize(0) ||
      result.getShape() != ArrayRef<int64_t>(want))
    return emitOpError("expected a result of shape ")
           << shapeString(want) << ", got " << shapeString(result.getShape());
  if (result.getElementType() != input.getElementType())
    return emitOpError("expected the input element type");
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, getMode()))
    return emitOpError("unknown mode '") << getMode() << "'";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, getPaddingMode()))
    return emitOpError("unknown padding mode '") << getPaddingMode() << "'";
  return success();
}

LogicalResult ExpandOp::verify() {
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> out = getType().getShape();
  std::optional<SmallVector<int64_t>> shape = broadcastShapes(in, out);
  if (!shape || ArrayRef<int64_t>(*shape) != out)
    return emitOpError("cannot broadcast ")
           << shapeString(in) << " to " << shapeString(out);
  if (getInput().getType().getElementType() != getType().getElementType())
    return emitOpError("expected the input element type");
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the 2-D window attributes shared by conv and pooling.
static LogicalResult verifyWindow(std::optional<Location> location,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> dilations) {
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2 ||
      pads.size() != 4)
    return failInference(location, "expected 2 kernel dims, strides and "
                                   "dilations and 4 pads");
  for (int64_t v : llvm::concat<const int64_t>(kernel, strides, dilations))
    if (v < 1)
      return failInference(location,
                           "expected positive kernel, strides and dilations");
  for (int64_t pad : pads)
    if (pad < 0)
      return failInference(location, "expected non-negative pads");
  return success();
}

static SmallVector<int64_t> windowOutputShape(ArrayRef<int64_t> inputShape,
                                              int64_t channels,
                                              ArrayRef<int64_t> kernel,
                                              ArrayRef<int64_t> strides,
                                              ArrayRef<int64_t> pads,
                                              ArrayRef<int64_t> dilations,
                                              bool ceilMode) {
  SmallVector<int64_t> shape = {inputShape[0], channels};
  for (int d = 0; d < 2; ++d)
    shape.push_back(slidingWindowOutputSize(inputShape[2 + d], kernel[d],
                                            strides[d], pads[d], pads[d + 2],
                                            dilations[d], ceilMode));
  return shape;
}

/// The result type of a 2-D convolution (graph.conv, graph.conv_integer)
/// of `input` by `weight` with the given window, in `element`.
template <typename Adaptor>
static LogicalResult inferConvType(std::optional<Location> location,
                                   Adaptor adaptor, Type element,
                                   SmallVectorImpl<Type> &results) {
  RankedTensorType inputType = rankedType(adaptor.getInput());
  RankedTensorType weightType = rankedType(adaptor.getWeight());
  if (inputType.getRank() != 4 || weightType.getRank() != 4)
    return failInference(location, "expected rank-4 input and weight");
  ArrayRef<int64_t> w = weightType.getShape();
  if (failed(verifyWindow(location, w.drop_front(2), adaptor.getStrides(),
                          adaptor.getPads(), adaptor.getDilations())))
    return failure();
  results.push_back(RankedTensorType::get(
      windowOutputShape(inputType.getShape(), w[0], w.drop_front(2),
                        adaptor.getStrides(), adaptor.getPads(),
                        adaptor.getDilations(), /*ceilMode=*/false),
      element ? element : inputType.getElementType()));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  return inferConvType(location, adaptor, Type(), results);
}

LogicalResult ConvOp::verify() {
  int64_t group = getGroup();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  if (group < 1 || in[1] % group != 0 || w[0] % group != 0)
    return emitOpError("expected group to divide input and output channels, "
                       "got group ")
           << group;
  if (in[1] / group != w[1])
    return emitOpError("expected weight dim 1 to be ")
           << in[1] / group << ", got " << w[1];
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != w[0])
      return emitOpError("expected bias of shape [") << w[0] << "]";
  }
  return success();
}

#define DEFINE_POOL_OP(OP)                                                     \
  LogicalResult OP::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    RankedTensorType inputType = rankedType(adaptor.getInput());               \
    if (inputType.getRank() != 4)                                              \
      return failInference(location, "expected a rank-4 input");               \
    if (failed(verifyWindow(location, adaptor.getKernelShape(),                \
                            adaptor.getStrides(), adaptor.getPads(),           \
                            adaptor.getDilations())))                          \
      return failure();                                                        \
    results.push_back(RankedTensorType::get(                                   \
        windowOutputShape(inputType.getShape(), inputType.getDimSize(1),       \
                          adaptor.getKernelShape(), adaptor.getStrides(),      \
                          adaptor.getPads(), adaptor.getDilations(),           \
                          adaptor.getCeilMode()),                              \
        inputType.getElementType()));                                          \
    return success();                                                          \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    ArrayRef<int64_t> pads = getPads();                                        \
    ArrayRef<int64_t> kernel = getKernelShape();                               \
    for (int d = 0; d < 2; ++d)                                                \
      if (pads[d] >= kernel[d] || pads[d + 2] >= kernel[d])                    \
        return emitOpError("expected pads smaller than the kernel");           \
    return success();                                                          \
  }

DEFINE_POOL_OP(MaxPoolOp)
DEFINE_POOL_OP(AvgPoolOp)
#undef DEFINE_POOL_OP

//===----------------------------------------------------------------------===//
// Products, reductions, normalizations
//===----------------------------------------------------------------------===//

/// The shape of numpy's matmul of `lhsType` by `rhsType`, or failure.
static FailureOr<SmallVector<int64_t>>
inferMatMulShape(std::optional<Location> location, RankedTensorType lhsType,
                 RankedTensorType rhsType) {
  SmallVector<int64_t> lhs(lhsType.getShape()), rhs(rhsType.getShape());
  if (lhs.empty() || rhs.empty())
    return failInference(location, "expected operands of rank >= 1");
  bool lhsVector = lhs.size() == 1, rhsVector = rhs.size() == 1;
  if (lhsVector)
    lhs.insert(lhs.begin(), 1);
  if (rhsVector)
    rhs.push_back(1);
  if (lhs.back() != rhs[rhs.size() - 2])
    return failInference(location, "contracting dimensions differ: " +
                                       std::to_string(lhs.back()) + " vs " +
                                       std::to_string(rhs[rhs.size() - 2]));
  std::optional<SmallVector<int64_t>> batch = broadcastShapes(
      ArrayRef<int64_t>(lhs).drop_back(2), ArrayRef<int64_t>(rhs).drop_back(2));
  if (!batch)
    return failInference(location, "batch dimensions do not broadcast");
  SmallVector<int64_t> shape = *batch;
  if (!lhsVector)
    shape.push_back(lhs[lhs.size() - 2]);
  if (!rhsVector)
    shape.push_back(rhs.back());
  return shape;
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType lhsType = rankedType(adaptor.getLhs());
  FailureOr<SmallVector<int64_t>> shape =
      inferMatMulShape(location, lhsType, rankedType(adaptor.getRhs()));
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, lhsType.getElementType()));
  return success();
}

LogicalResult MatMulOp::verify() {
  if (getLhs().getType().getElementType() != getRhs().getType().getElementType())
    return emitOpError("expected operands of one element type");
  return success();
}

/// Checks that `axes` are sorted, unique and in [0, rank).
static LogicalResult verifyAxes(std::optional<Location> location,
                                ArrayRef<int64_t> axes, int64_t rank) {
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return failInference(location, "axis " + std::to_string(axis) +
                                         " out of range for rank " +
                                         std::to_string(rank));
    if (i > 0 && axes[i - 1] >= axis)
      return failInference(location, "expected sorted, unique axes");
  }
  return success();
}

/// The result type of a reduction over `axes`.
static LogicalResult inferReducedType(std::optional<Location> location,
                                      Value input, ArrayRef<int64_t> axes,
                                      bool keepdims, Type elementType,
                                      SmallVectorImpl<Type> &results) {
  RankedTensorType inputType = rankedType(input);
  if (failed(verifyAxes(location, axes, inputType.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(inputType.getShape())) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
    if (!reduced)
      shape.push_back(size);
    else if (keepdims)
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(
      shape, elementType ? elementType : inputType.getElementType()));
  return success();
}

#define DEFINE_REDUCE_OP(OP)                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    return inferReducedType(location, adaptor.getInput(), adaptor.getAxes(),   \
                            adaptor.getKeepdims(), Type(), results);           \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    return verifyAxes(getLoc(), getAxes(), getInput().getType().getRank());    \
  }

DEFINE_REDUCE_OP(ReduceMeanOp)
DEFINE_REDUCE_OP(ReduceSumOp)
DEFINE_REDUCE_OP(ReduceMaxOp)
DEFINE_REDUCE_OP(ReduceMinOp)
DEFINE_REDUCE_OP(ReduceProdOp)
DEFINE_REDUCE_OP(ReduceL1Op)
DEFINE_REDUCE_OP(ReduceL2Op)
DEFINE_REDUCE_OP(ReduceLogSumOp)
DEFINE_REDUCE_OP(ReduceLogSumExpOp)
DEFINE_REDUCE_OP(ReduceSumSquareOp)
#undef DEFINE_REDUCE_OP

#define DEFINE_ARG_REDUCE_OP(OP)                                               \
  LogicalResult OP::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    int64_t axis = static_cast<int64_t>(adaptor.getAxis());                    \
    return inferReducedType(location, adaptor.getInput(), {axis},              \
                            adaptor.getKeepdims(),                             \
                            IntegerType::get(context, 64), results);           \
  }

DEFINE_ARG_REDUCE_OP(ArgMaxOp)
DEFINE_ARG_REDUCE_OP(ArgMinOp)
#undef DEFINE_ARG_REDUCE_OP

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank "
                                << rank;
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  return success();
}

LogicalResult GatherElementsOp::verify() {
  int64_t rank = getData().getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank || getIndices().getType().getRank() != rank)
    return emitOpError("expected indices of the data's rank and an axis in "
                       "range");
  if (getType().getShape() != getIndices().getType().getShape())
    return emitOpError("expected the result to have the indices' shape");
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  results.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType inputType = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= inputType.getRank())
    return emitOpError("axis ") << axis << " out of range for rank "
                                << inputType.getRank();
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  int64_t count = computeProduct(normalized);
  for (Value param : {getScale(), getBias()}) {
    if (!param)
      continue;
    auto type = cast<RankedTensorType>(param.getType());
    // Scale and bias broadcast over the normalized dims; modelc requires
    // them to cover those dims fully, as every exporter writes them.
    if (type.getNumElements() != count)
      return emitOpError("expected scale and bias with ")
             << count << " elements, got " << type.getNumElements();
  }
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  results.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getNumElements() != getType().getNumElements())
    return emitOpError("expected ")
           << getInput().getType().getNumElements() << " elements, got "
           << getType().getNumElements();
  if (getInput().getType().getElementType() != getType().getElementType())
    return emitOpError("expected the input element type");
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RankedTensorType inputType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (static_cast<int64_t>(perm.size()) != inputType.getRank() ||
      !isPermutationVector(perm))
    return failInference(location, "expected a permutation of size " +
                                       std::to_string(inputType.getRank()));
  results.push_back(RankedTensorType::get(
      applyPermutation(inputType.getShape(), perm),
      inputType.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  ArrayRef<int64_t> perm = getPermutation();
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitOpError("expected permutation of size ")
           << rank << ", got " << perm.size();
  if (!isPermutationVector(perm))
    return emitOpError("permutation must name each dimension exactly once");
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return failInference(location, "expected at least one input");
  RankedTensorType first = rankedType(adaptor.getInputs().front());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return failInference(location, "axis out of range");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : adaptor.getInputs()) {
    RankedTensorType type = rankedType(input);
    if (type.getRank() != first.getRank() ||
        type.getElementType() != first.getElementType())
      return failInference(location, "expected inputs of one rank and "
                                     "element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return failInference(location, "input shapes differ outside the "
                                       "concatenated axis");
    shape[axis] += type.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType dataType = rankedType(adaptor.getData());
  RankedTensorType indicesType = rankedType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= dataType.getRank())
    return failInference(location, "axis out of range");
  SmallVector<int64_t> shape(dataType.getShape().take_front(axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, dataType.getShape().drop_front(axis + 1));
  results.push_back(RankedTensorType::get(shape, dataType.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  RankedTensorType inputType = rankedType(adaptor.getInput());
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds(),
                    steps = adaptor.getSteps();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(ends.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return failInference(location, "expected one start, end and step per "
                                   "dimension");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0)
      return failInference(location, "expected non-zero steps");
    shape.push_back(sliceLength(starts[d], ends[d], steps[d]));
  }
  results.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  for (auto [d, start] : llvm::enumerate(getStarts())) {
    if (getType().getDimSize(d) == 0)
      continue;
    if (start < 0 || start >= inShape[d])
      return emitOpError("start ") << start << " of dimension " << d
                                   << " is outside [0, " << inShape[d] << ")";
  }
  return success();
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  results.push_back(RankedTensorType::get(
      {rankedType(adaptor.getInput()).getRank()},
      IntegerType::get(context, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

static bool isSingleValue(RankedTensorType type) {
  return type.getRank() <= 1 && type.getNumElements() == 1;
}

/// Checks that a scale or zero point is one value (per tensor) or 1-D with
/// one value per index of `input` along `axis` (per axis).
static LogicalResult verifyQuantizationParameter(Operation *op, Value param,
                                                 StringRef name,
                                                 RankedTensorType input,
                                                 int64_t axis) {
  auto type = cast<RankedTensorType>(param.getType());
  if (isSingleValue(type))
    return success();
  if (type.getRank() != 1)
    return op->emitOpError("expected a scalar or 1-D ") << name;
  if (axis < 0 || axis >= input.getRank())
    return op->emitOpError("axis ")
           << axis << " out of range for rank " << input.getRank();
  if (type.getDimSize(0) != input.getDimSize(axis))
    return op->emitOpError("expected ")
           << input.getDimSize(axis) << " values of " << name << " along axis "
           << axis << ", got " << type.getDimSize(0);
  return success();
}

/// The checks QuantizeLinear, DequantizeLinear and Requantize share: an
/// elementwise result of the input's shape and per-tensor or per-axis
/// parameters of one shape.
static LogicalResult verifyAffineMap(Operation *op, Value input, Value scale,
                                     Value zeroPoint, Value result,
                                     int64_t axis) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getShape() != cast<RankedTensorType>(result.getType()).getShape())
    return op->emitOpError("expected the result to have the input's shape");
  if (failed(verifyQuantizationParameter(op, scale, "scale", inputType, axis)) ||
      failed(verifyQuantizationParameter(op, zeroPoint, "zero point", inputType,
                                         axis)))
    return failure();
  auto scaleType = cast<RankedTensorType>(scale.getType());
  auto zeroType = cast<RankedTensorType>(zeroPoint.getType());
  if (!isSingleValue(zeroType) && zeroType.getShape() != scaleType.getShape())
    return op->emitOpError("expected the zero point to have the scale's shape");
  return success();
}

LogicalResult QuantizeLinearOp::verify() {
  if (getScale().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError("expected the scale to have the input's element type");
  if (getType().getElementType() != getZeroPoint().getType().getElementType())
    return emitOpError("expected the result to have the zero point's element "
                       "type");
  return verifyAffineMap(*this, getInput(), getScale(), getZeroPoint(),
                         getResult(), getAxis());
}

LogicalResult DequantizeLinearOp::verify() {
  if (getType().getElementType() != getScale().getType().getElementType())
    return emitOpError("expected the result to have the scale's element type");
  if (getInput().getType().getElementType() !=
      getZeroPoint().getType().getElementType())
    return emitOpError("expected the zero point to have the input's element "
                       "type");
  return verifyAffineMap(*this, getInput(), getScale(), getZeroPoint(),
                         getResult(), getAxis());
}

LogicalResult RequantizeOp::verify() {
  if (getRounding() != "half_to_even")
    return emitOpError("unknown rounding '") << getRounding() << "'";
  if (!isSingleValue(getZeroPoint().getType()))
    return emitOpError("expected one output zero point");
  if (getType().getElementType() != getZeroPoint().getType().getElementType())
    return emitOpError("expected the result to have the zero point's element "
                       "type");
  return verifyAffineMap(*this, getInput(), getMultiplier(), getZeroPoint(),
                         getResult(), getAxis());
}

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  return inferConvType(location, adaptor, IntegerType::get(context, 32),
                       results);
}

LogicalResult ConvIntegerOp::verify() {
  int64_t group = getGroup();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  if (group < 1 || in[1] % group != 0 || w[0] % group != 0 ||
      in[1] / group != w[1])
    return emitOpError("expected group ")
           << group << " to divide input and output channels";
  if (!isSingleValue(getInputZeroPoint().getType()))
    return emitOpError("expected one input zero point");
  if (getInputZeroPoint().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError("expected the input zero point to have the input's "
                       "element type");
  if (getWeightZeroPoint().getType().getElementType() !=
      getWeight().getType().getElementType())
    return emitOpError("expected the weight zero point to have the weight's "
                       "element type");
  if (failed(verifyQuantizationParameter(*this, getWeightZeroPoint(),
                                         "weight zero point",
                                         getWeight().getType(), 0)))
    return failure();
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != w[0])
      return emitOpError("expected bias of shape [") << w[0] << "]";
  }
  return success();
}

LogicalResult MatMulIntegerOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  FailureOr<SmallVector<int64_t>> shape = inferMatMulShape(
      location, rankedType(adaptor.getLhs()), rankedType(adaptor.getRhs()));
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, IntegerType::get(context, 32)));
  return success();
}

LogicalResult MatMulIntegerOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  if (getLhsZeroPoint().getType().getElementType() != lhs.getElementType() ||
      getRhsZeroPoint().getType().getElementType() != rhs.getElementType())
    return emitOpError("expected each zero point to have its operand's "
                       "element type");
  // Per-row zero points index the lhs's rows, per-column ones the rhs's
  // columns.
  if (lhs.getRank() >= 2 &&
      failed(verifyQuantizationParameter(*this, getLhsZeroPoint(),
                                         "lhs zero point", lhs,
                                         lhs.getRank() - 2)))
    return failure();
  if (rhs.getRank() >= 2 &&
      failed(verifyQuantizationParameter(*this, getRhsZeroPoint(),
                                         "rhs zero point", rhs,
                                         rhs.getRank() - 1)))
    return failure();
  return success();
}

bool mlir::modelc::graph::isZeroConstant(Value value) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return false;
  return llvm::all_of(readConstantAsDoubles(attr),
                      [](double v) { return v == 0.0; });
}

bool mlir::modelc::graph::fitsEightBitKernels(Operation *op) {
  auto isConstant = [](Value value) {
    return value && matchPattern(value, m_Constant());
  };
  auto isInt8Constant = [&](Value value) {
    return isConstant(value) &&
           getElementTypeOrSelf(value.getType()).isSignlessInteger(8);
  };
  auto perTensorConstant = [&](Value value) {
    return isConstant(value) && isSingleValue(cast<RankedTensorType>(value.getType()));
  };
  auto isUint8 = [](Value value) {
    return getElementTypeOrSelf(value.getType()).isUnsignedInteger(8);
  };
  if (auto conv = dyn_cast<ConvIntegerOp>(op))
    return isUint8(conv.getInput()) && isInt8Constant(conv.getWeight()) &&
           isZeroConstant(conv.getWeightZeroPoint()) &&
           perTensorConstant(conv.getInputZeroPoint()) &&
           (!conv.getBias() || isConstant(conv.getBias()));
  if (auto matmul = dyn_cast<MatMulIntegerOp>(op))
    return isUint8(matmul.getLhs()) && isInt8Constant(matmul.getRhs()) &&
           matmul.getRhs().getType().getRank() == 2 &&
           isZeroConstant(matmul.getRhsZeroPoint()) &&
           perTensorConstant(matmul.getLhsZeroPoint());
  return false;
}
