//===- LibraryCallEmitters.cpp - Conv, matmul, pool and norm anchors ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Anchors that the C runtime's kernels compute (targets/C/runtime/kernels):
// float conv and matmul through mk_conv2d and mk_sgemm, int32 matmul through
// mk_igemm_i32, pooling, softmax and layer norm; and the members of the same
// families that have no runtime kernel and are written as direct loops: the
// int32 conv (ConvInteger), log-softmax and conv-transpose.
//
//===----------------------------------------------------------------------===//

#include "DispatchWriter.h"

#include "LoopNest.h"
#include "targets/Common/GemmShape.h"
#include "modelc/IR/TensorData.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target::detail {
using namespace ::modelc::codegen;

void writeConvGeometry(llvm::raw_ostream &os, Value input, Value weight,
                       Value result, ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                       ArrayRef<int64_t> d, int64_t group) {
  ArrayRef<int64_t> in = tensorType(input).getShape();
  ArrayRef<int64_t> w = tensorType(weight).getShape();
  ArrayRef<int64_t> out = tensorType(result).getShape();
  os << "      .batch = " << in[0] << ", .in_channels = " << in[1]
     << ", .in_h = " << in[2] << ", .in_w = " << in[3] << ",\n"
     << "      .out_channels = " << out[1] << ", .out_h = " << out[2]
     << ", .out_w = " << out[3] << ",\n"
     << "      .kernel_h = " << w[2] << ", .kernel_w = " << w[3]
     << ", .stride_h = " << s[0] << ", .stride_w = " << s[1] << ",\n"
     << "      .pad_top = " << p[0] << ", .pad_left = " << p[1]
     << ", .dilation_h = " << d[0] << ", .dilation_w = " << d[1]
     << ", .groups = " << group;
}

/// The hgemm.c kind of a half-precision weight (--precision), or null.
static const char *halfWeightKind(Value weight) {
  Type element = tensorType(weight).getElementType();
  if (element.isBF16())
    return "MK_HALF_BF16";
  if (element.isF16())
    return "MK_HALF_F16";
  return nullptr;
}

/// An int32 convolution (ConvInteger's centered values) as direct loops:
/// each output sums its products in 32 bits with wrap-around (unsigned, so
/// C has no overflow to trap on), exact whenever the true sum fits int32.
void DispatchWriter::emitIntegerConv(kernel::ConvOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t groupOut = out[1] / op.getGroup(), groupIn = w[1];
  std::string x = pointer(op.getInput()), k = pointer(op.getWeight());
  std::string bias = op.getBias() ? " + (uint32_t)" + pointer(op.getBias()) + "[oc]" : "";
  os_ << "  for (int64_t n = 0; n < " << in[0] << "; ++n)\n"
      << "    for (int64_t oc = 0; oc < " << out[1] << "; ++oc) {\n"
      << "      const int64_t channel = oc / " << groupOut << " * " << groupIn
      << ";\n"
      << "      for (int64_t oy = 0; oy < " << out[2] << "; ++oy)\n"
      << "        for (int64_t ox = 0; ox < " << out[3] << "; ++ox) {\n"
      << "          uint32_t sum = 0;\n"
      << "          for (int64_t ic = 0; ic < " << groupIn << "; ++ic)\n"
      << "            for (int64_t ky = 0; ky < " << w[2] << "; ++ky) {\n"
      << "              const int64_t iy = oy * " << s[0] << " - " << p[0]
      << " + ky * " << d[0] << ";\n"
      << "              if (iy < 0 || iy >= " << in[2] << ")\n"
      << "                continue;\n"
      << "              for (int64_t kx = 0; kx < " << w[3] << "; ++kx) {\n"
      << "                const int64_t ix = ox * " << s[1] << " - " << p[1]
      << " + kx * " << d[1] << ";\n"
      << "                if (ix < 0 || ix >= " << in[3] << ")\n"
      << "                  continue;\n"
      << "                sum += (uint32_t)" << x << "[((n * " << in[1]
      << " + channel + ic) * " << in[2] << " + iy) * " << in[3]
      << " + ix] * (uint32_t)" << k << "[((oc * " << groupIn << " + ic) * "
      << w[2] << " + ky) * " << w[3] << " + kx];\n"
      << "              }\n"
      << "            }\n"
      << "          out0[((n * " << out[1] << " + oc) * " << out[2]
      << " + oy) * " << out[3] << " + ox] = (int32_t)(sum" << bias << ");\n"
      << "        }\n"
      << "    }\n";
}

