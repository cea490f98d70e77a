//===- Quantize.cpp - Calibrate a model and write it in QDQ form ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Calibration runs the model itself: the float model, with every tensor the
// plan quantizes added as a graph output, is compiled for the C target and
// its runner runs once per sample. Observers see each tensor's values; the
// method turns what they saw into a range, and the range into uint8
// parameters.
//
//===----------------------------------------------------------------------===//

#include "modelc/Driver/Quantize.h"

#include "CalibrationData.h"
#include "QdqPlan.h"
#include "QdqRewrite.h"

#include "modelc/Driver/Driver.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"
#include "modelc/Quantization/QuantParams.h"
#include "modelc/Support/Toolchain.h"

#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>

namespace modelc {
namespace {

/// The calibration build folder; a temporary one is removed afterwards.
struct BuildFolder {
  std::string path;
  bool temporary = false;
  ~BuildFolder() {
    if (temporary)
      llvm::sys::fs::remove_directories(path);
  }
};

llvm::Error makeBuildFolder(const std::string &requested, BuildFolder &folder) {
  if (!requested.empty()) {
    folder.path = requested;
    if (std::error_code ec = llvm::sys::fs::create_directories(requested))
      return llvm::createStringError("cannot create '" + requested +
                                     "': " + ec.message());
    return llvm::Error::success();
  }
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("modelc-calibration", path))
    return llvm::createStringError("cannot create a temporary folder: " +
                                   ec.message());
  folder.path = path.str().str();
  folder.temporary = true;
  return llvm::Error::success();
}

llvm::Error writeModel(const onnx::ModelProto &model, const std::string &path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !model.SerializeToOstream(&out))
    return llvm::createStringError("cannot write '" + path + "'");
  out.close();
  if (!out)
    return llvm::createStringError("cannot write '" + path + "'");
  return llvm::Error::success();
}

/// What one quantized tensor's values looked like over all samples.
class TensorStatistics {
public:
  explicit TensorStatistics(CalibrationMethod method)
      : histogram(method == CalibrationMethod::MinMax
                      ? nullptr
                      : std::make_unique<HistogramObserver>()) {}

  void observe(const std::vector<float> &values) {
    extremes.observe(values.data(), values.size());
    if (histogram)
      histogram->observe(values.data(), values.size());
  }

  CalibrationRange range(CalibrationMethod method, double percentile) const {
    switch (method) {
    case CalibrationMethod::Percentile:
      return histogram->percentileRange(percentile);
    case CalibrationMethod::Entropy:
      return histogram->entropyRange();
    case CalibrationMethod::MinMax:
      break;
    }
    return {extremes.min(), extremes.max()};
  }

private:
  MinMaxObserver extremes;
  std::unique_ptr<HistogramObserver> histogram;
};

/// The float model with every planned activation as an extra output, its
/// type as onnx's shape inference finds it (the checker wants a shape).
llvm::Expected<onnx::ModelProto> instrument(const onnx::ModelProto &model,
                                            const QuantizationPlan &plan) {
  onnx::ModelProto instrumented = model;
  onnx::ModelProto inferred = model;
  try {
    onnx::shape_inference::InferShapes(inferred);
  } catch (const std::exception &e) {
    return llvm::createStringError(
        std::string("onnx's shape inference failed: ") + e.what());
  }
  std::map<std::string, const onnx::TypeProto *> types;
  for (const onnx::ValueInfoProto &info : inferred.graph().value_info())
    types[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &input : inferred.graph().input())
    types[input.name()] = &input.type();
  onnx::GraphProto &graph = *instrumented.mutable_graph();
  std::set<std::string> outputs;
  for (const onnx::ValueInfoProto &output : graph.output())
    outputs.insert(output.name());
  for (const std::string &tensor : plan.activations) {
    if (outputs.count(tensor))
      continue;
    auto it = types.find(tensor);
    if (it == types.end() || !it->second->tensor_type().has_shape())
      return llvm::createStringError("cannot infer the shape of tensor '" +
                                     tensor + "' to calibrate it");
    onnx::ValueInfoProto *output = graph.add_output();
    output->set_name(tensor);
    *output->mutable_type() = *it->second;
  }
  return instrumented;
}

/// Reads output_K.pb as floats, checked.
llvm::Expected<std::vector<float>> readActivation(const std::string &file,
                                                  const std::string &tensor) {
  llvm::Expected<onnx_frontend::HostTensor> host =
      onnx_frontend::readTensorFile(file);
  if (!host)
    return host.takeError();
  if (host->dataType != onnx::TensorProto::FLOAT)
    return llvm::createStringError("tensor '" + tensor +
                                   "' is not float; only float tensors are "
                                   "quantized");
  std::vector<float> values(host->bytes.size() / sizeof(float));
  std::memcpy(values.data(), host->bytes.data(), values.size() * sizeof(float));
  size_t bad = findNonFinite(values.data(), values.size());
  if (bad != values.size())
    return llvm::createStringError(
        "tensor '" + tensor + "' became " +
        (std::isnan(values[bad]) ? "NaN" : "infinite") +
        " on a calibration sample; the float model overflows there");
  return values;
}

} // namespace

