//===- modelc-opt.cpp - Runs modelc's passes on MLIR files ----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// `--without-graph-dialect` (modelc's own flag, taken out before MLIR's
// parser sees the command line) registers only the dialects of lowered IR,
// the vocabulary every printer translates: parsing a lowered module this way
// shows that it needs nothing from the graph dialect.
//
//===----------------------------------------------------------------------===//

#include "modelc/Pipelines/Pipelines.h"
#include "modelc/Target/TargetBackend.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

int main(int argc, char **argv) {
  std::vector<char *> args;
  bool withoutGraph = false;
  for (int i = 0; i < argc; ++i) {
    if (llvm::StringRef(argv[i]) == "--without-graph-dialect")
      withoutGraph = true;
    else
      args.push_back(argv[i]);
  }
  mlir::registerTransformsPasses();
  modelc::registerModelcPassesAndPipelines();
  modelc::registerTargetPassesAndPipelines();
  mlir::DialectRegistry registry;
  if (withoutGraph)
    modelc::registerLoweredDialects(registry);
  else
    modelc::registerModelcDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      static_cast<int>(args.size()), args.data(), "modelc optimizer driver\n",
      registry));
}