llvm::Error DispatchWriter::emitConv(kernel::ConvOp op) {
  if (op.getType().getElementType().isInteger(32)) {
    emitIntegerConv(op);
    return llvm::Error::success();
  }
  kernels_.insert(RuntimeKernel::Gemm);
  kernels_.insert(RuntimeKernel::Conv);
  signature_.usesExec = signature_.usesScratch = true;
  const char *halfKind = halfWeightKind(op.getWeight());
  if (halfKind) {
    kernels_.insert(RuntimeKernel::Half);
    kernels_.insert(RuntimeKernel::HalfGemm);
    kernels_.insert(RuntimeKernel::HalfConv);
  }
  std::string params = dispatch_.getName().str() + "_params";
  bool packed = halfKind && hasPackedWeights();
  signature_.scratchNeed =
      halfKind ? "mk_hconv2d_scratch_bytes(" + std::string(halfKind) + ", &" +
                     params + ")" +
                     (packed ? "" : " + mk_hconv2d_pack_bytes(&" + params + ")")
               : "mk_conv2d_scratch_bytes(&" + params + ")";
  {
    llvm::raw_string_ostream statics(statics_);
    statics << "static const mk_conv2d_params " << params << " = {\n";
    writeConvGeometry(statics, op.getInput(), op.getWeight(), op.getResult(),
                      op.getStrides(), op.getPads(), op.getDilations(),
                      op.getGroup());
    statics << "};\n";
  }
  if (packed)
    usePackedWeight(op.getWeight(),
                    "mk_hconv2d_pack_weights(ex, " + std::string(halfKind) +
                        ", &" + params + ", weight, packed);",
                    "mk_hconv2d_pack_bytes(&" + params + ")");
  std::string bias = op.getBias() ? pointer(op.getBias()) : "NULL";
  if (halfKind) {
    os_ << "  mk_hconv2d" << (packed ? "_packed" : "") << "(ex, " << halfKind
        << ", &" << params << ", " << pointer(op.getInput()) << ", "
        << (packed ? "packed" : pointer(op.getWeight())) << ", " << bias
        << ", out0, scratch);\n";
    return llvm::Error::success();
  }
  os_ << "  mk_conv2d(ex, &" << params << ", " << pointer(op.getInput()) << ", "
      << pointer(op.getWeight()) << ", " << bias << ", out0, scratch);\n";
  return llvm::Error::success();
}

/// The broadcast batch of a matrix product and the element strides with
/// which the result, the left and the right operand advance per batch index.
static std::pair<SmallVector<int64_t>, std::vector<std::vector<int64_t>>>
batchLoops(const GemmShape &gemm) {
  SmallVector<int64_t> batch =
      *mlir::modelc::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
  std::vector<std::vector<int64_t>> strides = {
      contiguousStrides(batch), broadcastStrides(gemm.lhsBatch, batch),
      broadcastStrides(gemm.rhsBatch, batch)};
  for (int64_t &v : strides[0])
    v *= gemm.m * gemm.n;
  for (int64_t &v : strides[1])
    v *= gemm.m * gemm.k;
  for (int64_t &v : strides[2])
    v *= gemm.k * gemm.n;
  return {batch, strides};
}