llvm::Expected<QuantizeSummary> quantizeModel(const QuantizeRequest &request) {
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<onnx_frontend::LoadedModel> loaded =
      onnx_frontend::loadModel(request.modelPath);
  if (!loaded)
    return loaded.takeError();
  std::vector<onnx_frontend::UnsupportedNode> unsupported =
      onnx_frontend::findUnsupportedNodes(*loaded->proto);
  if (!unsupported.empty())
    return llvm::createStringError(onnx_frontend::formatUnsupported(unsupported));
  onnx::ModelProto model = *loaded->proto;
  if (llvm::Error err = inlineExternalData(model, loaded->directory))
    return std::move(err);

  llvm::Expected<QuantizationPlan> plan =
      planQuantization(model.graph(), request.keepFloat);
  if (!plan)
    return plan.takeError();
  std::map<std::string, int64_t> dims = request.import.dimValues;
  llvm::Expected<std::vector<CalibrationSample>> samples =
      readCalibrationSamples(request.calibrationDir, model.graph(), dims);
  if (!samples)
    return samples.takeError();
  if (request.showProgress)
    spdlog::info("{} products to quantize, {} tensors to calibrate on {} "
                 "samples",
                 plan->products.size(), plan->activations.size(),
                 samples->size());

  // The calibration build: the float model, compiled for C, with the
  // activations as outputs.
  BuildFolder folder;
  if (llvm::Error err = makeBuildFolder(request.workDir, folder))
    return std::move(err);
  std::string instrumentedPath = joinPath(folder.path, "calibration.onnx");
  llvm::Expected<onnx::ModelProto> instrumented = instrument(model, *plan);
  if (!instrumented)
    return instrumented.takeError();
  if (llvm::Error err = writeModel(*instrumented, instrumentedPath))
    return std::move(err);
  CompileRequest compile;
  compile.modelPath = instrumentedPath;
  compile.outputDir = joinPath(folder.path, "artifact");
  compile.import = request.import;
  compile.import.dimValues = dims;
  compile.options.target = "c";
  compile.options.cCompiler = request.cCompiler;
  if (request.showProgress)
    spdlog::info("compiling the float model for calibration");
  llvm::Expected<CompileResult> compiled = compileModel(compile);
  if (!compiled)
    return llvm::createStringError("compiling the calibration model failed: " +
                                   llvm::toString(compiled.takeError()));
  llvm::Expected<std::string> runner =
      buildCRunner(compile.outputDir, compile.options, {"-O3", "-march=native"});
  if (!runner)
    return runner.takeError();

  std::vector<TensorStatistics> statistics;
  for (size_t i = 0; i < plan->activations.size(); ++i)
    statistics.emplace_back(request.method);
  // Where the runner writes each activation: at its graph output's index,
  // or among the outputs instrument() appended, in plan order.
  std::vector<int> outputIndex;
  {
    std::map<std::string, int> existing;
    for (int i = 0; i < model.graph().output_size(); ++i)
      existing[model.graph().output(i).name()] = i;
    int next = model.graph().output_size();
    for (const std::string &tensor : plan->activations) {
      auto it = existing.find(tensor);
      outputIndex.push_back(it != existing.end() ? it->second : next++);
    }
  }
  std::string outputs = joinPath(folder.path, "outputs");
  size_t reportEvery = std::max<size_t>(1, samples->size() / 10);
  for (size_t s = 0; s < samples->size(); ++s) {
    const CalibrationSample &sample = (*samples)[s];
    if (llvm::Error err = runProgram(
            *runner, {"--inputs", sample.folder, "--outputs", outputs,
                      "--threads", std::to_string(request.threads)}))
      return llvm::createStringError("calibration sample '" + sample.folder +
                                     "': " + llvm::toString(std::move(err)));
    for (size_t a = 0; a < plan->activations.size(); ++a) {
      std::string file = joinPath(
          outputs, "output_" + std::to_string(outputIndex[a]) + ".pb");
      llvm::Expected<std::vector<float>> values =
          readActivation(file, plan->activations[a]);
      if (!values)
        return llvm::createStringError("calibration sample '" + sample.folder +
                                       "': " +
                                       llvm::toString(values.takeError()));
      statistics[a].observe(*values);
    }
    if (request.showProgress &&
        ((s + 1) % reportEvery == 0 || s + 1 == samples->size()))
      spdlog::info("calibrated {}/{} samples", s + 1, samples->size());
  }

  std::map<std::string, QuantParams> params;
  for (size_t a = 0; a < plan->activations.size(); ++a) {
    CalibrationRange range =
        statistics[a].range(request.method, request.percentile);
    params[plan->activations[a]] =
        chooseAffineParams(range.min, range.max, QuantizedType::UInt8);
  }
  llvm::Expected<InitializerBytes> bytes = rewriteAsQdq(model, *plan, params);
  if (!bytes)
    return bytes.takeError();

  // Written beside the destination and renamed, so a failure leaves nothing.
  std::string partial = request.outputPath + ".partial";
  if (llvm::Error err = writeModel(model, partial)) {
    llvm::sys::fs::remove(partial);
    return std::move(err);
  }
  if (std::error_code ec = llvm::sys::fs::rename(partial, request.outputPath)) {
    llvm::sys::fs::remove(partial);
    return llvm::createStringError("cannot write '" + request.outputPath +
                                   "': " + ec.message());
  }

  QuantizeSummary summary;
  summary.samples = samples->size();
  summary.quantizedProducts = plan->products.size();
  summary.quantizedActivations = plan->activations.size();
  for (const FloatNode &node : plan->keptFloat)
    summary.keptFloat.push_back(node.node + ": " + node.reason);
  summary.initializerBytesBefore = bytes->before;
  summary.initializerBytesAfter = bytes->after;
  summary.calibrationSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return summary;
}

} // namespace modelc
