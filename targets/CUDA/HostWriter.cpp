//===- HostWriter.cpp - The host code of a CUDA artifact ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The host half of <name>.cu, in the order it appears there: the context
// struct, destroy and create (the one device allocation, the weights upload,
// library plans and a warm-up run), the enqueue function that launches every
// dispatch on a stream, and run_device (which captures the enqueue function as
// a CUDA graph and replays it) and run (host buffers through device copies).
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "dialects/Kernel/IR/KernelOps.h"
#include "targets/Common/ArtifactAbi.h"
#include "targets/Common/WeightsWriter.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

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
     << "  const void *graph_inputs["
     << std::max<size_t>(ports_.inputs.size(), 1) << "];\n"
     << "  void *graph_outputs[" << std::max<size_t>(ports_.outputs.size(), 1)
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
  if (!weights_.bytes.empty() && !external)
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
     << "  " << name_ << "_context *ctx;\n";
  // A model without weights has no host copy to upload.
  bool hasWeights = !weights_.bytes.empty();
  if (hasWeights)
    os << "  const unsigned char *host_weights;\n";
  os << "  size_t workspace = 0;\n"
     << "  cudaError_t error;\n"
     << "  if (!out)\n    return MODELC_ERROR_NULL_ARGUMENT;\n"
     << "  *out = NULL;\n";
  if (external) {
    os << "  {\n"
       << "    const unsigned char *file = (const unsigned char *)weights;\n";
    writeExternalWeightsCheck(os, upper_, "    ");
    if (hasWeights)
      os << "    host_weights = file + " << kExternalWeightsHeaderBytes
         << ";\n";
    os << "  }\n";
  } else {
    os << "  (void)weights;\n  (void)weights_bytes;\n";
    if (hasWeights)
      os << "  host_weights = " << name_ << "_weights_data;\n";
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
  if (hasWeights)
    os << "  error = cudaMemcpyAsync(ctx->device + " << weightsOffset_
       << ", host_weights, " << upper_
       << "_WEIGHTS_BYTES, cudaMemcpyHostToDevice, ctx->own_stream);\n"
       << "  if (error != cudaSuccess) {\n"
       << "    " << name_ << "_destroy(ctx);\n"
       << "    return " << name_ << "_device_status(error);\n  }\n";
  // One eager run over zeroed staging buffers loads every kernel module and
  // lets the libraries initialize before any graph capture.
  std::string warmInputs, warmOutputs;
  for (int64_t offset : inputRunOffsets_)
    warmInputs += (warmInputs.empty() ? "" : ", ") +
                  std::string("ctx->device + ") + std::to_string(offset);
  for (int64_t offset : outputRunOffsets_)
    warmOutputs += (warmOutputs.empty() ? "" : ", ") +
                   std::string("ctx->device + ") + std::to_string(offset);
  os << "  {\n"
     << "    const void *warm_inputs["
     << std::max<size_t>(ports_.inputs.size(), 1) << "] = {"
     << (warmInputs.empty() ? "NULL" : warmInputs) << "};\n"
     << "    void *warm_outputs[" << std::max<size_t>(ports_.outputs.size(), 1)
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
  if (!weights_.bytes.empty())
    os << "  const unsigned char *weights = ctx->device + " << weightsOffset_
       << ";\n";
  writePortPointers(os, ports_, "  ", storageTypeName);
  os << calls;
  // Outputs not written by a dispatch: inputs, constants, or a value that
  // another output already holds.
  for (auto [i, port] : llvm::enumerate(ports_.outputs)) {
    if (ports_.isDirectOutput(i) || tensorBytes(port.value) == 0)
      continue;
    Value source = kernel::getViewSource(port.value);
    auto it = ports_.directOutputs.find(source);
    std::string from = it != ports_.directOutputs.end()
                           ? "output_" + std::to_string(it->second)
                           : pointers_.lookup(source);
    if (from.empty())
      from = "input_0";
    os << "  cudaMemcpyAsync(outputs[" << i << "], " << from << ", "
       << tensorBytes(port.value) << ", cudaMemcpyDeviceToDevice, stream);\n";
  }
  os << "  return 0;\n}\n\n";
}

void ArtifactWriter::emitRun(llvm::raw_ostream &os) {
  size_t numInputs = std::max<size_t>(ports_.inputs.size(), 1);
  size_t numOutputs = std::max<size_t>(ports_.outputs.size(), 1);

  os << "extern \"C\" modelc_status " << name_ << "_run_device(" << name_
     << "_context *ctx, struct CUstream_st *stream,\n"
     << "    const void *const inputs[], const size_t input_bytes[],\n"
     << "    void *const outputs[], const size_t output_bytes[])\n{\n";
  writeRunArgumentChecks(os, upper_, ports_);
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
  writeRunArgumentChecks(os, upper_, ports_);
  os << "  const void *device_inputs[" << numInputs << "] = {NULL};\n"
     << "  void *device_outputs[" << numOutputs << "] = {NULL};\n"
     << "  cudaStream_t stream = ctx->own_stream;\n"
     << "  modelc_status status;\n";
  for (auto [i, port] : llvm::enumerate(ports_.inputs))
    os << "  device_inputs[" << i << "] = ctx->device + "
       << inputRunOffsets_[i] << ";\n"
       << "  cudaMemcpyAsync((void *)device_inputs[" << i << "], inputs[" << i
       << "], " << tensorBytes(port.value)
       << ", cudaMemcpyHostToDevice, stream);\n";
  for (auto [i, offset] : llvm::enumerate(outputRunOffsets_))
    os << "  device_outputs[" << i << "] = ctx->device + " << offset << ";\n";
  os << "  status = " << name_
     << "_run_device(ctx, stream, device_inputs, input_bytes, "
        "device_outputs,\n"
     << "      output_bytes);\n"
     << "  if (status != MODELC_OK)\n    return status;\n";
  for (auto [i, port] : llvm::enumerate(ports_.outputs))
    os << "  cudaMemcpyAsync(outputs[" << i << "], device_outputs[" << i
       << "], " << tensorBytes(port.value)
       << ", cudaMemcpyDeviceToHost, stream);\n";
  os << "  return cudaStreamSynchronize(stream) == cudaSuccess ? MODELC_OK : "
        "MODELC_ERROR_DEVICE;\n}\n\n";
  writeShapedRunFunction(os, name_, upper_, ports_, "extern \"C\" ");
  os << "extern \"C\" ";
  writeStatusStringFunction(os, name_);
}

} // namespace modelc::cuda_target::detail