llvm::Error DispatchWriter::emitMatMul(kernel::MatMulOp op) {
  kernels_.insert(RuntimeKernel::Gemm);
  GemmShape gemm = getGemmShape(op);
  int64_t m = gemm.m, n = gemm.n, k = gemm.k;
  std::string a = pointer(op.getLhs()), b = pointer(op.getRhs());
  if (op.getType().getElementType().isInteger(32)) {
    // Exact int32 products: one plain call per batch matrix.
    auto [batch, strides] = batchLoops(gemm);
    emitLoopNest(os_, 2, batch, strides,
                 [&](int indent, ArrayRef<std::string> offsets) {
                   os_ << std::string(indent, ' ') << "mk_igemm_i32(" << m
                       << ", " << n << ", " << k << ", " << a << " + "
                       << offsets[1] << ", " << b << " + " << offsets[2]
                       << ", out0 + " << offsets[0] << ");\n";
                 });
    return llvm::Error::success();
  }
  signature_.usesExec = signature_.usesScratch = true;
  if (const char *halfKind = halfWeightKind(op.getRhs())) {
    // A half-precision constant weight (--precision): one matrix, the left
    // batch folded into the rows.
    kernels_.insert(RuntimeKernel::Half);
    kernels_.insert(RuntimeKernel::HalfGemm);
    int64_t rows = gemm.rowsPerCall();
    std::string shape = std::to_string(rows) + ", " + std::to_string(n) +
                        ", " + std::to_string(k);
    std::string kn = std::to_string(k) + ", " + std::to_string(n);
    signature_.scratchNeed =
        "mk_hmatmul_scratch_bytes(" + std::string(halfKind) + ", " + shape + ")";
    if (hasPackedWeights()) {
      usePackedWeight(op.getRhs(),
                      "mk_hmatmul_pack_w(ex, " + std::string(halfKind) + ", " +
                          kn + ", weight, " + std::to_string(n) +
                          ", 0, packed);",
                      "mk_hmatmul_pack_w_bytes(" + kn + ")");
      os_ << "  mk_hmatmul_packed(ex, " << halfKind << ", " << shape << ", "
          << a << ", " << k << ", packed, out0, " << n << ", 0, scratch);\n";
      return llvm::Error::success();
    }
    signature_.scratchNeed += " + mk_hmatmul_pack_w_bytes(" + kn + ")";
    os_ << "  mk_hmatmul(ex, " << halfKind << ", " << shape << ", " << a
        << ", " << k << ", " << b << ", " << n << ", 0, out0, " << n
        << ", 0, scratch);\n";
    return llvm::Error::success();
  }
  if (gemm.foldsBatch) {
    // The right operand is one matrix: fold the left batch into the rows.
    int64_t rows = gemm.rowsPerCall();
    signature_.scratchNeed = "mk_sgemm_scratch_bytes(" + std::to_string(rows) +
                             ", " + std::to_string(n) + ", " +
                             std::to_string(k) + ")";
    os_ << "  mk_sgemm(ex, " << rows << ", " << n << ", " << k << ", " << a
        << ", " << k << ", 0, " << b << ", " << n << ", 0, out0, " << n
        << ", 0, scratch);\n";
    return llvm::Error::success();
  }
  signature_.scratchNeed = "mk_sgemm_scratch_bytes(" + std::to_string(m) +
                           ", " + std::to_string(n) + ", " +
                           std::to_string(k) + ")";
  auto [batch, strides] = batchLoops(gemm);
  emitLoopNest(os_, 2, batch, strides,
               [&](int indent, ArrayRef<std::string> offsets) {
                 os_ << std::string(indent, ' ') << "mk_sgemm(ex, " << m
                     << ", " << n << ", " << k << ", " << a << " + "
                     << offsets[1] << ", " << k << ", 0, " << b << " + "
                     << offsets[2] << ", " << n << ", 0, out0 + " << offsets[0]
                     << ", " << n << ", 0, scratch);\n";
               });
  return llvm::Error::success();
}

llvm::Error DispatchWriter::emitPool(kernel::PoolOp op) {
  if (op.getKind() != "max" && op.getKind() != "avg")
    return opError(op, "pooling kind '" + op.getKind() + "' is not supported");
  bool max = op.getKind() == "max";
  mlir::Type element = op.getType().getElementType();
  std::string kernel = max ? "mk_maxpool2d" : "mk_avgpool2d";
  // Max pools also take 8-bit values (graph.max_pool's types).
  if (max && element.isUnsignedInteger(8))
    kernel += "_u8";
  else if (max && element.isInteger(8))
    kernel += "_s8";
  else if (!element.isF32())
    return opError(op, max ? "only float32, int8 and uint8 are supported for "
                             "max pools"
                           : "only float32 is supported for average pools");
  kernels_.insert(RuntimeKernel::Pool);
  signature_.usesExec = true;
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> kk = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  std::string params = dispatch_.getName().str() + "_params";
  llvm::raw_string_ostream statics(statics_);
  statics << "static const mk_pool2d_params " << params << " = {\n"
      << "      .batch = " << in[0] << ", .channels = " << in[1]
      << ", .in_h = " << in[2] << ", .in_w = " << in[3] << ",\n"
      << "      .out_h = " << out[2] << ", .out_w = " << out[3]
      << ", .kernel_h = " << kk[0] << ", .kernel_w = " << kk[1] << ",\n"
      << "      .stride_h = " << s[0] << ", .stride_w = " << s[1]
      << ", .pad_top = " << p[0] << ", .pad_left = " << p[1] << ",\n"
      << "      .dilation_h = " << d[0] << ", .dilation_w = " << d[1]
      << ", .count_include_pad = " << (op.getCountIncludePad() ? 1 : 0)
      << "};\n";
  os_ << "  " << kernel << "(ex, &" << params << ", " << pointer(op.getInput())
      << ", out0);\n";
  return llvm::Error::success();
}

