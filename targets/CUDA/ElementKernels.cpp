//===- ElementKernels.cpp - One thread per output element -----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Anchors whose output element is a function of a few input elements:
// transpose, slice, concat, gather, pad, pooling, reductions, arg-reductions.
// Each writes statements that leave the anchor's value in register `a`.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "targets/Common/CSyntax.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include "targets/Common/StridedView.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Per-element anchors
//===----------------------------------------------------------------------===//

llvm::Error KernelWriter::writeElementAnchor(llvm::raw_ostream &os,
                                             Operation *anchor,
                                             const std::string &i) {
  std::string type = registerType(anchor->getResult(0));
  ArrayRef<int64_t> outShape = tensorType(anchor->getResult(0)).getShape();
  return llvm::TypeSwitch<Operation *, llvm::Error>(anchor)
      .Case<graph::TransposeOp, graph::SliceOp>([&](auto op) {
        StridedView view = getStridedView(op);
        std::string offset = offsetExpression(outShape, view.strides, i);
        if (view.base)
          offset = std::to_string(view.base) + " + " + offset;
        os << "  const " << type << " a = " << load(op.getInput(), offset)
           << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::ConcatOp op) {
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(outShape.drop_front(axis + 1));
        int64_t length = outShape[axis];
        os << "  const long long o = " << i << " / " << length * inner
           << ", c = (" << i << " / " << inner << ") % " << length
           << ", n = " << i << " % " << inner << ";\n"
           << "  " << type << " a;\n";
        int64_t start = 0;
        bool first = true;
        for (Value input : op.getInputs()) {
          int64_t size = tensorType(input).getDimSize(axis);
          if (size == 0)
            continue;
          os << "  " << (first ? "" : "else ") << "if (c < " << start + size
             << ")\n    a = "
             << load(input, "(o * " + std::to_string(size) + " + c - " +
                                std::to_string(start) + ") * " +
                                std::to_string(inner) + " + n")
             << ";\n";
          first = false;
          start += size;
        }
        return llvm::Error::success();
      })
      .Case([&](graph::GatherOp op) {
        ArrayRef<int64_t> data = op.getData().getType().getShape();
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(data.drop_front(axis + 1));
        int64_t count = op.getIndices().getType().getNumElements();
        int64_t size = data[axis];
        // Out-of-range indices are clamped: ONNX leaves them undefined and a
        // kernel must never read outside its inputs.
        os << "  const long long o = " << i << " / " << count * inner
           << ", k = (" << i << " / " << inner << ") % " << count
           << ", n = " << i << " % " << inner << ";\n"
           << "  long long index = (long long)"
           << load(op.getIndices(), "k") << ";\n"
           << "  if (index < 0)\n    index += " << size << ";\n"
           << "  index = index < 0 ? 0 : (index > " << size - 1 << " ? "
           << size - 1 << " : index);\n"
           << "  const " << type << " a = "
           << load(op.getData(), "(o * " + std::to_string(size) +
                                     " + index) * " + std::to_string(inner) +
                                     " + n")
           << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::PadOp op) -> llvm::Error {
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        ArrayRef<int64_t> pads = op.getPads();
        std::vector<int64_t> inStrides = contiguousStrides(in);
        std::string mode = op.getMode().str();
        std::string fill =
            op.getValue() ? load(op.getValue(), "0") : std::string("0");
        os << "  bool hole = false;\n  long long from = 0;\n";
        for (size_t d = 0; d < in.size(); ++d) {
          std::string c = "c" + std::to_string(d);
          int64_t n = in[d];
          os << "  long long " << c << " = " << coordinate(outShape, d, i)
             << " - " << pads[d] << ";\n";
          if (mode == "edge")
            os << "  " << c << " = " << c << " < 0 ? 0 : (" << c << " > "
               << n - 1 << " ? " << n - 1 << " : " << c << ");\n";
          else if (mode == "reflect")
            os << "  " << c << " = " << c << " < 0 ? -" << c << " : (" << c
               << " >= " << n << " ? " << 2 * (n - 1) << " - " << c << " : "
               << c << ");\n";
          os << "  hole = hole || " << c << " < 0 || " << c << " >= " << n
             << ";\n"
             << "  from += " << c << " * " << inStrides[d] << ";\n";
        }
        os << "  const " << type << " a = hole ? (" << type << ")" << fill
           << " : " << load(op.getInput(), "from") << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::MaxPoolOp op) {
        writePool(os, op, /*max=*/true, i);
        return llvm::Error::success();
      })
      .Case([&](graph::AvgPoolOp op) {
        writePool(os, op, /*max=*/false, i);
        return llvm::Error::success();
      })
      .Case<graph::ArgMaxOp, graph::ArgMinOp>([&](auto op) {
        bool max = isa<graph::ArgMaxOp>(op.getOperation());
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(in.drop_front(axis + 1));
        int64_t length = in[axis];
        std::string cmp = max ? ">" : "<";
        if (op.getSelectLastIndex())
          cmp += "=";
        std::string valueType = registerType(op.getInput());
        os << "  const long long o = " << i << " / " << inner << ", n = " << i
           << " % " << inner << ";\n"
           << "  " << valueType << " best = "
           << load(op.getInput(), "o * " + std::to_string(length * inner) +
                                      " + n")
           << ";\n"
           << "  long long a = 0;\n"
           << "  for (int j = 1; j < " << length << "; ++j) {\n"
           << "    const " << valueType << " x = "
           << load(op.getInput(), "(o * " + std::to_string(length) +
                                      " + j) * " + std::to_string(inner) +
                                      " + n")
           << ";\n"
           << "    if (x " << cmp << " best) {\n"
           << "      best = x;\n      a = j;\n    }\n  }\n";
        return llvm::Error::success();
      })
      .Default([&](Operation *op) -> llvm::Error {
        if (isReduction(op))
          return writeReduction(os, op, i);
        return opError(op, "not a per-element anchor");
      });
}

