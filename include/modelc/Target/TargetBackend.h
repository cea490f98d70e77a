//===- TargetBackend.h - The target plugin interface ------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A target plugin turns a planned module (kernel.dispatch regions with arena
// offsets) into the files of an artifact. Plugins are registered explicitly by
// registerAllTargets, never by static constructors.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGET_TARGETBACKEND_H
#define MODELC_TARGET_TARGETBACKEND_H

#include "modelc/Pipelines/CompileOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace modelc {

/// One file of an artifact: its name (no directory) and contents.
struct ArtifactFile {
  std::string name;
  std::string contents;
};

/// What a backend produced.
struct Artifact {
  std::vector<ArtifactFile> files;
};

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// The --target name.
  virtual llvm::StringRef getName() const = 0;
  virtual llvm::StringRef getDescription() const = 0;

  /// Fails with a one-line reason when this build of modelc cannot generate
  /// code for the target.
  virtual llvm::Error checkAvailable() const { return llvm::Error::success(); }

  virtual void getDependentDialects(mlir::DialectRegistry &registry) const {}

  /// Registers the target's own passes, so that modelc-opt can run them.
  virtual void registerPasses() const {}

  /// The target's configuration pipeline: passes that decide, per dispatch,
  /// what only this target knows before memory is planned (the scratch space
  /// each of its kernels needs; later, kernel choices). The shared pipelines
  /// name no target; this is where a target's decisions enter the IR.
  virtual void buildConfigurationPipeline(mlir::OpPassManager &pm,
                                          const CompileOptions &options) const {}

  /// Writes the artifact of a planned module.
  virtual llvm::Expected<Artifact>
  serialize(mlir::ModuleOp module, const CompileOptions &options) const = 0;

  /// Whether the target's kernels compute 8-bit products (the contract of
  /// kernel.quantized_conv and kernel.quantized_matmul). Without them, the
  /// graph pipeline expands every quantized product into int32 arithmetic.
  virtual bool hasEightBitKernels() const { return false; }

  /// The smallest alignment of the arena and of each buffer in it that the
  /// target's kernels and libraries want.
  virtual int64_t getMinimumAlignment() const { return 64; }

  /// Compiles the artifact written in `dir` into one relocatable object
  /// `<name>.o` with code and weights (--emit=obj), with the target's own
  /// toolchain.
  virtual llvm::Error buildObject(const std::string &dir,
                                  const CompileOptions &options) const = 0;
};

/// Backends by name.
class TargetRegistry {
public:
  void add(std::unique_ptr<TargetBackend> backend);
  /// The backend called `name`, or null.
  const TargetBackend *lookup(llvm::StringRef name) const;
  std::vector<std::string> getNames() const;

private:
  std::map<std::string, std::unique_ptr<TargetBackend>, std::less<>> backends_;
};

/// Registers every target modelc knows: c, and the GPU targets (which report
/// that they are not built yet until their plugins land).
void registerAllTargets(TargetRegistry &registry);

/// For modelc-opt: every target's passes, and `modelc-plan-pipeline`, which
/// runs the configuration pipeline of the target named by its `target`
/// option (default `c`) and then plans and verifies the arena.
void registerTargetPassesAndPipelines();

} // namespace modelc

#endif // MODELC_TARGET_TARGETBACKEND_H
