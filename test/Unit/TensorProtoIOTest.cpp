//===- TensorProtoIOTest.cpp - TensorProto files in and out ---------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

using namespace modelc::onnx_frontend;

namespace {
std::string tempPath(const char *name) {
  llvm::SmallString<128> path;
  llvm::sys::fs::createTemporaryFile(name, "pb", path);
  return path.str().str();
}
} // namespace

TEST_CASE("raw_data tensors round-trip through files", "[pb]") {
  HostTensor tensor;
  tensor.name = "x";
  tensor.dataType = onnx::TensorProto::FLOAT;
  tensor.dims = {2, 3};
  float values[6] = {1, -2, 3.5f, 0, 1e-8f, -7};
  tensor.bytes.assign(reinterpret_cast<char *>(values),
                      reinterpret_cast<char *>(values) + sizeof(values));
  std::string path = tempPath("roundtrip");
  REQUIRE(!writeTensorFile(path, tensor));
  llvm::Expected<HostTensor> back = readTensorFile(path);
  REQUIRE(!!back);
  CHECK(back->name == "x");
  CHECK(back->dims == std::vector<int64_t>{2, 3});
  CHECK(back->bytes == tensor.bytes);
  llvm::sys::fs::remove(path);
}

TEST_CASE("typed fields are narrowed to the element type", "[pb]") {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::INT8);
  proto.add_dims(3);
  for (int v : {-1, 5, 127})
    proto.add_int32_data(v);
  llvm::Expected<HostTensor> tensor = tensorFromProto(proto, "");
  REQUIRE(!!tensor);
  REQUIRE(tensor->bytes.size() == 3);
  CHECK(static_cast<int8_t>(tensor->bytes[0]) == -1);
  CHECK(static_cast<int8_t>(tensor->bytes[2]) == 127);

  onnx::TensorProto wide;
  wide.set_data_type(onnx::TensorProto::INT64);
  wide.add_dims(2);
  wide.add_int64_data(-3);
  wide.add_int64_data(1LL << 40);
  llvm::Expected<HostTensor> longs = tensorFromProto(wide, "");
  REQUIRE(!!longs);
  int64_t second;
  std::memcpy(&second, longs->bytes.data() + 8, 8);
  CHECK(second == (1LL << 40));
}

TEST_CASE("malformed tensors are errors, not crashes", "[pb]") {
  onnx::TensorProto shortRaw;
  shortRaw.set_name("w");
  shortRaw.set_data_type(onnx::TensorProto::FLOAT);
  shortRaw.add_dims(4);
  shortRaw.set_raw_data(std::string(12, '\0'));
  llvm::Expected<HostTensor> a = tensorFromProto(shortRaw, "");
  REQUIRE(!a);
  CHECK(llvm::toString(a.takeError()) ==
        "tensor 'w': raw_data has 12 bytes, expected 16");

  onnx::TensorProto strings;
  strings.set_data_type(onnx::TensorProto::STRING);
  llvm::Expected<HostTensor> b = tensorFromProto(strings, "");
  CHECK(!b);
  llvm::consumeError(b.takeError());

  std::string path = tempPath("garbage");
  std::ofstream(path) << "\xff\xff\xff not a protobuf";
  llvm::Expected<HostTensor> c = readTensorFile(path);
  CHECK(!c);
  llvm::consumeError(c.takeError());
  llvm::sys::fs::remove(path);

  llvm::Expected<HostTensor> d = readTensorFile("/nonexistent/input_0.pb");
  CHECK(!d);
  llvm::consumeError(d.takeError());
}

TEST_CASE("external data is read relative to the model", "[pb]") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("modelc-ext", dir));
  std::string dataPath = (dir + "/weights.bin").str();
  float values[4] = {1, 2, 3, 4};
  {
    std::ofstream data(dataPath, std::ios::binary);
    data.write("padding!", 8);
    data.write(reinterpret_cast<char *>(values), sizeof(values));
  }
  onnx::TensorProto proto;
  proto.set_name("w");
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(4);
  proto.set_data_location(onnx::TensorProto::EXTERNAL);
  auto *location = proto.add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  auto *offset = proto.add_external_data();
  offset->set_key("offset");
  offset->set_value("8");
  llvm::Expected<HostTensor> tensor = tensorFromProto(proto, dir.str().str());
  REQUIRE(!!tensor);
  CHECK(std::memcmp(tensor->bytes.data(), values, sizeof(values)) == 0);

  offset->set_value("12"); // runs past the end of the file
  llvm::Expected<HostTensor> past = tensorFromProto(proto, dir.str().str());
  CHECK(!past);
  llvm::consumeError(past.takeError());
  llvm::sys::fs::remove_directories(dir);
}
