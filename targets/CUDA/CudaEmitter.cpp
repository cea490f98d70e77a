//===- CudaEmitter.cpp - A planned module as a CUDA artifact --------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Writes <name>.h (the C API: create, destroy, run on device pointers, run on
// host buffers), <name>.cu (runtime helpers, one kernel set per dispatch, the
// host code that owns the one device allocation and replays the whole
// inference as a CUDA graph), the weights, <name>.cmake and the runner.
//
//===----------------------------------------------------------------------===//

#include "CudaTarget.h"

#include "KernelEmitter.h"
#include "RuntimeSources.h"
#include "targets/C/RuntimeSources.h"
#include "modelc/IR/TensorData.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/Passes.h"
#include "targets/Common/ArtifactAbi.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/PlannedPointers.h"
#include "targets/Common/WeightsWriter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target {
using namespace ::modelc::codegen;
namespace {

constexpr int64_t kWeightsAlignment = 256;
constexpr int64_t kDeviceAlignment = 256;
/// The cap on the workspace a cuBLASLt or cuDNN plan may choose.
constexpr int64_t kMaxWorkspaceBytes = int64_t(64) << 20;

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

const char *precisionName(Precision precision) {
  switch (precision) {
  case Precision::F16:
    return "fp16";
  case Precision::BF16:
    return "bf16";
  case Precision::F32:
    break;
  }
  return "fp32";
}

/// A tensor the caller passes in or receives.
struct Port {
  std::string onnxName;
  Value value;
  /// Element type of the caller's buffer: the IR's, where --io-precision
  /// was applied with the storage precision (kernel-convert-float-storage).
  Type ioElement;
  /// Device offset of the buffer that <name>_run copies host data through.
  int64_t hostRunOffset = 0;
};

class ArtifactWriter {
public:
  ArtifactWriter(func::FuncOp func, const CompileOptions &options)
      : func_(func), options_(options),
        name_(options.name), upper_(llvm::StringRef(options.name).upper()) {}

  llvm::Expected<Artifact> run();

private:
  void layOutWeights();
  llvm::Error assignPointers();
  void layOutDevice();
  std::string storageTypeName(Value value) const {
    return cuda_target::storageTypeName(
        cast<RankedTensorType>(value.getType()).getElementType());
  }
  int64_t storageBytes(Value value) const {
    auto type = cast<RankedTensorType>(value.getType());
    return type.getNumElements() *
           mlir::modelc::getElementByteWidth(type.getElementType());
  }
  int64_t ioBytes(const Port &port) const {
    return cast<RankedTensorType>(port.value.getType()).getNumElements() *
           mlir::modelc::getElementByteWidth(port.ioElement);
  }
  void emitHeader(llvm::raw_ostream &os);
  void emitDescriptors(llvm::raw_ostream &os, llvm::StringRef kind,
                       ArrayRef<Port> ports);
  llvm::Error emitSource(llvm::raw_ostream &os);
  void emitEnqueue(llvm::raw_ostream &os, const std::string &calls);
  void emitLifecycle(llvm::raw_ostream &os);
  void emitRun(llvm::raw_ostream &os);
  std::string cmakeFile() const;
  std::string runnerSource() const;
  std::vector<SyntheticWeightTensor> syntheticTensors_;
  std::string runnerCMakeLists() const;

