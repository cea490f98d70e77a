//===- CTarget.cpp - The portable C target plugin -------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CTarget.h"

#include "dialects/Kernel/Transforms/Passes.h"

#include "modelc/Support/Toolchain.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace modelc {
namespace c_target {
#define GEN_PASS_DECL_ASSIGNSCRATCHPASS
#include "targets/C/Passes.h.inc"
} // namespace c_target

namespace {
class CTarget final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "c"; }
  llvm::StringRef getDescription() const override {
    return "freestanding C99 with SIMD paths behind #if (any C compiler)";
  }

  void registerPasses() const override { registerCTargetPasses(); }
  bool hasEightBitKernels() const override { return true; }

  void buildConfigurationPipeline(mlir::OpPassManager &pm,
                                  const CompileOptions &options) const override {
    mlir::OpPassManager &funcPM = pm.nest<mlir::func::FuncOp>();
    // --precision=bf16/fp16: the weights of float products narrow; the rest
    // of the model computes in f32.
    if (options.precision != Precision::F32)
      funcPM.addPass(mlir::modelc::kernel::createNarrowProductWeightsPass(
          mlir::modelc::kernel::NarrowProductWeightsPassOptions{
              options.precision == Precision::BF16 ? "bf16" : "f16"}));
    funcPM.addPass(c_target::createAssignScratchPass(
        c_target::AssignScratchPassOptions{options.prepackWeights}));
  }

  llvm::Expected<Artifact>
  serialize(mlir::ModuleOp module,
            const CompileOptions &options) const override {
    return emitCArtifact(module, options);
  }

  llvm::Error buildObject(const std::string &dir,
                          const CompileOptions &options) const override {
    return buildCObject(dir, options);
  }
};
} // namespace

std::unique_ptr<TargetBackend> createCTarget() {
  return std::make_unique<CTarget>();
}

} // namespace modelc
