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

#include "targets/Common/ArtifactAbi.h"
#include "targets/Common/PlannedPointers.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

namespace {

constexpr int64_t kDeviceAlignment = 256;

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

} // namespace

llvm::Error ArtifactWriter::assignPointers() {
  ports_ = collectArtifactPorts(func_);
  return assignPlannedPointers(func_, weights_.offsets, weights_.empty,
                               ports_.directOutputs, storageTypeName,
                               pointers_);
}

void ArtifactWriter::layOutDevice() {
  int64_t offset = alignTo(arenaBytes_, kDeviceAlignment);
  weightsOffset_ = offset;
  offset = alignTo(offset + weights_.bytes.size(), kDeviceAlignment);
  auto stage = [&](ArrayRef<ArtifactPort> ports,
                   SmallVector<int64_t> &offsets) {
    for (const ArtifactPort &port : ports) {
      offsets.push_back(offset);
      offset = alignTo(offset + tensorBytes(port.value), kDeviceAlignment);
    }
  };
  stage(ports_.inputs, inputRunOffsets_);
  stage(ports_.outputs, outputRunOffsets_);
  fixedDeviceBytes_ = offset;
}

} // namespace modelc::cuda_target::detail
