//===- QuantizedKernels.cpp - 8-bit products as dp4a kernels --------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// kernel.quantized_conv and kernel.quantized_matmul as generated kernels over
// runtime/qgemm.cuh. Each kernel spells the product as three accessors with
// its shapes as constants: weight(m, k), input(k, n) (an im2col read for a
// convolution) and store(m, n, sum), which adds the row offset, applies the
// output stage of the op's result type and runs the dispatch's elementwise
// epilogue before the one store. Products with at least 16 rows and 16
// depths run as 64 x 64 dp4a tiles; the rest (depthwise convolutions, tiny
// layers) as one thread per output over the same accessors.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {

bool isQuantizedProduct(Operation *op) {
  return isa<kernel::QuantizedConvOp, kernel::QuantizedMatMulOp>(op);
}

namespace {

/// A product as the generated kernel sees it: a batch of GEMMs of `rows` x
/// `columns` over `depth`, one per (image, group), with the C text of its
/// accessors written for `image` and `group` in scope.
struct ProductShape {
  int64_t rows = 0, columns = 0, depth = 0;
  int64_t images = 1, groups = 1;
  /// Rows of all groups together: the output's channel count (conv) or its
  /// last dimension (matmul).
  int64_t allRows = 0;
  /// Whether consecutive depths of one column are adjacent in memory (the
  /// tile then loads the input as it loads the weights).
  bool inputAlongDepth = false;
  std::string accessors;
  /// Statements that name what the accessors read besides m and n: from
  /// blockIdx.z in a tile kernel, from the flat output index i (and with m
  /// and n) in a one-thread-per-output kernel.
  std::string tileIndices, elementIndices;
  /// The multiplier and row offset index of row m, and the output element
  /// of (m, n).
  std::string row, flatIndex;
};

/// The tile of runtime/qgemm.cuh (MC_QTILE_ROWS x MC_QTILE_COLUMNS, 256
/// threads), for the launch; the two must agree.
constexpr int64_t kTileRows = 64, kTileColumns = 64, kTileThreads = 256;

/// The smallest product the dp4a tile is worth: below this a 64 x 64 tile
/// mostly computes padding.
constexpr int64_t kMinimumTileSide = 16;

std::string str(int64_t value) { return std::to_string(value); }

/// `expr * factor`, without a factor of 1.
std::string times(const std::string &expr, int64_t factor) {
  return factor == 1 ? expr : expr + " * " + str(factor);
}

/// `expr + offset`, without an offset of 0.
std::string plus(const std::string &expr, int64_t offset) {
  if (offset == 0)
    return expr;
  return expr + (offset < 0 ? " - " : " + ") +
         str(offset < 0 ? -offset : offset);
}

} // namespace

