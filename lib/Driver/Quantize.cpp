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
#include "QuantizationReport.h"

#include "modelc/Driver/Driver.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"
#include "modelc/Quantization/QuantParams.h"
#include "modelc/Support/Toolchain.h"

#include "onnx/onnx_pb.h"
#include "onnx/version_converter/convert.h"
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


/// `type` as an ONNX TypeProto.
void setTensorType(onnx::TypeProto &proto,
                   const onnx_frontend::TensorTypeInfo &type) {
  auto *tensor = proto.mutable_tensor_type();
  tensor->set_elem_type(type.dataType);
  tensor->clear_shape();
  auto *shape = tensor->mutable_shape();
  for (int64_t dim : type.dims)
    shape->add_dim()->set_dim_value(dim);
}

/// The float model with every planned activation as an extra output, typed
/// as modelc's import types it (the checker wants a shape).
llvm::Expected<onnx::ModelProto>
instrument(const onnx::ModelProto &model, const QuantizationPlan &plan,
           const std::map<std::string, onnx_frontend::TensorTypeInfo> &types) {
  onnx::ModelProto instrumented = model;
  onnx::GraphProto &graph = *instrumented.mutable_graph();
  std::set<std::string> outputs;
  for (const onnx::ValueInfoProto &output : graph.output())
    outputs.insert(output.name());
  for (const std::string &tensor : plan.activations) {
    if (outputs.count(tensor))
      continue;
    auto it = types.find(tensor);
    if (it == types.end())
      return llvm::createStringError("tensor '" + tensor +
                                     "' has no type to calibrate it with");
    onnx::ValueInfoProto *output = graph.add_output();
    output->set_name(tensor);
    setTensorType(*output->mutable_type(), it->second);
  }
  return instrumented;
}

/// modelc's types of every tensor of `model`, with the symbolic dimensions
/// pinned by `dims`.
llvm::Expected<std::map<std::string, onnx_frontend::TensorTypeInfo>>
modelTensorTypes(const onnx::ModelProto &model, const std::string &path,
                 const onnx_frontend::ImportOptions &import,
                 const std::map<std::string, int64_t> &dims) {
  onnx_frontend::LoadedModel loaded;
  loaded.proto = std::make_shared<onnx::ModelProto>(model);
  loaded.path = path;
  onnx_frontend::ImportOptions options = import;
  options.dimValues = dims;
  return onnx_frontend::inferTensorTypes(loaded, options);
}

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

