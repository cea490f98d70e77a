//===- CEmitter.cpp - A planned module as a C artifact --------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Writes the header (the documented C API and memory contract), the source
// (runtime kernels, one function per dispatch, init and run) and the weights
// (object, C array or external file).
//
//===----------------------------------------------------------------------===//

#include "CTarget.h"

#include "targets/Common/ArtifactAbi.h"
#include "targets/Common/ArtifactPorts.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/PlannedPointers.h"
#include "DispatchEmitter.h"
#include "RuntimeSources.h"
#include "targets/Common/WeightsWriter.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target {
using namespace ::modelc::codegen;
namespace {

constexpr int64_t kWeightsAlignment = 64;

class ArtifactWriter {
public:
  ArtifactWriter(func::FuncOp func, const CompileOptions &options)
      : func_(func), options_(options), name_(options.name),
        upper_(llvm::StringRef(options.name).upper()) {}

  llvm::Expected<Artifact> run();

private:
  llvm::Error assignPointers();
  void emitHeader(llvm::raw_ostream &os);
  llvm::Error emitSource(llvm::raw_ostream &os);
  void emitInit(llvm::raw_ostream &os);
  void emitRun(llvm::raw_ostream &os, const std::string &calls);
  std::string runnerSource() const;

  func::FuncOp func_;
  const CompileOptions &options_;
  std::string name_, upper_;
  ArtifactPorts ports_;
  int64_t arenaBytes_ = 0;
  /// The constants laid out in one blob: bytes, offsets, empty ones and the
  /// synthetic-weights table.
  codegen::WeightsLayout weights_;
  /// C expression of the pointer to each value's memory in the run function.
  llvm::DenseMap<Value, std::string> pointers_;
  bool usesExec_ = false;
  /// (kernel's scratch or packed-weights expression, planned bytes) per
  /// dispatch.
  std::vector<std::pair<std::string, int64_t>> scratchChecks_;
  /// The init function's calls that pre-pack weights into the arena.
  std::string packCalls_;
  /// Bytes of the arena that those calls fill (the dispatches' resident
  /// space).
  int64_t packedBytes_ = 0;
};

llvm::Error ArtifactWriter::assignPointers() {
  ports_ = collectArtifactPorts(func_);
  return assignPlannedPointers(func_, weights_.offsets, weights_.empty,
                               ports_.directOutputs, cElementType, pointers_);
}

void ArtifactWriter::emitHeader(llvm::raw_ostream &os) {
  std::string guard = upper_ + "_H";
  os << "/* " << name_ << ".h - C API of a model compiled by modelc "
     << "(--target=c).\n"
     << " *\n"
     << " * Generated; do not edit. Memory contract: the caller owns every\n"
     << " * buffer. " << upper_ << "_ARENA_BYTES of scratch memory aligned to\n"
     << " * " << upper_ << "_ARENA_ALIGN bytes hold every intermediate tensor;"
     << " the\n"
     << " * generated code allocates nothing, creates no threads and keeps no\n"
     << " * global state, so contexts are independent and may run at once.\n"
     << " * A context runs one inference at a time.\n";
  if (packedBytes_ > 0)
    os << " * " << upper_ << "_PACKED_WEIGHTS_BYTES of the arena hold weights "
       << "that " << name_ << "_init\n"
       << " * packs for the SIMD path compiled in: leave the arena untouched "
          "from\n"
       << " * " << name_ << "_init to the last " << name_ << "_run.\n";
  os << " */\n";
  writeHeaderOpening(os, guard, upper_, options_.modelHash);
  os << "#define " << upper_ << "_ARENA_BYTES ((size_t)" << arenaBytes_
     << ")\n"
     << "#define " << upper_ << "_ARENA_ALIGN " << options_.arenaAlignment
     << "\n"
     << "#define " << upper_ << "_PACKED_WEIGHTS_BYTES ((size_t)"
     << packedBytes_ << ")\n"
     << "#define " << upper_ << "_WEIGHTS_BYTES ((size_t)" << weights_.bytes.size()
     << ")\n";
  bool external = options_.weights == WeightsFormat::External;
  writeWeightsFileMacros(os, name_, upper_, name_ + "_init",
                         static_cast<int64_t>(weights_.bytes.size()), external);
  os << "#define " << upper_ << "_NUM_INPUTS " << ports_.inputs.size() << "\n"
     << "#define " << upper_ << "_NUM_OUTPUTS " << ports_.outputs.size()
     << "\n\n";

  writePortList(os, ports_);
  os << " */\n"
     << "extern const modelc_tensor_desc " << name_ << "_inputs[];\n"
     << "extern const modelc_tensor_desc " << name_ << "_outputs[];\n\n";

  os << "/* Everything one inference needs; fill it with " << name_
     << "_init. */\n"
     << "typedef struct " << name_ << "_context {\n"
     << "  void *arena;\n  const unsigned char *weights;\n"
     << "  modelc_parallel_for_fn parallel_for;\n  void *parallel_user;\n"
     << "} " << name_ << "_context;\n\n"
     << "/* Binds the arena (" << upper_ << "_ARENA_BYTES bytes aligned to "
     << upper_ << "_ARENA_ALIGN;\n"
     << " * may be NULL when that is 0) and, for external weights, the "
        "contents\n"
     << " * of the weights file (aligned to 64). Embedded weights: pass NULL, "
        "0.\n"
     << (packedBytes_ > 0
             ? " * Packs " + upper_ +
                   "_PACKED_WEIGHTS_BYTES of weights into the arena (once).\n"
             : std::string())
     << " * Runs serially until " << name_
     << "_set_parallel_for is called. */\n"
     << "modelc_status " << name_ << "_init(" << name_
     << "_context *ctx, void *arena, size_t arena_bytes,\n"
     << "    const void *weights, size_t weights_bytes);\n\n"
     << "/* Lets the model split its kernels across `fn`; NULL runs serially. "
        "*/\n"
     << "void " << name_ << "_set_parallel_for(" << name_
     << "_context *ctx, modelc_parallel_for_fn fn, void *user);\n\n"
     << "/* Runs one inference. inputs[i] / outputs[i] point to buffers of\n"
     << " * exactly " << name_ << "_inputs[i].bytes / " << name_
     << "_outputs[i].bytes bytes, aligned to\n"
     << " * their element size; sizes are checked, contents are not. */\n"
     << "modelc_status " << name_ << "_run(" << name_
     << "_context *ctx, const void *const inputs[],\n"
     << "    const size_t input_bytes[], void *const outputs[],\n"
     << "    const size_t output_bytes[]);\n\n";
  writeShapedRunDeclaration(os, name_);
  os << "/* A short English description of a status. */\n"
     << "const char *" << name_ << "_status_string(modelc_status status);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}

void ArtifactWriter::emitInit(llvm::raw_ostream &os) {
  if (!packCalls_.empty())
    os << "/* Packs the weights of the 8-bit and half-precision products into "
          "the\n"
       << " * arena, once, in the layout of the SIMD path compiled in; every "
          "run\n"
       << " * reads them there. */\n"
       << "static void " << name_
       << "_pack_weights(const unsigned char *weights, unsigned char *arena)\n"
       << "{\n  const mk_exec exec = {NULL, NULL};\n"
       << packCalls_ << "}\n\n";
  bool external = options_.weights == WeightsFormat::External;
  os << "modelc_status " << name_ << "_init(" << name_
     << "_context *ctx, void *arena, size_t arena_bytes,\n"
     << "    const void *weights, size_t weights_bytes)\n{\n"
     << "  if (!ctx)\n    return MODELC_ERROR_NULL_ARGUMENT;\n";
  if (arenaBytes_ > 0)
    os << "  if (!arena)\n    return MODELC_ERROR_NULL_ARGUMENT;\n"
       << "  if ((uintptr_t)arena % " << upper_ << "_ARENA_ALIGN != 0)\n"
       << "    return MODELC_ERROR_MISALIGNED;\n"
       << "  if (arena_bytes < " << upper_ << "_ARENA_BYTES)\n"
       << "    return MODELC_ERROR_SIZE_MISMATCH;\n";
  else
    os << "  (void)arena_bytes;\n";
  if (external) {
    os << "  {\n"
       << "    const unsigned char *file = (const unsigned char *)weights;\n";
    writeExternalWeightsCheck(os, upper_, "    ");
    os << "    ctx->weights = file + " << kExternalWeightsHeaderBytes << ";\n"
       << "  }\n";
  } else {
    os << "  (void)weights;\n  (void)weights_bytes;\n";
    os << "  ctx->weights = "
       << (weights_.bytes.empty() ? std::string("NULL") : name_ + "_weights_data")
       << ";\n";
  }
  // The arena was planned with modelc's model of the kernels' scratch needs;
  // the kernels compiled here answer for themselves.
  for (const auto &[need, planned] : scratchChecks_)
    os << "  if (" << need << " > " << planned << ")\n"
       << "    return MODELC_ERROR_BUILD_MISMATCH;\n";
  os << "  ctx->arena = arena;\n"
     << "  ctx->parallel_for = NULL;\n  ctx->parallel_user = NULL;\n";
  if (!packCalls_.empty())
    os << "  " << name_ << "_pack_weights(ctx->weights, (unsigned char *)arena);\n";
  os << "  return MODELC_OK;\n}\n\n";
  os << "void " << name_ << "_set_parallel_for(" << name_
     << "_context *ctx, modelc_parallel_for_fn fn, void *user)\n{\n"
     << "  if (!ctx)\n    return;\n"
     << "  ctx->parallel_for = fn;\n  ctx->parallel_user = user;\n}\n\n";
  writeStatusStringFunction(os, name_);
}

void ArtifactWriter::emitRun(llvm::raw_ostream &os, const std::string &calls) {
  os << "modelc_status " << name_ << "_run(" << name_
     << "_context *ctx, const void *const inputs[],\n"
     << "    const size_t input_bytes[], void *const outputs[],\n"
     << "    const size_t output_bytes[])\n{\n";
  writeRunArgumentChecks(os, upper_, ports_);
  if (arenaBytes_ > 0)
    os << "  if (!ctx->arena)\n    return MODELC_ERROR_NULL_ARGUMENT;\n";
  os << "  {\n";
  if (usesExec_)
    os << "    const mk_exec exec = {ctx->parallel_for, ctx->parallel_user};\n";
  if (arenaBytes_ > 0)
    os << "    unsigned char *arena = (unsigned char *)ctx->arena;\n";
  if (!weights_.bytes.empty())
    os << "    const unsigned char *weights = ctx->weights;\n";
  writePortPointers(os, ports_, "    ", cElementType);
  os << calls;
  // Outputs not written by a dispatch: inputs, constants, or a value that
  // another output already holds.
  for (auto [i, port] : llvm::enumerate(ports_.outputs)) {
    if (ports_.isDirectOutput(i) || tensorBytes(port.value) == 0)
      continue;
    Value source = kernel::getViewSource(port.value);
    auto it = ports_.directOutputs.find(source);
    std::string from = it != ports_.directOutputs.end()
                           ? "outputs[" + std::to_string(it->second) + "]"
                           : pointers_.lookup(source);
    if (from.empty())
      from = "inputs[0]";
    os << "    memcpy(outputs[" << i << "], " << from << ", "
       << tensorBytes(port.value) << ");\n";
  }
  os << "  }\n  return MODELC_OK;\n}\n";
}

llvm::Error ArtifactWriter::emitSource(llvm::raw_ostream &os) {
  std::string dispatchCode, calls;
  std::set<RuntimeKernel> kernels;
  {
    llvm::raw_string_ostream functions(dispatchCode), call(calls);
    for (Operation &op : func_.getBody().front()) {
      auto dispatch = dyn_cast<kernel::DispatchOp>(op);
      if (!dispatch)
        continue;
      llvm::Expected<DispatchSignature> signature =
          emitDispatchFunction(dispatch, functions, kernels);
      if (!signature)
        return signature.takeError();
      call << "    " << dispatch.getName() << "(";
      std::vector<std::string> args;
      if (signature->usesExec) {
        args.push_back("&exec");
        usesExec_ = true;
      }
      for (Value input : dispatch.getInputs()) {
        std::string pointer = pointers_.lookup(input);
        if (pointer.empty())
          return llvm::createStringError("dispatch '" + dispatch.getName() +
                                         "' reads a value without memory");
        args.push_back(pointer);
      }
      for (Value result : dispatch.getResults())
        args.push_back(pointers_.lookup(result));
      if (signature->packedInput >= 0) {
        int64_t offset = dispatch.getResidentOffset().value_or(0);
        int64_t bytes = dispatch.getResidentBytes().value_or(0);
        std::string packed = "arena + " + std::to_string(offset);
        args.push_back(packed);
        scratchChecks_.push_back({signature->packedNeed, bytes});
        packCalls_ += "  " + dispatch.getName().str() + "_pack(&exec, " +
                      pointers_.lookup(dispatch.getInputs()[signature->packedInput]) +
                      ", " + packed + ");\n";
      }
      if (signature->usesScratch) {
        std::optional<int64_t> offset = dispatch.getScratchOffset();
        args.push_back(offset ? "arena + " + std::to_string(*offset) : "NULL");
        scratchChecks_.push_back(
            {signature->scratchNeed, dispatch.getScratchBytes().value_or(0)});
      }
      call << llvm::join(args, ", ") << ");\n";
    }
  }

  os << "/* " << name_ << ".c - generated by modelc from "
     << commentSafe(func_->getParentOfType<ModuleOp>()
                        ? llvm::StringRef("an ONNX model")
                        : llvm::StringRef("a module"))
     << " (--target=c). Do not edit.\n"
     << " * C99, freestanding: no allocation, no written globals, libm only. "
        "*/\n"
     << "#include \"" << name_ << ".h\"\n\n"
     << "#include <math.h>\n#include <string.h>\n\n";
  os << "/*==== modelc C runtime kernels (targets/C/runtime/kernels) ====*/\n"
     << getPreludeSource() << "\n";
  if (kernels.count(RuntimeKernel::Gemm))
    os << getGemmSource() << "\n";
  if (kernels.count(RuntimeKernel::Conv))
    os << getConvSource() << "\n";
  if (kernels.count(RuntimeKernel::QuantizedGemm))
    os << getQuantizedGemmSource() << "\n";
  if (kernels.count(RuntimeKernel::QuantizedConv))
    os << getQuantizedConvSource() << "\n";
  if (kernels.count(RuntimeKernel::Half))
    os << getHalfSource() << "\n";
  if (kernels.count(RuntimeKernel::HalfGemm))
    os << getHalfGemmSource() << "\n";
  if (kernels.count(RuntimeKernel::HalfConv))
    os << getHalfConvSource() << "\n";
  if (kernels.count(RuntimeKernel::Pool))
    os << getPoolSource() << "\n";
  if (kernels.count(RuntimeKernel::Norm))
    os << getNormSource() << "\n";
  os << "/*==== model ====*/\n\n";
  if (!weights_.bytes.empty() && options_.weights != WeightsFormat::External)
    os << "extern const unsigned char " << name_ << "_weights_data[];\n\n";
  writePortDescriptors(os, name_, "input", ports_.inputs);
  writePortDescriptors(os, name_, "output", ports_.outputs);
  os << dispatchCode;
  emitInit(os);
  emitRun(os, calls);
  os << "\n";
  writeShapedRunFunction(os, name_, upper_, ports_);
  return llvm::Error::success();
}

std::string ArtifactWriter::runnerSource() const {
  return writeRunnerPreamble(name_ + "_runner.c", name_, weights_.synthetic) +
         getRunnerSource().str() + getRunnerBindingSource().str();
}

llvm::Expected<Artifact> ArtifactWriter::run() {
  if (!func_->hasAttr(kernel::kArenaBytesAttr))
    return llvm::createStringError("the module has no memory plan; run the "
                                   "plan pipeline before emitting C");
  arenaBytes_ = func_->getAttrOfType<IntegerAttr>(kernel::kArenaBytesAttr)
                    .getInt();
  weights_ = codegen::layOutWeights(func_, kWeightsAlignment);
  func_.walk([&](kernel::DispatchOp dispatch) {
    packedBytes_ += dispatch.getResidentBytes().value_or(0);
  });
  if (llvm::Error err = assignPointers())
    return std::move(err);

  Artifact artifact;
  std::string header, source;
  llvm::raw_string_ostream headerOS(header), sourceOS(source);
  emitHeader(headerOS);
  if (llvm::Error err = emitSource(sourceOS))
    return std::move(err);
  artifact.files.push_back({name_ + ".h", header});
  artifact.files.push_back({name_ + ".c", source});
  artifact.files.push_back({name_ + "_runner.c", runnerSource()});
  if (llvm::Error err =
          appendWeightsFiles(artifact, name_, std::move(weights_.bytes), options_))
    return std::move(err);
  return artifact;
}

} // namespace
} // namespace modelc::c_target

namespace modelc {

llvm::Expected<Artifact> emitCArtifact(ModuleOp module,
                                       const CompileOptions &options) {
  llvm::Expected<func::FuncOp> func =
      codegen::getArtifactFunction(module, options.name);
  if (!func)
    return func.takeError();
  c_target::ArtifactWriter writer(*func, options);
  return writer.run();
}

} // namespace modelc