/// The accessors of a convolution: weight [M, C/g, KH, KW] read per group,
/// input read through the im2col map with padding at the zero point.
static ProductShape convShape(kernel::QuantizedConvOp conv,
                              const std::string &input,
                              const std::string &weight) {
  ArrayRef<int64_t> in = conv.getInput().getType().getShape();
  ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
  ArrayRef<int64_t> out = conv.getType().getShape();
  ArrayRef<int64_t> s = conv.getStrides(), p = conv.getPads(),
                    d = conv.getDilations();
  int64_t groups = conv.getGroup();
  int64_t channels = in[1], height = in[2], width = in[3];
  int64_t groupChannels = w[1], kh = w[2], kw = w[3];
  int64_t outW = out[3], outHW = out[2] * out[3];
  ProductShape shape;
  shape.rows = w[0] / groups;
  shape.columns = outHW;
  shape.depth = groupChannels * kh * kw;
  shape.images = in[0];
  shape.groups = groups;
  shape.allRows = w[0];

  std::string code;
  llvm::raw_string_ostream os(code);
  os << "  const uint8_t *image_input = " << input << " + ((long long)image * "
     << channels << " + group * " << groupChannels << ") * " << height * width
     << ";\n"
     << "  const int8_t *group_weight = " << weight << " + (long long)group * "
     << shape.rows * shape.depth << ";\n"
     << "  auto weight = [&](int m, int k) { return group_weight[m * "
     << shape.depth << " + k]; };\n";
  bool pointwise = kh == 1 && kw == 1 && s[0] == 1 && s[1] == 1 &&
                   llvm::all_of(p, [](int64_t v) { return v == 0; }) &&
                   out[2] == height && out[3] == width;
  if (pointwise) {
    os << "  auto input = [&](int k, int n) { return image_input[k * "
       << height * width << " + n]; };\n";
  } else {
    // Depth k is (channel, tap row, tap column), column n is (y, x).
    std::string y = plus(times("n / " + str(outW), s[0]), -p[0]);
    std::string x = plus(times("n % " + str(outW), s[1]), -p[1]);
    os << "  auto input = [&](int k, int n) -> uint8_t {\n"
       << "    const int c = k / " << kh * kw << ", ky = k / " << kw << " % "
       << kh << ", kx = k % " << kw << ";\n"
       << "    const int y = " << y << " + " << times("ky", d[0])
       << ", x = " << x << " + " << times("kx", d[1]) << ";\n"
       << "    return (unsigned)y < " << height << "u && (unsigned)x < "
       << width << "u ? image_input[(c * " << height << " + y) * " << width
       << " + x] : (uint8_t)" << conv.getInputZeroPoint() << ";\n"
       << "  };\n";
  }
  shape.accessors = code;
  shape.row = shape.rows == 1 ? "group" : times("group", shape.rows) + " + m";
  shape.flatIndex = "((long long)image * " + str(shape.allRows) + " + " +
                    shape.row + ") * " + str(outHW) + " + n";
  shape.tileIndices = groups == 1
                          ? "  const int image = blockIdx.z, group = 0;\n"
                          : "  const int image = blockIdx.z / " + str(groups) +
                                ", group = blockIdx.z % " + str(groups) + ";\n";
  // i is ((image * allRows + group * rows + m) * columns + n).
  std::string group = groups == 1 ? "0"
                                  : "(int)(i / " + str(outHW * shape.rows) +
                                        " % " + str(groups) + ")";
  std::string m = shape.rows == 1 ? "0"
                                  : "(int)(i / " + str(outHW) + " % " +
                                        str(shape.rows) + ")";
  shape.elementIndices = "  const int n = (int)(i % " + str(outHW) +
                         "), m = " + m + ";\n  const int group = " + group +
                         ", image = (int)(i / " + str(outHW * shape.allRows) +
                         ");\n";
  return shape;
}

/// The accessors of a matmul Y[r, n] = X[r, :] . W[n, :]: the weight's rows
/// are the output's columns, the input's rows the GEMM's columns.
static ProductShape matmulShape(kernel::QuantizedMatMulOp matmul,
                                const std::string &input,
                                const std::string &weight) {
  ArrayRef<int64_t> w = matmul.getWeight().getType().getShape();
  ProductShape shape;
  shape.rows = shape.allRows = w[0];
  shape.depth = w[1];
  shape.columns = matmul.getInput().getType().getNumElements() / w[1];
  shape.inputAlongDepth = true;
  shape.accessors = "  auto weight = [&](int m, int k) { return " + weight +
                    "[(long long)m * " + str(shape.depth) + " + k]; };\n" +
                    "  auto input = [&](int k, int n) { return " + input +
                    "[(long long)n * " + str(shape.depth) + " + k]; };\n";
  shape.row = "m";
  shape.flatIndex = "(long long)n * " + str(shape.rows) + " + m";
  shape.elementIndices = "  const int n = (int)(i / " + str(shape.rows) +
                         "), m = (int)(i % " + str(shape.rows) + ");\n";
  return shape;
}

