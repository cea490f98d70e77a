//===- modelc-opt.cpp - Runs modelc's passes on MLIR files ----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Pipelines/Pipelines.h"
#include "modelc/Target/TargetBackend.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  modelc::registerModelcPassesAndPipelines();
  modelc::registerTargetPassesAndPipelines();
  mlir::DialectRegistry registry;
  modelc::registerModelcDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "modelc optimizer driver\n", registry));
}
