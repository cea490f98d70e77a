//===- CommandLine.cpp - Parsing modelc's command line --------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include <CLI/CLI.hpp>

#include <sstream>

namespace modelc::cli {
namespace {

/// The comma-separated parts of `text`.
std::vector<std::string> splitCommas(const std::string &text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ','))
    parts.push_back(part);
  return parts;
}

/// Splits NAME=VALUE; false when there is no '=' or a side is empty.
bool splitAssignment(const std::string &text, std::string &name,
                     std::string &value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

/// Options every command that compiles shares.
struct SharedFlags {
  std::string model;
  std::string target = "c";
  std::vector<std::string> dims, binds;
  std::string name = "model";
  std::string weights = "object";
  std::string cc;
};

void addModelFlags(CLI::App *command, SharedFlags &flags, bool withTarget) {
  command->add_option("model", flags.model, "ONNX model (.onnx or .onnxtext)")
      ->required();
  if (withTarget)
    command->add_option("--target", flags.target, "c, cuda, rocm or metal")
        ->capture_default_str();
  command->add_option("--dim", flags.dims,
                      "Pin a symbolic dimension: NAME=VALUE (repeatable)");
  command->add_option("--bind", flags.binds,
                      "Freeze a graph input to a TensorProto file: "
                      "INPUT=FILE.pb (repeatable)");
  command->add_option("--cc", flags.cc, "C compiler (default: $CC or cc)");
}
/// Calibration options `quantize` and `compile --quantize` share.
struct CalibrationFlags {
  std::string folder;
  std::string method = "minmax";
  double percentile = 99.999;
  std::vector<std::string> keepFloat;
};

void addCalibrationFlags(CLI::App *command, CalibrationFlags &flags) {
  command->add_option("--calibration", flags.folder,
                      "Folder of test_data_set_*/input_K.pb samples (or of "
                      "input_K.pb files)");
  command->add_option("--calibration-method", flags.method,
                      "minmax (default), percentile or entropy")
      ->check(CLI::IsMember({"minmax", "percentile", "entropy"}));
  command->add_option("--percentile", flags.percentile,
                      "percentile method: share of values kept, in percent")
      ->check(CLI::Range(50.0, 100.0))
      ->capture_default_str();
  command->add_option("--keep-float", flags.keepFloat,
                      "Nodes that stay float, by name (repeatable)");
}
} // namespace

