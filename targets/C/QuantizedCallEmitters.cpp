//===- QuantizedCallEmitters.cpp - 8-bit products as runtime calls --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// kernel.quantized_conv and kernel.quantized_matmul call mk_qconv2d and
// mk_qgemm (runtime/kernels/qconv.c, qgemm.c), whose contract is the ops':
// int32 sums with the compile-time row offsets, then the output stage the
// result type names. A matmul runs as Y^T = W X^T: the weight [N, K] is the
// kernel's A, the activations are read transposed through strides and the
// result written through strides, so nothing is copied.
//
//===----------------------------------------------------------------------===//

#include "DispatchWriter.h"

#include "dialects/Kernel/IR/KernelOps.h"

namespace modelc::c_target::detail {
using namespace ::mlir;
using namespace ::mlir::modelc;

namespace {

/// The mk_qgemm_epilogue kind of an output stage's result type.
const char *epilogueKind(Type element) {
  if (element.isInteger(32))
    return "MK_QGEMM_OUT_INT32";
  if (element.isUnsignedInteger(8))
    return "MK_QGEMM_OUT_UINT8";
  if (element.isInteger(8))
    return "MK_QGEMM_OUT_INT8";
  return "MK_QGEMM_OUT_FLOAT";
}

} // namespace

void DispatchWriter::emitQuantizedEpilogue(Operation *op, Value multiplier,
                                           int64_t outputZeroPoint) {
  Type element = tensorType(op->getResult(0)).getElementType();
  std::string scale = multiplier ? pointer(multiplier) : "NULL";
  bool perRow = multiplier && tensorType(multiplier).getNumElements() > 1;
  os_ << "  const mk_qgemm_epilogue epilogue = {" << epilogueKind(element)
      << ", " << scale << ", " << (perRow ? 1 : 0) << ", " << outputZeroPoint
      << "};\n";
}

llvm::Error DispatchWriter::emitQuantizedConv(kernel::QuantizedConvOp op) {
  kernels_.insert(RuntimeKernel::QuantizedGemm);
  kernels_.insert(RuntimeKernel::QuantizedConv);
  signature_.usesExec = signature_.usesScratch = true;
  std::string params = dispatch_.getName().str() + "_params";
  bool packed = hasPackedWeights();
  signature_.scratchNeed =
      std::string(packed ? "mk_qconv2d_prepacked_scratch_bytes(&"
                         : "mk_qconv2d_scratch_bytes(&") +
      params + ")";
  {
    llvm::raw_string_ostream statics(statics_);
    statics << "static const mk_qconv2d_params " << params << " = {\n";
    writeConvGeometry(statics, op.getInput(), op.getWeight(), op.getResult(),
                      op.getStrides(), op.getPads(), op.getDilations(),
                      op.getGroup());
    statics << ",\n      .input_int8 = 0, .input_zero_point = "
            << op.getInputZeroPoint() << "};\n";
  }
  if (packed)
    usePackedWeight(op.getWeight(),
                    "mk_qconv2d_pack_weight(ex, &" + params +
                        ", weight, packed);",
                    "mk_qconv2d_packed_weight_bytes(&" + params + ")");
  emitQuantizedEpilogue(op, op.getMultiplier(),
                        static_cast<int64_t>(op.getOutputZeroPoint()));
  os_ << "  mk_qconv2d(ex, &" << params << ", " << pointer(op.getInput())
      << ", " << pointer(op.getWeight()) << ", "
      << (packed ? "packed" : "NULL") << ", " << pointer(op.getRowOffset())
      << ", &epilogue, out0, scratch);\n";
  return llvm::Error::success();
}

llvm::Error DispatchWriter::emitQuantizedMatMul(kernel::QuantizedMatMulOp op) {
  kernels_.insert(RuntimeKernel::QuantizedGemm);
  signature_.usesExec = signature_.usesScratch = true;
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  int64_t n = w[0], k = w[1];
  int64_t rows = op.getInput().getType().getNumElements() / k;
  // Y^T[N][R] = W[N][K] X^T[K][R]: B[p][j] = X[j][p] (row stride 1, column
  // stride K) and C[i][j] = Y[j][i] (row stride 1, column stride N).
  bool packed = hasPackedWeights();
  std::string nk = std::to_string(n) + ", " + std::to_string(k);
  signature_.scratchNeed =
      std::string(packed ? "mk_qgemm_prepacked_scratch_bytes("
                         : "mk_qgemm_scratch_bytes(") +
      std::to_string(n) + ", " + std::to_string(rows) + ", " +
      std::to_string(k) + ")";
  if (packed)
    usePackedWeight(op.getWeight(),
                    "mk_qgemm_pack_a(ex, " + nk + ", weight, " +
                        std::to_string(k) + ", packed);",
                    "mk_qgemm_packed_a_bytes(" + nk + ")");
  emitQuantizedEpilogue(op, op.getMultiplier(),
                        static_cast<int64_t>(op.getOutputZeroPoint()));
  os_ << "  mk_qgemm(ex, " << n << ", " << rows << ", " << k << ", "
      << pointer(op.getWeight()) << ", " << k << ", "
      << (packed ? "packed" : "NULL") << ", "
      << pointer(op.getInput()) << ", 1, " << k << ", 0, "
      << pointer(op.getRowOffset()) << ", &epilogue, out0, 1, " << n
      << ", scratch);\n";
  return llvm::Error::success();
}

} // namespace modelc::c_target::detail
