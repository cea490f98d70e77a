//===- GraphDialect.td - The graph dialect -----------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_GRAPHDIALECT_TD
#define MODELC_DIALECTS_GRAPH_IR_GRAPHDIALECT_TD

include "mlir/IR/OpBase.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::mlir::modelc::graph";
  let summary = "Normalized ONNX tensor operations with static shapes";
  let description = [{
    The `graph` dialect is the IR contract of modelc's import and graph phases.
    Every op has value semantics on ranked tensors with static shapes; ONNX
    attributes that only matter at import (opset-specific encodings, optional
    inputs carried as tensors, symbolic dimensions) have been resolved by the
    importer. Weights are `arith.constant` ops holding `dense_resource` blobs.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
}

#endif // MODELC_DIALECTS_GRAPH_IR_GRAPHDIALECT_TD