template <typename PoolOp>
void KernelWriter::writePool(llvm::raw_ostream &os, PoolOp op, bool max,
                             const std::string &i) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  os << "  const long long nc = " << i << " / " << out[2] * out[3]
     << ";\n"
     << "  const int oy = (" << i << " / " << out[3] << ") % " << out[2]
     << ", ox = " << i << " % " << out[3] << ";\n"
     << "  float acc = " << (max ? "-INFINITY" : "0.0f") << ";\n"
     << (max || op.getCountIncludePad() ? "" : "  int taken = 0;\n")
     << "  for (int ky = 0; ky < " << k[0] << "; ++ky) {\n"
     << "    const int y = oy * " << s[0] << " - " << p[0] << " + ky * "
     << d[0] << ";\n"
     << "    if (y < 0 || y >= " << in[2] << ")\n      continue;\n"
     << "    for (int kx = 0; kx < " << k[1] << "; ++kx) {\n"
     << "      const int x = ox * " << s[1] << " - " << p[1] << " + kx * "
     << d[1] << ";\n"
     << "      if (x < 0 || x >= " << in[3] << ")\n        continue;\n"
     << "      const float v = "
     << load(op.getInput(),
             "(nc * " + std::to_string(in[2]) + " + y) * " +
                 std::to_string(in[3]) + " + x")
     << ";\n"
     << "      acc = " << (max ? "v > acc ? v : acc" : "acc + v") << ";\n"
     << (max || op.getCountIncludePad() ? "" : "      ++taken;\n")
     << "    }\n  }\n";
  if (max) {
    os << "  const float a = acc;\n";
    return;
  }
  if (op.getCountIncludePad()) {
    // The window clipped to the padded input: cells past the padding do not
    // count even with count_include_pad.
    os << "  const int y0 = oy * " << s[0] << " - " << p[0]
       << ", x0 = ox * " << s[1] << " - " << p[1] << ";\n"
       << "  const int y1 = min(y0 + " << (k[0] - 1) * d[0] + 1 << ", "
       << in[2] + p[2] << "), x1 = min(x0 + " << (k[1] - 1) * d[1] + 1
       << ", " << in[3] + p[3] << ");\n"
       << "  const int cells = ((y1 - y0 + " << d[0] - 1 << ") / " << d[0]
       << ") * ((x1 - x0 + " << d[1] - 1 << ") / " << d[1] << ");\n"
       << "  const float a = acc / (float)cells;\n";
    return;
  }
  os << "  const float a = taken ? acc / (float)taken : 0.0f;\n";
}

