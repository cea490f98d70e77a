//===- CompileOptions.h - Options every compile phase reads -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_PIPELINES_COMPILEOPTIONS_H
#define MODELC_PIPELINES_COMPILEOPTIONS_H

#include <cstdint>
#include <string>

namespace modelc {

/// How the C target stores the weights.
enum class WeightsFormat {
  Object,   ///< an object file written directly by LLVM (the default)
  CArray,   ///< a C array in a source file, for small models
  External, ///< a .bin file the caller loads and passes in
};

/// The type float tensors are stored and multiplied in (GPU targets).
enum class Precision { F32, F16, BF16 };

struct CompileOptions {
  /// Target plugin name: c, cuda, rocm, metal.
  std::string target = "c";
  /// Prefix of every symbol of the artifact (a C identifier).
  std::string name = "model";
  WeightsFormat weights = WeightsFormat::Object;
  /// Largest number of ops fused into one dispatch.
  unsigned maxGroupSize = 32;
  /// Alignment of the arena and of every buffer in it.
  int64_t arenaAlignment = 64;
  /// Target triple for the weights object; empty means the host's.
  std::string targetTriple;
  /// C compiler for --emit=obj and `modelc run`.
  std::string cCompiler = "cc";
  /// GPU targets: storage and matrix-product precision of float tensors.
  Precision precision = Precision::F32;
  /// GPU targets: the type of float model inputs and outputs.
  Precision ioPrecision = Precision::F32;
  /// CUDA: let float32 matrix products and convolutions use TensorFloat-32.
  bool allowTf32 = false;
  /// CUDA: real architectures to embed (sm_XY), comma-separated; PTX of the
  /// newest is embedded too, for GPUs that came later.
  std::string gpuArchs = "sm_80,sm_90";
  /// CUDA: the nvcc for --emit=obj; empty: $CUDACXX, then
  /// /usr/local/cuda/bin/nvcc, then PATH.
  std::string nvcc;
  /// C target: the init function packs the constant weights of 8-bit and
  /// half-precision products into the arena once, so runs do not repack
  /// them; off, each call packs them into scratch (a smaller arena).
  bool prepackWeights = true;
  /// Set from the target (TargetBackend::hasEightBitKernels): 8-bit
  /// products that fit its kernels stay 8-bit instead of being expanded.
  bool eightBitKernels = false;
  /// Hash of the model bytes and of every flag that changes the artifact.
  uint64_t modelHash = 0;
};

} // namespace modelc

#endif // MODELC_PIPELINES_COMPILEOPTIONS_H
