//===- ControlFlowImporters.h - If, Loop and Scan ---------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The ops whose bodies are subgraphs. Their importers need the graph
// importer itself, to import a body in place with its formal inputs bound,
// so they take it through SubgraphImporter rather than the op table.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_CONTROLFLOWIMPORTERS_H
#define MODELC_LIB_FRONTEND_ONNX_CONTROLFLOWIMPORTERS_H

#include "NodeContext.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace onnx {
class GraphProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// What a control-flow importer asks of the graph importer.
class SubgraphImporter {
public:
  virtual ~SubgraphImporter() = default;
  /// Imports `graph`'s initializers and nodes where the builder stands, its
  /// inputs bound to `formalInputs` and every value defined so far in scope
  /// (ONNX's outer-scope capture), and gives its outputs. Names it defines
  /// go out of scope after it.
  virtual llvm::Expected<llvm::SmallVector<mlir::Value>>
  importSubgraph(const onnx::GraphProto &graph,
                 llvm::ArrayRef<mlir::Value> formalInputs) = 0;
};

/// If, Loop and Scan.
bool isControlFlowOp(const onnx::NodeProto &node);

/// Imports a node isControlFlowOp accepts, setting its results in `ctx`.
llvm::Error importControlFlow(NodeContext &ctx, SubgraphImporter &subgraphs);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_CONTROLFLOWIMPORTERS_H