void DispatchWriter::emitSoftmax(kernel::SoftmaxOp op) {
  kernels_.insert(RuntimeKernel::Norm);
  signature_.usesExec = true;
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = op.getAxis();
  os_ << "  mk_softmax(ex, " << computeProduct(shape.take_front(axis)) << ", "
      << shape[axis] << ", " << computeProduct(shape.drop_front(axis + 1))
      << ", " << pointer(op.getInput()) << ", out0);\n";
}

void DispatchWriter::emitLayerNorm(kernel::LayerNormOp op) {
  kernels_.insert(RuntimeKernel::Norm);
  signature_.usesExec = true;
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = op.getAxis();
  std::string bias = op.getBias() ? pointer(op.getBias()) : "NULL";
  os_ << "  mk_layernorm(ex, " << computeProduct(shape.take_front(axis))
      << ", " << computeProduct(shape.drop_front(axis)) << ", "
      << pointer(op.getInput()) << ", " << pointer(op.getScale()) << ", "
      << bias << ", "
      << cLiteral(op.getType().getElementType(),
                  op.getEpsilon().convertToDouble())
      << ", out0);\n";
}

void DispatchWriter::emitLogSoftmax(kernel::SoftmaxOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string type = elementType(op.getResult());
  std::string f = type == "float" ? "f" : "";
  // f32 exp is the runtime's (prelude.c), as in every C loop.
  std::string exp = type == "float" ? "mk_expf" : "exp";
  // x - (max + log(sum(exp(x - max)))), per row along the axis.
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o) {\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << type << " *x = " << pointer(op.getInput())
      << " + o * " << length * inner << " + i;\n"
      << "      " << type << " *y = out0 + o * " << length * inner
      << " + i;\n"
      << "      " << type << " top = x[0], sum = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        top = x[a * " << inner << "] > top ? x[a * " << inner
      << "] : top;\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        sum += " << exp << "(x[a * " << inner << "] - top);\n"
      << "      top += log" << f << "(sum);\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        y[a * " << inner << "] = x[a * " << inner << "] - top;\n"
      << "    }\n"
      << "  }\n";
}

void DispatchWriter::emitConvTranspose(kernel::ConvTransposeOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t group = static_cast<int64_t>(op.getGroup());
  int64_t icg = in[1] / group, ocg = w[1];
  std::string x = pointer(op.getInput()), k = pointer(op.getWeight());
  // Scatter form: every input pixel adds its kernel-weighted contribution to
  // the output pixels it reaches.
  os_ << "  for (int64_t n = 0; n < " << out[0] << "; ++n)\n"
      << "    for (int64_t c = 0; c < " << out[1] << "; ++c)\n"
      << "      for (int64_t i = 0; i < " << out[2] * out[3] << "; ++i)\n"
      << "        out0[(n * " << out[1] << " + c) * " << out[2] * out[3]
      << " + i] = "
      << (op.getBias() ? pointer(op.getBias()) + "[c]" : std::string("0.0f"))
      << ";\n"
      << "  for (int64_t n = 0; n < " << in[0] << "; ++n)\n"
      << "    for (int64_t g = 0; g < " << group << "; ++g)\n"
      << "      for (int64_t ic = 0; ic < " << icg << "; ++ic)\n"
      << "        for (int64_t ih = 0; ih < " << in[2] << "; ++ih)\n"
      << "          for (int64_t iw = 0; iw < " << in[3] << "; ++iw) {\n"
      << "            const float v = " << x << "[((n * " << in[1]
      << " + g * " << icg << " + ic) * " << in[2] << " + ih) * " << in[3]
      << " + iw];\n"
      << "            for (int64_t oc = 0; oc < " << ocg << "; ++oc)\n"
      << "              for (int64_t kh = 0; kh < " << w[2] << "; ++kh) {\n"
      << "                const int64_t oh = ih * " << s[0] << " - " << p[0]
      << " + kh * " << d[0] << ";\n"
      << "                if (oh < 0 || oh >= " << out[2] << ")\n"
      << "                  continue;\n"
      << "                for (int64_t kw = 0; kw < " << w[3] << "; ++kw) {\n"
      << "                  const int64_t ow = iw * " << s[1] << " - " << p[1]
      << " + kw * " << d[1] << ";\n"
      << "                  if (ow < 0 || ow >= " << out[3] << ")\n"
      << "                    continue;\n"
      << "                  out0[((n * " << out[1] << " + g * " << ocg
      << " + oc) * " << out[2] << " + oh) * " << out[3] << " + ow] += v * "
      << k << "[(((g * " << icg << " + ic) * " << ocg << " + oc) * " << w[2]
      << " + kh) * " << w[3] << " + kw];\n"
      << "                }\n"
      << "              }\n"
      << "          }\n";
}

} // namespace modelc::c_target::detail
