//===- WeightsWriter.h - The constant section of a C artifact ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Weights never travel through a C compiler as text unless asked to: by
// default they become an object file that LLVM writes directly, holding one
// read-only, 64-byte aligned symbol.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_WEIGHTSWRITER_H
#define MODELC_TARGETS_COMMON_WEIGHTSWRITER_H

#include "modelc/Target/TargetBackend.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modelc::codegen {

/// Bytes of the header that precedes the weights in a --weights=external
/// file: magic "MODELCW1", the model hash, the payload size (little-endian
/// uint64 each), zero padding to 64.
constexpr int64_t kExternalWeightsHeaderBytes = 64;

/// An object file for `triple` (empty: the host) defining `symbol` as a
/// read-only array holding `data`, which it takes over and frees early.
llvm::Expected<std::string> writeWeightsObject(llvm::StringRef symbol,
                                               std::vector<char> data,
                                               llvm::StringRef triple);

/// A C source defining `symbol` as a const array holding `data`.
std::string writeWeightsCArray(llvm::StringRef symbol,
                               const std::vector<char> &data);

/// The contents of a --weights=external file.
std::string writeWeightsFile(const std::vector<char> &data, uint64_t hash);

/// A floating-point weight tensor as the runner's --synthetic-weights
/// generator sees it.
struct SyntheticWeightTensor {
  int64_t offset = 0;   ///< in the weights payload, in bytes
  int64_t elements = 0;
  int64_t fanIn = 1;    ///< elements over the first dimension (1 for rank < 2)
  int onnxType = 1;     ///< storage type: 1 float, 10 float16, 16 bfloat16
};

/// The generator's view of a weight stored at `offset` in its own element
/// type; nothing for tensors that are not floating point.
std::optional<SyntheticWeightTensor>
getSyntheticWeightTensor(mlir::ElementsAttr attr, int64_t offset);

/// Appends the weights in the form `options.weights` asks for: an object
/// defining `<name>_weights_data`, a C array, or `<name>.weights.bin`.
llvm::Error appendWeightsFiles(Artifact &artifact, llvm::StringRef name,
                               std::vector<char> weights,
                               const CompileOptions &options);

/// The header's `<UPPER>_WEIGHTS_EXTERNAL` and, for external weights,
/// `<UPPER>_WEIGHTS_FILE_BYTES`; `takesWeights` names the API function the
/// caller passes the loaded file to (`<name>_init`, `<name>_create`).
void writeWeightsFileMacros(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef upper, llvm::StringRef takesWeights,
                            int64_t weightsBytes, bool external);

/// The first lines of `<name>_runner.<ext>`: the header, the MODEL_FN and
/// MODEL_MACRO spellings and the synthetic-weights table, which the generic
/// runner text follows.
std::string writeRunnerPreamble(llvm::StringRef fileName, llvm::StringRef name,
                                const std::vector<SyntheticWeightTensor> &tensors);

/// Every used constant of a planned function, laid out in one blob.
struct WeightsLayout {
  std::vector<char> bytes;
  llvm::DenseMap<mlir::Value, int64_t> offsets;
  /// Constants with no elements: no memory, a NULL pointer.
  llvm::SmallVector<mlir::Value> empty;
  std::vector<SyntheticWeightTensor> synthetic;
};

/// Lays out the constants of `func` in order, each at a multiple of
/// `alignment`, in the element type the IR gives it (16-bit storage was
/// chosen by kernel-convert-float-storage, not here).
WeightsLayout layOutWeights(mlir::func::FuncOp func, int64_t alignment);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_WEIGHTSWRITER_H
