//===- Commands.cpp - The actions behind modelc's subcommands -------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "modelc/Driver/RunInputs.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <unistd.h>

namespace modelc::cli {
namespace {

std::string joinPath(llvm::StringRef dir, llvm::StringRef file) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, file);
  return path.str().str();
}

/// A build folder: the one asked for, or a temporary one removed afterwards.
struct WorkDir {
  std::string path;
  bool temporary = false;

  ~WorkDir() {
    if (temporary)
      llvm::sys::fs::remove_directories(path);
  }
};

/// A requested folder is left for compileModel to create once the model has
/// passed its checks, so a bad model leaves nothing behind.
llvm::Error makeWorkDir(const std::string &requested, WorkDir &dir) {
  if (!requested.empty()) {
    dir.path = requested;
    return llvm::Error::success();
  }
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("modelc-build", path))
    return llvm::createStringError("cannot create a temporary folder: " +
                                   ec.message());
  dir.path = path.str().str();
  dir.temporary = true;
  return llvm::Error::success();
}

/// Compiles and builds the runner of a model; returns the runner's path.
llvm::Expected<std::string> compileAndBuild(const Invocation &inv,
                                            const WorkDir &dir,
                                            std::vector<std::string> cflags) {
  if (inv.compile.options.target != "c")
    return llvm::createStringError(
        "'" + inv.compile.options.target +
        "' artifacts cannot run on this machine yet; use --target=c");
  CompileRequest request = inv.compile;
  request.outputDir = dir.path;
  request.emit = EmitKind::Source;
  request.showProgress = isatty(STDERR_FILENO);
  llvm::Expected<CompileResult> result = compileModel(request);
  if (!result)
    return result.takeError();
  return buildCRunner(dir.path, request.options, cflags);
}
/// Specializes `inv` to the files of --inputs (RunInputs.h), with one note
/// on stderr for each input frozen there.
llvm::Expected<RunInputs> specializeToInputs(Invocation &inv) {
  llvm::Expected<onnx_frontend::LoadedModel> model =
      onnx_frontend::loadModel(inv.compile.modelPath);
  if (!model)
    return model.takeError();
  llvm::Expected<RunInputs> inputs =
      specializeToInputFiles(*model, inv.inputsDir, inv.compile.import);
  if (!inputs)
    return inputs.takeError();
  for (const FrozenInput &frozen : inputs->frozen)
    spdlog::info("froze input '{}' ({}) to {}", frozen.name, frozen.use,
                 frozen.file);
  return inputs;
}

/// Links the runner's input files into `dir`/inputs as input_0.pb,
/// input_1.pb, ... in order, and returns that folder: the runner reads one
/// file per input it still has.
llvm::Expected<std::string> stageInputs(const RunInputs &inputs,
                                        const WorkDir &dir) {
  std::string staged = joinPath(dir.path, "inputs");
  llvm::sys::fs::create_directories(staged);
  for (auto [next, from] : llvm::enumerate(inputs.runnerFiles)) {
    llvm::SmallString<256> absolute(from);
    llvm::sys::fs::make_absolute(absolute);
    std::string to = joinPath(staged, "input_" + std::to_string(next) + ".pb");
    llvm::sys::fs::remove(to);
    if (std::error_code ec = llvm::sys::fs::create_link(absolute, to))
      return llvm::createStringError("cannot stage '" + from +
                                     "': " + ec.message());
  }
  return staged;
}

} // namespace

/// One line on what quantization did, for a terminal.
void printQuantizeSummary(const QuantizeSummary &summary,
                          const std::string &written) {
  llvm::outs() << "modelc: " << summary.quantizedProducts
               << " products quantized, " << summary.keptFloat.size()
               << " kept float; " << summary.quantizedActivations
               << " tensors calibrated on " << summary.samples
               << " samples; initializers " << summary.initializerBytesBefore
               << " -> " << summary.initializerBytesAfter << " bytes; wrote "
               << written << "\n";
}