ParseOutcome parseCommandLine(int argc, const char *const *argv,
                              Invocation &inv) {
  CLI::App app{"modelc: an ahead-of-time compiler for ONNX models", "modelc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "modelc 0.1.0");
  SharedFlags flags;
  CalibrationFlags calibration;
  std::string quantizeMode = "none";
  std::string emit = "source";
  std::string precision = "fp32", ioPrecision = "fp32";
  bool printIr = false;

  CLI::App *compile = app.add_subcommand("compile", "Compile a model");
  addModelFlags(compile, flags, true);
  compile->add_option("-o,--output", inv.compile.outputDir,
                      "Folder for the artifact")->required();
  compile->add_option("--emit", emit,
                      "mlir-graph, mlir-kernel, mlir-lowered, mlir-planned, source or obj")
      ->check(CLI::IsMember({"mlir-graph", "mlir-kernel", "mlir-lowered",
                             "mlir-planned",
                             "source", "obj"}))
      ->capture_default_str();
  compile->add_option("--name", flags.name,
                      "Prefix of every symbol and file (a C identifier)")
      ->capture_default_str();
  compile->add_option("--weights", flags.weights,
                      "object (default), c-array or external")
      ->check(CLI::IsMember({"object", "c-array", "external"}));
  compile->add_option("--triple", inv.compile.options.targetTriple,
                      "Target triple of the weights object (default: host)");
  compile->add_option("--report", inv.compile.reportPath,
                      "Write a JSON report (dispatches, arena, timings)");
  compile->add_option("--precision", precision,
                      "fp32 (default), fp16 or bf16: GPU targets store float "
                      "tensors so; the c target the weights of convolutions "
                      "and matmuls (f32 accumulation)")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  compile->add_option("--io-precision", ioPrecision,
                      "GPU targets: type of float inputs and outputs (fp32, "
                      "fp16 or bf16; default: the model's)")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  compile->add_flag("!--no-prepack-weights", inv.compile.options.prepackWeights,
                    "c: pack the weights of 8-bit and half-precision products "
                    "on every call instead of once at init (smaller arena)");
  compile->add_flag("--allow-tf32", inv.compile.options.allowTf32,
                    "cuda: let float32 matrix products and convolutions use "
                    "TensorFloat-32");
  compile->add_option("--gpu-arch", inv.compile.options.gpuArchs,
                      "cuda: comma-separated sm_XY list for --emit=obj; PTX "
                      "of the last is embedded too")
      ->capture_default_str();
  compile->add_option("--nvcc", inv.compile.options.nvcc,
                      "cuda: nvcc for --emit=obj (default: $CUDACXX, "
                      "$CUDA_HOME/bin/nvcc, PATH)");
  compile->add_flag("--print-ir-after-all", printIr,
                    "Print the IR after every pass to stderr");
  compile->add_option("--quantize", quantizeMode,
                      "none (default) or int8: calibrate on --calibration "
                      "and compile the QDQ model modelc quantize writes")
      ->check(CLI::IsMember({"none", "int8"}));
  addCalibrationFlags(compile, calibration);

  CLI::App *quantize = app.add_subcommand(
      "quantize", "Calibrate a model and write it in QDQ form (int8)");
  addModelFlags(quantize, flags, false);
  addCalibrationFlags(quantize, calibration);
  quantize->add_option("-o,--output", inv.quantize.outputPath,
                       "The QDQ model to write")
      ->required();
  quantize->add_option("--threads", inv.threads, "Threads of the calibration runs")
      ->check(CLI::PositiveNumber);
  quantize->add_option("--work-dir", inv.workDir,
                       "Keep the calibration build here");
  quantize->add_option("--report", inv.quantize.reportPath,
                       "Write what quantization cost (SQNR, top-1, bytes) "
                       "as JSON, measured on held-out samples");
  quantize->add_option("--held-out", inv.quantize.heldOut,
                       "Samples kept out of calibration for --report "
                       "(default: a tenth)")
      ->check(CLI::NonNegativeNumber);

  CLI::App *run = app.add_subcommand(
      "run", "Compile, build and run a model on input_K.pb files");
  addModelFlags(run, flags, true);
  run->add_option("--inputs", inv.inputsDir, "Folder of input_K.pb")
      ->required();
  run->add_option("--outputs", inv.outputsDir, "Folder for output_K.pb")
      ->required();
  run->add_option("--work-dir", inv.workDir,
                  "Keep the build here instead of a temporary folder");
  run->add_option("--threads", inv.threads, "Threads of the runner")
      ->check(CLI::PositiveNumber);
  run->add_option("--precision", precision,
                  "fp32 (default), fp16 or bf16, as for compile")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));

  CLI::App *bench = app.add_subcommand(
      "bench", "Median and p90 latency of the compiled model");
  addModelFlags(bench, flags, true);
  bench->add_option("--iterations", inv.iterations, "Timed runs")
      ->check(CLI::PositiveNumber)->capture_default_str();
  bench->add_option("--warmup", inv.warmup, "Untimed runs first")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  bench->add_option("--threads", inv.threads, "Threads")
      ->check(CLI::PositiveNumber)->capture_default_str();
  bench->add_option("--inputs", inv.inputsDir,
                    "Folder of input_K.pb to time on (default: synthetic "
                    "inputs, integers 0)");
  bench->add_flag("--json", inv.json, "Print one JSON line");
  bench->add_option("--precision", precision,
                    "fp32 (default), fp16 or bf16, as for compile")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  bench->add_option("--work-dir", inv.workDir,
                    "Keep the build here instead of a temporary folder");

  CLI::App *inspect = app.add_subcommand(
      "inspect", "Ops, inputs, outputs and every unsupported op");
  inspect->add_option("model", flags.model, "ONNX model")->required();

  ParseOutcome outcome;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    std::ostringstream out, err;
    outcome.exitCode = app.exit(e, out, err);
    // Usage errors are exit code 2 (CLI11 gives them its own numbers).
    if (outcome.exitCode != 0)
      outcome.exitCode = 2;
    outcome.message = out.str() + err.str();
    return outcome;
  }

  if (*compile)
    inv.command = Command::Compile;
  else if (*run)
    inv.command = Command::Run;
  else if (*bench)
    inv.command = Command::Bench;
  else if (*quantize)
    inv.command = Command::Quantize;
  else
    inv.command = Command::Inspect;

  CompileRequest &req = inv.compile;
  req.modelPath = flags.model;
  req.options.target = flags.target;
  req.options.name = flags.name;
  req.printIrAfterAll = printIr;
  if (!flags.cc.empty())
    req.options.cCompiler = flags.cc;
  else if (const char *cc = std::getenv("CC"); cc && *cc)
    req.options.cCompiler = cc;
  req.options.weights = flags.weights == "c-array"    ? WeightsFormat::CArray
                        : flags.weights == "external" ? WeightsFormat::External
                                                      : WeightsFormat::Object;
  req.emit = emit == "mlir-graph"     ? EmitKind::MlirGraph
             : emit == "mlir-kernel"  ? EmitKind::MlirKernel
             : emit == "mlir-lowered" ? EmitKind::MlirLowered
             : emit == "mlir-planned" ? EmitKind::MlirPlanned
             : emit == "obj"          ? EmitKind::Obj
                                      : EmitKind::Source;
  auto parsePrecision = [](const std::string &text) {
    return text == "fp16"   ? Precision::F16
           : text == "bf16" ? Precision::BF16
                            : Precision::F32;
  };
  req.options.precision = parsePrecision(precision);
  req.options.ioPrecision = parsePrecision(ioPrecision);
  if (req.options.target == "c" && ioPrecision != "fp32") {
    outcome.exitCode = 2;
    outcome.message = "modelc: error: --io-precision applies to GPU targets; "
                      "the c target's inputs and outputs have the model's "
                      "types\n";
    return outcome;
  }
  for (const std::string &arch : splitCommas(req.options.gpuArchs)) {
    if (arch.size() < 5 || arch.compare(0, 3, "sm_") != 0 ||
        arch.find_first_not_of("0123456789", 3) != std::string::npos) {
      outcome.exitCode = 2;
      outcome.message = "modelc: error: --gpu-arch expects a comma-separated "
                        "list like sm_80,sm_90, got '" +
                        req.options.gpuArchs + "'\n";
      return outcome;
    }
  }
  auto usageError = [&](const std::string &message) {
    outcome.exitCode = 2;
    outcome.message = "modelc: error: " + message + "\n";
    return outcome;
  };
  bool quantizing = inv.command == Command::Quantize || quantizeMode == "int8";
  if (quantizing && calibration.folder.empty())
    return usageError(inv.command == Command::Quantize
                          ? "quantize needs --calibration DIR"
                          : "--quantize=int8 needs --calibration DIR");
  if (!quantizing && !calibration.folder.empty())
    return usageError("--calibration applies to quantize and "
                      "compile --quantize=int8");
  if (quantizing && !flags.binds.empty())
    return usageError("--bind does not combine with quantization: "
                      "calibration feeds every input");
  inv.quantizeBeforeCompile = quantizeMode == "int8";
  inv.quantize.modelPath = flags.model;
  inv.quantize.calibrationDir = calibration.folder;
  inv.quantize.method = *parseCalibrationMethod(calibration.method);
  inv.quantize.percentile = calibration.percentile;
  inv.quantize.keepFloat = calibration.keepFloat;
  inv.quantize.cCompiler = req.options.cCompiler;
  for (const std::string &dim : flags.dims) {
    std::string name, value;
    char *end = nullptr;
    long long size = 0;
    if (splitAssignment(dim, name, value))
      size = std::strtoll(value.c_str(), &end, 10);
    if (!end || *end != '\0' || size <= 0) {
      outcome.exitCode = 2;
      outcome.message = "modelc: error: --dim expects NAME=POSITIVE_INTEGER, "
                        "got '" + dim + "'\n";
      return outcome;
    }
    req.import.dimValues[name] = size;
  }
  for (const std::string &bind : flags.binds) {
    std::string name, file;
    if (!splitAssignment(bind, name, file)) {
      outcome.exitCode = 2;
      outcome.message =
          "modelc: error: --bind expects INPUT=FILE.pb, got '" + bind + "'\n";
      return outcome;
    }
    req.import.inputBindings[name] = file;
  }
  inv.quantize.import = req.import;
  inv.quantize.threads = inv.threads;
  inv.quantize.workDir = inv.workDir;
  outcome.proceed = true;
  return outcome;
}

} // namespace modelc::cli
