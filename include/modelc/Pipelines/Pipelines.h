//===- Pipelines.h - The registered compile phases --------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Each phase of DESIGN.md is one pass pipeline, run by `modelc compile` and
// registered for `modelc-opt`:
//
//   graph   canonicalization, constant folding, composite raising
//   kernel  fusion into kernel.dispatch regions
//   lower   dispatch bodies rewritten into the kernel vocabulary
//   plan    target preparation (scratch sizes) and memory planning
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_PIPELINES_PIPELINES_H
#define MODELC_PIPELINES_PIPELINES_H

#include "modelc/Pipelines/CompileOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace modelc {

class TargetBackend;

void buildGraphPipeline(mlir::OpPassManager &pm, const CompileOptions &options);
void buildKernelPipeline(mlir::OpPassManager &pm, const CompileOptions &options);
void buildLowerPipeline(mlir::OpPassManager &pm, const CompileOptions &options);
void buildPlanPipeline(mlir::OpPassManager &pm, const CompileOptions &options,
                       const TargetBackend &target);

/// Registers the dialects modelc's IR uses.
void registerModelcDialects(mlir::DialectRegistry &registry);

/// Registers only the dialects of lowered IR (the kernel vocabulary and the
/// upstream dialects it uses), without graph.
void registerLoweredDialects(mlir::DialectRegistry &registry);

/// Registers modelc's shared passes and the graph, kernel and lower phase
/// pipelines for modelc-opt. The plan pipeline needs a target's
/// configuration, so lib/Target registers it
/// (registerTargetPassesAndPipelines).
void registerModelcPassesAndPipelines();

} // namespace modelc

#endif // MODELC_PIPELINES_PIPELINES_H