llvm::Error runQuantize(const Invocation &inv) {
  QuantizeRequest request = inv.quantize;
  request.showProgress = isatty(STDERR_FILENO);
  llvm::Expected<QuantizeSummary> summary = quantizeModel(request);
  if (!summary)
    return summary.takeError();
  if (isatty(STDOUT_FILENO))
    printQuantizeSummary(*summary, request.outputPath);
  return llvm::Error::success();
}

llvm::Error runCompile(const Invocation &inv) {
  CompileRequest request = inv.compile;
  request.showProgress = isatty(STDERR_FILENO);
  // --quantize=int8: calibrate into a QDQ model, then compile that.
  WorkDir quantized;
  if (inv.quantizeBeforeCompile) {
    if (llvm::Error err = makeWorkDir("", quantized))
      return err;
    QuantizeRequest quantize = inv.quantize;
    quantize.outputPath = joinPath(quantized.path, "model.qdq.onnx");
    quantize.workDir = joinPath(quantized.path, "calibration");
    quantize.showProgress = request.showProgress;
    llvm::Expected<QuantizeSummary> summary = quantizeModel(quantize);
    if (!summary)
      return summary.takeError();
    if (isatty(STDOUT_FILENO))
      printQuantizeSummary(*summary, "the QDQ model; compiling it");
    request.modelPath = quantize.outputPath;
  }
  llvm::Expected<CompileResult> result = compileModel(request);
  if (!result)
    return result.takeError();
  if (!request.reportPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(request.reportPath, ec);
    if (ec)
      return llvm::createStringError("cannot write '" + request.reportPath +
                                     "': " + ec.message());
    os << formatReportJson(result->report, request);
  }
  if (isatty(STDOUT_FILENO)) {
    const CompileReport &r = result->report;
    llvm::outs() << "modelc: " << r.onnxNodes << " ONNX nodes -> "
                 << r.dispatches << " dispatches, arena " << r.arenaBytes
                 << " bytes (lower bound " << r.arenaLowerBound
                 << "), weights " << r.constantBytes << " bytes\n";
  }
  return llvm::Error::success();
}

llvm::Error runRun(const Invocation &given) {
  Invocation inv = given;
  llvm::Expected<RunInputs> inputs = specializeToInputs(inv);
  if (!inputs)
    return inputs.takeError();
  WorkDir dir;
  if (llvm::Error err = makeWorkDir(inv.workDir, dir))
    return err;
  llvm::Expected<std::string> runner =
      compileAndBuild(inv, dir, {"-O2", "-march=native"});
  if (!runner)
    return runner.takeError();
  llvm::Expected<std::string> staged = stageInputs(*inputs, dir);
  if (!staged)
    return staged.takeError();
  if (std::error_code ec = llvm::sys::fs::create_directories(inv.outputsDir))
    return llvm::createStringError("cannot create '" + inv.outputsDir +
                                   "': " + ec.message());
  return runProgram(*runner, {"--inputs", *staged, "--outputs", inv.outputsDir,
                              "--threads", std::to_string(inv.threads)});
}