  func::FuncOp func_;
  const CompileOptions &options_;
  std::string name_, upper_;
  SmallVector<Port> inputs_, outputs_;
  int64_t arenaBytes_ = 0;
  std::vector<char> weights_;
  llvm::DenseMap<Value, int64_t> weightOffsets_;
  SmallVector<Value> emptyConstants_;
  /// C expression of the device pointer to each value in the enqueue function.
  llvm::DenseMap<Value, std::string> pointers_;
  /// Output index each dispatch result writes into directly.
  llvm::DenseMap<Value, unsigned> directOutputs_;
  LibraryPlans plans_;
  /// Device layout: arena, weights, converted I/O, host-run I/O; the library
  /// workspace follows, sized at create time.
  int64_t weightsOffset_ = 0, fixedDeviceBytes_ = 0;
};

void ArtifactWriter::layOutWeights() {
  WeightsLayout layout = codegen::layOutWeights(func_, kWeightsAlignment);
  weights_ = std::move(layout.bytes);
  weightOffsets_ = std::move(layout.offsets);
  emptyConstants_ = std::move(layout.empty);
  syntheticTensors_ = std::move(layout.synthetic);
}

llvm::Error ArtifactWriter::assignPointers() {
  auto ioElementOf = [](Value value) {
    return cast<RankedTensorType>(value.getType()).getElementType();
  };
  for (auto [i, arg] : llvm::enumerate(func_.getArguments())) {
    auto name = func_.getArgAttrOfType<StringAttr>(i, "onnx.name");
    inputs_.push_back({name ? name.str() : "input_" + std::to_string(i), arg,
                       ioElementOf(arg)});
    pointers_[arg] = "input_" + std::to_string(i);
  }
  auto ret = cast<func::ReturnOp>(func_.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto name = func_.getResultAttrOfType<StringAttr>(i, "onnx.name");
    outputs_.push_back({name ? name.str() : "output_" + std::to_string(i),
                        value, ioElementOf(value)});
    Value source = kernel::getViewSource(value);
    if (isa_and_nonnull<kernel::DispatchOp>(source.getDefiningOp()) &&
        !directOutputs_.count(source))
      directOutputs_[source] = i;
  }
  auto typed = [&](Value value, bool isConst) {
    return std::string("(") + (isConst ? "const " : "") +
           storageTypeName(value) + " *)";
  };
  return assignPlannedPointers(func_, weightOffsets_, emptyConstants_,
                               directOutputs_, typed, pointers_);
}

void ArtifactWriter::layOutDevice() {
  int64_t offset = alignTo(arenaBytes_, kDeviceAlignment);
  weightsOffset_ = offset;
  offset = alignTo(offset + weights_.size(), kDeviceAlignment);
  for (Port *port : [&] {
         SmallVector<Port *> all;
         for (Port &p : inputs_)
           all.push_back(&p);
         for (Port &p : outputs_)
           all.push_back(&p);
         return all;
       }()) {
    port->hostRunOffset = offset;
    offset = alignTo(offset + ioBytes(*port), kDeviceAlignment);
  }
  fixedDeviceBytes_ = offset;
}

void ArtifactWriter::emitHeader(llvm::raw_ostream &os) {
  std::string guard = upper_ + "_H";
  bool external = options_.weights == WeightsFormat::External;
  os << "/* " << name_ << ".h - C API of a model compiled by modelc "
     << "(--target=cuda).\n"
     << " *\n"
     << " * Generated; do not edit. Memory contract: " << name_
     << "_create makes one device\n"
     << " * allocation (" << name_ << "_device_bytes: the "
     << upper_ << "_ARENA_BYTES arena of every\n"
     << " * intermediate tensor, the weights, device copies of the inputs and "
        "outputs\n * for " << name_ << "_run and the"
     << " * cuBLASLt/cuDNN workspace) and uploads the weights once; runs "
        "allocate\n"
     << " * nothing. The whole inference is replayed as one CUDA graph, "
        "captured on the\n"
     << " * first run with a given stream and buffers.\n"
     << " *\n"
     << " * Threads and streams: one context serves one stream at a time; "
        "use one\n"
     << " * context per concurrent stream. Contexts share nothing.\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stddef.h>\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  writeAbiTypes(os);
  os << "#define " << upper_ << "_ABI_VERSION 1\n"
     << "/* FNV-1a hash of the model file and of the flags that shaped this "
        "artifact. */\n"
     << "#define " << upper_ << "_MODEL_HASH UINT64_C(0x"
     << llvm::format_hex_no_prefix(options_.modelHash, 16) << ")\n"
     << "/* Device bytes of the intermediate tensors, inside the one "
        "allocation. */\n"
     << "#define " << upper_ << "_ARENA_BYTES ((size_t)" << arenaBytes_
     << ")\n"
     << "#define " << upper_ << "_ARENA_ALIGN " << options_.arenaAlignment
     << "\n"
     << "/* Bytes of the weights as stored: float weights in the compute "
        "precision. */\n"
     << "#define " << upper_ << "_WEIGHTS_BYTES ((size_t)" << weights_.size()
     << ")\n"
     << "/* 1: the caller loads " << name_ << ".weights.bin and passes it to "
     << name_ << "_create. */\n"
     << "#define " << upper_ << "_WEIGHTS_EXTERNAL " << (external ? 1 : 0)
     << "\n";
  if (external)
    os << "/* Size of " << name_ << ".weights.bin: a 64-byte header, then the "
       << "weights. */\n"
       << "#define " << upper_ << "_WEIGHTS_FILE_BYTES ((size_t)"
       << kExternalWeightsHeaderBytes + static_cast<int64_t>(weights_.size())
       << ")\n";
  bool libraries = !plans_.gemms.empty() || !plans_.convs.empty();
  os << "/* The one device allocation, exactly: " << upper_
     << "_DEVICE_FIXED_BYTES (arena,\n"
     << " * weights, device copies for " << name_
     << "_run) plus the cuBLASLt/cuDNN workspace\n"
     << " * the plans choose at create time, at most " << upper_
     << "_MAX_WORKSPACE_BYTES. */\n"
     << "#define " << upper_ << "_DEVICE_FIXED_BYTES ((size_t)"
     << fixedDeviceBytes_ << ")\n"
     << "#define " << upper_ << "_MAX_WORKSPACE_BYTES ((size_t)"
     << (libraries ? kMaxWorkspaceBytes : 0) << ")\n";
  os << "/* Storage and matrix-product precision of float tensors. */\n"
     << "#define " << upper_ << "_PRECISION \""
     << precisionName(options_.precision) << "\"\n"
     << "#define " << upper_ << "_NUM_INPUTS " << inputs_.size() << "\n"
     << "#define " << upper_ << "_NUM_OUTPUTS " << outputs_.size() << "\n\n";
  os << "/* Inputs:\n";
  for (auto [i, port] : llvm::enumerate(inputs_))
    os << " *   " << i << ": " << commentSafe(port.onnxName) << " "
       << shapeComment(port.value) << "\n";
  os << " * Outputs:\n";
  for (auto [i, port] : llvm::enumerate(outputs_))
    os << " *   " << i << ": " << commentSafe(port.onnxName) << " "
       << shapeComment(port.value) << "\n";
  os << " * Float inputs and outputs are exchanged as "
     << precisionName(options_.ioPrecision) << " (--io-precision).\n */\n"
     << "extern const modelc_tensor_desc " << name_ << "_inputs[];\n"
     << "extern const modelc_tensor_desc " << name_ << "_outputs[];\n\n";
  os << "/* The context: device memory, library handles, the captured graph. "
        "*/\n"
     << "typedef struct " << name_ << "_context " << name_ << "_context;\n\n"
     << "/* A CUDA stream (cudaStream_t); NULL is the legacy default stream. "
        "*/\n"
     << "struct CUstream_st;\n\n"
     << "/* Creates a context on the current device: makes the one device "
        "allocation\n"
     << " * and uploads the weights. For external weights pass the contents "
        "of\n"
     << " * " << name_ << ".weights.bin (host memory, aligned to 64); "
        "embedded weights: NULL, 0. */\n"
     << "modelc_status " << name_ << "_create(" << name_
     << "_context **ctx, const void *weights,\n    size_t weights_bytes);\n\n"
     << "/* Frees the context and its device memory. NULL is ignored. */\n"
     << "void " << name_ << "_destroy(" << name_ << "_context *ctx);\n\n"
     << "/* Enqueues one inference on `stream`; inputs[i] / outputs[i] are "
        "device\n"
     << " * buffers of exactly " << name_ << "_inputs[i].bytes / " << name_
     << "_outputs[i].bytes bytes. Returns\n"
     << " * once the work is enqueued: synchronize `stream` before reading "
        "outputs.\n"
     << " * The first run with a stream and set of buffers captures a CUDA "
        "graph; later\n"
     << " * runs with the same ones replay it. The legacy default stream "
        "(NULL) cannot be\n"
     << " * captured: runs on it launch kernel by kernel. */\n"
     << "modelc_status " << name_ << "_run_device(" << name_
     << "_context *ctx, struct CUstream_st *stream,\n"
     << "    const void *const inputs[], const size_t input_bytes[],\n"
     << "    void *const outputs[], const size_t output_bytes[]);\n\n"
     << "/* Runs one inference on host buffers and waits for it: copies in, "
        "runs on the\n"
     << " * context's own stream, copies out. */\n"
     << "modelc_status " << name_ << "_run(" << name_
     << "_context *ctx, const void *const inputs[],\n"
     << "    const size_t input_bytes[], void *const outputs[],\n"
     << "    const size_t output_bytes[]);\n\n"
     << "/* 0 launches kernel by kernel instead of replaying a CUDA graph (for "
        "debugging\n"
     << " * and profiling); 1, the default, uses graphs. */\n"
     << "void " << name_ << "_set_cuda_graphs(" << name_
     << "_context *ctx, int enabled);\n\n"
     << "/* Bytes of the context's one device allocation. */\n"
     << "size_t " << name_ << "_device_bytes(const " << name_
     << "_context *ctx);\n\n"
     << "/* A short English description of a status. */\n"
     << "const char *" << name_ << "_status_string(modelc_status status);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}

void ArtifactWriter::emitDescriptors(llvm::raw_ostream &os,
                                     llvm::StringRef kind,
                                     ArrayRef<Port> ports) {
  SmallVector<TensorPort> described;
  for (const Port &port : ports)
    described.push_back(
        {port.onnxName, port.ioElement,
         cast<RankedTensorType>(port.value.getType()).getShape(),
         ioBytes(port)});
  writeTensorDescriptors(os, name_, kind, described, "extern \"C\" ");
}

void ArtifactWriter::emitEnqueue(llvm::raw_ostream &os,
                                 const std::string &calls) {
  os << "/* Enqueues the whole inference on `stream`: every dispatch, "
        "conversions\n"
     << " * between the caller's and the stored types included. 0, or -1 when "
        "a library\n * call failed. */\n"
     << "static int " << name_ << "_enqueue(" << name_
     << "_context *ctx, cudaStream_t stream,\n"
     << "    const void *const inputs[], void *const outputs[])\n{\n";
  if (arenaBytes_ > 0)
    os << "  unsigned char *arena = ctx->device;\n";
  if (!weights_.empty())
    os << "  const unsigned char *weights = ctx->device + " << weightsOffset_
       << ";\n";
  for (auto [i, port] : llvm::enumerate(inputs_)) {
    if (port.value.use_empty())
      continue;
    std::string type = storageTypeName(port.value);
    os << "  const " << type << " *input_" << i << " = (const " << type
       << " *)inputs[" << i << "];\n";
  }
  for (auto [i, port] : llvm::enumerate(outputs_)) {
    Value source = kernel::getViewSource(port.value);
    auto it = directOutputs_.find(source);
    if (it == directOutputs_.end() || it->second != i)
      continue;
    std::string type = storageTypeName(port.value);
    os << "  " << type << " *output_" << i << " = (" << type << " *)outputs["
       << i << "];\n";
  }
  os << calls;
  for (auto [i, port] : llvm::enumerate(outputs_)) {
    if (tensorBytes(port.value) == 0)
      continue;
    Value source = kernel::getViewSource(port.value);
    auto it = directOutputs_.find(source);
    bool direct = it != directOutputs_.end() && it->second == i;
    std::string out = "outputs[" + std::to_string(i) + "]";
    std::string from;
    if (direct)
      from = "output_" + std::to_string(i);
    else if (it != directOutputs_.end())
      from = "output_" + std::to_string(it->second);
    else
      from = pointers_.lookup(source);
    if (from.empty())
      from = "input_0";
    if (direct)
      continue;
    os << "  cudaMemcpyAsync(" << out << ", " << from << ", "
       << storageBytes(port.value)
       << ", cudaMemcpyDeviceToDevice, stream);\n";
  }
  os << "  return 0;\n}\n\n";
}

void ArtifactWriter::emitLifecycle(llvm::raw_ostream &os) {
  bool external = options_.weights == WeightsFormat::External;
  size_t gemms = plans_.gemms.size(), convs = plans_.convs.size();
  bool libraries = gemms + convs > 0;
  os << "struct " << name_ << "_context {\n"
     << "  unsigned char *device; /* the one allocation */\n"
     << "  size_t device_bytes;\n"
     << "  void *workspace; /* library workspace, at the end of device */\n"
     << "  cudaStream_t own_stream; /* for " << name_ << "_run */\n";
  if (libraries)
    os << "  mc_libraries libraries;\n";
  if (gemms)
    os << "  mc_gemm_plan gemm[" << gemms << "];\n";
  if (convs)
    os << "  mc_conv_plan conv[" << convs << "];\n";
  os << "  int use_graphs;\n"
     << "  cudaGraphExec_t graph; /* replays the buffers and stream below */\n"
     << "  cudaStream_t graph_stream;\n"
     << "  const void *graph_inputs[" << std::max<size_t>(inputs_.size(), 1)
     << "];\n"
     << "  void *graph_outputs[" << std::max<size_t>(outputs_.size(), 1)
     << "];\n"
     << "};\n\n";

  if (gemms) {
    os << "static const mc_gemm_shape " << name_ << "_gemm_shapes[" << gemms
       << "] = {\n";
    for (const std::string &shape : plans_.gemms)
      os << "    " << shape << ",\n";
    os << "};\n";
  }
  if (convs) {
    os << "static const mc_conv_shape " << name_ << "_conv_shapes[" << convs
       << "] = {\n";
    for (const std::string &shape : plans_.convs)
      os << "    " << shape << ",\n";
    os << "};\n";
  }
  if (!weights_.empty() && !external)
    os << "extern \"C\" const unsigned char " << name_
       << "_weights_data[];\n";
  os << "\n";

  os << "extern \"C\" void " << name_ << "_destroy(" << name_
     << "_context *ctx)\n{\n"
     << "  if (!ctx)\n    return;\n"
     << "  if (ctx->graph)\n    cudaGraphExecDestroy(ctx->graph);\n";
  if (gemms)
    os << "  for (int i = 0; i < " << gemms << "; ++i)\n"
       << "    mc_gemm_plan_destroy(&ctx->gemm[i]);\n";
  if (convs)
    os << "  for (int i = 0; i < " << convs << "; ++i)\n"
       << "    mc_conv_plan_destroy(&ctx->conv[i]);\n";
  if (libraries)
    os << "  mc_libraries_destroy(&ctx->libraries);\n";
  os << "  if (ctx->own_stream)\n    cudaStreamDestroy(ctx->own_stream);\n"
     << "  cudaFree(ctx->device);\n"
     << "  free(ctx);\n}\n\n";

  os << "static int " << name_ << "_enqueue(" << name_
     << "_context *ctx, cudaStream_t stream,\n"
     << "    const void *const inputs[], void *const outputs[]);\n\n";
  os << "static modelc_status " << name_
     << "_device_status(cudaError_t error)\n{\n"
     << "  return error == cudaErrorMemoryAllocation ? "
        "MODELC_ERROR_OUT_OF_MEMORY : MODELC_ERROR_DEVICE;\n}\n\n";

  os << "extern \"C\" modelc_status " << name_ << "_create(" << name_
     << "_context **out, const void *weights,\n    size_t weights_bytes)\n{\n"
     << "  " << name_ << "_context *ctx;\n"
     << "  const unsigned char *host_weights;\n"
     << "  size_t workspace = 0;\n"
     << "  cudaError_t error;\n"
     << "  if (!out)\n    return MODELC_ERROR_NULL_ARGUMENT;\n"
     << "  *out = NULL;\n";
  if (external) {
    os << "  {\n"
       << "    const unsigned char *file = (const unsigned char *)weights;\n";
    writeExternalWeightsCheck(os, upper_, "    ");
    os << "    host_weights = file + " << kExternalWeightsHeaderBytes << ";\n"
       << "  }\n";
  } else {
    os << "  (void)weights;\n  (void)weights_bytes;\n"
       << "  host_weights = "
       << (weights_.empty() ? std::string("NULL") : name_ + "_weights_data")
       << ";\n";
  }
  os << "  ctx = (" << name_ << "_context *)calloc(1, sizeof *ctx);\n"
     << "  if (!ctx)\n    return MODELC_ERROR_OUT_OF_MEMORY;\n"
     << "  ctx->use_graphs = 1;\n"
     << "  error = cudaStreamCreateWithFlags(&ctx->own_stream, "
        "cudaStreamNonBlocking);\n"
     << "  if (error != cudaSuccess) {\n"
     << "    " << name_ << "_destroy(ctx);\n"
     << "    return " << name_ << "_device_status(error);\n  }\n";
  if (libraries) {
    // Plans choose algorithms within a workspace cap; the allocation then
    // holds the largest workspace any of them chose.
    os << "  if (mc_libraries_create(&ctx->libraries, " << (gemms ? 1 : 0)
       << ", " << (convs ? 1 : 0) << ") != 0) {\n"
       << "    " << name_ << "_destroy(ctx);\n"
       << "    return MODELC_ERROR_DEVICE;\n  }\n";
    if (gemms)
      os << "  for (int i = 0; i < " << gemms << "; ++i) {\n"
         << "    if (mc_gemm_plan_init(&ctx->gemm[i], &ctx->libraries, &"
         << name_ << "_gemm_shapes[i], MC_MAX_WORKSPACE) != 0) {\n"
         << "      " << name_ << "_destroy(ctx);\n"
         << "      return MODELC_ERROR_DEVICE;\n    }\n"
         << "    if (ctx->gemm[i].workspace > workspace)\n"
         << "      workspace = ctx->gemm[i].workspace;\n  }\n";
    if (convs)
      os << "  for (int i = 0; i < " << convs << "; ++i) {\n"
         << "    if (mc_conv_plan_init(&ctx->conv[i], &ctx->libraries, &"
         << name_ << "_conv_shapes[i], MC_MAX_WORKSPACE) != 0) {\n"
         << "      " << name_ << "_destroy(ctx);\n"
         << "      return MODELC_ERROR_DEVICE;\n    }\n"
         << "    if (ctx->conv[i].workspace > workspace)\n"
         << "      workspace = ctx->conv[i].workspace;\n  }\n";
  }
  os << "  ctx->device_bytes = " << fixedDeviceBytes_ << " + workspace;\n"
     << "  error = cudaMalloc((void **)&ctx->device, ctx->device_bytes);\n"
     << "  if (error != cudaSuccess) {\n"
     << "    ctx->device = NULL;\n"
     << "    " << name_ << "_destroy(ctx);\n"
     << "    return " << name_ << "_device_status(error);\n  }\n"
     << "  ctx->workspace = workspace ? ctx->device + " << fixedDeviceBytes_
     << " : NULL;\n"
     // On own_stream, not the legacy stream: own_stream is non-blocking, so
     // the legacy stream would not order this before the warm-up's kernels.
     << "  error = cudaMemsetAsync(ctx->device, 0, " << fixedDeviceBytes_
     << ", ctx->own_stream);\n"
     << "  if (error != cudaSuccess) {\n"
     << "    " << name_ << "_destroy(ctx);\n"
     << "    return " << name_ << "_device_status(error);\n  }\n";
  if (!weights_.empty())
    os << "  error = cudaMemcpyAsync(ctx->device + " << weightsOffset_
       << ", host_weights, " << upper_
       << "_WEIGHTS_BYTES, cudaMemcpyHostToDevice, ctx->own_stream);\n"
       << "  if (error != cudaSuccess) {\n"
       << "    " << name_ << "_destroy(ctx);\n"
       << "    return " << name_ << "_device_status(error);\n  }\n";
  else
    os << "  (void)host_weights;\n";
  // One eager run over zeroed staging buffers loads every kernel module and
  // lets the libraries initialize before any graph capture.
  std::string warmInputs, warmOutputs;
  for (const Port &port : inputs_)
    warmInputs += (warmInputs.empty() ? "" : ", ") +
                  std::string("ctx->device + ") +
                  std::to_string(port.hostRunOffset);
  for (const Port &port : outputs_)
    warmOutputs += (warmOutputs.empty() ? "" : ", ") +
                   std::string("ctx->device + ") +
                   std::to_string(port.hostRunOffset);
  os << "  {\n"
     << "    const void *warm_inputs[" << std::max<size_t>(inputs_.size(), 1)
     << "] = {" << (warmInputs.empty() ? "NULL" : warmInputs) << "};\n"
     << "    void *warm_outputs[" << std::max<size_t>(outputs_.size(), 1)
     << "] = {" << (warmOutputs.empty() ? "NULL" : warmOutputs) << "};\n"
     << "    if (" << name_
     << "_enqueue(ctx, ctx->own_stream, warm_inputs, warm_outputs) != 0 ||\n"
     << "        cudaStreamSynchronize(ctx->own_stream) != cudaSuccess ||\n"
     << "        cudaGetLastError() != cudaSuccess) {\n"
     << "      " << name_ << "_destroy(ctx);\n"
     << "      return MODELC_ERROR_DEVICE;\n    }\n  }\n";
  os << "  *out = ctx;\n  return MODELC_OK;\n}\n\n";

  os << "extern \"C\" void " << name_ << "_set_cuda_graphs(" << name_
     << "_context *ctx, int enabled)\n{\n"
     << "  if (!ctx)\n    return;\n"
     << "  ctx->use_graphs = enabled != 0;\n"
     << "  if (!ctx->use_graphs && ctx->graph) {\n"
     << "    cudaGraphExecDestroy(ctx->graph);\n"
     << "    ctx->graph = NULL;\n  }\n}\n\n"
     << "extern \"C\" size_t " << name_ << "_device_bytes(const " << name_
     << "_context *ctx)\n{\n"
     << "  return ctx ? ctx->device_bytes : 0;\n}\n\n";
}

void ArtifactWriter::emitRun(llvm::raw_ostream &os) {
  auto checkPorts = [&](llvm::StringRef array, llvm::StringRef sizes,
                        ArrayRef<Port> ports) {
    for (auto [i, port] : llvm::enumerate(ports)) {
      // A zero-byte tensor is never read or written, so its pointer may be
      // NULL, as malloc(0) and cudaMalloc(0) may give.
      if (ioBytes(port) != 0)
        os << "  if (!" << array << "[" << i << "])\n"
           << "    return MODELC_ERROR_NULL_ARGUMENT;\n";
      os << "  if (" << sizes << "[" << i << "] != " << ioBytes(port)
         << ")\n    return MODELC_ERROR_SIZE_MISMATCH;\n";
      int64_t align = mlir::modelc::getElementByteWidth(port.ioElement);
      if (align > 1)
        os << "  if ((uintptr_t)" << array << "[" << i << "] % " << align
           << " != 0)\n    return MODELC_ERROR_MISALIGNED;\n";
    }
  };
  auto checkArguments = [&] {
    os << "  if (!ctx || (" << upper_ << "_NUM_INPUTS > 0 && (!inputs || "
       << "!input_bytes)) || !outputs || !output_bytes)\n"
       << "    return MODELC_ERROR_NULL_ARGUMENT;\n";
    checkPorts("inputs", "input_bytes", inputs_);
    checkPorts("outputs", "output_bytes", outputs_);
  };
  size_t numInputs = std::max<size_t>(inputs_.size(), 1);
  size_t numOutputs = std::max<size_t>(outputs_.size(), 1);

  os << "extern \"C\" modelc_status " << name_ << "_run_device(" << name_
     << "_context *ctx, struct CUstream_st *stream,\n"
     << "    const void *const inputs[], const size_t input_bytes[],\n"
     << "    void *const outputs[], const size_t output_bytes[])\n{\n";
  checkArguments();
  os << "  if (!ctx->use_graphs || stream == NULL) {\n"
     << "    if (" << name_ << "_enqueue(ctx, stream, inputs, outputs) != 0)\n"
     << "      return MODELC_ERROR_DEVICE;\n"
     << "    return cudaGetLastError() == cudaSuccess ? MODELC_OK : "
        "MODELC_ERROR_DEVICE;\n"
     << "  }\n"
     << "  int same = ctx->graph != NULL && ctx->graph_stream == stream;\n"
     << "  for (int i = 0; same && i < " << upper_ << "_NUM_INPUTS; ++i)\n"
     << "    same = ctx->graph_inputs[i] == inputs[i];\n"
     << "  for (int i = 0; same && i < " << upper_ << "_NUM_OUTPUTS; ++i)\n"
     << "    same = ctx->graph_outputs[i] == outputs[i];\n"
     << "  if (!same) {\n"
     << "    cudaGraph_t graph;\n"
     << "    int failed;\n"
     << "    cudaError_t error;\n"
     << "    if (ctx->graph) {\n"
     << "      cudaGraphExecDestroy(ctx->graph);\n"
     << "      ctx->graph = NULL;\n    }\n"
     << "    if (cudaStreamBeginCapture(stream, "
        "cudaStreamCaptureModeThreadLocal) != cudaSuccess)\n"
     << "      return MODELC_ERROR_DEVICE;\n"
     << "    failed = " << name_ << "_enqueue(ctx, stream, inputs, outputs);\n"
     << "    error = cudaStreamEndCapture(stream, &graph);\n"
     << "    if (error != cudaSuccess)\n      return MODELC_ERROR_DEVICE;\n"
     << "    if (failed) {\n"
     << "      cudaGraphDestroy(graph);\n"
     << "      return MODELC_ERROR_DEVICE;\n    }\n"
     << "    error = cudaGraphInstantiate(&ctx->graph, graph, 0);\n"
     << "    cudaGraphDestroy(graph);\n"
     << "    if (error != cudaSuccess) {\n"
     << "      ctx->graph = NULL;\n"
     << "      return " << name_ << "_device_status(error);\n    }\n"
     << "    ctx->graph_stream = stream;\n"
     << "    for (int i = 0; i < " << upper_ << "_NUM_INPUTS; ++i)\n"
     << "      ctx->graph_inputs[i] = inputs[i];\n"
     << "    for (int i = 0; i < " << upper_ << "_NUM_OUTPUTS; ++i)\n"
     << "      ctx->graph_outputs[i] = outputs[i];\n"
     << "  }\n"
     << "  return cudaGraphLaunch(ctx->graph, stream) == cudaSuccess ? "
        "MODELC_OK : MODELC_ERROR_DEVICE;\n}\n\n";

  os << "extern \"C\" modelc_status " << name_ << "_run(" << name_
     << "_context *ctx, const void *const inputs[],\n"
     << "    const size_t input_bytes[], void *const outputs[],\n"
     << "    const size_t output_bytes[])\n{\n";
  checkArguments();
  os << "  const void *device_inputs[" << numInputs << "] = {NULL};\n"
     << "  void *device_outputs[" << numOutputs << "] = {NULL};\n"
     << "  cudaStream_t stream = ctx->own_stream;\n"
     << "  modelc_status status;\n";
  for (auto [i, port] : llvm::enumerate(inputs_))
    os << "  device_inputs[" << i << "] = ctx->device + " << port.hostRunOffset
       << ";\n"
       << "  cudaMemcpyAsync((void *)device_inputs[" << i << "], inputs[" << i
       << "], " << ioBytes(port) << ", cudaMemcpyHostToDevice, stream);\n";
  for (auto [i, port] : llvm::enumerate(outputs_))
    os << "  device_outputs[" << i << "] = ctx->device + "
       << port.hostRunOffset << ";\n";
  os << "  status = " << name_
     << "_run_device(ctx, stream, device_inputs, input_bytes, "
        "device_outputs,\n"
     << "      output_bytes);\n"
     << "  if (status != MODELC_OK)\n    return status;\n";
  for (auto [i, port] : llvm::enumerate(outputs_))
    os << "  cudaMemcpyAsync(outputs[" << i << "], device_outputs[" << i
       << "], " << ioBytes(port) << ", cudaMemcpyDeviceToHost, stream);\n";
  os << "  return cudaStreamSynchronize(stream) == cudaSuccess ? MODELC_OK : "
        "MODELC_ERROR_DEVICE;\n}\n\n";
  os << "extern \"C\" ";
  writeStatusStringFunction(os, name_);
}

llvm::Error ArtifactWriter::emitSource(llvm::raw_ostream &os) {
  // Every dispatch the target cannot compile, reported at once.
  std::vector<std::string> unsupported;
  for (auto dispatch : func_.getBody().getOps<kernel::DispatchOp>()) {
    std::string reason = unsupportedReason(dispatch);
    if (reason.empty())
      continue;
    std::vector<std::string> names = onnxNodeNames(dispatch.getLoc());
    unsupported.push_back(
        (names.empty() ? dispatch.getName().str() : "node '" + names.front() + "'") +
        ": " + reason);
  }
  if (!unsupported.empty())
    return llvm::createStringError(
        std::to_string(unsupported.size()) + " dispatch" +
        (unsupported.size() == 1 ? "" : "es") +
        " cannot be compiled for the cuda target: " +
        llvm::join(unsupported, "; "));

  std::string device, host, calls;
  llvm::raw_string_ostream call(calls);
  for (auto dispatch : func_.getBody().getOps<kernel::DispatchOp>()) {
    llvm::Expected<DispatchCode> code = emitDispatchKernels(
        dispatch, name_ + "_context", options_.allowTf32, plans_);
    if (!code)
      return code.takeError();
    device += code->device;
    host += code->host;
    std::vector<std::string> args;
    for (Value input : dispatch.getInputs()) {
      std::string pointer = pointers_.lookup(input);
      if (pointer.empty())
        return llvm::createStringError("dispatch '" + dispatch.getName() +
                                       "' reads a value without memory");
      args.push_back(pointer);
    }
    for (Value result : dispatch.getResults())
      args.push_back(pointers_.lookup(result));
    call << "  if (" << dispatch.getName() << "(ctx, stream, "
         << llvm::join(args, ", ") << ") != 0)\n    return -1;\n";
  }

  os << "/* " << name_ << ".cu - generated by modelc from an ONNX model "
     << "(--target=cuda,\n * --precision=" << precisionName(options_.precision)
     << "). Do not edit. Builds with nvcc from the CUDA toolkit. */\n"
     << "#include \"" << name_ << ".h\"\n\n"
     << "#include <cuda_runtime.h>\n#include <cuda_fp16.h>\n"
     << "#include <cuda_bf16.h>\n\n"
     << "#include <math.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
     << "/*==== modelc CUDA runtime (targets/CUDA/runtime) ====*/\n"
     << getCudaPreludeSource() << "\n";
  if (!plans_.gemms.empty() || !plans_.convs.empty())
    os << "/* Largest library workspace a plan may choose. */\n"
       << "#define MC_MAX_WORKSPACE " << upper_ << "_MAX_WORKSPACE_BYTES\n\n"
       << getCudaLibraryShapesSource() << "\n"
       << getCudaLibrariesSource() << "\n";
  os << "/*==== model ====*/\n\n";
  emitDescriptors(os, "input", inputs_);
  emitDescriptors(os, "output", outputs_);
  os << device;
  emitLifecycle(os);
  os << host;
  emitEnqueue(os, calls);
  emitRun(os);
  return llvm::Error::success();
}

std::string ArtifactWriter::cmakeFile() const {
  std::string text =
      "# " + name_ + ".cmake - what the CUDA artifact " + name_ +
      " links against (generated by modelc).\n"
      "# include() it, then link the object (--emit=obj) or add " + name_ +
      ".cu to a CUDA target\n"
      "# and link ${" + upper_ + "_LIBRARIES}.\n"
      "find_package(CUDAToolkit REQUIRED)\n"
      "set(" + upper_ + "_LIBRARIES CUDA::cudart";
  if (!plans_.gemms.empty())
    text += " CUDA::cublasLt";
  text += ")\n";
  if (!plans_.convs.empty())
    text += "find_library(" + upper_ +
            "_CUDNN cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} REQUIRED)\n"
            "list(APPEND " + upper_ + "_LIBRARIES ${" + upper_ + "_CUDNN})\n";
  text += "set(" + upper_ + "_CUDA_ARCHITECTURES \"";
  SmallVector<llvm::StringRef> archs;
  llvm::StringRef(options_.gpuArchs).split(archs, ',');
  for (auto [i, arch] : llvm::enumerate(archs))
    text += (i ? ";" : "") + arch.drop_front(3).str();
  text += "\")\n";
  return text;
}

std::string ArtifactWriter::runnerSource() const {
  return writeRunnerPreamble(name_ + "_runner.cu", name_, syntheticTensors_) +
         c_target::getRunnerSource().str() +
         getCudaRunnerBindingSource().str();
}

std::string ArtifactWriter::runnerCMakeLists() const {
  bool embeddedWeights =
      options_.weights == WeightsFormat::Object && !weights_.empty();
  std::string text =
      "# Builds " + name_ + "_runner with the CUDA toolkit alone (generated "
      "by modelc):\n"
      "#   cmake -S . -B build && cmake --build build\n"
      "cmake_minimum_required(VERSION 3.24)\n"
      "project(" + name_ + "_runner LANGUAGES C CXX CUDA)\n"
      "include(${CMAKE_CURRENT_SOURCE_DIR}/" + name_ + ".cmake)\n"
      "add_executable(" + name_ + "_runner " + name_ + ".cu " + name_ +
      "_runner.cu";
  if (embeddedWeights)
    text += " " + name_ + "_weights.o";
  else if (options_.weights == WeightsFormat::CArray && !weights_.empty())
    text += " " + name_ + "_weights.c";
  text += ")\n"
          "set_target_properties(" + name_ +
          "_runner PROPERTIES CUDA_ARCHITECTURES \"${" + upper_ +
          "_CUDA_ARCHITECTURES}\")\n"
          "target_link_libraries(" + name_ + "_runner PRIVATE ${" + upper_ +
          "_LIBRARIES})\n";
  return text;
}

llvm::Expected<Artifact> ArtifactWriter::run() {
  if (!func_->hasAttr(kernel::kArenaBytesAttr))
    return llvm::createStringError("the module has no memory plan; run the "
                                   "plan pipeline before emitting CUDA");
  arenaBytes_ =
      func_->getAttrOfType<IntegerAttr>(kernel::kArenaBytesAttr).getInt();
  layOutWeights();
  if (llvm::Error err = assignPointers())
    return std::move(err);
  layOutDevice();

  Artifact artifact;
  std::string header, source;
  llvm::raw_string_ostream headerOS(header), sourceOS(source);
  if (llvm::Error err = emitSource(sourceOS))
    return std::move(err);
  emitHeader(headerOS);
  artifact.files.push_back({name_ + ".h", header});
  artifact.files.push_back({name_ + ".cu", source});
  artifact.files.push_back({name_ + ".cmake", cmakeFile()});
  artifact.files.push_back({name_ + "_runner.cu", runnerSource()});
  artifact.files.push_back({"CMakeLists.txt", runnerCMakeLists()});
  if (llvm::Error err =
          appendWeightsFiles(artifact, name_, std::move(weights_), options_))
    return std::move(err);
  return artifact;
}

} // namespace
} // namespace modelc::cuda_target

namespace modelc {

llvm::Expected<Artifact> emitCudaArtifact(ModuleOp module,
                                          const CompileOptions &options) {
  llvm::Expected<func::FuncOp> func =
      codegen::getArtifactFunction(module, options.name);
  if (!func)
    return func.takeError();
  cuda_target::ArtifactWriter writer(*func, options);
  return writer.run();
}

} // namespace modelc
