//===- TensorProtoIO.h - ONNX TensorProto files and constants ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// TensorProto <-> dense bytes, shared by the importer (initializers, bound
// inputs) and the CLI (`modelc run` inputs and outputs, as in the ONNX backend
// test data).
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_FRONTEND_ONNX_TENSORPROTOIO_H
#define MODELC_FRONTEND_ONNX_TENSORPROTOIO_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// A tensor as dense little-endian bytes (bool: one byte per element).
struct HostTensor {
  std::string name;
  int32_t dataType = 0; ///< onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<char> bytes;

  int64_t numElements() const;
};

/// Bytes per element of an ONNX data type, or 0 for types modelc cannot
/// store (string, complex).
int64_t onnxElementByteWidth(int32_t dataType);

/// Converts a TensorProto (raw_data or typed fields, or external data relative
/// to `externalDataDirectory`) to dense bytes.
llvm::Expected<HostTensor> tensorFromProto(const onnx::TensorProto &proto,
                                           const std::string &externalDataDirectory);

/// Reads / writes a TensorProto file (`input_0.pb`).
llvm::Expected<HostTensor> readTensorFile(const std::string &path);
llvm::Error writeTensorFile(const std::string &path, const HostTensor &tensor);

} // namespace modelc::onnx_frontend

#endif // MODELC_FRONTEND_ONNX_TENSORPROTOIO_H
