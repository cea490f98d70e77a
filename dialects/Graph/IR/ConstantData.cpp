//===- ConstantData.cpp - Reading and making constant tensors -------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Endian.h"

#include <cstring>

namespace mlir::modelc::graph {

/// Decodes element `i` of dense bytes into a double.
static double decodeAsDouble(Type elementType, const char *data, int64_t i) {
  int64_t width = getElementByteWidth(elementType);
  const char *p = data + i * width;
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    uint64_t bits = 0;
    std::memcpy(&bits, p, width);
    APFloat value(floatType.getFloatSemantics(),
                  APInt(floatType.getWidth(), bits));
    bool lost = false;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return value.convertToDouble();
  }
  uint64_t bits = 0;
  std::memcpy(&bits, p, width);
  APInt value(width * 8, bits);
  if (elementType.isInteger(1))
    return bits ? 1.0 : 0.0;
  return elementType.isUnsignedInteger() ? static_cast<double>(value.getZExtValue())
                                         : static_cast<double>(value.getSExtValue());
}

std::vector<double> readConstantAsDoubles(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  std::vector<char> bytes = readConstantBytes(attr);
  std::vector<double> values;
  if (bytes.empty() && type.getNumElements() != 0)
    return values;
  values.reserve(type.getNumElements());
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    values.push_back(decodeAsDouble(type.getElementType(), bytes.data(), i));
  return values;
}

std::vector<int64_t> readConstantAsInts(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  std::vector<char> bytes = readConstantBytes(attr);
  std::vector<int64_t> values;
  Type elementType = type.getElementType();
  int64_t width = getElementByteWidth(elementType);
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    if (isa<FloatType>(elementType)) {
      values.push_back(static_cast<int64_t>(
          decodeAsDouble(elementType, bytes.data(), i)));
      continue;
    }
    uint64_t bits = 0;
    std::memcpy(&bits, bytes.data() + i * width, width);
    APInt value(width * 8, bits);
    // Bools are one byte of 0 or 1; signless integers are signed, as ONNX's
    // int8 is.
    values.push_back(elementType.isUnsignedInteger() || elementType.isInteger(1)
                         ? static_cast<int64_t>(value.getZExtValue())
                         : value.getSExtValue());
  }
  return values;
}

ElementsAttr makeConstant(ShapedType type, ArrayRef<char> bytes,
                          StringRef nameHint) {
  Type elementType = type.getElementType();
  if (type.getNumElements() <= kInlineConstantLimit) {
    if (elementType.isInteger(1)) {
      SmallVector<bool> values;
      for (char byte : bytes)
        values.push_back(byte != 0);
      return DenseElementsAttr::get(type, values);
    }
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  }
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, /*align=*/64);
  return DenseResourceElementsAttr::get(type, nameHint, std::move(blob));
}

/// Encodes `value` as one element of `elementType` at `out`.
static void encodeDouble(Type elementType, double value, char *out) {
  int64_t width = getElementByteWidth(elementType);
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    APFloat converted(value);
    bool lost = false;
    converted.convert(floatType.getFloatSemantics(),
                      APFloat::rmNearestTiesToEven, &lost);
    uint64_t bits = converted.bitcastToAPInt().getZExtValue();
    std::memcpy(out, &bits, width);
    return;
  }
  if (elementType.isInteger(1)) {
    *out = value != 0.0;
    return;
  }
  int64_t integer = static_cast<int64_t>(value);
  std::memcpy(out, &integer, width);
}

ElementsAttr makeConstantFromDoubles(ShapedType type, ArrayRef<double> values,
                                     StringRef nameHint) {
  int64_t width = getElementByteWidth(type.getElementType());
  std::vector<char> bytes(values.size() * width);
  for (auto [i, value] : llvm::enumerate(values))
    encodeDouble(type.getElementType(), value, bytes.data() + i * width);
  return makeConstant(type, bytes, nameHint);
}

ElementsAttr makeConstantFromInts(ShapedType type, ArrayRef<int64_t> values) {
  Type elementType = type.getElementType();
  int64_t width = getElementByteWidth(elementType);
  std::vector<char> bytes(values.size() * width);
  for (auto [i, value] : llvm::enumerate(values)) {
    if (isa<FloatType>(elementType) || elementType.isInteger(1))
      encodeDouble(elementType, static_cast<double>(value),
                   bytes.data() + i * width);
    else
      std::memcpy(bytes.data() + i * width, &value, width);
  }
  return makeConstant(type, bytes);
}

} // namespace mlir::modelc::graph