llvm::Error KernelWriter::writeReduction(llvm::raw_ostream &os, Operation *op,
                                         const std::string &i) {
  Value input = op->getOperand(0);
  ArrayRef<int64_t> shape = tensorType(input).getShape();
  Type element = tensorType(input).getElementType();
  ArrayRef<int64_t> axes =
      cast<DenseI64ArrayAttr>(op->getAttr("axes")).asArrayRef();
  std::vector<int64_t> strides = contiguousStrides(shape);
  // The kept dimensions address the base; the reduced ones are loops.
  SmallVector<int64_t> keptShape, keptStrides;
  int64_t reduced = 1;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (llvm::is_contained(axes, static_cast<int64_t>(d))) {
      reduced *= size;
      continue;
    }
    keptShape.push_back(size);
    keptStrides.push_back(strides[d]);
  }
  std::string type = storage_.registerTypeName(element);
  bool isFloat = isa<FloatType>(element);
  std::string acc = isFloat ? "float" : type;
  auto limit = [&](bool lowest) -> std::string {
    if (isFloat)
      return lowest ? "-INFINITY" : "INFINITY";
    auto integer = cast<IntegerType>(element);
    unsigned width = integer.getWidth();
    if (integer.isUnsigned() || width == 1)
      return lowest ? "0" : "(" + type + ")~(" + type + ")0";
    return lowest ? "(" + type + ")(1ull << " + std::to_string(width - 1) + ")"
                  : "(" + type + ")((1ull << " + std::to_string(width - 1) +
                        ") - 1)";
  };
  std::string init = "0", combine;
  llvm::TypeSwitch<Operation *>(op)
      .Case<graph::ReduceMeanOp, graph::ReduceSumOp, graph::ReduceLogSumOp>(
          [&](auto) { combine = "acc += x"; })
      .Case([&](graph::ReduceProdOp) {
        init = "1";
        combine = "acc *= x";
      })
      .Case([&](graph::ReduceMaxOp) {
        init = limit(true);
        combine = "acc = x > acc ? x : acc";
      })
      .Case([&](graph::ReduceMinOp) {
        init = limit(false);
        combine = "acc = x < acc ? x : acc";
      })
      .Case([&](graph::ReduceL1Op) {
        combine = isFloat ? "acc += fabsf(x)" : "acc += x < 0 ? -x : x";
      })
      .Case<graph::ReduceL2Op, graph::ReduceSumSquareOp>(
          [&](auto) { combine = "acc += x * x"; })
      .Case([&](graph::ReduceLogSumExpOp) { combine = "acc += expf(x - top)"; })
      .Default([&](Operation *) {});
  if (!isFloat && isa<graph::ReduceLogSumExpOp, graph::ReduceLogSumOp,
                      graph::ReduceL2Op>(op))
    return opError(op, "logarithms and roots of integers");

  std::string base = offsetExpression(keptShape, keptStrides, i);
  os << "  const long long base = " << base << ";\n";
  // One loop per reduced dimension, outermost first.
  auto loops = [&](const std::string &statement) {
    std::string pad = "  ", offset = "base";
    for (int64_t axis : axes) {
      std::string r = "r" + std::to_string(axis);
      os << pad << "for (int " << r << " = 0; " << r << " < " << shape[axis]
         << "; ++" << r << ")\n";
      pad += "  ";
      offset += " + (long long)" + r + " * " + std::to_string(strides[axis]);
    }
    os << pad << "{\n"
       << pad << "  const " << acc << " x = " << load(input, offset) << ";\n"
       << pad << "  " << statement << ";\n"
       << pad << "}\n";
  };
  if (isa<graph::ReduceLogSumExpOp>(op)) {
    os << "  float top = -INFINITY;\n";
    loops("top = x > top ? x : top");
    os << "  if (isinf(top))\n    top = 0.0f;\n";
  }
  os << "  " << acc << " acc = " << init << ";\n";
  loops(combine);
  std::string result = "acc";
  if (isa<graph::ReduceMeanOp>(op))
    result = "acc / (" + acc + ")" + std::to_string(std::max<int64_t>(reduced, 1));
  else if (isa<graph::ReduceL2Op>(op))
    result = "sqrtf(acc)";
  else if (isa<graph::ReduceLogSumOp>(op))
    result = "logf(acc)";
  else if (isa<graph::ReduceLogSumExpOp>(op))
    result = "top + logf(acc)";
  os << "  const " << registerType(op->getResult(0)) << " a = (" 
     << registerType(op->getResult(0)) << ")(" << result << ");\n";
  return llvm::Error::success();
}

} // namespace modelc::cuda_target::detail
