//===- SequentialKernels.cpp - Anchors written as plain C loops -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Anchors with no runtime kernel whose C is a short sequential walk, mostly
// along one axis ([outer, length, inner], see AxisView): arg-max/min, cumsum,
// top-k (selection without scratch), hardmax, scatter-elements and scatter-nd
// (copy the data, then apply each update) and concat (one memcpy per input
// chunk).
//
//===----------------------------------------------------------------------===//

#include "DispatchWriter.h"

#include "LoopNest.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target::detail {
using namespace ::modelc::codegen;

void DispatchWriter::emitArgReduce(kernel::ArgReduceOp op) {
  bool max = op.getMax();
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string in = pointer(op.getInput());
  std::string better = max ? " > " : " < ";
  if (op.getSelectLastIndex())
    better = max ? " >= " : " <= ";
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o) {\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << elementType(op.getInput()) << " *row = " << in
      << " + o * " << length * inner << " + i;\n"
      << "      int64_t best = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        if (row[a * " << inner << "]" << better << "row[best * "
      << inner << "])\n"
      << "          best = a;\n"
      << "      out0[o * " << inner << " + i] = best;\n"
      << "    }\n"
      << "  }\n";
}

void DispatchWriter::emitCumSum(kernel::ScanOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string type = elementType(op.getResult());
  std::string step = op.getReverse() ? std::to_string(length - 1) + " - s" : "s";
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      " << type << " sum = 0;\n"
      << "      for (int64_t s = 0; s < " << length << "; ++s) {\n"
      << "        const int64_t at = (o * " << length << " + (" << step
      << ")) * " << inner << " + i;\n";
  if (op.getExclusive())
    os_ << "        const " << type << " x = " << pointer(op.getInput())
        << "[at];\n"
        << "        out0[at] = sum;\n"
        << "        sum += x;\n";
  else
    os_ << "        sum += " << pointer(op.getInput()) << "[at];\n"
        << "        out0[at] = sum;\n";
  os_ << "      }\n"
      << "    }\n";
}

void DispatchWriter::emitTopK(kernel::TopKOp op) {
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  int64_t k = static_cast<int64_t>(op.getK());
  std::string type = elementType(op.getInput());
  std::string better = op.getLargest() ? ">" : "<";
  // Selection without scratch: the j-th pick is the first element, in
  // (value, index) order, that comes after the (j-1)-th.
  auto before = [&](const std::string &v, const std::string &a,
                    const std::string &w, const std::string &b) {
    return "(" + v + " " + better + " " + w + " || (" + v + " == " + w +
           " && " + a + " < " + b + "))";
  };
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << type << " *x = " << pointer(op.getInput())
      << " + o * " << length * inner << " + i;\n"
      << "      int64_t previous = -1;\n"
      << "      for (int64_t j = 0; j < " << k << "; ++j) {\n"
      << "        int64_t best = -1;\n"
      << "        for (int64_t a = 0; a < " << length << "; ++a) {\n"
      << "          if (previous >= 0 && !"
      << before("x[previous * " + std::to_string(inner) + "]", "previous",
                "x[a * " + std::to_string(inner) + "]", "a")
      << ")\n"
      << "            continue;\n"
      << "          if (best < 0 || "
      << before("x[a * " + std::to_string(inner) + "]", "a",
                "x[best * " + std::to_string(inner) + "]", "best")
      << ")\n"
      << "            best = a;\n"
      << "        }\n"
      << "        out0[(o * " << k << " + j) * " << inner << " + i] = x[best * "
      << inner << "];\n"
      << "        out1[(o * " << k << " + j) * " << inner << " + i] = best;\n"
      << "        previous = best;\n"
      << "      }\n"
      << "    }\n";
}

void DispatchWriter::emitHardmax(kernel::HardmaxOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const int64_t base = o * " << length * inner << " + i;\n"
      << "      int64_t best = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        if (" << pointer(op.getInput()) << "[base + a * " << inner
      << "] > " << pointer(op.getInput()) << "[base + best * " << inner
      << "])\n"
      << "          best = a;\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        out0[base + a * " << inner << "] = a == best;\n"
      << "    }\n";
}

