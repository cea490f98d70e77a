//===- SequentialKernels.cpp - Anchors whose order matters ----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// TopK and the scatters, whose results depend on the order in which elements
// are visited, as the C target's SequentialKernels.cpp walks them:
//   - top-k: one thread per row (outer x inner) runs the C target's
//     selection (the j-th pick is the first element, in (value, index)
//     order, after the (j-1)-th), writing values and indices;
//   - scatter-elements and scatter-nd: one thread per element copies the
//     data, then a single thread applies every update in order, so repeated
//     indices end as on the C target (the last write wins, or the reduction
//     is taken in order); a fused epilogue then runs in place.
// The single-thread update is correct for any indices but serial; a
// parallel form for indices known to be distinct is not built.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {

bool isSequentialAnchor(Operation *op) {
  return isa<kernel::TopKOp, kernel::ScatterElementsOp, kernel::ScatterNDOp>(
      op);
}

namespace {

std::vector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// `target = update` combined by the scatter's reduction, through
/// mc_load/mc_store so that half-precision storage converts at the edges.
std::string scatterStore(llvm::StringRef reduction, const std::string &target,
                         const std::string &offset, const std::string &update) {
  std::string old = "mc_load(" + target + ", " + offset + ")";
  std::string value = update;
  if (reduction == "add")
    value = old + " + " + update;
  else if (reduction == "mul")
    value = old + " * " + update;
  return "mc_store(" + target + ", " + offset + ", " + value + ");";
}

} // namespace

