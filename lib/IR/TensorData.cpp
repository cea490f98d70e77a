//===- TensorData.cpp - Facts about builtin tensors every phase uses ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/IR/TensorData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
#include <cstring>

namespace mlir::modelc {

int64_t getElementByteWidth(Type elementType) {
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : static_cast<int64_t>(bits) / 8;
}

std::vector<char> readConstantBytes(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  Type elementType = type.getElementType();
  int64_t width = getElementByteWidth(elementType);
  int64_t count = type.getNumElements();
  std::vector<char> bytes(static_cast<size_t>(count * width));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return {};
    ArrayRef<char> data = blob->getData();
    if (data.size() != bytes.size())
      return {};
    if (!bytes.empty()) // an empty blob may have no data pointer at all
      std::memcpy(bytes.data(), data.data(), bytes.size());
    return bytes;
  }
  auto dense = cast<DenseElementsAttr>(attr);
  if (elementType.isInteger(1)) {
    for (auto [i, value] : llvm::enumerate(dense.getValues<bool>()))
      bytes[i] = value ? 1 : 0;
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(bytes.data() + i * width, raw.data(), width);
    return bytes;
  }
  if (!bytes.empty()) // a zero-element tensor's raw data may be null
    std::memcpy(bytes.data(), raw.data(), bytes.size());
  return bytes;
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

} // namespace mlir::modelc
