//===- RunInputs.cpp - Specializing a model to one run's inputs -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Driver/RunInputs.h"

#include "modelc/Frontend/ONNX/ShapeOperands.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace modelc {

llvm::Expected<RunInputs>
specializeToInputFiles(const onnx_frontend::LoadedModel &model,
                       const std::string &inputsDir,
                       onnx_frontend::ImportOptions &import) {
  const onnx::GraphProto &graph = model.proto->graph();
  llvm::StringMap<std::string> shapeUses;
  for (const onnx_frontend::ShapeOperandInput &input :
       onnx_frontend::findShapeOperandInputs(*model.proto))
    shapeUses[input.name] = input.use;
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());

  RunInputs result;
  int index = 0;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    const std::string &name = input.name();
    if (initializers.contains(name))
      continue;
    llvm::SmallString<256> file(inputsDir);
    llvm::sys::path::append(file, "input_" + std::to_string(index++) + ".pb");
    if (import.inputBindings.count(name))
      continue; // the user's --bind wins, and the runner skips it
    if (!llvm::sys::fs::exists(file))
      return llvm::createStringError("missing input file '" + file.str() +
                                     "' for input '" + name + "'");
    if (auto use = shapeUses.find(name); use != shapeUses.end()) {
      import.inputBindings[name] = file.str().str();
      result.frozen.push_back({name, file.str().str(), use->second});
      continue;
    }
    llvm::Expected<onnx_frontend::HostTensor> tensor =
        onnx_frontend::readTensorFile(file.str().str());
    if (!tensor)
      return tensor.takeError();
    import.inputShapes[name] = tensor->dims;
    result.runnerFiles.push_back(file.str().str());
  }
  return result;
}

} // namespace modelc
