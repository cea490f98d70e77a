//===- Passes.td - Graph dialect passes --------------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
#define MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FormLayerNormPass : Pass<"graph-form-layer-norm", "func::FuncOp"> {
  let summary = "Raises decomposed layer normalization to graph.layer_norm";
  let description = [{
    Exporters before opset 17 write layer normalization as
    `(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta` over
    the trailing axes. This pass recognizes that chain (after
    canonicalization has turned the square into a multiply) and replaces it
    with one `graph.layer_norm`, which becomes one dispatch.
  }];
  let dependentDialects = ["::mlir::modelc::graph::GraphDialect"];
}

#endif // MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
