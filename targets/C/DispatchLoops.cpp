//===- DispatchLoops.cpp - Elementwise and reduction loop nests -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A dispatch's linalg.generic bodies as C loop nests: the elementwise chain
// (or epilogue) that writes each result element from strided operand reads,
// and a reduction that starts every accumulator at its identity and folds the
// input in, in the input's own order. Both write the region's scalar body
// through codegen::writeLoopBody.
//
//===----------------------------------------------------------------------===//

#include "DispatchWriter.h"

#include "LoopNest.h"
#include "targets/Common/LoopBody.h"
#include "targets/Common/ReductionNest.h"
#include "targets/Common/ScalarExpression.h"
#include "targets/Common/StridedView.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target::detail {
using namespace ::modelc::codegen;

/// The C target's spelling of loop-body scalars: f32 erf and exp call the
/// runtime's straight-line versions (prelude.c), which compilers vectorize,
/// unlike a libm call per element.
static ScalarSpelling runtimeSpelling() {
  ScalarSpelling spelling;
  spelling.erfF32 = "mk_erff";
  spelling.expF32 = "mk_expf";
  return spelling;
}

llvm::Error DispatchWriter::emitElementwise(linalg::GenericOp generic) {
  SmallVector<int64_t> shape = generic.getStaticLoopRanges();
  // Operand reads through the indexing maps; the results are written where
  // the dispatch's results live.
  std::vector<std::vector<int64_t>> strides;
  std::vector<int64_t> bases;
  SmallVector<std::string> pointers;
  for (OpOperand &operand : generic->getOpOperands()) {
    std::optional<OperandRead> read = getOperandRead(
        operand.get(), generic.getMatchingIndexingMap(&operand));
    if (!read)
      return opError(generic, "indexing map is not a strided read");
    Value memory = generic.isDpsInput(&operand)
                       ? read->memory
                       : Value(generic.getTiedOpResult(&operand));
    if (!pointers_.count(memory))
      return opError(generic, "operand has no memory");
    strides.push_back(read->view.strides);
    bases.push_back(read->view.base);
    pointers.push_back(pointer(memory));
  }

  Block &loop = generic.getRegion().front();
  unsigned numInputs = generic.getNumDpsInputs();
  for (BlockArgument arg : loop.getArguments().drop_front(numInputs))
    if (!arg.use_empty())
      return opError(generic, "loop body reads its output");
  // A body that reads its loop indices (linalg.index) gets each as the
  // offset of a walk with stride 1 in that dimension alone, which also keeps
  // the loop nest from merging that dimension with its neighbours.
  std::vector<int> indexWalk(shape.size(), -1);
  generic.walk([&](linalg::IndexOp index) {
    unsigned dim = index.getDim();
    if (indexWalk[dim] >= 0)
      return;
    indexWalk[dim] = strides.size();
    std::vector<int64_t> unit(shape.size(), 0);
    unit[dim] = 1;
    strides.push_back(unit);
  });
  codegen::ScalarSpelling spelling = runtimeSpelling();
  ArrayRef<std::string> currentOffsets;
  spelling.loopIndex = [&](unsigned dim) {
    return currentOffsets[indexWalk[dim]];
  };
  spelling.loadElement = [&](Value tensor, const std::string &offset) {
    return pointer(tensor) + "[" + offset + "]";
  };
  llvm::Error failure = llvm::Error::success();
  emitLoopNest(os_, 2, shape, strides,
               [&](int indent, ArrayRef<std::string> offsets) {
                 currentOffsets = offsets;
                 std::string pad(indent, ' ');
                 auto at = [&](unsigned k) {
                   return bases[k] ? std::to_string(bases[k]) + " + " + offsets[k]
                                   : offsets[k];
                 };
                 for (auto [k, arg] : llvm::enumerate(
                          loop.getArguments().take_front(numInputs))) {
                   if (arg.use_empty())
                     continue;
                   std::string name = "v" + std::to_string(nextScalar_++);
                   os_ << pad << "const " << elementType(generic.getDpsInputs()[k])
                       << " " << name << " = " << pointers[k] << "[" << at(k)
                       << "];\n";
                   scalars_[arg] = name;
                 }
                 bool usesHalf = false;
                 if (llvm::Error err = codegen::writeLoopBody(
                         loop, os_, pad, scalars_, nextScalar_, spelling,
                         usesHalf)) {
                   failure = std::move(err);
                   return;
                 }
                 if (usesHalf)
                   kernels_.insert(RuntimeKernel::Half);
                 auto yield = cast<linalg::YieldOp>(loop.getTerminator());
                 for (auto [i, value] : llvm::enumerate(yield.getValues())) {
                   unsigned k = numInputs + i;
                   os_ << pad << pointers[k] << "[" << at(k)
                       << "] = " << scalars_[value] << ";\n";
                 }
               });
  return failure;
}

llvm::Error DispatchWriter::emitReduction(linalg::GenericOp generic) {
  codegen::ScalarSpelling spelling = runtimeSpelling();
  bool usesHalf = false;
  llvm::Expected<ReductionNest> nest = getReductionNest(generic, spelling, usesHalf);
  if (!nest)
    return nest.takeError();
  Value input = generic.getDpsInputs().front();
  int64_t outCount = tensorType(generic.getResult(0)).getNumElements();
  // Start every accumulator at the identity, then fold the input in, in
  // the input's own order.
  os_ << "  for (int64_t i = 0; i < " << outCount << "; ++i)\n"
      << "    out0[i] = " << nest->identity << ";\n";
  Block &loop = generic.getRegion().front();
  llvm::Error failure = llvm::Error::success();
  std::string in = pointer(input);
  auto at = [](int64_t base, const std::string &offset) {
    return base ? std::to_string(base) + " + " + offset : offset;
  };
  emitLoopNest(
      os_, 2, nest->iteration, {nest->accumulator.strides, nest->input.strides},
      [&](int indent, ArrayRef<std::string> offsets) {
        std::string pad(indent, ' ');
        std::string accumulator = "out0[" + at(nest->accumulator.base, offsets[0]) + "]";
        std::string x = "v" + std::to_string(nextScalar_++);
        os_ << pad << "const " << elementType(input) << " " << x << " = " << in
            << "[" << at(nest->input.base, offsets[1]) << "];\n";
        std::string acc = "v" + std::to_string(nextScalar_++);
        os_ << pad << "const " << elementType(generic.getResult(0)) << " "
            << acc << " = " << accumulator << ";\n";
        scalars_[loop.getArgument(0)] = x;
        scalars_[loop.getArgument(1)] = acc;
        if (llvm::Error err = codegen::writeLoopBody(loop, os_, pad, scalars_,
                                                     nextScalar_, spelling,
                                                     usesHalf)) {
          failure = std::move(err);
          return;
        }
        Value next = cast<linalg::YieldOp>(loop.getTerminator()).getValues()[0];
        os_ << pad << accumulator << " = " << scalars_[next] << ";\n";
      });
  if (usesHalf)
    kernels_.insert(RuntimeKernel::Half);
  return failure;
}

} // namespace modelc::c_target::detail
