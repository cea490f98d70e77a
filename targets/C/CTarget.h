//===- CTarget.h - The portable C target plugin -----------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_CTARGET_H
#define MODELC_TARGETS_C_CTARGET_H

#include "modelc/Target/TargetBackend.h"

#include <memory>

namespace modelc {

/// The `c` target: freestanding C99 plus a weights object.
std::unique_ptr<TargetBackend> createCTarget();

/// Registers the C target's passes (c-assign-scratch) for modelc-opt.
void registerCTargetPasses();

/// Translates a planned module into the files of a C artifact; also the
/// `--emit-c` translation of modelc-translate.
llvm::Expected<Artifact> emitCArtifact(mlir::ModuleOp module,
                                       const CompileOptions &options);

} // namespace modelc

#endif // MODELC_TARGETS_C_CTARGET_H
