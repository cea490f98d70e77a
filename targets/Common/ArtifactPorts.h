//===- ArtifactPorts.h - The inputs and outputs of an artifact --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The tensors a caller passes to a generated model and receives from it, and
// the C that every C-family target writes about them: the header's list of
// them, their descriptors, the run function's argument checks and the typed
// pointers its body reads and writes through.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_ARTIFACTPORTS_H
#define MODELC_TARGETS_COMMON_ARTIFACTPORTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace modelc::codegen {

/// A tensor the caller passes in or receives, in the element type the IR
/// gives it (--io-precision is the function signature).
struct ArtifactPort {
  std::string onnxName;
  mlir::Value value;
  /// modelc.scale and modelc.zero_point of a quantized port.
  float scale = 1.0f;
  int64_t zeroPoint = 0;
};

/// The ports of a planned function, in order.
struct ArtifactPorts {
  llvm::SmallVector<ArtifactPort> inputs, outputs;
  /// Output index each dispatch result writes into directly: the first
  /// output that returns it (or a view of it).
  llvm::DenseMap<mlir::Value, unsigned> directOutputs;

  /// Whether a dispatch writes output `index` itself, so that nothing needs
  /// copying into it.
  bool isDirectOutput(unsigned index) const;
};

/// The arguments and returned values of `func`, named by their `onnx.name`
/// attribute (`input_K` / `output_K` without one).
ArtifactPorts collectArtifactPorts(mlir::func::FuncOp func);

/// The header comment's lines " *   K: <name> <type>[<dims>]" under
/// "/* Inputs:" and " * Outputs:"; the caller closes the comment.
void writePortList(llvm::raw_ostream &os, const ArtifactPorts &ports);

/// The descriptors of `ports` (`kind` is "input" or "output"), each with the
/// shape, element type and bytes of its value.
void writePortDescriptors(llvm::raw_ostream &os, llvm::StringRef name,
                          llvm::StringRef kind,
                          llvm::ArrayRef<ArtifactPort> ports,
                          llvm::StringRef linkage = "");

/// The checks a run function starts with: the context and the four arrays
/// present, then each buffer present (unless it holds no bytes), of exactly
/// its size and aligned to its element size. `upper` prefixes the header's
/// macros.
void writeRunArgumentChecks(llvm::raw_ostream &os, llvm::StringRef upper,
                            const ArtifactPorts &ports);

/// The header's declaration of `<name>_run_shaped`, with its comment.
void writeShapedRunDeclaration(llvm::raw_ostream &os, llvm::StringRef name);

/// `<name>_run_shaped`: checks each input's rank and dims against its
/// descriptor and each output's capacity, runs `<name>_run` on buffers of
/// the descriptors' sizes and reports each output's dims. `linkage` prefixes
/// the definition (`extern "C" ` in CUDA C++).
void writeShapedRunFunction(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef upper, const ArtifactPorts &ports,
                            llvm::StringRef linkage = "");

/// `const T *input_K = (const T *)inputs[K];` for each input that is read
/// and `T *output_K = (T *)outputs[K];` for each output a dispatch writes
/// directly, at `indent`, where `typeName` spells an element type: the names
/// assignPlannedPointers gives the ports.
void writePortPointers(llvm::raw_ostream &os, const ArtifactPorts &ports,
                       llvm::StringRef indent,
                       llvm::function_ref<std::string(mlir::Type)> typeName);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_ARTIFACTPORTS_H
