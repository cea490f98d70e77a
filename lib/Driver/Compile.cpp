//===- Compile.cpp - modelc compile: ONNX to an artifact ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Driver/Driver.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/Passes.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"
#include "modelc/Pipelines/Pipelines.h"
#include "modelc/Target/TargetBackend.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <functional>
#include <fstream>
#include <sstream>

using namespace mlir;

namespace modelc {
namespace graph = mlir::modelc::graph;
namespace kernel = mlir::modelc::kernel;

uint64_t hashModel(llvm::StringRef modelBytes, llvm::StringRef flags) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&](llvm::StringRef bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
  };
  mix(modelBytes);
  mix(flags);
  return hash;
}

namespace {
/// Times phases and shows them on a terminal.
class PhaseClock {
public:
  PhaseClock(CompileReport &report, bool show) : report_(report), show_(show) {}

  template <typename Fn>
  auto run(llvm::StringRef phase, Fn &&fn) {
    if (show_)
      llvm::errs() << "modelc: " << phase << "...\n";
    auto start = std::chrono::steady_clock::now();
    auto result = fn();
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    report_.phases.push_back({phase.str(), elapsed.count()});
    return result;
  }

private:
  CompileReport &report_;
  bool show_;
};

llvm::Error writeFile(const std::string &path, llvm::StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  os << contents;
  return llvm::Error::success();
}

std::string printModule(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  // Weights stay out of printed IR: it is for reading, not reloading.
  flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  module->print(os, flags);
  return text;
}

/// Flags that change the artifact, for the model hash. A bound input counts
/// by its name and its tensor (type, dims, bytes), not by the path of its
/// file: the same tensor from another file compiles to the same artifact,
/// and another tensor from the same file does not.
llvm::Expected<std::string> describeFlags(const CompileRequest &request) {
  std::ostringstream flags;
  const CompileOptions &o = request.options;
  flags << "target=" << o.target << ";name=" << o.name
        << ";weights=" << static_cast<int>(o.weights)
        << ";group=" << o.maxGroupSize << ";align=" << o.arenaAlignment
        << ";triple=" << o.targetTriple
        << ";precision=" << static_cast<int>(o.precision)
        << ";io=" << static_cast<int>(o.ioPrecision) << ";tf32=" << o.allowTf32
        << ";arch=" << o.gpuArchs << ";prepack=" << o.prepackWeights;
  for (const auto &[name, value] : request.import.dimValues)
    flags << ";dim:" << name << "=" << value;
  for (const auto &[name, path] : request.import.inputBindings) {
    llvm::Expected<onnx_frontend::HostTensor> tensor =
        onnx_frontend::readTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    flags << ";bind:" << name << "=" << tensor->dataType << "[";
    for (int64_t dim : tensor->dims)
      flags << dim << ",";
    flags << "]" << tensor->bytes.size() << ":";
    flags.write(tensor->bytes.data(),
                static_cast<std::streamsize>(tensor->bytes.size()));
  }
  return flags.str();
}
} // namespace

