//===- CudaTarget.cpp - The CUDA target plugin ----------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CudaTarget.h"

#include "dialects/Kernel/Transforms/Passes.h"
#include "modelc/Support/Toolchain.h"

#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

namespace modelc {

llvm::Expected<std::string> findNvcc(const std::string &requested) {
  auto usable = [](const std::string &path) {
    return !path.empty() && llvm::sys::fs::can_execute(path);
  };
  if (!requested.empty()) {
    if (usable(requested))
      return requested;
    if (auto found = llvm::sys::findProgramByName(requested))
      return *found;
    return llvm::createStringError("--nvcc '" + requested +
                                   "' is not an executable");
  }
  if (const char *env = std::getenv("CUDACXX"); env && usable(env))
    return std::string(env);
  const char *home = std::getenv("CUDA_HOME");
  std::string toolkit = home && *home ? home : "/usr/local/cuda";
  if (usable(toolkit + "/bin/nvcc"))
    return toolkit + "/bin/nvcc";
  if (auto found = llvm::sys::findProgramByName("nvcc"))
    return *found;
  return llvm::createStringError(
      "--emit=obj for the cuda target needs nvcc from the CUDA toolkit, and "
      "none was found ($CUDACXX, " + toolkit + "/bin/nvcc, PATH); install the "
      "toolkit, set CUDA_HOME, or use --emit=source and build the .cu "
      "elsewhere");
}

namespace {

class CudaTarget final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "cuda"; }
  llvm::StringRef getDescription() const override {
    return "NVIDIA GPUs: CUDA C++ for nvcc, cuBLASLt and cuDNN, one CUDA graph "
           "per inference";
  }

  /// `--precision` and `--io-precision` decide how much memory each tensor
  /// takes, so they enter the IR before planning.
  void buildConfigurationPipeline(mlir::OpPassManager &pm,
                                  const CompileOptions &options) const override {
    auto name = [](Precision precision) {
      switch (precision) {
      case Precision::F16:
        return "f16";
      case Precision::BF16:
        return "bf16";
      case Precision::F32:
        break;
      }
      return "f32";
    };
    if (options.precision == Precision::F32 &&
        options.ioPrecision == Precision::F32)
      return;
    mlir::modelc::kernel::ConvertFloatStoragePassOptions storage;
    storage.storageName = name(options.precision);
    storage.ioName = name(options.ioPrecision);
    pm.nest<mlir::func::FuncOp>().addPass(
        mlir::modelc::kernel::createConvertFloatStoragePass(storage));
  }

  llvm::Expected<Artifact>
  serialize(mlir::ModuleOp module,
            const CompileOptions &options) const override {
    return emitCudaArtifact(module, options);
  }

  /// QDQ convolutions and matmuls run as dp4a kernels
  /// (runtime/qgemm.cuh).
  bool hasEightBitKernels() const override { return true; }

  /// cuBLASLt and cuDNN want 256-byte aligned operands for their fastest
  /// kernels.
  int64_t getMinimumAlignment() const override { return 256; }

  llvm::Error buildObject(const std::string &dir,
                          const CompileOptions &options) const override {
    llvm::Expected<std::string> nvcc = findNvcc(options.nvcc);
    if (!nvcc)
      return nvcc.takeError();
    std::vector<std::string> args = {"-O3", "-std=c++17", "-Xcompiler",
                                     "-fPIC", "-c"};
    llvm::SmallVector<llvm::StringRef> archs;
    llvm::StringRef(options.gpuArchs).split(archs, ',', -1, false);
    for (llvm::StringRef arch : archs) {
      std::string number = arch.trim().drop_front(3).str();
      args.push_back("-gencode=arch=compute_" + number + ",code=sm_" + number);
    }
    // PTX of the newest architecture lets later GPUs JIT-compile it.
    if (!archs.empty()) {
      std::string newest = archs.back().trim().drop_front(3).str();
      args.push_back("-gencode=arch=compute_" + newest + ",code=compute_" +
                     newest);
    }
    std::string code = joinPath(dir, options.name + ".code.o");
    args.insert(args.end(), {joinPath(dir, options.name + ".cu"), "-o", code});
    if (llvm::Error err = runProgram(*nvcc, args))
      return llvm::createStringError("compiling the CUDA source failed: " +
                                     llvm::toString(std::move(err)));
    return linkArtifactObject(dir, options, code);
  }
};

} // namespace

std::unique_ptr<TargetBackend> createCudaTarget() {
  return std::make_unique<CudaTarget>();
}

} // namespace modelc
