//===- LowerQuantizedProducts.cpp - 8-bit products as kernel calls --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The graph pipeline leaves the 8-bit products that fit the target's
// kernels, and form-dispatches puts each with its output stage (a
// requantize, or a dequantize of the sums) in one dispatch. This pass
// rewrites that pair into the kernel contract and computes, at compile
// time, the constants the contract takes: the row offsets
// bias[m] - input_zero_point * sum(weight row m), folding the input's zero
// point out of the inner loop, and a matmul's weight transposed to [N, K].
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_LOWERQUANTIZEDPRODUCTSPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {

/// The constant a value of a dispatch body holds: a splat the dispatch
/// inlined, or a constant it receives as an input.
ElementsAttr findConstant(Value value, DispatchOp dispatch) {
  ElementsAttr attr;
  if (matchPattern(value, m_Constant(&attr)))
    return attr;
  auto argument = dyn_cast<BlockArgument>(value);
  if (argument && argument.getOwner() == &dispatch.getBodyBlock() &&
      matchPattern(dispatch.getInputs()[argument.getArgNumber()],
                   m_Constant(&attr)))
    return attr;
  return {};
}

/// Adds `value` as a new constant input of `dispatch`; returns the body's
/// argument for it.
BlockArgument addConstantInput(DispatchOp dispatch, ShapedType type,
                               ArrayRef<char> bytes, StringRef nameHint) {
  OpBuilder builder(dispatch);
  ElementsAttr attr = graph::makeConstant(type, bytes, nameHint);
  Value constant = arith::ConstantOp::create(builder, dispatch.getLoc(),
                                             cast<TypedAttr>(attr));
  dispatch.getInputsMutable().append(constant);
  return dispatch.getBodyBlock().addArgument(type, dispatch.getLoc());
}

/// Drops the inputs the body no longer reads, and constants nothing reads.
void dropUnreadInputs(DispatchOp dispatch) {
  Block &body = dispatch.getBodyBlock();
  for (int i = static_cast<int>(body.getNumArguments()) - 1; i >= 0; --i) {
    if (!body.getArgument(i).use_empty())
      continue;
    Value input = dispatch.getInputs()[i];
    body.eraseArgument(i);
    dispatch.getInputsMutable().erase(i);
    if (Operation *producer = input.getDefiningOp())
      if (producer->use_empty() && isa<arith::ConstantOp>(producer))
        producer->erase();
  }
}

/// `bias[m] - zeroPoint * sum of weight row m` in wrapping int32 (the sums
/// themselves wrap, so the offsets must too), for a weight of `rows` rows
/// read through `at(m, p)`.
template <typename WeightAt>
std::vector<int32_t> rowOffsets(int64_t rows, int64_t depth, WeightAt at,
                                ArrayRef<int64_t> bias, int64_t zeroPoint) {
  std::vector<int32_t> offsets(rows);
  for (int64_t m = 0; m < rows; ++m) {
    int64_t sum = 0;
    for (int64_t p = 0; p < depth; ++p)
      sum += at(m, p);
    uint32_t offset = static_cast<uint32_t>(bias.empty() ? 0 : bias[m]) -
                      static_cast<uint32_t>(zeroPoint * sum);
    offsets[m] = static_cast<int32_t>(offset);
  }
  return offsets;
}

ArrayRef<char> asBytes(const std::vector<int32_t> &values) {
  return {reinterpret_cast<const char *>(values.data()),
          values.size() * sizeof(int32_t)};
}

/// The output stage after an 8-bit product: its multiplier and zero point,
/// and the op it replaces; none for an int32 result.
struct OutputStage {
  Operation *op = nullptr;
  Value multiplier;
  int64_t zeroPoint = 0;
};

FailureOr<OutputStage> readOutputStage(Operation *product, DispatchOp dispatch) {
  OutputStage stage;
  if (!product->hasOneUse())
    return stage;
  Operation *user = *product->getUsers().begin();
  if (auto requantize = dyn_cast<graph::RequantizeOp>(user)) {
    ElementsAttr zero = findConstant(requantize.getZeroPoint(), dispatch);
    if (!zero)
      return failure();
    stage = {user, requantize.getMultiplier(), graph::readConstantAsInts(zero)[0]};
  } else if (auto dequantize = dyn_cast<graph::DequantizeLinearOp>(user)) {
    stage = {user, dequantize.getScale(), 0};
  }
  return stage;
}

/// The result type of the product with its stage: the stage's, or int32.
Type stageResultType(Operation *product, const OutputStage &stage) {
  return stage.op ? stage.op->getResult(0).getType()
                  : product->getResult(0).getType();
}

/// A multiplier of one value as rank 1, as the kernel ops take it.
Value multiplierOperand(const OutputStage &stage) { return stage.multiplier; }

LogicalResult lowerConv(graph::ConvIntegerOp conv, DispatchOp dispatch) {
  ElementsAttr weight = findConstant(conv.getWeight(), dispatch);
  ElementsAttr zero = findConstant(conv.getInputZeroPoint(), dispatch);
  ElementsAttr bias =
      conv.getBias() ? findConstant(conv.getBias(), dispatch) : ElementsAttr();
  if (!weight || !zero || (conv.getBias() && !bias))
    return conv.emitOpError("does not fit the 8-bit kernels: its weight, "
                            "zero point and bias must be constants");
  FailureOr<OutputStage> stage = readOutputStage(conv, dispatch);
  if (failed(stage))
    return conv.emitOpError("has an output stage whose zero point is not a "
                            "constant");
  ArrayRef<int64_t> shape = conv.getWeight().getType().getShape();
  int64_t rows = shape[0], depth = shape[1] * shape[2] * shape[3];
  std::vector<int64_t> w = graph::readConstantAsInts(weight);
  std::vector<int64_t> b;
  if (bias)
    b = graph::readConstantAsInts(bias);
  int64_t zeroPoint = graph::readConstantAsInts(zero)[0];
  std::vector<int32_t> offsets = rowOffsets(
      rows, depth, [&](int64_t m, int64_t p) { return w[m * depth + p]; }, b,
      zeroPoint);
  OpBuilder builder(conv);
  Value rowOffset = addConstantInput(
      dispatch, RankedTensorType::get({rows}, builder.getI32Type()),
      asBytes(offsets), "row_offsets");
  builder.setInsertionPoint(stage->op ? stage->op : conv.getOperation());
  auto lowered = QuantizedConvOp::create(
      builder, conv.getLoc(), stageResultType(conv, *stage), conv.getInput(),
      conv.getWeight(), rowOffset, multiplierOperand(*stage),
      conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
      conv.getGroupAttr(), builder.getI64IntegerAttr(zeroPoint),
      builder.getI64IntegerAttr(stage->zeroPoint));
  Operation *replaced = stage->op ? stage->op : conv.getOperation();
  replaced->getResult(0).replaceAllUsesWith(lowered.getResult());
  if (stage->op)
    stage->op->erase();
  conv.erase();
  return success();
}

LogicalResult lowerMatMul(graph::MatMulIntegerOp matmul, DispatchOp dispatch) {
  ElementsAttr weight = findConstant(matmul.getRhs(), dispatch);
  ElementsAttr zero = findConstant(matmul.getLhsZeroPoint(), dispatch);
  if (!weight || !zero)
    return matmul.emitOpError("does not fit the 8-bit kernels: its weight "
                              "and zero point must be constants");
  FailureOr<OutputStage> stage = readOutputStage(matmul, dispatch);
  if (failed(stage))
    return matmul.emitOpError("has an output stage whose zero point is not "
                              "a constant");
  ArrayRef<int64_t> shape = matmul.getRhs().getType().getShape();
  int64_t depth = shape[0], columns = shape[1];
  std::vector<int64_t> w = graph::readConstantAsInts(weight);
  // The kernels read the weight as [N, K].
  std::vector<char> transposed(columns * depth);
  for (int64_t k = 0; k < depth; ++k)
    for (int64_t n = 0; n < columns; ++n)
      transposed[n * depth + k] = static_cast<char>(w[k * columns + n]);
  int64_t zeroPoint = graph::readConstantAsInts(zero)[0];
  std::vector<int32_t> offsets = rowOffsets(
      columns, depth,
      [&](int64_t n, int64_t k) { return w[k * columns + n]; }, {}, zeroPoint);
  OpBuilder builder(matmul);
  Value weightT = addConstantInput(
      dispatch,
      RankedTensorType::get({columns, depth}, builder.getIntegerType(8)),
      transposed, "weight_t");
  Value rowOffset = addConstantInput(
      dispatch, RankedTensorType::get({columns}, builder.getI32Type()),
      asBytes(offsets), "row_offsets");
  builder.setInsertionPoint(stage->op ? stage->op : matmul.getOperation());
  auto lowered = QuantizedMatMulOp::create(
      builder, matmul.getLoc(), stageResultType(matmul, *stage),
      matmul.getLhs(), weightT, rowOffset, multiplierOperand(*stage),
      builder.getI64IntegerAttr(stage->zeroPoint));
  Operation *replaced = stage->op ? stage->op : matmul.getOperation();
  replaced->getResult(0).replaceAllUsesWith(lowered.getResult());
  if (stage->op)
    stage->op->erase();
  matmul.erase();
  return success();
}

struct LowerQuantizedProductsPass final
    : impl::LowerQuantizedProductsPassBase<LowerQuantizedProductsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<Operation *, DispatchOp>> products;
    getOperation().walk([&](DispatchOp dispatch) {
      for (Operation &op : dispatch.getBodyBlock())
        if (isa<graph::ConvIntegerOp, graph::MatMulIntegerOp>(op))
          products.push_back({&op, dispatch});
    });
    for (auto [op, dispatch] : products) {
      LogicalResult lowered =
          isa<graph::ConvIntegerOp>(op)
              ? lowerConv(cast<graph::ConvIntegerOp>(op), dispatch)
              : lowerMatMul(cast<graph::MatMulIntegerOp>(op), dispatch);
      if (failed(lowered))
        return signalPassFailure();
      dropUnreadInputs(dispatch);
    }
  }
};

} // namespace
} // namespace mlir::modelc::kernel
