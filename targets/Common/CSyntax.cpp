//===- CSyntax.cpp - Spelling MLIR types and values in C ------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CSyntax.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace modelc::codegen {

std::string cElementType(Type type) {
  if (type.isF32())
    return "float";
  if (type.isF64())
    return "double";
  if (type.isF16() || type.isBF16())
    return "uint16_t"; // bit patterns; only casts convert them
  if (type.isInteger(1))
    return "uint8_t";
  if (auto integer = dyn_cast<IntegerType>(type)) {
    unsigned width = integer.getWidth();
    if (width != 8 && width != 16 && width != 32 && width != 64)
      return "";
    return (integer.isUnsigned() ? "uint" : "int") + std::to_string(width) +
           "_t";
  }
  return "";
}

std::string cLiteral(Type type, double value) {
  if (isa<FloatType>(type)) {
    bool single = type.isF32();
    if (std::isnan(value))
      return single ? "((float)NAN)" : "((double)NAN)";
    if (std::isinf(value))
      return std::string(value < 0 ? "-" : "") +
             (single ? "HUGE_VALF" : "HUGE_VAL");
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::format(single ? "%.9g" : "%.17g", value);
    if (text.find_first_of(".eE") == std::string::npos)
      text += ".0";
    return text + (single ? "f" : "");
  }
  if (type.isInteger(1))
    return value != 0.0 ? "1" : "0";
  int64_t integer = static_cast<int64_t>(value);
  if (type.isUnsignedInteger())
    return "UINT64_C(" + std::to_string(static_cast<uint64_t>(integer)) + ")";
  if (integer == INT64_MIN)
    return "INT64_MIN";
  return "INT64_C(" + std::to_string(integer) + ")";
}

std::vector<int64_t> contiguousStrides(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

static void collectNames(Location loc, std::vector<std::string> &names,
                         llvm::StringSet<> &seen) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (seen.insert(name.getName().getValue()).second)
      names.push_back(name.getName().str());
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNames(inner, names, seen);
}

std::vector<std::string> onnxNodeNames(Location loc) {
  std::vector<std::string> names;
  llvm::StringSet<> seen;
  collectNames(loc, names, seen);
  return names;
}

std::string commentSafe(llvm::StringRef text) {
  std::string safe = text.str();
  for (size_t pos = 0; (pos = safe.find("*/", pos)) != std::string::npos;)
    safe.replace(pos, 2, "* /");
  return safe;
}

std::vector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> iterationShape) {
  size_t rank = iterationShape.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t d = shape.size() - 1 - i, r = rank - 1 - i;
    strides[r] = shape[d] == 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

} // namespace modelc::codegen