/// The C statement that applies one scattered update with `reduction`.
static std::string scatterUpdate(llvm::StringRef reduction,
                                 const std::string &target,
                                 const std::string &update) {
  if (reduction == "add")
    return target + " += " + update + ";";
  if (reduction == "mul")
    return target + " *= " + update + ";";
  return target + " = " + update + ";";
}

void DispatchWriter::emitScatterElements(kernel::ScatterElementsOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  ArrayRef<int64_t> updates = op.getUpdates().getType().getShape();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  std::vector<int64_t> strides = contiguousStrides(shape);
  std::vector<int64_t> walk = strides;
  walk[axis] = 0;
  os_ << "  memcpy(out0, " << pointer(op.getData()) << ", "
      << op.getType().getNumElements() << " * sizeof(*out0));\n";
  if (op.getUpdates().getType().getNumElements() == 0)
    return;
  std::string indices = pointer(op.getIndices()), values = pointer(op.getUpdates());
  emitLoopNest(os_, 2, updates, {contiguousStrides(updates), walk},
               [&](int indent, ArrayRef<std::string> offsets) {
                 std::string pad(indent, ' ');
                 os_ << pad << "int64_t k = (int64_t)" << indices << "["
                     << offsets[0] << "];\n"
                     << pad << "if (k < 0)\n"
                     << pad << "  k += " << shape[axis] << ";\n"
                     << pad << "if (k >= 0 && k < " << shape[axis] << ")\n"
                     << pad << "  "
                     << scatterUpdate(op.getReduction(),
                                      "out0[" + offsets[1] + " + k * " +
                                          std::to_string(strides[axis]) + "]",
                                      values + "[" + offsets[0] + "]")
                     << "\n";
               });
}

void DispatchWriter::emitScatterND(kernel::ScatterNDOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  ArrayRef<int64_t> indices = op.getIndices().getType().getShape();
  int64_t depth = indices.back();
  int64_t tuples = computeProduct(indices.drop_back());
  int64_t slice = computeProduct(shape.drop_front(depth));
  std::vector<int64_t> strides = contiguousStrides(shape);
  os_ << "  memcpy(out0, " << pointer(op.getData()) << ", "
      << op.getType().getNumElements() << " * sizeof(*out0));\n"
      << "  for (int64_t t = 0; t < " << tuples << "; ++t) {\n"
      << "    int64_t base = 0;\n";
  for (int64_t d = 0; d < depth; ++d)
    os_ << "    {\n"
        << "      int64_t k = (int64_t)" << pointer(op.getIndices()) << "[t * "
        << depth << " + " << d << "];\n"
        << "      if (k < 0)\n"
        << "        k += " << shape[d] << ";\n"
        << "      base += (k < 0 ? 0 : (k > " << shape[d] - 1 << " ? "
        << shape[d] - 1 << " : k)) * " << strides[d] << ";\n"
        << "    }\n";
  os_ << "    for (int64_t i = 0; i < " << slice << "; ++i)\n"
      << "      "
      << scatterUpdate(op.getReduction(), "out0[base + i]",
                       pointer(op.getUpdates()) + "[t * " +
                           std::to_string(slice) + " + i]")
      << "\n"
      << "  }\n";
}

void DispatchWriter::emitConcat(tensor::ConcatOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = static_cast<int64_t>(op.getDim());
  int64_t outer = computeProduct(shape.take_front(axis));
  int64_t inner = computeProduct(shape.drop_front(axis + 1));
  int64_t outChunk = shape[axis] * inner, position = 0;
  std::string type = elementType(op.getResult());
  for (Value input : op.getInputs()) {
    int64_t chunk = tensorType(input).getDimSize(axis) * inner;
    if (chunk == 0)
      continue;
    os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
        << "    memcpy(out0 + o * " << outChunk << " + " << position << ", "
        << pointer(input) << " + o * " << chunk << ", " << chunk
        << " * sizeof(" << type << "));\n";
    position += chunk;
  }
}

} // namespace modelc::c_target::detail
