//===- DeviceLayout.cpp - Where a CUDA artifact's tensors live ------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The compile-time layout of the one device allocation: the planned arena,
// then the weights, then the buffers <name>_run copies host inputs and
// outputs through; and the device pointer expression of every value the
// enqueue function passes to a dispatch.
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "dialects/Kernel/IR/KernelOps.h"
#include "targets/Common/PlannedPointers.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

namespace {

constexpr int64_t kWeightsAlignment = 256;
constexpr int64_t kDeviceAlignment = 256;

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

} // namespace

void ArtifactWriter::layOutWeights() {
  WeightsLayout layout = codegen::layOutWeights(func_, kWeightsAlignment);
  weights_ = std::move(layout.bytes);
  weightOffsets_ = std::move(layout.offsets);
  emptyConstants_ = std::move(layout.empty);
  syntheticTensors_ = std::move(layout.synthetic);
}

llvm::Error ArtifactWriter::assignPointers() {
  auto ioElementOf = [](Value value) {
    return cast<RankedTensorType>(value.getType()).getElementType();
  };
  for (auto [i, arg] : llvm::enumerate(func_.getArguments())) {
    auto name = func_.getArgAttrOfType<StringAttr>(i, "onnx.name");
    inputs_.push_back({name ? name.str() : "input_" + std::to_string(i), arg,
                       ioElementOf(arg)});
    pointers_[arg] = "input_" + std::to_string(i);
  }
  auto ret = cast<func::ReturnOp>(func_.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto name = func_.getResultAttrOfType<StringAttr>(i, "onnx.name");
    outputs_.push_back({name ? name.str() : "output_" + std::to_string(i),
                        value, ioElementOf(value)});
    Value source = kernel::getViewSource(value);
    if (isa_and_nonnull<kernel::DispatchOp>(source.getDefiningOp()) &&
        !directOutputs_.count(source))
      directOutputs_[source] = i;
  }
  auto typed = [&](Value value, bool isConst) {
    return std::string("(") + (isConst ? "const " : "") +
           storageTypeName(value) + " *)";
  };
  return assignPlannedPointers(func_, weightOffsets_, emptyConstants_,
                               directOutputs_, typed, pointers_);
}

void ArtifactWriter::layOutDevice() {
  int64_t offset = alignTo(arenaBytes_, kDeviceAlignment);
  weightsOffset_ = offset;
  offset = alignTo(offset + weights_.size(), kDeviceAlignment);
  for (Port *port : [&] {
         SmallVector<Port *> all;
         for (Port &p : inputs_)
           all.push_back(&p);
         for (Port &p : outputs_)
           all.push_back(&p);
         return all;
       }()) {
    port->hostRunOffset = offset;
    offset = alignTo(offset + ioBytes(*port), kDeviceAlignment);
  }
  fixedDeviceBytes_ = offset;
}

} // namespace modelc::cuda_target::detail