llvm::Expected<CompileResult> compileModel(const CompileRequest &request) {
  CompileResult result;
  PhaseClock clock(result.report, request.showProgress);

  TargetRegistry targets;
  registerAllTargets(targets);
  const TargetBackend *target = targets.lookup(request.options.target);
  if (!target) {
    std::string known;
    for (const std::string &name : targets.getNames())
      known += (known.empty() ? "" : ", ") + name;
    return llvm::createStringError("unknown target '" +
                                   request.options.target +
                                   "' (known: " + known + ")");
  }
  if (llvm::Error err = target->checkAvailable())
    return std::move(err);

  llvm::Expected<onnx_frontend::LoadedModel> model = clock.run(
      "load", [&] { return onnx_frontend::loadModel(request.modelPath); });
  if (!model)
    return model.takeError();
  result.report.onnxNodes = model->proto->graph().node_size();

  CompileOptions options = request.options;
  options.eightBitKernels = target->hasEightBitKernels();
  options.arenaAlignment =
      std::max(options.arenaAlignment, target->getMinimumAlignment());
  {
    std::ifstream file(request.modelPath, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
    llvm::Expected<std::string> flags = describeFlags(request);
    if (!flags)
      return flags.takeError();
    options.modelHash = hashModel(bytes, *flags);
  }

  DialectRegistry registry;
  registerModelcDialects(registry);
  target->getDependentDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading();

  llvm::Expected<OwningOpRef<ModuleOp>> module = clock.run("import", [&] {
    return onnx_frontend::importModel(context, *model, request.import);
  });
  if (!module)
    return module.takeError();
  // The IR holds its own copy of the weights now; free the protobuf's.
  model->proto.reset();

  // Diagnostics from passes become one-line errors.
  std::string diagnostic;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && diagnostic.empty())
      diagnostic = diag.str();
    return success();
  });

  auto runPhase = [&](llvm::StringRef phase,
                      llvm::function_ref<void(OpPassManager &)> build)
      -> llvm::Error {
    return clock.run(phase, [&]() -> llvm::Error {
      PassManager pm(&context);
      if (request.printIrAfterAll) {
        context.disableMultithreading();
        pm.enableIRPrinting(
            [](Pass *, Operation *) { return false; },
            [](Pass *, Operation *) { return true; },
            /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
      }
      build(pm);
      if (failed(pm.run(**module)))
        return llvm::createStringError(
            phase + " phase failed: " +
            (diagnostic.empty() ? std::string("see diagnostics") : diagnostic));
      return llvm::Error::success();
    });
  };

  std::error_code ec = llvm::sys::fs::create_directories(request.outputDir);
  if (ec)
    return llvm::createStringError("cannot create '" + request.outputDir +
                                   "': " + ec.message());
  auto emitMlir = [&](llvm::StringRef suffix) -> llvm::Error {
    llvm::SmallString<256> path(request.outputDir);
    llvm::sys::path::append(path, options.name + "." + suffix + ".mlir");
    result.files.push_back(path.str().str());
    return writeFile(path.str().str(), printModule(**module));
  };

  // The phases before planning, each of which --emit can stop after.
  struct Phase {
    llvm::StringRef name;
    std::function<void(OpPassManager &)> build;
    EmitKind stopAt;
    llvm::StringRef suffix;
  };
  const Phase phases[] = {
      {"graph", [&](OpPassManager &pm) { buildGraphPipeline(pm, options); },
       EmitKind::MlirGraph, "graph"},
      {"fuse", [&](OpPassManager &pm) { buildKernelPipeline(pm, options); },
       EmitKind::MlirKernel, "kernel"},
      {"lower", [&](OpPassManager &pm) { buildLowerPipeline(pm, options); },
       EmitKind::MlirLowered, "lowered"},
  };
  for (const Phase &phase : phases) {
    if (llvm::Error err = runPhase(phase.name, phase.build))
      return std::move(err);
    if (request.emit == phase.stopAt) {
      if (llvm::Error err = emitMlir(phase.suffix))
        return std::move(err);
      return result;
    }
  }
  if (llvm::Error err = runPhase("plan", [&](OpPassManager &pm) {
        buildPlanPipeline(pm, options, *target);
      }))
    return std::move(err);

  // Facts for the report.
  for (auto func : (*module)->getOps<func::FuncOp>()) {
    auto readInt = [&](llvm::StringRef attr) {
      auto value = func->getAttrOfType<IntegerAttr>(attr);
      return value ? value.getInt() : 0;
    };
    result.report.arenaBytes = readInt(kernel::kArenaBytesAttr);
    result.report.arenaLowerBound = readInt(kernel::kArenaLowerBoundAttr);
    result.report.intermediateBytes = readInt(kernel::kIntermediateBytesAttr);
    func.walk([&](kernel::DispatchOp) { ++result.report.dispatches; });
    for (auto constant : func.getBody().getOps<arith::ConstantOp>()) {
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      if (type && !constant->use_empty())
        result.report.constantBytes +=
            type.getNumElements() *
            graph::getElementByteWidth(type.getElementType());
    }
  }
  if (request.emit == EmitKind::MlirPlanned) {
    if (llvm::Error err = emitMlir("planned"))
      return std::move(err);
    return result;
  }

  llvm::Expected<Artifact> artifact = clock.run(
      "emit", [&] { return target->serialize(**module, options); });
  if (!artifact)
    return artifact.takeError();
  for (const ArtifactFile &file : artifact->files) {
    llvm::SmallString<256> path(request.outputDir);
    llvm::sys::path::append(path, file.name);
    if (llvm::Error err = writeFile(path.str().str(), file.contents))
      return std::move(err);
    result.files.push_back(path.str().str());
  }
  if (request.emit == EmitKind::Obj) {
    if (llvm::Error err = clock.run("object", [&] {
          return target->buildObject(request.outputDir, options);
        }))
      return std::move(err);
  }
  return result;
}

std::string formatReportJson(const CompileReport &report,
                             const CompileRequest &request) {
  std::ostringstream json;
  json << "{\n"
       << "  \"model\": \"" << request.modelPath << "\",\n"
       << "  \"target\": \"" << request.options.target << "\",\n"
       << "  \"onnx_nodes\": " << report.onnxNodes << ",\n"
       << "  \"dispatches\": " << report.dispatches << ",\n"
       << "  \"arena_bytes\": " << report.arenaBytes << ",\n"
       << "  \"arena_lower_bound_bytes\": " << report.arenaLowerBound << ",\n"
       << "  \"intermediate_bytes\": " << report.intermediateBytes << ",\n"
       << "  \"constant_bytes\": " << report.constantBytes << ",\n"
       << "  \"phase_seconds\": {";
  for (size_t i = 0; i < report.phases.size(); ++i)
    json << (i ? ", " : "") << "\"" << report.phases[i].phase
         << "\": " << report.phases[i].seconds;
  json << "}\n}\n";
  return json.str();
}

} // namespace modelc
