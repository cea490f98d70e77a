//===- BufferLiveness.cpp - When each dispatch result is read -------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/BufferLiveness.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

namespace mlir::modelc::kernel {

Schedule computeSchedule(func::FuncOp func) {
  Schedule schedule;
  func.walk([&](DispatchOp dispatch) {
    schedule.stepOf[dispatch] = schedule.dispatches.size();
    schedule.dispatches.push_back(dispatch);
  });
  return schedule;
}

int64_t tensorBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.getNumElements() *
         graph::getElementByteWidth(tensor.getElementType());
}

int64_t lastUseStep(Value value, const Schedule &schedule) {
  int64_t last = -1;
  for (Operation *user : value.getUsers()) {
    if (isa<ReshapeOp>(user))
      last = std::max(last, lastUseStep(user->getResult(0), schedule));
    else if (isa<func::ReturnOp>(user))
      last = schedule.endStep();
    else if (auto it = schedule.stepOf.find(user); it != schedule.stepOf.end())
      last = std::max(last, it->second);
  }
  return last;
}

LogicalResult checkStaticShape(Operation *op, Type type, const Twine &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return op->emitError() << what << " is not a ranked tensor (" << type
                           << ")";
  if (tensor.hasStaticShape())
    return success();
  return op->emitError() << what << " has a dynamic dimension (" << type
                         << "); memory is planned for static shapes only, so "
                            "pin it with --dim NAME=VALUE";
}

} // namespace mlir::modelc::kernel
