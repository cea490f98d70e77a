//===- BufferLiveness.h - When each dispatch result is read -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The schedule and lifetime facts that the memory planner uses and that the
// plan verifier checks its answer against, computed one way for both.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_BUFFERLIVENESS_H
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_BUFFERLIVENESS_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::modelc::kernel {

/// Dispatches in execution order and the step of each.
struct Schedule {
  SmallVector<DispatchOp> dispatches;
  DenseMap<Operation *, int64_t> stepOf;
  /// The step after the last dispatch, where returned values are copied.
  int64_t endStep() const { return dispatches.size(); }
};

Schedule computeSchedule(func::FuncOp func);

/// Bytes of a statically shaped tensor.
int64_t tensorBytes(Type type);

/// The last schedule step at which `value`'s memory is read, following views
/// (whose results alias it). A value that reaches the function's return
/// without being written there directly lives to the end, where it is copied.
int64_t lastUseStep(Value value, const Schedule &schedule);

/// Fails with a one-line error naming `op` when `type` is not a tensor of
/// static shape: modelc plans fixed offsets, so every dimension must be
/// known by the time memory is planned.
LogicalResult checkStaticShape(Operation *op, Type type, const Twine &what);

} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_BUFFERLIVENESS_H
