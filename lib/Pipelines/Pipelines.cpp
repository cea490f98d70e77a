//===- Pipelines.cpp - The registered compile phases ----------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Pipelines/Pipelines.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/Transforms/Passes.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/Passes.h"
#include "modelc/Target/TargetBackend.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace modelc {
namespace graph = mlir::modelc::graph;
namespace kernel = mlir::modelc::kernel;

void buildGraphPipeline(OpPassManager &pm, const CompileOptions &options) {
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(createCanonicalizerPass());
  funcPM.addPass(createCSEPass());
  funcPM.addPass(graph::createFoldQuantizedProductsPass());
  // Folds the scales, biases and transposed weights the fold computed, so
  // that the expansion sees which products have constant operands.
  funcPM.addPass(createCanonicalizerPass());
  // Targets with 8-bit kernels keep the products that fit them.
  funcPM.addPass(graph::createExpandQuantizationPass(
      graph::ExpandQuantizationPassOptions{options.eightBitKernels}));
  funcPM.addPass(createCanonicalizerPass());
  funcPM.addPass(graph::createFormLayerNormPass());
  funcPM.addPass(createCanonicalizerPass());
}

void buildKernelPipeline(OpPassManager &pm, const CompileOptions &options) {
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(kernel::createFormDispatchesPass(
      kernel::FormDispatchesPassOptions{options.maxGroupSize}));
}

void buildLowerPipeline(OpPassManager &pm, const CompileOptions &options) {
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(kernel::createLowerQuantizedProductsPass());
  funcPM.addPass(kernel::createLowerLibraryCallsPass());
  funcPM.addPass(kernel::createLowerReductionsPass());
  funcPM.addPass(kernel::createLowerLoopNestsPass());
}

void buildPlanPipeline(OpPassManager &pm, const CompileOptions &options,
                       const TargetBackend &target) {
  target.buildConfigurationPipeline(pm, options);
  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(kernel::createPlanMemoryPass(
      kernel::PlanMemoryPassOptions{options.arenaAlignment}));
  funcPM.addPass(kernel::createVerifyPlanPass(
      kernel::VerifyPlanPassOptions{options.arenaAlignment}));
}

void registerModelcDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, graph::GraphDialect,
                  kernel::KernelDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect>();
}

void registerLoweredDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, kernel::KernelDialect,
                  linalg::LinalgDialect, math::MathDialect,
                  tensor::TensorDialect>();
}

void registerModelcPassesAndPipelines() {
  graph::registerGraphPasses();
  kernel::registerKernelPasses();
  PassPipelineRegistration<>(
      "modelc-graph-pipeline",
      "Canonicalizes, folds constants and raises composite ops",
      [](OpPassManager &pm) { buildGraphPipeline(pm, CompileOptions()); });
  PassPipelineRegistration<>(
      "modelc-kernel-pipeline", "Fuses graph ops into kernel.dispatch regions",
      [](OpPassManager &pm) { buildKernelPipeline(pm, CompileOptions()); });
  PassPipelineRegistration<>(
      "modelc-lower-pipeline",
      "Rewrites dispatch bodies into the kernel vocabulary",
      [](OpPassManager &pm) { buildLowerPipeline(pm, CompileOptions()); });
}

} // namespace modelc
