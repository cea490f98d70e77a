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

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
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

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_WEIGHTSWRITER_H
