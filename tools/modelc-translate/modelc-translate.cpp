//===- modelc-translate.cpp - Into and out of modelc's IR -----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// --import-onnx: an ONNX model (text or protobuf) to the graph dialect.
// --emit-c:      a planned module to the C target's header and source.
// --emit-cuda:   a planned module to the CUDA target's header and source.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/Importer.h"
#include "modelc/Pipelines/Pipelines.h"
#include "targets/C/CTarget.h"
#include "targets/CUDA/CudaTarget.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

static llvm::cl::list<std::string>
    dimValues("dim", llvm::cl::desc("Pin a symbolic dimension: NAME=VALUE"));
static llvm::cl::opt<std::string>
    artifactName("name",
                 llvm::cl::desc("Artifact name for --emit-c and --emit-cuda"),
                 llvm::cl::init("model"));
static llvm::cl::opt<std::string>
    cudaPrecision("precision",
                  llvm::cl::desc("--emit-cuda: fp32, fp16 or bf16"),
                  llvm::cl::init("fp32"));

static void registerDialects(DialectRegistry &registry) {
  modelc::registerModelcDialects(registry);
}

/// Prints the files `keep` selects of the artifact `emit` writes for a
/// planned module (weights as C arrays, named by --name), each after a
/// "// ----- NAME -----" line.
static LogicalResult printArtifact(
    Operation *op, llvm::raw_ostream &os,
    llvm::function_ref<llvm::Expected<modelc::Artifact>(
        ModuleOp, const modelc::CompileOptions &)>
        emit,
    modelc::CompileOptions options,
    llvm::function_ref<bool(llvm::StringRef)> keep) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("expected a module");
  options.name = artifactName;
  options.weights = modelc::WeightsFormat::CArray;
  auto artifact = emit(module, options);
  if (!artifact)
    return op->emitError(llvm::toString(artifact.takeError()));
  for (const modelc::ArtifactFile &file : artifact->files)
    if (keep(file.name))
      os << "// ----- " << file.name << " -----\n" << file.contents;
  return success();
}

static void registerTranslations() {
  TranslateToMLIRRegistration importOnnx(
      "import-onnx", "Import an ONNX model into the graph dialect",
      [](llvm::SourceMgr &sources, MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sources.getMemoryBuffer(sources.getMainFileID());
        auto model = modelc::onnx_frontend::loadModelFromBuffer(
            buffer->getBuffer(), buffer->getBufferIdentifier().str());
        if (!model) {
          emitError(UnknownLoc::get(context)) << llvm::toString(model.takeError());
          return nullptr;
        }
        modelc::onnx_frontend::ImportOptions options;
        for (const std::string &dim : dimValues) {
          auto [name, value] = llvm::StringRef(dim).split('=');
          int64_t size = 0;
          if (value.getAsInteger(10, size)) {
            emitError(UnknownLoc::get(context)) << "bad --dim '" << dim << "'";
            return nullptr;
          }
          options.dimValues[name.str()] = size;
        }
        auto module = modelc::onnx_frontend::importModel(*context, *model, options);
        if (!module) {
          emitError(UnknownLoc::get(context)) << llvm::toString(module.takeError());
          return nullptr;
        }
        return OwningOpRef<Operation *>(module->release());
      });

  TranslateFromMLIRRegistration emitC(
      "emit-c", "Emit the C target's header and source of a planned module",
      [](Operation *op, llvm::raw_ostream &os) {
        return printArtifact(
            op, os, modelc::emitCArtifact, modelc::CompileOptions(),
            [](llvm::StringRef file) { return !file.ends_with("_runner.c"); });
      },
      registerDialects);

  TranslateFromMLIRRegistration emitCuda(
      "emit-cuda",
      "Emit the CUDA target's header and source of a planned module",
      [](Operation *op, llvm::raw_ostream &os) {
        modelc::CompileOptions options;
        options.precision = cudaPrecision == "fp16"   ? modelc::Precision::F16
                            : cudaPrecision == "bf16" ? modelc::Precision::BF16
                                                      : modelc::Precision::F32;
        return printArtifact(
            op, os, modelc::emitCudaArtifact, options,
            [](llvm::StringRef file) {
              return file.ends_with(".h") ||
                     (file.ends_with(".cu") && !file.ends_with("_runner.cu"));
            });
      },
      registerDialects);
}

int main(int argc, char **argv) {
  registerTranslations();
  return failed(mlirTranslateMain(argc, argv, "modelc translation driver"));
}
