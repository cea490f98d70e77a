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
    Option<std::string> precision{
        *this, "precision",
        llvm::cl::desc("GPU targets: storage of float tensors (fp32, fp16, "
                       "bf16), as --precision"),
        llvm::cl::init("fp32")};
    Option<std::string> ioPrecision{
        *this, "io-precision",
        llvm::cl::desc("GPU targets: float inputs and outputs (fp32, fp16, "
                       "bf16), as --io-precision"),
        llvm::cl::init("fp32")};
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
        auto parse = [](const std::string &name) {
          if (name == "fp16")
            return Precision::F16;
          if (name == "bf16")
            return Precision::BF16;
          if (name != "fp32") {
            llvm::errs() << "modelc-plan-pipeline: precision '" << name
                         << "' is not fp32, fp16 or bf16\n";
            std::exit(2);
          }
          return Precision::F32;
        };
        CompileOptions compile;
        compile.precision = parse(options.precision);
        compile.ioPrecision = parse(options.ioPrecision);
        buildPlanPipeline(pm, compile, *target);
      });
}

void registerAllTargets(TargetRegistry &registry) {
  registry.add(createCTarget());
  registry.add(createCudaTarget());
  registry.add(std::make_unique<PendingTarget>("rocm", "AMD GPUs (ROCm)"));
  registry.add(std::make_unique<PendingTarget>("metal", "Apple GPUs (Metal)"));
}

} // namespace modelc
