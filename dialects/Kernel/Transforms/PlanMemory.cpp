//===- PlanMemory.cpp - Static arena offsets for dispatch results ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Kernel/Transforms/BufferLiveness.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "modelc/Support/ArenaPlanner.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "kernel-plan-memory"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct PlanMemoryPass final : impl::PlanMemoryPassBase<PlanMemoryPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// True when the dispatch is one all-parallel loop nest that reads operand
/// `index` only at the point it writes (identity maps), so the result may
/// overwrite that operand. Transposes and broadcasts read elsewhere.
static bool readsOperandInPlace(DispatchOp dispatch, unsigned index) {
  linalg::GenericOp loop;
  for (Operation &op : dispatch.getBodyBlock().without_terminator()) {
    if (isa<tensor::EmptyOp>(op) || op.hasTrait<OpTrait::ConstantLike>())
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (!generic || loop ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return false;
    loop = generic;
  }
  if (!loop)
    return false;
  for (OpOperand &use : dispatch.getBodyBlock().getArgument(index).getUses())
    if (use.getOwner() != loop.getOperation() || !loop.isDpsInput(&use) ||
        !loop.getMatchingIndexingMap(&use).isIdentity())
      return false;
  return llvm::all_of(loop.getDpsInitsMutable(), [&](OpOperand &init) {
    return loop.getMatchingIndexingMap(&init).isIdentity();
  });
}

void PlanMemoryPass::runOnOperation() {
  func::FuncOp func = getOperation();
  // Every planned size must be known: a dynamic dimension stops here, with
  // the op that has it, instead of planning a 0-byte buffer.
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes()))
    if (failed(checkStaticShape(func, type, "input " + Twine(i))))
      return signalPassFailure();
  WalkResult shapes = func.walk([&](DispatchOp dispatch) {
    for (auto [i, type] : llvm::enumerate(dispatch.getResultTypes()))
      if (failed(checkStaticShape(dispatch, type,
                                  "dispatch '" + dispatch.getName() +
                                      "' result " + Twine(i))))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (shapes.wasInterrupted())
    return signalPassFailure();
  // Lifetimes follow kernel views only: anything else left between the
  // dispatches (an unlowered graph.reshape) would alias memory unseen.
  for (Operation &op : func.getBody().getOps())
    if (!isa<DispatchOp, ReshapeOp, func::ReturnOp>(op) &&
        !op.hasTrait<OpTrait::ConstantLike>()) {
      op.emitError("'") << op.getName()
                        << "' between dispatches cannot be planned; lower it "
                           "first (modelc-lower-pipeline)";
      return signalPassFailure();
    }

  Schedule order = computeSchedule(func);
  SmallVector<DispatchOp> &schedule = order.dispatches;

  // Results the function returns are written straight into the caller's
  // output buffers (the first time a value is returned).
  DenseSet<Value> outputBound;
  func.walk([&](func::ReturnOp ret) {
    for (Value operand : ret.getOperands()) {
      Value source = getViewSource(operand);
      if (isa_and_nonnull<DispatchOp>(source.getDefiningOp()))
        outputBound.insert(source);
    }
  });

  std::vector<::modelc::BufferRequest> requests;
  /// Which request holds each planned value.
  DenseMap<Value, size_t> requestOf;
  int64_t intermediateBytes = 0;
  SmallVector<SmallVector<int64_t>> inPlace(schedule.size());

  for (auto [step, dispatch] : llvm::enumerate(schedule)) {
    inPlace[step].assign(dispatch.getNumResults(), -1);
    for (auto [resultIndex, result] : llvm::enumerate(dispatch.getResults())) {
      if (outputBound.contains(result))
        continue;
      int64_t bytes = tensorBytes(result.getType());
      intermediateBytes += bytes;
      int64_t last = std::max<int64_t>(step, lastUseStep(result, order));
      // Reuse an operand's buffer when it dies here and has the same layout.
      for (auto [operandIndex, operand] : llvm::enumerate(dispatch.getInputs())) {
        auto it = requestOf.find(operand);
        if (it == requestOf.end() || operand.getType() != result.getType() ||
            !readsOperandInPlace(dispatch, operandIndex) ||
            requests[it->second].lastUse != static_cast<int64_t>(step))
          continue;
        requests[it->second].lastUse = last;
        requestOf[result] = it->second;
        inPlace[step][resultIndex] = operandIndex;
        break;
      }
      if (inPlace[step][resultIndex] >= 0)
        continue;
      requestOf[result] = requests.size();
      requests.push_back({bytes, static_cast<int64_t>(step), last});
    }
  }

  // Scratch space lives only while its dispatch runs.
  DenseMap<Operation *, size_t> scratchRequest;
  for (auto [step, dispatch] : llvm::enumerate(schedule)) {
    std::optional<int64_t> bytes = dispatch.getScratchBytes();
    if (!bytes || *bytes <= 0)
      continue;
    scratchRequest[dispatch] = requests.size();
    requests.push_back({*bytes, static_cast<int64_t>(step),
                        static_cast<int64_t>(step)});
  }

  // Resident space (pre-packed weights) lives as long as the arena: init
  // writes it before the first run and every run reads it.
  DenseMap<Operation *, size_t> residentRequest;
  int64_t lastStep = static_cast<int64_t>(schedule.size()) - 1;
  for (DispatchOp dispatch : schedule) {
    std::optional<int64_t> bytes = dispatch.getResidentBytes();
    if (!bytes || *bytes <= 0)
      continue;
    residentRequest[dispatch] = requests.size();
    requests.push_back({*bytes, 0, lastStep});
  }

  ::modelc::ArenaPlan plan = ::modelc::planArena(requests, alignment);
  int64_t lowerBound = ::modelc::arenaLowerBound(requests, alignment);

  Builder builder(&getContext());
  for (auto [step, dispatch] : llvm::enumerate(schedule)) {
    SmallVector<int64_t> offsets;
    for (Value result : dispatch.getResults()) {
      auto it = requestOf.find(result);
      offsets.push_back(it == requestOf.end() ? -1 : plan.offsets[it->second]);
    }
    dispatch.setResultOffsets(offsets);
    dispatch.setInPlace(inPlace[step]);
    if (auto it = scratchRequest.find(dispatch); it != scratchRequest.end())
      dispatch.setScratchOffset(plan.offsets[it->second]);
    if (auto it = residentRequest.find(dispatch); it != residentRequest.end())
      dispatch.setResidentOffset(plan.offsets[it->second]);
  }
  func->setAttr(kArenaBytesAttr, builder.getI64IntegerAttr(plan.arenaBytes));
  func->setAttr(kArenaLowerBoundAttr, builder.getI64IntegerAttr(lowerBound));
  func->setAttr(kIntermediateBytesAttr,
                builder.getI64IntegerAttr(intermediateBytes));
  LLVM_DEBUG(llvm::dbgs() << "arena " << plan.arenaBytes << " bytes, lower "
                          << "bound " << lowerBound << "\n");
}
} // namespace mlir::modelc::kernel
