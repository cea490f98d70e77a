//===- LibraryCalls.cpp - Matmul and conv through vendor libraries --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// MatMul as one strided-batched cuBLASLt call and Conv through cuDNN: the
// shapes become plans made at create time; a run enqueues the call.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "modelc/IR/TensorData.h"
#include "targets/Common/CSyntax.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"
#include "targets/Common/GemmShape.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target::detail {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Library anchors
//===----------------------------------------------------------------------===//

llvm::Error KernelWriter::writeLibraryCall(Operation *anchor) {
  std::string out = "out0";
  if (auto matmul = dyn_cast<kernel::MatMulOp>(anchor)) {
    GemmShape gemm = getGemmShape(matmul);
    int64_t batch = 1, strideA = gemm.m * gemm.k, strideB = gemm.k * gemm.n;
    int64_t m = gemm.m;
    if (gemm.foldsBatch) {
      m = gemm.rowsPerCall();
      strideA = strideB = 0;
    } else {
      std::optional<SmallVector<int64_t>> shape =
          mlir::modelc::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
      batch = computeProduct(*shape);
      // One strided batch: each operand either has the whole batch or one
      // matrix for all of it.
      auto strideOf = [&](ArrayRef<int64_t> own, int64_t matrix,
                          int64_t &stride) {
        int64_t count = computeProduct(own);
        if (count == batch && llvm::equal(own, ArrayRef<int64_t>(*shape).take_back(own.size())))
          stride = matrix;
        else if (count == 1)
          stride = 0;
        else
          return false;
        return true;
      };
      if (!strideOf(gemm.lhsBatch, gemm.m * gemm.k, strideA) ||
          !strideOf(gemm.rhsBatch, gemm.k * gemm.n, strideB))
        return opError(anchor, "matmul batch broadcasting beyond one strided "
                               "batch");
    }
    unsigned index = plans_.gemms.size();
    plans_.gemms.push_back(
        "{" + std::to_string(batch) + ", " + std::to_string(m) + ", " +
        std::to_string(gemm.n) + ", " + std::to_string(gemm.k) + ", " +
        std::to_string(strideA) + ", " + std::to_string(strideB) + ", " +
        std::to_string(m * gemm.n) + ", " +
        libraryType(matmul.getLhs().getType().getElementType()) + ", " +
        (allowTf32_ ? "1" : "0") + "}");
    launches_ += "  if (mc_gemm_run(&ctx->gemm[" + std::to_string(index) +
                 "], &ctx->libraries, stream, " +
                 pointers_.lookup(matmul.getLhs()) + ", " +
                 pointers_.lookup(matmul.getRhs()) + ", " + out +
                 ", ctx->workspace) != 0)\n    return -1;\n";
    return llvm::Error::success();
  }
  auto conv = cast<kernel::ConvOp>(anchor);
  ArrayRef<int64_t> in = conv.getInput().getType().getShape();
  ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
  ArrayRef<int64_t> o = conv.getType().getShape();
  ArrayRef<int64_t> s = conv.getStrides(), p = conv.getPads(),
                    d = conv.getDilations();
  unsigned index = plans_.convs.size();
  std::string shape;
  llvm::raw_string_ostream os(shape);
  os << "{" << in[0] << ", " << in[1] << ", " << in[2] << ", " << in[3]
     << ", " << o[1] << ", " << o[2] << ", " << o[3] << ", " << w[2] << ", "
     << w[3] << ", " << s[0] << ", " << s[1] << ", " << p[0] << ", " << p[1]
     << ", " << d[0] << ", " << d[1] << ", " << conv.getGroup() << ", "
     << libraryType(conv.getInput().getType().getElementType()) << ", " << (allowTf32_ ? 1 : 0) << "}";
  plans_.convs.push_back(shape);
  launches_ += "  if (mc_conv_run(&ctx->conv[" + std::to_string(index) +
               "], &ctx->libraries, stream, " +
               pointers_.lookup(conv.getInput()) + ", " +
               pointers_.lookup(conv.getWeight()) + ", " + out +
               ", ctx->workspace) != 0)\n    return -1;\n";
  return llvm::Error::success();
}

} // namespace modelc::cuda_target::detail
