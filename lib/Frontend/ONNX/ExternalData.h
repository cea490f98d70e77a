//===- ExternalData.h - Tensor data kept next to a model --------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A TensorProto with data_location EXTERNAL names a file by a `location` the
// model's author chose. A model is untrusted input, so the location is held
// to the rule onnx adopted after CVE-2024-27318 and CVE-2024-5187, made
// stricter: the data must be a regular file inside the model's folder, as
// the file system resolves it (every `..` and every symbolic link followed).
// Absolute locations, climbs out through `..` and links that lead outside
// are refused, so a model can never make modelc copy /etc/passwd or a
// private key into an artifact's weights.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_EXTERNALDATA_H
#define MODELC_LIB_FRONTEND_ONNX_EXTERNALDATA_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
class TensorProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// Checks the external data reference of `proto` against `directory` (the
/// folder of the model or .pb file; empty for the working directory):
/// location, file type and byte range. `tensorBytes` is the size the tensor's
/// dims and type call for, or -1 when unknown. Messages start with
/// "external data location '...'" and the caller says which tensor it is.
llvm::Error checkExternalData(const onnx::TensorProto &proto,
                              llvm::StringRef directory, int64_t tensorBytes);

/// Reads the external data of `proto` into `out` (sized to the tensor's
/// bytes), after the checks of checkExternalData; the file opened is the one
/// checked, even if the folder changes in between.
llvm::Error readExternalData(const onnx::TensorProto &proto,
                             llvm::StringRef directory, std::vector<char> &out);

/// Checks every external tensor of `model` (initializers, sparse
/// initializers, tensor attributes, subgraphs and local functions), naming
/// the initializer or node attribute at fault. Sets `found` when there is
/// any.
llvm::Error checkModelExternalData(const onnx::ModelProto &model,
                                   llvm::StringRef directory, bool &found);

/// Bytes of a tensor of `proto`'s dims and type; -1 for a type modelc cannot
/// store, or a size that overflows.
int64_t tensorByteSize(const onnx::TensorProto &proto);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_EXTERNALDATA_H