/// Statements that turn the sum `s` of row m into the output stage `a`.
static std::string
outputStage(Operation *product, Value rowOffset, Value multiplier,
            int64_t zeroPoint,
            const llvm::DenseMap<Value, std::string> &pointers,
            const std::string &row, const std::string &indent) {
  Type element = tensorType(product->getResult(0)).getElementType();
  std::string code = indent + "const int acc = (int)((unsigned)s + (unsigned)" +
                     pointers.lookup(rowOffset) + "[" + row + "]);\n";
  if (element.isInteger(32))
    return code + indent + "const int a = acc;\n";
  std::string scale =
      pointers.lookup(multiplier) + "[" +
      (tensorType(multiplier).getNumElements() > 1 ? row : "0") + "]";
  if (element.isF32())
    return code + indent + "const float a = (float)acc * " + scale + ";\n";
  bool isUnsigned = element.isUnsignedInteger(8);
  int64_t lo = isUnsigned ? 0 : -128, hi = isUnsigned ? 255 : 127;
  return code + indent + "const " + (isUnsigned ? "uint8_t" : "int8_t") +
         " a = (" + (isUnsigned ? "uint8_t" : "int8_t") +
         ")mc_requantize(acc, " + scale + ", " + str(lo - zeroPoint) + ".0f, " +
         str(hi - zeroPoint) + ".0f, " + str(zeroPoint) + ");\n";
}

llvm::Error KernelWriter::writeQuantizedProduct(Operation *anchor) {
  Value rowOffset, multiplier;
  int64_t zeroPoint = 0;
  ProductShape shape;
  if (auto conv = dyn_cast<kernel::QuantizedConvOp>(anchor)) {
    shape = convShape(conv, pointers_.lookup(conv.getInput()),
                      pointers_.lookup(conv.getWeight()));
    rowOffset = conv.getRowOffset();
    multiplier = conv.getMultiplier();
    zeroPoint = static_cast<int64_t>(conv.getOutputZeroPoint());
  } else {
    auto matmul = cast<kernel::QuantizedMatMulOp>(anchor);
    shape = matmulShape(matmul, pointers_.lookup(matmul.getInput()),
                        pointers_.lookup(matmul.getWeight()));
    rowOffset = matmul.getRowOffset();
    multiplier = matmul.getMultiplier();
    zeroPoint = static_cast<int64_t>(matmul.getOutputZeroPoint());
  }
  usesQuantizedProducts_ = true;
  int64_t count = tensorType(anchor->getResult(0)).getNumElements();
  if (count == 0)
    return llvm::Error::success();
  std::string kernel = name_ + "_" + anchor->getName().stripDialect().str();

  if (shape.rows < kMinimumTileSide || shape.depth < kMinimumTileSide) {
    return writeElementKernel(
        kernel, count,
        [&](llvm::raw_ostream &os, const std::string &) {
          os << shape.elementIndices << shape.accessors
             << "  const int s = mc_qgemm_sum(m, n, " << shape.depth
             << ", weight, input);\n"
             << outputStage(anchor, rowOffset, multiplier, zeroPoint, pointers_,
                            shape.row, "  ");
          return llvm::Error::success();
        },
        /*hasAnchorValue=*/true);
  }
  std::string code;
  llvm::raw_string_ostream os(code);
  os << "static __global__ void __launch_bounds__(" << kTileThreads << ") "
     << kernel << "(" << kernelParams() << ")\n{\n"
     << "  __shared__ mc_qtile_shared tile;\n"
     << shape.tileIndices << shape.accessors
     << "  auto store = [&](int m, int n, int s) {\n"
     << "    const long long i = " << shape.flatIndex << ";\n"
     << outputStage(anchor, rowOffset, multiplier, zeroPoint, pointers_,
                    shape.row, "    ");
  if (llvm::Error err = writeTail(os, "    ", "i", "a"))
    return err;
  os << "  };\n"
     << "  mc_qgemm_tile<" << (shape.inputAlongDepth ? "true" : "false")
     << ">(tile, " << shape.rows << ", " << shape.columns << ", " << shape.depth
     << ", weight, input, store);\n"
     << "}\n\n";
  device_ += code;
  int64_t tilesX = llvm::divideCeil(shape.columns, kTileColumns);
  int64_t tilesY = llvm::divideCeil(shape.rows, kTileRows);
  launches_ += "  " + kernel + "<<<dim3(" + str(tilesX) + ", " + str(tilesY) +
               ", " + str(shape.images * shape.groups) + "), " +
               str(kTileThreads) + ", 0, stream>>>(" + kernelArgs() + ");\n";
  return llvm::Error::success();
}

} // namespace modelc::cuda_target::detail
