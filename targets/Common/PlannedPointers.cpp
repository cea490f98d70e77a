//===- PlannedPointers.cpp - Where each tensor of a plan lives ------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "PlannedPointers.h"

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

llvm::Error assignPlannedPointers(
    func::FuncOp func, const llvm::DenseMap<Value, int64_t> &weightOffsets,
    ArrayRef<Value> emptyConstants,
    const llvm::DenseMap<Value, unsigned> &directOutputs,
    llvm::function_ref<std::string(Type)> typeName,
    llvm::DenseMap<Value, std::string> &pointers) {
  auto typed = [&](Value value, bool isConst) {
    return std::string("(") + (isConst ? "const " : "") +
           typeName(mlir::cast<RankedTensorType>(value.getType())
                        .getElementType()) +
           " *)";
  };
  for (auto [i, arg] : llvm::enumerate(func.getArguments()))
    pointers[arg] = "input_" + std::to_string(i);
  for (auto [value, offset] : weightOffsets)
    pointers[value] =
        typed(value, true) + "(weights + " + std::to_string(offset) + ")";
  // Empty tensors have no memory; nothing reads through their pointer.
  for (Value value : emptyConstants)
    pointers[value] = typed(value, true) + "NULL";
  for (Operation &op : func.getBody().front()) {
    auto dispatch = dyn_cast<kernel::DispatchOp>(op);
    if (!dispatch)
      continue;
    std::optional<ArrayRef<int64_t>> offsets = dispatch.getResultOffsets();
    if (!offsets)
      return llvm::createStringError("dispatch '" + dispatch.getName() +
                                     "' has no memory plan; run "
                                     "--kernel-plan-memory first");
    for (auto [result, offset] : llvm::zip(dispatch.getResults(), *offsets)) {
      if (offset >= 0) {
        pointers[result] =
            typed(result, false) + "(arena + " + std::to_string(offset) + ")";
        continue;
      }
      auto it = directOutputs.find(result);
      if (it == directOutputs.end())
        return llvm::createStringError("dispatch '" + dispatch.getName() +
                                       "' writes an output that is not "
                                       "returned");
      pointers[result] = "output_" + std::to_string(it->second);
    }
  }
  // Views share their source's memory. The pointer is copied out before
  // the view's entry is inserted: `pointers[view] = pointers[source]` reads
  // through a reference that the insertion's rehash can free.
  func.walk([&](kernel::ReshapeOp reshape) {
    Value source = kernel::getViewSource(reshape.getResult());
    auto it = pointers.find(source);
    if (it == pointers.end())
      return;
    std::string pointer = it->second;
    pointers[reshape.getResult()] = std::move(pointer);
  });
  return llvm::Error::success();
}

} // namespace modelc::codegen
