//===- TargetRegistry.cpp - Target plugins by name ------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Target/TargetBackend.h"

#include "modelc/Pipelines/Pipelines.h"

#include "targets/C/CTarget.h"
#include "targets/CUDA/CudaTarget.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdlib>

namespace modelc {

void TargetRegistry::add(std::unique_ptr<TargetBackend> backend) {
  std::string name = backend->getName().str();
  backends_[name] = std::move(backend);
}

const TargetBackend *TargetRegistry::lookup(llvm::StringRef name) const {
  auto it = backends_.find(name);
  return it == backends_.end() ? nullptr : it->second.get();
}

std::vector<std::string> TargetRegistry::getNames() const {
  std::vector<std::string> names;
  for (const auto &entry : backends_)
    names.push_back(entry.first);
  return names;
}

namespace {
/// A target whose plugin has not landed yet: recognised by name, so users get
/// a clear answer instead of "unknown target".
class PendingTarget final : public TargetBackend {
public:
  PendingTarget(llvm::StringRef name, llvm::StringRef description)
      : name_(name), description_(description) {}

  llvm::StringRef getName() const override { return name_; }
  llvm::StringRef getDescription() const override { return description_; }

  llvm::Error checkAvailable() const override {
    return llvm::createStringError("target '" + name_ +
                                   "' is not built yet in this version of "
                                   "modelc");
  }

  llvm::Expected<Artifact> serialize(mlir::ModuleOp,
                                     const CompileOptions &) const override {
    return checkAvailable();
  }

  llvm::Error buildObject(const std::string &,
                          const CompileOptions &) const override {
    return checkAvailable();
  }

private:
  std::string name_, description_;
};
} // namespace

void registerTargetPassesAndPipelines() {
  static TargetRegistry *registry = [] {
    auto *targets = new TargetRegistry();
    registerAllTargets(*targets);
    return targets;
  }();
  for (const std::string &name : registry->getNames())
    registry->lookup(name)->registerPasses();
  struct PlanOptions : mlir::PassPipelineOptions<PlanOptions> {
    Option<std::string> target{*this, "target",
                               llvm::cl::desc("Target whose configuration "
                                              "pipeline runs before planning"),
                               llvm::cl::init("c")};
  };
  mlir::PassPipelineRegistration<PlanOptions>(
      "modelc-plan-pipeline",
      "Runs a target's configuration pipeline, then plans and verifies the "
      "arena",
      [](mlir::OpPassManager &pm, const PlanOptions &options) {
        const TargetBackend *target = registry->lookup(options.target);
        if (!target) {
          llvm::errs() << "modelc-plan-pipeline: unknown target '"
                       << options.target << "'\n";
          std::exit(2);
        }
        buildPlanPipeline(pm, CompileOptions(), *target);
      });
}

void registerAllTargets(TargetRegistry &registry) {
  registry.add(createCTarget());
  registry.add(createCudaTarget());
  registry.add(std::make_unique<PendingTarget>("rocm", "AMD GPUs (ROCm)"));
  registry.add(std::make_unique<PendingTarget>("metal", "Apple GPUs (Metal)"));
}

} // namespace modelc
