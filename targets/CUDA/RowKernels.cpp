//===- RowKernels.cpp - One block per row ---------------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Softmax, log-softmax and layer norm: one block per row with block-wide
// reductions, or one thread per (outer, inner) pair when the axis is not the
// last; the fused epilogue runs at the final store.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "targets/Common/CSyntax.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Per-row anchors
//===----------------------------------------------------------------------===//

static bool isLogSoftmax(Operation *op) {
  auto softmax = dyn_cast<kernel::SoftmaxOp>(op);
  return softmax && softmax.getLog();
}

llvm::Error KernelWriter::writeRowKernel(Operation *anchor) {
  ArrayRef<int64_t> shape = tensorType(anchor->getResult(0)).getShape();
  int64_t axis = 0, length = 0, inner = 1;
  if (auto norm = dyn_cast<kernel::LayerNormOp>(anchor)) {
    axis = norm.getAxis();
    length = computeProduct(shape.drop_front(axis));
  } else {
    axis = cast<IntegerAttr>(anchor->getAttr("axis")).getInt();
    length = shape[axis];
    inner = computeProduct(shape.drop_front(axis + 1));
  }
  int64_t rows = computeProduct(shape) / std::max<int64_t>(length, 1);
  if (rows == 0 || length == 0)
    return llvm::Error::success();
  Value input = anchor->getOperand(0);
  std::string kernel = name_ + "_" +
                       (isLogSoftmax(anchor)
                            ? std::string("log_softmax")
                            : anchor->getName().stripDialect().str());
  std::string code;
  llvm::raw_string_ostream os(code);

  if (inner != 1) {
    // Softmax over an axis that is not the last: one thread per (outer,
    // inner) pair, `rows` of them, walks the axis with stride `inner`.
    int64_t count = rows;
    bool logarithm = isLogSoftmax(anchor);
    os << "static __global__ void __launch_bounds__(256) " << kernel << "("
       << kernelParams() << ")\n{\n"
       << "  const long long t = (long long)blockIdx.x * blockDim.x + "
          "threadIdx.x;\n"
       << "  if (t >= " << count << ")\n    return;\n"
       << "  const long long start = (t / " << inner << ") * "
       << length * inner << " + t % " << inner << ";\n"
       << "  float top = -INFINITY, sum = 0.0f;\n"
       << "  for (int j = 0; j < " << length << "; ++j)\n"
       << "    top = fmaxf(top, " << load(input, "start + (long long)j * " + std::to_string(inner))
       << ");\n"
       << "  for (int j = 0; j < " << length << "; ++j)\n"
       << "    sum += expf(" << load(input, "start + (long long)j * " + std::to_string(inner))
       << " - top);\n"
       << "  for (int j = 0; j < " << length << "; ++j) {\n"
       << "    const long long e = start + (long long)j * " << inner << ";\n"
       << "    const float x = " << load(input, "e") << ";\n"
       << "    const float a = "
       << (logarithm ? "x - top - logf(sum)" : "expf(x - top) / sum") << ";\n";
    if (llvm::Error err = writeTail(os, "    ", "e", "a"))
      return err;
    os << "  }\n}\n\n";
    device_ += code;
    launches_ += "  " + kernel + "<<<" + std::to_string((count + 255) / 256) +
                 ", 256, 0, stream>>>(" + kernelArgs() + ");\n";
    return llvm::Error::success();
  }

  int64_t threads = length >= 256 ? 256 : std::max<int64_t>(32, (length + 31) / 32 * 32);
  std::string row = "(long long)blockIdx.x * " + std::to_string(length);
  os << "static __global__ void __launch_bounds__(" << threads << ") "
     << kernel << "(" << kernelParams() << ")\n{\n"
     << "  const long long row = " << row << ";\n";
  auto forEach = [&](const std::string &body) {
    os << "  for (int j = threadIdx.x; j < " << length << "; j += "
       << threads << ") {\n"
       << "    const float x = " << load(input, "row + j") << ";\n"
       << body << "  }\n";
  };
  std::string finalValue;
  if (auto norm = dyn_cast<kernel::LayerNormOp>(anchor)) {
    // Two passes over the row: the mean, then the variance around it.
    os << "  float sum = 0.0f;\n";
    forEach("    sum += x;\n");
    os << "  const float mean = mc_block_sum(sum) / " << length << ".0f;\n"
       << "  float squares = 0.0f;\n";
    forEach("    squares += (x - mean) * (x - mean);\n");
    os << "  const float rstd = rsqrtf(mc_block_sum(squares) / " << length
       << ".0f + " << cLiteral(Float32Type::get(anchor->getContext()),
                              norm.getEpsilon().convertToDouble())
       << ");\n";
    int64_t scaleCount = norm.getScale().getType().getNumElements();
    std::string scaleIndex = scaleCount == length ? "j" : "j % " + std::to_string(scaleCount);
    finalValue = "(x - mean) * rstd * " + load(norm.getScale(), scaleIndex);
    if (norm.getBias()) {
      int64_t biasCount = norm.getBias().getType().getNumElements();
      finalValue += " + " + load(norm.getBias(), biasCount == length
                                                     ? "j"
                                                     : "j % " + std::to_string(biasCount));
    }
  } else {
    os << "  float top = -INFINITY;\n";
    forEach("    top = fmaxf(top, x);\n");
    os << "  top = mc_block_max(top);\n  float sum = 0.0f;\n";
    forEach("    sum += expf(x - top);\n");
    os << "  sum = mc_block_sum(sum);\n";
    if (isLogSoftmax(anchor)) {
      os << "  const float shift = top + logf(sum);\n";
      finalValue = "x - shift";
    } else {
      os << "  const float scale = 1.0f / sum;\n";
      finalValue = "expf(x - top) * scale";
    }
  }
  os << "  for (int j = threadIdx.x; j < " << length << "; j += " << threads
     << ") {\n"
     << "    const long long e = row + j;\n"
     << "    const float x = " << load(input, "e") << ";\n"
     << "    const float a = " << finalValue << ";\n";
  if (llvm::Error err = writeTail(os, "    ", "e", "a"))
    return err;
  os << "  }\n}\n\n";
  device_ += code;
  launches_ += "  " + kernel + "<<<" + std::to_string(rows) + ", " +
               std::to_string(threads) + ", 0, stream>>>(" + kernelArgs() +
               ");\n";
  return llvm::Error::success();
}

} // namespace modelc::cuda_target::detail