llvm::Error KernelWriter::writeSequentialKernel(Operation *anchor) {
  std::string kernel = name_ + "_" + anchor->getName().stripDialect().str();
  std::string code;
  llvm::raw_string_ostream os(code);
  auto launch = [&](const std::string &name, int64_t threads) {
    launches_ += "  " + name + "<<<" + std::to_string((threads + 255) / 256) +
                 ", " + std::to_string(std::min<int64_t>(threads, 256)) +
                 ", 0, stream>>>(" + kernelArgs() + ");\n";
  };

  if (auto top = dyn_cast<kernel::TopKOp>(anchor)) {
    if (elementwise_)
      return opError(anchor, "top-k takes no fused epilogue");
    ArrayRef<int64_t> shape = top.getInput().getType().getShape();
    int64_t axis = top.getAxis(), k = top.getK();
    int64_t length = shape[axis];
    int64_t inner = computeProduct(shape.drop_front(axis + 1));
    int64_t rows = computeProduct(shape) / std::max<int64_t>(length, 1);
    if (rows == 0 || k == 0)
      return llvm::Error::success();
    std::string valueType = registerType(top.getInput());
    std::string better = top.getLargest() ? ">" : "<";
    auto at = [&](const std::string &a) {
      return load(top.getInput(),
                  "base + " + a + " * " + std::to_string(inner));
    };
    // (v, a) comes before (w, b): a better value, or the same one earlier.
    auto before = [&](const std::string &v, const std::string &a,
                      const std::string &w, const std::string &b) {
      return "(" + v + " " + better + " " + w + " || (" + v + " == " + w +
             " && " + a + " < " + b + "))";
    };
    os << "static __global__ void __launch_bounds__(256) " << kernel << "("
       << kernelParams() << ")\n{\n"
       << "  const long long row = (long long)blockIdx.x * blockDim.x + "
          "threadIdx.x;\n"
       << "  if (row >= " << rows << ")\n    return;\n"
       << "  const long long o = row / " << inner << ", n = row % " << inner
       << ";\n"
       << "  const long long base = o * " << length * inner << " + n;\n"
       << "  long long previous = -1;\n"
       << "  for (long long j = 0; j < " << k << "; ++j) {\n"
       << "    long long best = -1;\n"
       << "    " << valueType << " top = 0;\n"
       << "    for (long long a = 0; a < " << length << "; ++a) {\n"
       << "      const " << valueType << " x = " << at("a") << ";\n"
       << "      if (previous >= 0 && !"
       << before(at("previous"), "previous", "x", "a") << ")\n"
       << "        continue;\n"
       << "      if (best < 0 || " << before("x", "a", "top", "best") << ") {\n"
       << "        best = a;\n        top = x;\n      }\n"
       << "    }\n"
       << "    const long long slot = (o * " << k << " + j) * " << inner
       << " + n;\n"
       << "    mc_store(out0, slot, top);\n"
       << "    mc_store(out1, slot, best);\n"
       << "    previous = best;\n"
       << "  }\n}\n\n";
    device_ += code;
    launch(kernel, rows);
    return llvm::Error::success();
  }

  Value data = anchor->getOperand(0), indices = anchor->getOperand(1),
        updates = anchor->getOperand(2);
  Value result = anchor->getResult(0);
  ValueRange yielded = dispatch_.getYield().getValues();
  if (yielded.size() != 1 || storageType(result) != storageType(yielded[0]) ||
      tensorType(result).getShape() != tensorType(yielded[0]).getShape())
    return opError(anchor, "the epilogue changes the result's type or shape");
  ArrayRef<int64_t> shape = tensorType(result).getShape();
  int64_t count = computeProduct(shape);
  if (count == 0)
    return llvm::Error::success();
  std::vector<int64_t> strides = rowMajorStrides(shape);
  // The scatter writes its result in place in out0 when no epilogue
  // follows; with one, the epilogue's input is the anchor's value, which
  // out0 holds until the epilogue kernel overwrites it in place.
  os << "static __global__ void __launch_bounds__(256) " << kernel << "_copy("
     << kernelParams() << ")\n{\n"
     << "  const long long i = (long long)blockIdx.x * blockDim.x + "
        "threadIdx.x;\n"
     << "  if (i < " << count << ")\n"
     << "    mc_store(out0, i, " << load(data, "i") << ");\n}\n\n";
  int64_t numUpdates = tensorType(updates).getNumElements();
  os << "static __global__ void " << kernel << "_apply(" << kernelParams()
     << ")\n{\n";
  if (auto scatter = dyn_cast<kernel::ScatterElementsOp>(anchor)) {
    ArrayRef<int64_t> updateShape = tensorType(updates).getShape();
    int64_t axis = scatter.getAxis();
    os << "  for (long long u = 0; u < " << numUpdates << "; ++u) {\n"
       << "    long long k = (long long)" << load(indices, "u") << ";\n"
       << "    if (k < 0)\n      k += " << shape[axis] << ";\n"
       << "    if (k < 0 || k >= " << shape[axis] << ")\n      continue;\n"
       << "    const long long at = k * " << strides[axis];
    for (size_t d = 0; d < updateShape.size(); ++d)
      if (static_cast<int64_t>(d) != axis && updateShape[d] != 1)
        os << " + " << coordinate(updateShape, d, "u")
           << (strides[d] == 1 ? "" : " * " + std::to_string(strides[d]));
    os << ";\n"
       << "    "
       << scatterStore(scatter.getReduction(), "out0", "at", load(updates, "u"))
       << "\n  }\n}\n\n";
  } else {
    auto scatterND = cast<kernel::ScatterNDOp>(anchor);
    ArrayRef<int64_t> indexShape = tensorType(indices).getShape();
    int64_t depth = indexShape.back();
    int64_t tuples = computeProduct(indexShape.drop_back());
    int64_t slice = computeProduct(shape.drop_front(depth));
    os << "  for (long long t = 0; t < " << tuples << "; ++t) {\n"
       << "    long long base = 0;\n";
    for (int64_t d = 0; d < depth; ++d)
      os << "    {\n"
         << "      long long k = (long long)"
         << load(indices,
                 "t * " + std::to_string(depth) + " + " + std::to_string(d))
         << ";\n"
         << "      if (k < 0)\n        k += " << shape[d] << ";\n"
         << "      base += (k < 0 ? 0 : (k > " << shape[d] - 1 << " ? "
         << shape[d] - 1 << " : k)) * " << strides[d] << ";\n"
         << "    }\n";
    os << "    for (long long i = 0; i < " << slice << "; ++i)\n"
       << "      "
       << scatterStore(scatterND.getReduction(), "out0", "base + i",
                       load(updates, "t * " + std::to_string(slice) + " + i"))
       << "\n  }\n}\n\n";
  }
  device_ += code;
  launch(kernel + "_copy", count);
  if (numUpdates > 0)
    launches_ +=
        "  " + kernel + "_apply<<<1, 1, 0, stream>>>(" + kernelArgs() + ");\n";
  if (!elementwise_)
    return llvm::Error::success();
  return writeElementKernel(
      name_ + "_epilogue", count,
      [&](llvm::raw_ostream &body, const std::string &i) {
        body << "  const " << registerType(anchor->getResult(0))
             << " a = mc_load(out0, " << i << ");\n";
        return llvm::Error::success();
      },
      /*hasAnchorValue=*/true);
}

} // namespace modelc::cuda_target::detail
