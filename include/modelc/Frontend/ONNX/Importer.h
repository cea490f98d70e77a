//===- Importer.h - ONNX models into the graph dialect ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The ONNX frontend: reads a model (binary protobuf with optional external
// data, or ONNX text), validates it with onnx's checker and imports it as a
// `func.func` of graph-dialect ops with static shapes. Errors are one line and
// name the ONNX node they concern.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_FRONTEND_ONNX_IMPORTER_H
#define MODELC_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// A model file read into memory, with the directory its external data is
/// relative to.
struct LoadedModel {
  std::shared_ptr<onnx::ModelProto> proto;
  std::string directory;
  std::string path;
};

/// Reads `path` (.onnx protobuf, or ONNX text for .onnxtext/.txt), resolves
/// external data and runs onnx's checker.
llvm::Expected<LoadedModel> loadModel(const std::string &path);

/// Like loadModel, for contents already in memory; `path` names the model in
/// messages and locates external data.
llvm::Expected<LoadedModel> loadModelFromBuffer(llvm::StringRef contents,
                                                const std::string &path);

struct ImportOptions {
  /// Values for symbolic dimensions (`--dim NAME=VALUE`).
  std::map<std::string, int64_t> dimValues;
  /// Graph inputs frozen to the tensor in a .pb file (`--bind INPUT=FILE`).
  std::map<std::string, std::string> inputBindings;
  /// The sizes graph inputs have in one run (`modelc run` reads them from its
  /// input files). They settle the inputs' symbolic and unnamed dimensions
  /// and must agree with the declared ones and with `dimValues`.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Name of the imported function.
  std::string functionName = "main";
};

/// One ONNX node that modelc cannot import.
struct UnsupportedNode {
  std::string opType;
  std::string domain;
  int64_t opsetVersion = 0;
  std::string nodeName;
  std::string reason;
};

/// Every node of the model (subgraphs included) whose op type, domain or
/// opset version the importer does not handle.
std::vector<UnsupportedNode> findUnsupportedNodes(const onnx::ModelProto &model);

/// Formats the report of unsupported nodes as one line.
std::string formatUnsupported(const std::vector<UnsupportedNode> &nodes);

/// Imports the model's main graph. Fails with one error naming the node at
/// fault, or listing every unsupported node at once.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(mlir::MLIRContext &context, const LoadedModel &model,
            const ImportOptions &options);

/// The type of one tensor of an imported graph.
struct TensorTypeInfo {
  int32_t dataType = 0; ///< onnx::TensorProto::DataType
  std::vector<int64_t> dims;
};

/// The static type modelc's import gives each named tensor of the main
/// graph (inputs, initializers and node outputs), by ONNX name. These are
/// the shapes modelc compiles with, known where onnx's own inference stops
/// (a reshape to a computed shape): `modelc quantize` types its
/// calibration outputs with them, and onnx's version converter needs them.
llvm::Expected<std::map<std::string, TensorTypeInfo>>
inferTensorTypes(const LoadedModel &model, const ImportOptions &options);

} // namespace modelc::onnx_frontend

#endif // MODELC_FRONTEND_ONNX_IMPORTER_H
