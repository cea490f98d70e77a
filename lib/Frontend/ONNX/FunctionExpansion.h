//===- FunctionExpansion.h - ONNX function ops as their bodies --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Many ONNX ops are defined as functions of other ops (SoftmaxCrossEntropyLoss,
// NegativeLogLikelihoodLoss, CastLike, MeanVarianceNormalization, ...). An op
// the importer has no importer for is replaced by the body its schema gives,
// renamed into the calling node's scope, and the body's nodes are imported in
// its place.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_FUNCTIONEXPANSION_H
#define MODELC_LIB_FRONTEND_ONNX_FUNCTIONEXPANSION_H

#include "mlir/IR/Types.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace onnx {
class NodeProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// True when the default-domain schema of `opType` at `opset` defines the op
/// as a function (fixed or built from the node's types).
bool hasFunctionBody(const std::string &opType, int64_t opset);

/// The nodes of `node`'s function body, with formal inputs and outputs
/// renamed to the node's, intermediate names and node names prefixed with
/// `scope`, and attribute references resolved. `inputTypes` are the types of
/// the node's inputs (null for absent ones), which context-dependent bodies
/// are built from.
llvm::Expected<std::vector<onnx::NodeProto>>
expandFunction(const onnx::NodeProto &node, const std::string &scope,
               int64_t opset, const std::vector<mlir::Type> &inputTypes);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_FUNCTIONEXPANSION_H
