//===- KernelDialect.cpp - The kernel dialect and its operations ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/IR/KernelDialect.h"

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::modelc::kernel;

#include "dialects/Kernel/IR/KernelDialect.cpp.inc"

void KernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Kernel/IR/KernelOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/Kernel/IR/KernelOps.cpp.inc"

YieldOp DispatchOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

LogicalResult DispatchOp::verify() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("expected ")
           << getInputs().size() << " block arguments, got "
           << body.getNumArguments();
  for (auto [input, argument] : llvm::zip(getInputs(), body.getArguments()))
    if (input.getType() != argument.getType())
      return emitOpError("block argument type ")
             << argument.getType() << " differs from input type "
             << input.getType();
  // A dispatch gets fixed buffers, so its shapes must be known. (Bounded
  // dimensions, planned at their bound, will extend this rule.)
  for (auto [what, types] :
       {std::pair<const char *, TypeRange>{"input", getInputs().getTypes()},
        {"result", getResultTypes()}})
    for (auto [i, type] : llvm::enumerate(types))
      if (!cast<RankedTensorType>(type).hasStaticShape())
        return emitOpError("'")
               << getName() << "' " << what << " " << i
               << " has a dynamic dimension (" << type
               << "); pin it with --dim NAME=VALUE";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expected the body to end in kernel.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yielded types differ from the result types");
  int64_t numResults = getNumResults();
  if (auto offsets = getResultOffsets())
    if (static_cast<int64_t>(offsets->size()) != numResults)
      return emitOpError("expected one result offset per result");
  if (auto inPlace = getInPlace()) {
    if (static_cast<int64_t>(inPlace->size()) != numResults)
      return emitOpError("expected one in_place entry per result");
    for (int64_t operand : *inPlace)
      if (operand < -1 || operand >= static_cast<int64_t>(getInputs().size()))
        return emitOpError("in_place names operand ")
               << operand << " of " << getInputs().size();
  }
  return success();
}

LogicalResult MatMulOp::verify() {
  Type element = getLhs().getType().getElementType();
  Type rhs = getRhs().getType().getElementType();
  // A CPU target's --precision narrows constant weights alone.
  bool halfWeight = element.isF32() && (rhs.isBF16() || rhs.isF16());
  if (element != rhs && !halfWeight)
    return emitOpError("expected operands of one element type, or f32 "
                       "activations with a half-precision weight");
  Type accumulator = getAccumulator();
  bool floats = isa<FloatType>(element) && accumulator.isF32();
  bool integers = element.isInteger(32) && accumulator.isInteger(32);
  if (!floats && !integers)
    return emitOpError("accumulates ")
           << element << " products in " << accumulator
           << "; expected float products in f32 or i32 products in i32";
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType from = getInput().getType(), to = getType();
  if (from.getElementType() != to.getElementType() ||
      from.getNumElements() != to.getNumElements())
    return emitOpError("a view keeps the element type and count: ")
           << from << " -> " << to;
  return success();
}

Value mlir::modelc::kernel::getViewSource(Value value) {
  while (auto view = value.getDefiningOp<ReshapeOp>())
    value = view.getInput();
  return value;
}

/// The checks both 8-bit products share: 8-bit input, int8 weight, one
/// int32 row offset per output channel and an output stage that matches the
/// result type.
static LogicalResult verifyQuantizedProduct(Operation *op, Value input,
                                            Value weight, Value rowOffset,
                                            Value multiplier, Type result,
                                            int64_t channels) {
  auto element = [](Value value) { return getElementTypeOrSelf(value.getType()); };
  if (!element(input).isInteger(8))
    return op->emitOpError("expected an 8-bit input, got ") << element(input);
  if (!element(weight).isSignlessInteger(8))
    return op->emitOpError("expected an int8 weight, got ") << element(weight);
  auto offsets = cast<RankedTensorType>(rowOffset.getType());
  if (!offsets.getElementType().isInteger(32) || offsets.getRank() != 1 ||
      offsets.getDimSize(0) != channels)
    return op->emitOpError("expected ")
           << channels << " int32 row offsets, got " << offsets;
  Type out = getElementTypeOrSelf(result);
  if (out.isInteger(32))
    return multiplier ? op->emitOpError("an int32 result takes no multiplier")
                      : success();
  if (!out.isInteger(8) && !out.isF32())
    return op->emitOpError("expected an i32, 8-bit or f32 result, got ") << out;
  if (!multiplier)
    return op->emitOpError("a ") << out << " result needs a multiplier";
  auto scales = cast<RankedTensorType>(multiplier.getType());
  if (!scales.getElementType().isF32() ||
      (scales.getNumElements() != 1 && scales.getNumElements() != channels))
    return op->emitOpError("expected 1 or ")
           << channels << " f32 multipliers, got " << scales;
  return success();
}

LogicalResult QuantizedConvOp::verify() {
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  if (w.size() != 4 || getInput().getType().getRank() != 4)
    return emitOpError("expected rank-4 input and weight");
  return verifyQuantizedProduct(*this, getInput(), getWeight(), getRowOffset(),
                                getMultiplier(), getType(), w[0]);
}

LogicalResult QuantizedMatMulOp::verify() {
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  if (w.size() != 2 || in.empty() || in.back() != w[1])
    return emitOpError("expected a [N, K] weight for a [..., K] input");
  ArrayRef<int64_t> out = getType().getShape();
  if (out.size() != in.size() || out.back() != w[0] ||
      out.drop_back() != in.drop_back())
    return emitOpError("expected a [..., N] result");
  return verifyQuantizedProduct(*this, getInput(), getWeight(), getRowOffset(),
                                getMultiplier(), getType(), w[0]);
}
