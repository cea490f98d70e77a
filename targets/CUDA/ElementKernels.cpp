//===- ElementKernels.cpp - One thread per output element -----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Anchors whose output element is a function of a few input elements:
// transpose, slice, concat, gather, pad, pooling, reductions, arg-reductions,
// running sums, hardmax and transposed convolutions (gathered: each output
// pixel sums what reaches it).
// Each writes statements that leave the anchor's value in register `a`.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "modelc/IR/TensorData.h"
#include "targets/Common/CSyntax.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include "targets/Common/GemmShape.h"
#include "targets/Common/LoopBody.h"
#include "targets/Common/ReductionNest.h"
#include "targets/Common/StridedView.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Per-element anchors
//===----------------------------------------------------------------------===//

namespace {
/// Where output element `i` lies around `axis`: o, s and n (outer, step
/// along the axis, inner) in the generated code.
struct AxisPosition {
  int64_t length, inner;

  /// The offset of step `j` along the axis, in the same row as `i`.
  std::string offset(const std::string &j) const {
    return "(o * " + std::to_string(length) + " + " + j + ") * " +
           std::to_string(inner) + " + n";
  }
};
} // namespace

/// Declares o, s and n for output element `i`.
static AxisPosition writeAxisPosition(llvm::raw_ostream &os,
                                      ArrayRef<int64_t> shape, int64_t axis,
                                      const std::string &i) {
  int64_t inner = computeProduct(shape.drop_front(axis + 1));
  int64_t length = shape[axis];
  os << "  const long long o = " << i << " / " << length * inner << ", s = ("
     << i << " / " << inner << ") % " << length << ", n = " << i << " % "
     << inner << ";\n";
  return {length, inner};
}

