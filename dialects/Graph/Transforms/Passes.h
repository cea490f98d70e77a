//===- Passes.h - Graph dialect passes --------------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
#define MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_H

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::modelc::graph {

#define GEN_PASS_DECL
#include "dialects/Graph/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Graph/Transforms/Passes.h.inc"

} // namespace mlir::modelc::graph

#endif // MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