llvm::Error runBench(const Invocation &given) {
  Invocation inv = given;
  std::optional<RunInputs> inputs;
  if (!inv.inputsDir.empty()) {
    llvm::Expected<RunInputs> specialized = specializeToInputs(inv);
    if (!specialized)
      return specialized.takeError();
    inputs = std::move(*specialized);
  }
  WorkDir dir;
  if (llvm::Error err = makeWorkDir(inv.workDir, dir))
    return err;
  llvm::Expected<std::string> runner =
      compileAndBuild(inv, dir, hostRunnerFlags());
  if (!runner)
    return runner.takeError();
  std::vector<std::string> args = {"--bench",
                                   "--iterations",
                                   std::to_string(inv.iterations),
                                   "--warmup",
                                   std::to_string(inv.warmup),
                                   "--threads",
                                   std::to_string(inv.threads)};
  // Without --inputs the runner synthesizes inputs (integers 0: an all-zero
  // attention mask); comparisons against other runtimes pass the same files.
  if (inputs) {
    llvm::Expected<std::string> staged = stageInputs(*inputs, dir);
    if (!staged)
      return staged.takeError();
    args.insert(args.end(), {"--inputs", *staged});
  }
  std::string output;
  if (llvm::Error err = runProgram(*runner, args, &output))
    return err;
  llvm::StringRef line = llvm::StringRef(output).trim();
  if (inv.json) {
    llvm::outs() << line << "\n";
    return llvm::Error::success();
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(line);
  if (!parsed)
    return llvm::createStringError("the runner printed no benchmark result: " +
                                   line.str());
  const llvm::json::Object *obj = parsed->getAsObject();
  auto number = [&](llvm::StringRef key) {
    return obj ? obj->getNumber(key).value_or(0) : 0;
  };
  llvm::outs() << llvm::format("median %.3f ms, p90 %.3f ms over %d runs "
                               "(%d thread%s), arena %.0f bytes\n",
                               number("median_ms"), number("p90_ms"),
                               inv.iterations, inv.threads,
                               inv.threads == 1 ? "" : "s",
                               number("arena_bytes"));
  return llvm::Error::success();
}

llvm::Error runInspect(const Invocation &inv) {
  llvm::Expected<onnx_frontend::LoadedModel> model =
      onnx_frontend::loadModel(inv.compile.modelPath);
  if (!model)
    return model.takeError();
  const onnx::ModelProto &proto = *model->proto;
  const onnx::GraphProto &graph = proto.graph();
  llvm::raw_ostream &os = llvm::outs();
  os << "model: " << inv.compile.modelPath << "\n";
  os << "producer: " << proto.producer_name() << " " << proto.producer_version()
     << ", ir_version " << proto.ir_version() << ", opsets:";
  for (const auto &opset : proto.opset_import())
    os << " " << (opset.domain().empty() ? "ai.onnx" : opset.domain()) << "="
       << opset.version();
  os << "\n";

  auto describe = [&](const onnx::ValueInfoProto &info) {
    os << "  " << info.name() << ": ";
    if (!info.type().has_tensor_type()) {
      os << "(not a tensor)\n";
      return;
    }
    const auto &tensor = info.type().tensor_type();
    os << onnx::TensorProto_DataType_Name(tensor.elem_type()) << "[";
    for (int d = 0; d < tensor.shape().dim_size(); ++d) {
      const auto &dim = tensor.shape().dim(d);
      os << (d ? ", " : "")
         << (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                 : (dim.dim_param().empty() ? "?"
                                                            : dim.dim_param()));
    }
    os << "]\n";
  };
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  os << "inputs:\n";
  for (const auto &input : graph.input())
    if (!initializers.contains(input.name()))
      describe(input);
  os << "outputs:\n";
  for (const auto &output : graph.output())
    describe(output);
  os << "initializers: " << graph.initializer_size() << "\n";

  std::map<std::string, int> histogram;
  for (const auto &node : graph.node())
    ++histogram[(node.domain().empty() ? "" : node.domain() + "::") +
                node.op_type()];
  os << "ops (" << graph.node_size() << " nodes):\n";
  for (const auto &[op, count] : histogram)
    os << "  " << op << ": " << count << "\n";

  std::vector<onnx_frontend::UnsupportedNode> unsupported =
      onnx_frontend::findUnsupportedNodes(proto);
  if (unsupported.empty()) {
    os << "unsupported: none\n";
    return llvm::Error::success();
  }
  os << "unsupported (" << unsupported.size() << "):\n";
  for (const auto &node : unsupported)
    os << "  " << node.domain << "::" << node.opType << " at '"
       << node.nodeName << "': " << node.reason << "\n";
  return llvm::Error::success();
}

} // namespace modelc::cli
