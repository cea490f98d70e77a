//===- CTarget.cpp - The portable C target plugin -------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CTarget.h"

#include "modelc/Support/Toolchain.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace modelc {
namespace c_target {
std::unique_ptr<mlir::Pass> createAssignScratchPass();
} // namespace c_target

namespace {
class CTarget final : public TargetBackend {
public:
  llvm::StringRef getName() const override { return "c"; }
  llvm::StringRef getDescription() const override {
    return "freestanding C99 with SIMD paths behind #if (any C compiler)";
  }

  void registerPasses() const override { registerCTargetPasses(); }

  void buildConfigurationPipeline(mlir::OpPassManager &pm,
                                  const CompileOptions &options) const override {
    pm.nest<mlir::func::FuncOp>().addPass(c_target::createAssignScratchPass());
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