/// Converts to opset `target` with onnx's version converter. It needs
/// shapes (Softmax's adapter does): they come from modelc's import, as
/// value_info that the result drops again, so its interface stays what it
/// was.
llvm::Error upgradeOpset(onnx::ModelProto &model, int64_t target,
                         const std::map<std::string, onnx_frontend::TensorTypeInfo> &types) {
  int64_t opset = defaultOpset(model);
  if (opset >= target)
    return llvm::Error::success();
  try {
    onnx::ModelProto typed = model;
    std::set<std::string> declared;
    for (const onnx::ValueInfoProto &input : typed.graph().input())
      declared.insert(input.name());
    for (const onnx::ValueInfoProto &output : typed.graph().output())
      declared.insert(output.name());
    for (const auto &[name, type] : types)
      if (!declared.count(name) && type.dataType != 0) {
        onnx::ValueInfoProto *info = typed.mutable_graph()->add_value_info();
        info->set_name(name);
        setTensorType(*info->mutable_type(), type);
      }
    onnx::ModelProto converted =
        onnx::version_conversion::ConvertVersion(typed, target);
    converted.mutable_graph()->clear_value_info();
    model = std::move(converted);
  } catch (const std::exception &e) {
    return llvm::createStringError(
        "the model's opset " + std::to_string(opset) +
        " predates per-axis QuantizeLinear (13), and onnx's version converter "
        "could not convert it: " + std::string(e.what()).substr(0, 200));
  }
  return llvm::Error::success();
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

/// Reads output_K.pb as floats with its dims.
llvm::Expected<std::pair<std::vector<float>, std::vector<int64_t>>>
readFloatOutput(const std::string &file) {
  llvm::Expected<onnx_frontend::HostTensor> host =
      onnx_frontend::readTensorFile(file);
  if (!host)
    return host.takeError();
  if (host->dataType != onnx::TensorProto::FLOAT)
    return std::make_pair(std::vector<float>(), host->dims);
  std::vector<float> values(host->bytes.size() / sizeof(float));
  std::memcpy(values.data(), host->bytes.data(), values.size() * sizeof(float));
  return std::make_pair(std::move(values), host->dims);
}

/// Compiles the QDQ model just written for C and compares its float outputs
/// with the fp32 artifact's (the calibration runner, whose first outputs are
/// the model's) on the held-out samples.
llvm::Error measureHeldOut(const QuantizeRequest &request,
                           const std::string &folder,
                           const std::string &floatRunner,
                           const onnx::GraphProto &graph,
                           const std::vector<CalibrationSample> &heldOut,
                           const CompileRequest &floatCompile,
                           QuantizationReport &report) {
  CompileRequest compile = floatCompile;
  compile.modelPath = request.outputPath;
  compile.outputDir = joinPath(folder, "int8");
  if (request.showProgress)
    spdlog::info("compiling the int8 model for the report");
  llvm::Expected<CompileResult> compiled = compileModel(compile);
  if (!compiled)
    return llvm::createStringError("compiling the QDQ model failed: " +
                                   llvm::toString(compiled.takeError()));
  report.artifactWeightBytesInt8 = compiled->report.constantBytes;
  llvm::Expected<std::string> runner =
      buildCRunner(compile.outputDir, compile.options, hostRunnerFlags());
  if (!runner)
    return runner.takeError();
  for (const onnx::ValueInfoProto &output : graph.output())
    report.outputs.emplace_back(output.name());
  for (const CalibrationSample &sample : heldOut) {
    std::string fp32 = joinPath(folder, "held_out_fp32");
    std::string int8 = joinPath(folder, "held_out_int8");
    for (auto [exe, out] : {std::pair(floatRunner, fp32), std::pair(*runner, int8)})
      if (llvm::Error err = runProgram(
              exe, {"--inputs", sample.folder, "--outputs", out, "--threads",
                    std::to_string(request.threads)}))
        return llvm::createStringError("held-out sample '" + sample.folder +
                                       "': " + llvm::toString(std::move(err)));
    for (size_t k = 0; k < report.outputs.size(); ++k) {
      std::string file = "output_" + std::to_string(k) + ".pb";
      auto reference = readFloatOutput(joinPath(fp32, file));
      if (!reference)
        return reference.takeError();
      auto quantized = readFloatOutput(joinPath(int8, file));
      if (!quantized)
        return quantized.takeError();
      report.outputs[k].add(quantized->first, reference->first,
                            reference->second);
    }
  }
  return llvm::Error::success();
}

/// The model `modelc quantize` rewrites: loaded, with every op known,
/// external data inlined, Constant nodes hoisted to initializers, at opset
/// 13 (QuantizeLinear needs opset 10 and its per-axis form 13: onnx's
/// version converter keeps what older nodes compute), and typed.
struct PreparedModel {
  onnx::ModelProto model;
  std::map<std::string, onnx_frontend::TensorTypeInfo> types;
  std::map<std::string, int64_t> dims;
  std::vector<CalibrationSample> samples;
};

llvm::Expected<PreparedModel> prepareModel(const QuantizeRequest &request) {
  llvm::Expected<onnx_frontend::LoadedModel> loaded =
      onnx_frontend::loadModel(request.modelPath);
  if (!loaded)
    return loaded.takeError();
  std::vector<onnx_frontend::UnsupportedNode> unsupported =
      onnx_frontend::findUnsupportedNodes(*loaded->proto);
  if (!unsupported.empty())
    return llvm::createStringError(onnx_frontend::formatUnsupported(unsupported));
  PreparedModel prepared;
  prepared.model = std::move(*loaded->proto);
  onnx::ModelProto &model = prepared.model;
  if (llvm::Error err = inlineExternalData(model, loaded->directory))
    return std::move(err);
  hoistConstantNodes(model);
  prepared.dims = request.import.dimValues;
  llvm::Expected<std::vector<CalibrationSample>> samples =
      readCalibrationSamples(request.calibrationDir, model.graph(),
                             prepared.dims);
  if (!samples)
    return samples.takeError();
  prepared.samples = std::move(*samples);
  llvm::Expected<std::map<std::string, onnx_frontend::TensorTypeInfo>> types =
      modelTensorTypes(model, request.modelPath, request.import, prepared.dims);
  if (!types)
    return types.takeError();
  int64_t opset = defaultOpset(model);
  if (llvm::Error err = upgradeOpset(model, 13, *types))
    return std::move(err);
  // The converter may rename or add tensors: type the converted model.
  if (opset < 13)
    types = modelTensorTypes(model, request.modelPath, request.import,
                             prepared.dims);
  if (!types)
    return types.takeError();
  prepared.types = std::move(*types);
  return prepared;
}

/// Moves the last samples, the ones held out for the report, out of
/// `samples`: --held-out, or by default a tenth of them when a report is
/// asked for and there are two or more.
llvm::Expected<std::vector<CalibrationSample>>
takeHeldOut(const QuantizeRequest &request,
            std::vector<CalibrationSample> &samples) {
  int64_t heldOut = request.heldOut;
  if (heldOut < 0)
    heldOut = request.reportPath.empty() || samples.size() < 2
                  ? 0
                  : std::max<int64_t>(1, samples.size() / 10);
  if (heldOut >= static_cast<int64_t>(samples.size()))
    return llvm::createStringError(
        "--held-out " + std::to_string(heldOut) + " leaves none of the " +
        std::to_string(samples.size()) + " samples to calibrate on");
  std::vector<CalibrationSample> taken(samples.end() - heldOut, samples.end());
  samples.resize(samples.size() - heldOut);
  return taken;
}

/// The calibration build: the float model, compiled for C, with the
/// activations as outputs.
struct CalibrationBuild {
  CompileRequest compile;
  std::string runner;
  /// The float artifact's weight bytes, for the report.
  int64_t constantBytes = 0;
};

llvm::Expected<CalibrationBuild>
buildCalibration(const QuantizeRequest &request, const PreparedModel &prepared,
                 const QuantizationPlan &plan, const std::string &folder) {
  std::string instrumentedPath = joinPath(folder, "calibration.onnx");
  llvm::Expected<onnx::ModelProto> instrumented =
      instrument(prepared.model, plan, prepared.types);
  if (!instrumented)
    return instrumented.takeError();
  if (llvm::Error err = writeModel(*instrumented, instrumentedPath))
    return std::move(err);
  CalibrationBuild build;
  build.compile.modelPath = instrumentedPath;
  build.compile.outputDir = joinPath(folder, "artifact");
  build.compile.import = request.import;
  build.compile.import.dimValues = prepared.dims;
  build.compile.options.target = "c";
  build.compile.options.cCompiler = request.cCompiler;
  if (request.showProgress)
    spdlog::info("compiling the float model for calibration");
  llvm::Expected<CompileResult> compiled = compileModel(build.compile);
  if (!compiled)
    return llvm::createStringError("compiling the calibration model failed: " +
                                   llvm::toString(compiled.takeError()));
  build.constantBytes = compiled->report.constantBytes;
  llvm::Expected<std::string> runner = buildCRunner(
      build.compile.outputDir, build.compile.options, hostRunnerFlags());
  if (!runner)
    return runner.takeError();
  build.runner = std::move(*runner);
  return build;
}

/// Runs the calibration runner on every sample and turns what each planned
/// activation's observers saw into its uint8 parameters.
llvm::Expected<std::map<std::string, QuantParams>>
calibrate(const QuantizeRequest &request, const onnx::GraphProto &graph,
          const QuantizationPlan &plan, const std::string &runner,
          const std::vector<CalibrationSample> &samples,
          const std::string &folder) {
  std::vector<TensorStatistics> statistics;
  for (size_t i = 0; i < plan.activations.size(); ++i)
    statistics.emplace_back(request.method);
  // Where the runner writes each activation: at its graph output's index,
  // or among the outputs instrument() appended, in plan order.
  std::vector<int> outputIndex;
  {
    std::map<std::string, int> existing;
    for (int i = 0; i < graph.output_size(); ++i)
      existing[graph.output(i).name()] = i;
    int next = graph.output_size();
    for (const std::string &tensor : plan.activations) {
      auto it = existing.find(tensor);
      outputIndex.push_back(it != existing.end() ? it->second : next++);
    }
  }
  std::string outputs = joinPath(folder, "outputs");
  size_t reportEvery = std::max<size_t>(1, samples.size() / 10);
  for (size_t s = 0; s < samples.size(); ++s) {
    const CalibrationSample &sample = samples[s];
    if (llvm::Error err = runProgram(
            runner, {"--inputs", sample.folder, "--outputs", outputs,
                     "--threads", std::to_string(request.threads)}))
      return llvm::createStringError("calibration sample '" + sample.folder +
                                     "': " + llvm::toString(std::move(err)));
    for (size_t a = 0; a < plan.activations.size(); ++a) {
      std::string file = joinPath(
          outputs, "output_" + std::to_string(outputIndex[a]) + ".pb");
      llvm::Expected<std::vector<float>> values =
          readActivation(file, plan.activations[a]);
      if (!values)
        return llvm::createStringError("calibration sample '" + sample.folder +
                                       "': " +
                                       llvm::toString(values.takeError()));
      statistics[a].observe(*values);
    }
    if (request.showProgress &&
        ((s + 1) % reportEvery == 0 || s + 1 == samples.size()))
      spdlog::info("calibrated {}/{} samples", s + 1, samples.size());
  }
  std::map<std::string, QuantParams> params;
  for (size_t a = 0; a < plan.activations.size(); ++a) {
    CalibrationRange range =
        statistics[a].range(request.method, request.percentile);
    params[plan.activations[a]] =
        chooseAffineParams(range.min, range.max, QuantizedType::UInt8);
  }
  return params;
}

/// Writes `model` beside `path` and renames it there, so that a failure
/// leaves nothing.
llvm::Error writeModelAtomically(const onnx::ModelProto &model,
                                 const std::string &path) {
  std::string partial = path + ".partial";
  if (llvm::Error err = writeModel(model, partial)) {
    llvm::sys::fs::remove(partial);
    return err;
  }
  if (std::error_code ec = llvm::sys::fs::rename(partial, path)) {
    llvm::sys::fs::remove(partial);
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<QuantizeSummary> quantizeModel(const QuantizeRequest &request) {
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<PreparedModel> prepared = prepareModel(request);
  if (!prepared)
    return prepared.takeError();
  onnx::ModelProto &model = prepared->model;
  llvm::Expected<QuantizationPlan> plan =
      planQuantization(model.graph(), request.keepFloat);
  if (!plan)
    return plan.takeError();
  std::vector<CalibrationSample> &samples = prepared->samples;
  llvm::Expected<std::vector<CalibrationSample>> heldOut =
      takeHeldOut(request, samples);
  if (!heldOut)
    return heldOut.takeError();
  if (request.showProgress)
    spdlog::info("{} products to quantize, {} tensors to calibrate on {} "
                 "samples ({} held out)",
                 plan->products.size(), plan->activations.size(),
                 samples.size(), heldOut->size());

  BuildFolder folder;
  if (llvm::Error err = makeBuildFolder(request.workDir, folder))
    return std::move(err);
  llvm::Expected<CalibrationBuild> build =
      buildCalibration(request, *prepared, *plan, folder.path);
  if (!build)
    return build.takeError();
  llvm::Expected<std::map<std::string, QuantParams>> params = calibrate(
      request, model.graph(), *plan, build->runner, samples, folder.path);
  if (!params)
    return params.takeError();
  llvm::Expected<InitializerBytes> bytes = rewriteAsQdq(model, *plan, *params);
  if (!bytes)
    return bytes.takeError();
  if (llvm::Error err = writeModelAtomically(model, request.outputPath))
    return std::move(err);

  if (!request.reportPath.empty()) {
    QuantizationReport report;
    report.method = calibrationMethodName(request.method);
    report.calibrationSamples = samples.size();
    report.heldOutSamples = heldOut->size();
    report.initializerBytesBefore = bytes->before;
    report.initializerBytesAfter = bytes->after;
    report.artifactWeightBytesFloat = build->constantBytes;
    for (const FloatNode &node : plan->keptFloat)
      report.keptFloat.push_back(node.node + ": " + node.reason);
    if (llvm::Error err = measureHeldOut(request, folder.path, build->runner,
                                         model.graph(), *heldOut,
                                         build->compile, report))
      return std::move(err);
    std::error_code ec;
    llvm::raw_fd_ostream os(request.reportPath, ec);
    if (ec)
      return llvm::createStringError("cannot write '" + request.reportPath +
                                     "': " + ec.message());
    os << formatQuantizationReportJson(report);
  }

  QuantizeSummary summary;
  summary.samples = samples.size();
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
