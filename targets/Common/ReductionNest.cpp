//===- ReductionNest.cpp - A reduction loop nest, ready to print ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ReductionNest.h"

#include "CSyntax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace modelc::codegen {

static llvm::Error nestError(Operation *op, const llvm::Twine &message) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  std::string where = names.empty() ? op->getName().getStringRef().str()
                                    : "node '" + names.front() + "'";
  return llvm::createStringError(where + ": " + message);
}

llvm::Expected<ReductionNest> getReductionNest(linalg::GenericOp generic,
                                               const ScalarSpelling &spelling,
                                               bool &usesHalfConversions) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1)
    return nestError(generic, "a reduction reads one input into one result");
  ReductionNest nest;
  nest.generic = generic;
  nest.iteration = generic.getStaticLoopRanges();
  for (utils::IteratorType iterator : generic.getIteratorTypesArray())
    nest.reduced.push_back(iterator == utils::IteratorType::reduction);
  OpOperand *input = generic.getDpsInputOperand(0);
  OpOperand *init = generic.getDpsInitOperand(0);
  std::optional<StridedView> in = getStridedView(
      generic.getMatchingIndexingMap(input),
      cast<RankedTensorType>(input->get().getType()).getShape());
  std::optional<StridedView> acc = getStridedView(
      generic.getMatchingIndexingMap(init),
      cast<RankedTensorType>(init->get().getType()).getShape());
  if (!in || !acc)
    return nestError(generic, "reduction maps are not strided reads");
  nest.input = *in;
  nest.accumulator = *acc;

  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  if (!fill)
    return nestError(generic, "the accumulator does not start from a fill");
  Value start = fill.getInputs().front();
  if (auto cast = start.getDefiningOp<UnrealizedConversionCastOp>())
    start = cast.getOperand(0);
  auto constant = start.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return nestError(generic, "the accumulator does not start from a constant");
  llvm::Expected<std::string> identity = scalarExpression(
      constant, [](unsigned) { return std::string(); }, spelling,
      usesHalfConversions);
  if (!identity)
    return identity.takeError();
  nest.identity = *identity;
  return nest;
}

} // namespace modelc::codegen
