//===- CalibrationData.cpp - The inputs modelc quantize calibrates on -----===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CalibrationData.h"

#include "modelc/Frontend/ONNX/TensorProtoIO.h"
#include "modelc/Quantization/Observers.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace modelc {
namespace {

using onnx_frontend::HostTensor;

std::string joinPath(const std::string &dir, const std::string &file) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, file);
  return path.str().str();
}

std::string shapeText(const std::vector<int64_t> &dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

/// A graph input the runner reads, with the shape a sample must have
/// (-1 where any size goes).
struct ExpectedInput {
  std::string name;
  int32_t dataType = 0;
  std::vector<int64_t> dims;
  /// The symbolic name of each dimension ("" for a fixed one).
  std::vector<std::string> params;
};

std::vector<ExpectedInput>
expectedInputs(const onnx::GraphProto &graph,
               const std::map<std::string, int64_t> &dimValues) {
  std::set<std::string> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());
  std::vector<ExpectedInput> inputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    ExpectedInput expected;
    expected.name = input.name();
    const onnx::TypeProto_Tensor &type = input.type().tensor_type();
    expected.dataType = type.elem_type();
    for (const onnx::TensorShapeProto_Dimension &dim : type.shape().dim()) {
      int64_t size = -1;
      if (dim.has_dim_value())
        size = dim.dim_value();
      else if (auto it = dimValues.find(dim.dim_param()); it != dimValues.end())
        size = it->second;
      expected.dims.push_back(size);
      expected.params.push_back(dim.has_dim_value() ? "" : dim.dim_param());
    }
    inputs.push_back(std::move(expected));
  }
  return inputs;
}

bool matchesShape(const std::vector<int64_t> &expected,
                  const std::vector<int64_t> &actual) {
  if (expected.size() != actual.size())
    return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (expected[i] >= 0 && expected[i] != actual[i])
      return false;
  return true;
}

/// Checks one input file of `sample`.
llvm::Error checkInput(const std::string &sample, const ExpectedInput &expected,
                       size_t index, const HostTensor &tensor) {
  std::string where = "calibration sample '" + sample + "': input '" +
                      expected.name + "' (input_" + std::to_string(index) +
                      ".pb)";
  if (tensor.dataType != expected.dataType)
    return llvm::createStringError(
        where + " holds " + onnx::TensorProto_DataType_Name(tensor.dataType) +
        ", the model declares " +
        onnx::TensorProto_DataType_Name(expected.dataType));
  if (!matchesShape(expected.dims, tensor.dims))
    return llvm::createStringError(where + " has shape " +
                                   shapeText(tensor.dims) +
                                   ", the model declares " +
                                   shapeText(expected.dims));
  if (tensor.dataType == onnx::TensorProto::FLOAT) {
    size_t count = tensor.bytes.size() / sizeof(float);
    std::vector<float> values(count);
    std::copy_n(tensor.bytes.data(), count * sizeof(float),
                reinterpret_cast<char *>(values.data()));
    size_t bad = findNonFinite(values.data(), count);
    if (bad != count)
      return llvm::createStringError(
          where + " holds " + (std::isnan(values[bad]) ? "NaN" : "an infinity") +
          " at element " + std::to_string(bad) +
          "; calibration needs finite inputs");
  }
  return llvm::Error::success();
}

/// The folders under `folder` that hold an input_0.pb, in name order; or
/// `folder` itself when it holds one.
llvm::Expected<std::vector<std::string>> sampleFolders(const std::string &folder) {
  if (!llvm::sys::fs::is_directory(folder))
    return llvm::createStringError("calibration folder '" + folder +
                                   "' does not exist or is not a folder");
  if (llvm::sys::fs::exists(joinPath(folder, "input_0.pb")))
    return std::vector<std::string>{folder};
  std::vector<std::string> folders;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(folder, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::fs::is_directory(it->path()) &&
        llvm::sys::fs::exists(joinPath(it->path(), "input_0.pb")))
      folders.push_back(it->path());
  if (ec)
    return llvm::createStringError("cannot list calibration folder '" + folder +
                                   "': " + ec.message());
  std::sort(folders.begin(), folders.end());
  if (folders.empty())
    return llvm::createStringError(
        "calibration folder '" + folder +
        "' holds no samples: expected test_data_set_*/input_K.pb folders or "
        "input_K.pb files");
  return folders;
}

} // namespace

llvm::Expected<std::vector<CalibrationSample>>
readCalibrationSamples(const std::string &folder, const onnx::GraphProto &graph,
                       std::map<std::string, int64_t> &dimValues) {
  llvm::Expected<std::vector<std::string>> folders = sampleFolders(folder);
  if (!folders)
    return folders.takeError();
  std::vector<ExpectedInput> inputs = expectedInputs(graph, dimValues);
  std::vector<CalibrationSample> samples;
  for (const std::string &sample : *folders) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      std::string file = joinPath(sample, "input_" + std::to_string(k) + ".pb");
      if (!llvm::sys::fs::exists(file))
        return llvm::createStringError("calibration sample '" + sample +
                                       "' has no input_" + std::to_string(k) +
                                       ".pb for input '" + inputs[k].name + "'");
      llvm::Expected<HostTensor> tensor = onnx_frontend::readTensorFile(file);
      if (!tensor)
        return llvm::createStringError("calibration sample '" + sample +
                                       "': " + llvm::toString(tensor.takeError()));
      if (llvm::Error err = checkInput(sample, inputs[k], k, *tensor))
        return std::move(err);
      // The first sample settles the symbolic dimensions --dim left open,
      // for the calibration build and for every later sample.
      for (size_t d = 0; d < inputs[k].dims.size(); ++d) {
        const std::string &param = inputs[k].params[d];
        if (inputs[k].dims[d] >= 0 || param.empty())
          continue;
        dimValues[param] = tensor->dims[d];
        for (ExpectedInput &other : inputs)
          for (size_t e = 0; e < other.dims.size(); ++e)
            if (other.params[e] == param)
              other.dims[e] = tensor->dims[d];
      }
    }
    samples.push_back({sample});
  }
  return samples;
}

} // namespace modelc