llvm::Error KernelWriter::writeElementAnchor(llvm::raw_ostream &os,
                                             Operation *anchor,
                                             const std::string &i) {
  std::string type = registerType(anchor->getResult(0));
  ArrayRef<int64_t> outShape = tensorType(anchor->getResult(0)).getShape();
  return llvm::TypeSwitch<Operation *, llvm::Error>(anchor)
      .Case([&](kernel::ConvOp op) {
        // One output per thread: its products summed in 32 bits with
        // wrap-around (unsigned), exact whenever the result fits.
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        ArrayRef<int64_t> w = op.getWeight().getType().getShape();
        ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(),
                          d = op.getDilations();
        int64_t groupOut = outShape[1] / op.getGroup(), groupIn = w[1];
        os << "  const long long n = " << coordinate(outShape, 0, i)
           << ", oc = " << coordinate(outShape, 1, i)
           << ", oy = " << coordinate(outShape, 2, i)
           << ", ox = " << coordinate(outShape, 3, i) << ";\n"
           << "  const long long channel = oc / " << groupOut << " * "
           << groupIn << ";\n"
           << "  unsigned int sum = 0;\n"
           << "  for (long long ic = 0; ic < " << groupIn << "; ++ic)\n"
           << "    for (long long ky = 0; ky < " << w[2] << "; ++ky) {\n"
           << "      const long long iy = oy * " << s[0] << " - " << p[0]
           << " + ky * " << d[0] << ";\n"
           << "      if (iy < 0 || iy >= " << in[2] << ")\n"
           << "        continue;\n"
           << "      for (long long kx = 0; kx < " << w[3] << "; ++kx) {\n"
           << "        const long long ix = ox * " << s[1] << " - " << p[1]
           << " + kx * " << d[1] << ";\n"
           << "        if (ix < 0 || ix >= " << in[3] << ")\n"
           << "          continue;\n"
           << "        sum += (unsigned int)"
           << load(op.getInput(), "((n * " + std::to_string(in[1]) +
                                      " + channel + ic) * " +
                                      std::to_string(in[2]) + " + iy) * " +
                                      std::to_string(in[3]) + " + ix")
           << " * (unsigned int)"
           << load(op.getWeight(), "((oc * " + std::to_string(groupIn) +
                                       " + ic) * " + std::to_string(w[2]) +
                                       " + ky) * " + std::to_string(w[3]) +
                                       " + kx")
           << ";\n"
           << "      }\n"
           << "    }\n";
        if (op.getBias())
          os << "  sum += (unsigned int)" << load(op.getBias(), "oc") << ";\n";
        os << "  const " << type << " a = (" << type << ")sum;\n";
        return llvm::Error::success();
      })
      .Case([&](kernel::MatMulOp op) {
        // One dot product per thread, accumulated in 32 bits with
        // wrap-around (unsigned), so it is exact whenever the result fits.
        GemmShape gemm = getGemmShape(op);
        std::optional<SmallVector<int64_t>> batch =
            mlir::modelc::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
        std::vector<int64_t> lhsStrides = broadcastStrides(gemm.lhsBatch, *batch);
        std::vector<int64_t> rhsStrides = broadcastStrides(gemm.rhsBatch, *batch);
        for (int64_t &v : lhsStrides)
          v *= gemm.m * gemm.k;
        for (int64_t &v : rhsStrides)
          v *= gemm.k * gemm.n;
        std::string matrix = "(" + i + " / " + std::to_string(gemm.m * gemm.n) + ")";
        os << "  const long long row = (" << i << " / " << gemm.n << ") % "
           << gemm.m << ", col = " << i << " % " << gemm.n << ";\n"
           << "  const long long lhs = " << offsetExpression(*batch, lhsStrides, matrix)
           << " + row * " << gemm.k << ", rhs = "
           << offsetExpression(*batch, rhsStrides, matrix) << " + col;\n"
           << "  unsigned int sum = 0;\n"
           << "  for (long long p = 0; p < " << gemm.k << "; ++p)\n"
           << "    sum += (unsigned int)" << load(op.getLhs(), "lhs + p")
           << " * (unsigned int)" << load(op.getRhs(), "rhs + p * " + std::to_string(gemm.n))
           << ";\n"
           << "  const " << type << " a = (" << type << ")sum;\n";
        return llvm::Error::success();
      })
      .Case([&](tensor::ConcatOp op) {
        int64_t axis = static_cast<int64_t>(op.getDim());
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
      .Case([&](kernel::PoolOp op) -> llvm::Error {
        if (op.getKind() != "max" && op.getKind() != "avg")
          return opError(op, "pooling kind '" + op.getKind() +
                                 "' is not supported");
        writePool(os, op, /*max=*/op.getKind() == "max", i);
        return llvm::Error::success();
      })
      .Case([&](kernel::ArgReduceOp op) {
        bool max = op.getMax();
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
      .Case([&](kernel::ScanOp op) {
        // Each output sums its prefix (suffix with `reverse`) itself, in the
        // order the C target's running sum takes, so the sums are the same.
        AxisPosition position =
            writeAxisPosition(os, op.getType().getShape(), op.getAxis(), i);
        bool reverse = op.getReverse(), exclusive = op.getExclusive();
        os << "  " << type << " a = 0;\n";
        if (reverse)
          os << "  for (long long j = " << position.length - 1 << "; j "
             << (exclusive ? ">" : ">=") << " s; --j)\n";
        else
          os << "  for (long long j = 0; j " << (exclusive ? "<" : "<=")
             << " s; ++j)\n";
        os << "    a += " << load(op.getInput(), position.offset("j")) << ";\n";
        return llvm::Error::success();
      })
      .Case([&](kernel::HardmaxOp op) {
        AxisPosition position =
            writeAxisPosition(os, op.getType().getShape(), op.getAxis(), i);
        std::string valueType = registerType(op.getInput());
        auto at = [&](const std::string &j) {
          return load(op.getInput(), position.offset(j));
        };
        os << "  " << valueType << " best = " << at("0") << ";\n"
           << "  long long first = 0;\n"
           << "  for (long long j = 1; j < " << position.length << "; ++j) {\n"
           << "    const " << valueType << " x = " << at("j") << ";\n"
           << "    if (x > best) {\n"
           << "      best = x;\n      first = j;\n    }\n  }\n"
           << "  const " << type << " a = s == first ? 1 : 0;\n";
        return llvm::Error::success();
      })
      .Case([&](kernel::ConvTransposeOp op) -> llvm::Error {
        // Gather form: each output pixel sums the input pixels whose
        // scattered kernel reaches it: input row t / stride where
        // t = oh + pad - kh * dilation is a non-negative multiple of the
        // stride (columns likewise).
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        ArrayRef<int64_t> w = op.getWeight().getType().getShape();
        ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(),
                          d = op.getDilations();
        if (in.size() != 4)
          return opError(op, "only 2-D transposed convolutions are supported");
        int64_t group = static_cast<int64_t>(op.getGroup());
        int64_t icg = in[1] / group, ocg = w[1];
        auto str = [](int64_t v) { return std::to_string(v); };
        // "x + v" without a zero term, "x * v" without a unit factor.
        auto plus = [&](const std::string &x, int64_t v) {
          return v == 0 ? x : x + " + " + str(v);
        };
        auto times = [&](const std::string &x, int64_t v) {
          return v == 1 ? x : x + " * " + str(v);
        };
        auto tap = [&](const char *t, const char *o, const char *k,
                       int64_t axis, int64_t extent,
                       const std::string &indent) {
          os << indent << "const int " << t << " = " << plus(o, p[axis])
             << " - " << times(k, d[axis]) << ";\n"
             << indent << "if (" << t << " < 0 || ";
          if (s[axis] != 1)
            os << t << " % " << s[axis] << " != 0 || ";
          os << times(t, 1) << (s[axis] != 1 ? " / " + str(s[axis]) : "")
             << " >= " << extent << ")\n"
             << indent << "  continue;\n";
        };
        auto row = [&](const char *t, int64_t axis) {
          return s[axis] == 1 ? std::string(t)
                              : std::string(t) + " / " + str(s[axis]);
        };
        std::string channel = group == 1 ? "ic" : "g * " + str(icg) + " + ic";
        std::string inputOffset = "((nn * " + str(in[1]) + " + " + channel +
                                  ") * " + str(in[2]) + " + " + row("th", 0) +
                                  ") * " + str(in[3]) + " + " + row("tw", 1);
        std::string weightOffset =
            "((((long long)" +
            (group == 1 ? std::string("ic") : "(" + channel + ")") + " * " +
            str(ocg) + " + oc) * " + str(w[2]) + " + kh) * " + str(w[3]) +
            " + kw)";
        int64_t plane = outShape[2] * outShape[3];
        os << "  const long long nn = " << i << " / " << outShape[1] * plane
           << ";\n"
           << "  const int c = (int)((" << i << " / " << plane << ") % "
           << outShape[1] << ");\n"
           << "  const int oh = (int)((" << i << " / " << outShape[3] << ") % "
           << outShape[2] << "), ow = (int)(" << i << " % " << outShape[3]
           << ");\n";
        if (group == 1)
          os << "  const int oc = c;\n";
        else
          os << "  const int g = c / " << ocg << ", oc = c % " << ocg << ";\n";
        os << "  float a = "
           << (op.getBias() ? load(op.getBias(), "c") : std::string("0.0f"))
           << ";\n"
           << "  for (int ic = 0; ic < " << icg << "; ++ic)\n"
           << "    for (int kh = 0; kh < " << w[2] << "; ++kh) {\n";
        tap("th", "oh", "kh", 0, in[2], "      ");
        os << "      for (int kw = 0; kw < " << w[3] << "; ++kw) {\n";
        tap("tw", "ow", "kw", 1, in[3], "        ");
        os << "        a += " << load(op.getInput(), inputOffset) << " * "
           << load(op.getWeight(), weightOffset) << ";\n"
           << "      }\n    }\n";
        return llvm::Error::success();
      })
      .Case([&](linalg::GenericOp generic) {
        return writeReduction(os, generic, i);
      })
      .Default([&](Operation *op) -> llvm::Error {
        return opError(op, "not a per-element anchor");
      });
}

/// Where a max pool's window starts: -inf, or the lowest 8-bit value, which
/// is what a window with no cell inside the input gives (as on the C target).
static const char *maxPoolStart(kernel::PoolOp op) {
  Type element = op.getType().getElementType();
  if (element.isUnsignedInteger(8))
    return "0.0f";
  if (element.isInteger(8))
    return "-128.0f";
  return "-INFINITY";
}

void KernelWriter::writePool(llvm::raw_ostream &os, kernel::PoolOp op, bool max,
                             const std::string &i) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  os << "  const long long nc = " << i << " / " << out[2] * out[3]
     << ";\n"
     << "  const int oy = (" << i << " / " << out[3] << ") % " << out[2]
     << ", ox = " << i << " % " << out[3] << ";\n"
     << "  float acc = " << (max ? maxPoolStart(op) : "0.0f") << ";\n"
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

llvm::Error KernelWriter::writeReduction(llvm::raw_ostream &os,
                                         linalg::GenericOp generic,
                                         const std::string &i) {
  ScalarSpelling spelling;
  spelling.targetName = "cuda";
  spelling.halfInFloatRegisters = true;
  bool usesHalf = false;
  llvm::Expected<ReductionNest> nest = getReductionNest(generic, spelling, usesHalf);
  if (!nest)
    return nest.takeError();
  // Thread i owns output element i: the parallel loops address the base of
  // its inputs, the reduced ones are loops.
  SmallVector<int64_t> keptShape, keptStrides;
  for (auto [d, size] : llvm::enumerate(nest->iteration))
    if (!nest->reduced[d]) {
      keptShape.push_back(size);
      keptStrides.push_back(nest->input.strides[d]);
    }
  Value input = generic.getDpsInputs().front();
  Block &loop = generic.getRegion().front();
  std::string accType =
      scalarTypeName(loop.getArgument(1).getType(), spelling);
  std::string base = offsetExpression(keptShape, keptStrides, i);
  if (nest->input.base)
    base = std::to_string(nest->input.base) + " + " + base;
  os << "  const long long base = " << base << ";\n"
     << "  " << accType << " acc = " << nest->identity << ";\n";
  std::string pad = "  ", offset = "base";
  for (auto [d, size] : llvm::enumerate(nest->iteration)) {
    if (!nest->reduced[d])
      continue;
    std::string r = "r" + std::to_string(d);
    os << pad << "for (int " << r << " = 0; " << r << " < " << size << "; ++"
       << r << ")\n";
    pad += "  ";
    offset += " + (long long)" + r + " * " +
              std::to_string(nest->input.strides[d]);
  }
  os << pad << "{\n";
  std::string inner = pad + "  ";
  os << inner << "const " << registerType(input) << " x = "
     << load(input, offset) << ";\n";
  llvm::DenseMap<Value, std::string> scalars;
  scalars[loop.getArgument(0)] = "x";
  scalars[loop.getArgument(1)] = "acc";
  unsigned next = 0;
  if (llvm::Error err =
          writeLoopBody(loop, os, inner, scalars, next, spelling, usesHalf))
    return err;
  Value result = cast<linalg::YieldOp>(loop.getTerminator()).getValues()[0];
  os << inner << "acc = " << scalars[result] << ";\n" << pad << "}\n";
  os << "  const " << registerType(generic.getResult(0)) << " a = acc;\n";
  return llvm::Error::success();
}

} // namespace modelc::cuda_target::detail
