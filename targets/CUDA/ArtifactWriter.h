//===- ArtifactWriter.h - The writer behind emitCudaArtifact ----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Private to targets/CUDA: the class that writes a CUDA artifact, whose parts
// live in CudaEmitter.cpp (the driver and <name>.cu), DeviceLayout.cpp (where
// every tensor lives in the one device allocation), HeaderWriter.cpp
// (<name>.h), HostWriter.cpp (the context, create/destroy, the enqueue
// function and the run functions that capture it as a CUDA graph) and
// BuildFiles.cpp (<name>.cmake, the runner and its CMakeLists.txt). The ports,
// their descriptors and checks and the pointer of every tensor are shared with
// the C target (targets/Common/ArtifactPorts.h, PlannedPointers.h).
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_CUDA_ARTIFACTWRITER_H
#define MODELC_TARGETS_CUDA_ARTIFACTWRITER_H

#include "KernelEmitter.h"
#include "modelc/Target/TargetBackend.h"
#include "targets/Common/ArtifactPorts.h"
#include "targets/Common/WeightsWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace modelc::cuda_target::detail {

/// Each weight starts 256-byte aligned, as cuBLASLt and cuDNN want their
/// operands.
constexpr int64_t kWeightsAlignment = 256;

/// "fp32", "fp16" or "bf16", as --precision spells it.
const char *precisionName(Precision precision);

class ArtifactWriter {
public:
  ArtifactWriter(mlir::func::FuncOp func, const CompileOptions &options)
      : func_(func), options_(options),
        name_(options.name), upper_(llvm::StringRef(options.name).upper()) {}

  llvm::Expected<Artifact> run();

private:
  // DeviceLayout.cpp
  llvm::Error assignPointers();
  void layOutDevice();

  // HeaderWriter.cpp
  void emitHeader(llvm::raw_ostream &os);

  // CudaEmitter.cpp
  llvm::Error emitSource(llvm::raw_ostream &os);

  // HostWriter.cpp
  void emitEnqueue(llvm::raw_ostream &os, const std::string &calls);
  void emitLifecycle(llvm::raw_ostream &os);
  void emitRun(llvm::raw_ostream &os);

  // BuildFiles.cpp
  std::string cmakeFile() const;
  std::string runnerSource() const;
  std::string runnerCMakeLists() const;

  mlir::func::FuncOp func_;
  const CompileOptions &options_;
  std::string name_, upper_;
  codegen::ArtifactPorts ports_;
  int64_t arenaBytes_ = 0;
  /// The constants laid out in one blob: bytes, offsets, empty ones and the
  /// synthetic-weights table.
  codegen::WeightsLayout weights_;
  /// C expression of the device pointer to each value in the enqueue function.
  llvm::DenseMap<mlir::Value, std::string> pointers_;
  LibraryPlans plans_;
  /// Device layout: arena, weights, host-run I/O; the library workspace
  /// follows, sized at create time.
  int64_t weightsOffset_ = 0, fixedDeviceBytes_ = 0;
  /// Device offset of the buffer that <name>_run copies each input and each
  /// output through.
  llvm::SmallVector<int64_t> inputRunOffsets_, outputRunOffsets_;
};

} // namespace modelc::cuda_target::detail

#endif // MODELC_TARGETS_CUDA_ARTIFACTWRITER_H
