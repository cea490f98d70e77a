//===- KernelDialect.cpp - The kernel dialect and its operations ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/IR/KernelDialect.h"

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

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
  if (element != getRhs().getType().getElementType())
    return emitOpError("expected operands of one element type");
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
