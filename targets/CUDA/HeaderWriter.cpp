//===- HeaderWriter.cpp - The C API header of a CUDA artifact -------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// <name>.h: the memory contract, the ABI types shared with the C target, the
// sizes of the device allocation, the ports and the declarations of the C
// API.
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "targets/Common/ArtifactAbi.h"


using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

namespace {

/// The cap on the workspace a cuBLASLt or cuDNN plan may choose.
constexpr int64_t kMaxWorkspaceBytes = int64_t(64) << 20;

} // namespace

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
        "outputs\n * for " << name_ << "_run and the cuBLASLt/cuDNN "
        "workspace) and uploads the\n"
     << " * weights once; runs allocate nothing. The whole inference is "
        "replayed as one\n"
     << " * CUDA graph, captured on the first run with a given stream and "
        "buffers.\n"
     << " *\n"
     << " * Threads and streams: one context serves one stream at a time; "
        "use one\n"
     << " * context per concurrent stream. Contexts share nothing.\n"
     << " */\n";
  writeHeaderOpening(os, guard, upper_, options_.modelHash);
  os << "/* Device bytes of the intermediate tensors, inside the one "
        "allocation. */\n"
     << "#define " << upper_ << "_ARENA_BYTES ((size_t)" << arenaBytes_
     << ")\n"
     << "#define " << upper_ << "_ARENA_ALIGN " << options_.arenaAlignment
     << "\n"
     << "/* Bytes of the weights as stored: float weights in the compute "
        "precision. */\n"
     << "#define " << upper_ << "_WEIGHTS_BYTES ((size_t)" << weights_.bytes.size()
     << ")\n";
  writeWeightsFileMacros(os, name_, upper_, name_ + "_create",
                         static_cast<int64_t>(weights_.bytes.size()), external);
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
     << "#define " << upper_ << "_NUM_INPUTS " << ports_.inputs.size() << "\n"
     << "#define " << upper_ << "_NUM_OUTPUTS " << ports_.outputs.size()
     << "\n\n";
  writePortList(os, ports_);
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
     << " * " << name_
     << ".weights.bin (host memory, aligned to 64); "
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
     << "    const size_t output_bytes[]);\n\n";
  writeShapedRunDeclaration(os, name_);
  os << "/* 0 launches kernel by kernel instead of replaying a CUDA graph (for "
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

} // namespace modelc::cuda_target::detail
