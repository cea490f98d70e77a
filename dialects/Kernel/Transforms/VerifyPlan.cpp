//===- VerifyPlan.cpp - Prove the arena plan sound ------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Checks a memory plan from the IR alone, independently of how the planner
// found it: every planned buffer lies inside the arena at an aligned offset,
// and no two buffers whose lifetimes meet share a byte, except a result
// written in place over the operand it was planned to reuse. Resident space
// (pre-packed weights) is live at every step.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Kernel/Transforms/BufferLiveness.h"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_VERIFYPLANPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct VerifyPlanPass final : impl::VerifyPlanPassBase<VerifyPlanPass> {
  using Base::Base;
  void runOnOperation() override;
};

/// One planned range of arena bytes and the steps it must survive.
struct PlannedBuffer {
  std::string what;
  DispatchOp owner;
  int64_t offset, bytes, firstUse, lastUse;
};
} // namespace

void VerifyPlanPass::runOnOperation() {
  func::FuncOp func = getOperation();
  auto arenaAttr = func->getAttrOfType<IntegerAttr>(kArenaBytesAttr);
  if (!arenaAttr) {
    func.emitError("has no memory plan (") << kArenaBytesAttr << ")";
    return signalPassFailure();
  }
  int64_t arenaBytes = arenaAttr.getInt();
  Schedule schedule = computeSchedule(func);

  std::vector<PlannedBuffer> buffers;
  /// The buffer holding each planned value (in-place results share one).
  DenseMap<Value, size_t> bufferOf;
  for (auto [step, dispatch] : llvm::enumerate(schedule.dispatches)) {
    auto offsets = dispatch.getResultOffsets();
    if (!offsets) {
      dispatch.emitError("dispatch '") << dispatch.getName()
                                       << "' has no result offsets";
      return signalPassFailure();
    }
    std::optional<ArrayRef<int64_t>> inPlace = dispatch.getInPlace();
    for (auto [i, result] : llvm::enumerate(dispatch.getResults())) {
      int64_t offset = (*offsets)[i];
      if (offset < 0)
        continue;
      int64_t last = std::max<int64_t>(step, lastUseStep(result, schedule));
      int64_t reused = inPlace ? (*inPlace)[i] : -1;
      if (reused >= 0) {
        Value operand = dispatch.getInputs()[reused];
        auto it = bufferOf.find(operand);
        if (it == bufferOf.end() || buffers[it->second].offset != offset ||
            buffers[it->second].bytes != tensorBytes(result.getType())) {
          dispatch.emitError("dispatch '")
              << dispatch.getName() << "' result " << i
              << " is planned in place over operand " << reused
              << ", which does not own the same bytes";
          return signalPassFailure();
        }
        PlannedBuffer &shared = buffers[it->second];
        shared.lastUse = std::max(shared.lastUse, last);
        bufferOf[result] = it->second;
        continue;
      }
      bufferOf[result] = buffers.size();
      buffers.push_back({"result " + std::to_string(i), dispatch, offset,
                         tensorBytes(result.getType()),
                         static_cast<int64_t>(step), last});
    }
    if (std::optional<int64_t> bytes = dispatch.getScratchBytes();
        bytes && *bytes > 0) {
      std::optional<int64_t> offset = dispatch.getScratchOffset();
      if (!offset) {
        dispatch.emitError("dispatch '") << dispatch.getName()
                                         << "' needs scratch but has no offset";
        return signalPassFailure();
      }
      buffers.push_back({"scratch", dispatch, *offset, *bytes,
                         static_cast<int64_t>(step), static_cast<int64_t>(step)});
    }
    if (std::optional<int64_t> bytes = dispatch.getResidentBytes();
        bytes && *bytes > 0) {
      std::optional<int64_t> offset = dispatch.getResidentOffset();
      if (!offset) {
        dispatch.emitError("dispatch '")
            << dispatch.getName() << "' needs resident space but has no offset";
        return signalPassFailure();
      }
      // Written by init, read by every run: live at every step.
      buffers.push_back({"resident space", dispatch, *offset, *bytes, 0,
                         static_cast<int64_t>(schedule.dispatches.size())});
    }
  }

  for (PlannedBuffer &buffer : buffers) {
    if (buffer.offset % alignment != 0 ||
        buffer.offset + buffer.bytes > arenaBytes) {
      buffer.owner.emitError("dispatch '")
          << buffer.owner.getName() << "' " << buffer.what << " at bytes ["
          << buffer.offset << ", " << buffer.offset + buffer.bytes
          << ") is not an aligned range inside the " << arenaBytes
          << "-byte arena";
      return signalPassFailure();
    }
  }
  // Pairwise: a few thousand buffers at most, and the check must not share
  // the planner's shortcuts.
  for (size_t a = 0; a < buffers.size(); ++a)
    for (size_t b = a + 1; b < buffers.size(); ++b) {
      PlannedBuffer &x = buffers[a], &y = buffers[b];
      bool liveTogether = x.firstUse <= y.lastUse && y.firstUse <= x.lastUse;
      bool shareBytes = x.offset < y.offset + y.bytes &&
                        y.offset < x.offset + x.bytes;
      if (!liveTogether || !shareBytes)
        continue;
      y.owner.emitError("dispatch '")
          << y.owner.getName() << "' " << y.what << " at bytes [" << y.offset
          << ", " << y.offset + y.bytes << ") overlaps dispatch '"
          << x.owner.getName() << "' " << x.what << " at [" << x.offset
          << ", " << x.offset + x.bytes << ") while both are live";
      return signalPassFailure();
    }
}

} // namespace mlir::modelc::kernel
