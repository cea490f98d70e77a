//===- TensorProtoIO.cpp - ONNX TensorProto files and constants -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "ExternalData.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <fstream>

namespace modelc::onnx_frontend {

using onnx::TensorProto;

int64_t HostTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : dims)
    count *= dim;
  return count;
}

int64_t onnxElementByteWidth(int32_t dataType) {
  switch (dataType) {
  case TensorProto::FLOAT:
  case TensorProto::INT32:
  case TensorProto::UINT32:
    return 4;
  case TensorProto::UINT8:
  case TensorProto::INT8:
  case TensorProto::BOOL:
    return 1;
  case TensorProto::UINT16:
  case TensorProto::INT16:
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
    return 2;
  case TensorProto::INT64:
  case TensorProto::UINT64:
  case TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

static llvm::Error tensorError(const TensorProto &proto, const llvm::Twine &message) {
  return llvm::createStringError("tensor '" + proto.name() + "': " + message);
}

/// Copies the typed repeated field that holds `proto`'s values into `out`,
/// narrowing each element to the storage width of the data type; `out` is
/// sized only once the field is known to hold `count` values.
static llvm::Error copyTypedField(const TensorProto &proto, int64_t count,
                                  std::vector<char> &out) {
  int64_t width = onnxElementByteWidth(proto.data_type());
  auto store = [&](int64_t index, const void *value) {
    std::memcpy(out.data() + index * width, value, width);
  };
  auto checkCount = [&](int64_t have) -> llvm::Error {
    if (have != count)
      return tensorError(proto, "has " + llvm::Twine(have) + " values for " +
                                    llvm::Twine(count) + " elements");
    out.resize(count * width);
    return llvm::Error::success();
  };
  switch (proto.data_type()) {
  case TensorProto::FLOAT:
    if (auto err = checkCount(proto.float_data_size()))
      return err;
    for (int64_t i = 0; i < count; ++i) {
      float v = proto.float_data(i);
      store(i, &v);
    }
    return llvm::Error::success();
  case TensorProto::DOUBLE:
    if (auto err = checkCount(proto.double_data_size()))
      return err;
    for (int64_t i = 0; i < count; ++i) {
      double v = proto.double_data(i);
      store(i, &v);
    }
    return llvm::Error::success();
  case TensorProto::INT64:
    if (auto err = checkCount(proto.int64_data_size()))
      return err;
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = proto.int64_data(i);
      store(i, &v);
    }
    return llvm::Error::success();
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    if (auto err = checkCount(proto.uint64_data_size()))
      return err;
    for (int64_t i = 0; i < count; ++i) {
      uint64_t v = proto.uint64_data(i);
      store(i, &v);
    }
    return llvm::Error::success();
  default:
    // int32_data holds every narrower integer type, bool and the 16-bit
    // floats' bit patterns.
    if (auto err = checkCount(proto.int32_data_size()))
      return err;
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = proto.int32_data(i);
      store(i, &v); // little-endian: the low bytes come first
    }
    return llvm::Error::success();
  }
}

llvm::Expected<HostTensor> tensorFromProto(const TensorProto &proto,
                                           const std::string &externalDataDirectory) {
  HostTensor tensor;
  tensor.name = proto.name();
  tensor.dataType = proto.data_type();
  int64_t width = onnxElementByteWidth(tensor.dataType);
  if (width == 0)
    return tensorError(proto, "data type " + llvm::Twine(tensor.dataType) +
                                  " is not supported");
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return tensorError(proto, "has a negative dimension");
    tensor.dims.push_back(dim);
  }
  // Sized before anything is allocated: dims a file declares must not make
  // modelc reserve more than the data it actually holds.
  int64_t byteSize = tensorByteSize(proto);
  if (byteSize < 0)
    return tensorError(proto, "is too large");
  int64_t count = tensor.numElements();
  if (proto.data_location() == TensorProto::EXTERNAL) {
    if (llvm::Error err =
            checkExternalData(proto, externalDataDirectory, byteSize))
      return tensorError(proto, llvm::toString(std::move(err)));
    tensor.bytes.resize(byteSize);
    if (llvm::Error err =
            readExternalData(proto, externalDataDirectory, tensor.bytes))
      return tensorError(proto, llvm::toString(std::move(err)));
    return tensor;
  }
  if (proto.has_raw_data()) {
    if (static_cast<int64_t>(proto.raw_data().size()) != byteSize)
      return tensorError(proto, "raw_data has " +
                                    llvm::Twine(proto.raw_data().size()) +
                                    " bytes, expected " + llvm::Twine(byteSize));
    tensor.bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
    return tensor;
  }
  if (auto err = copyTypedField(proto, count, tensor.bytes))
    return std::move(err);
  return tensor;
}

llvm::Expected<HostTensor> readTensorFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read '" + path +
                                   "': " + buffer.getError().message());
  TensorProto proto;
  if (!proto.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize())))
    return llvm::createStringError("'" + path +
                                   "' is not an ONNX TensorProto file");
  return tensorFromProto(proto, llvm::sys::path::parent_path(path).str());
}

llvm::Error writeTensorFile(const std::string &path, const HostTensor &tensor) {
  TensorProto proto;
  proto.set_name(tensor.name);
  proto.set_data_type(tensor.dataType);
  for (int64_t dim : tensor.dims)
    proto.add_dims(dim);
  proto.set_raw_data(tensor.bytes.data(), tensor.bytes.size());
  std::ofstream file(path, std::ios::binary);
  if (!file || !proto.SerializeToOstream(&file))
    return llvm::createStringError("cannot write '" + path + "'");
  return llvm::Error::success();
}

} // namespace modelc::onnx_frontend
