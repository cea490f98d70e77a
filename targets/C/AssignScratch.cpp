//===- AssignScratch.cpp - Scratch space per dispatch on the C target -----===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CTarget.h"

#include "targets/Common/GemmShape.h"
#include "ScratchModel.h"
#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target {
using namespace ::modelc::codegen;
#define GEN_PASS_DECL
#define GEN_PASS_DEF_ASSIGNSCRATCHPASS
#include "targets/C/Passes.h.inc"

namespace {
/// Scratch bytes the runtime kernel of `op` needs; 0 when none.
int64_t scratchBytes(Operation *op) {
  if (auto conv = dyn_cast<kernel::QuantizedConvOp>(op)) {
    ArrayRef<int64_t> in = conv.getInput().getType().getShape();
    ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
    ArrayRef<int64_t> out = conv.getType().getShape();
    return quantizedConvScratchBytes(
        {in[1], in[2], in[3], out[1], out[2], out[3], w[2], w[3],
         conv.getStrides()[0], conv.getStrides()[1], conv.getPads()[0],
         conv.getPads()[1], static_cast<int64_t>(conv.getGroup())});
  }
  if (auto matmul = dyn_cast<kernel::QuantizedMatMulOp>(op)) {
    ArrayRef<int64_t> w = matmul.getWeight().getType().getShape();
    int64_t rows = matmul.getInput().getType().getNumElements() / w[1];
    return quantizedGemmScratchBytes(w[0], rows, w[1]);
  }
  if (auto conv = dyn_cast<kernel::ConvOp>(op);
      conv && conv.getType().getElementType().isF32()) {
    ArrayRef<int64_t> in = conv.getInput().getType().getShape();
    ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
    ArrayRef<int64_t> out = conv.getType().getShape();
    bool halfWeight = !conv.getWeight().getType().getElementType().isF32();
    return (halfWeight ? halfConvScratchBytes : convScratchBytes)({in[1], in[2], in[3], out[1], out[2], out[3], w[2],
                             w[3], conv.getStrides()[0], conv.getStrides()[1],
                             conv.getPads()[0], conv.getPads()[1],
                             static_cast<int64_t>(conv.getGroup())});
  }
  if (auto matmul = dyn_cast<kernel::MatMulOp>(op);
      matmul && matmul.getType().getElementType().isF32()) {
    GemmShape gemm = getGemmShape(matmul);
    if (!matmul.getRhs().getType().getElementType().isF32())
      return halfMatMulScratchBytes(gemm.n, gemm.k);
    return gemmScratchBytes(gemm.rowsPerCall(), gemm.n, gemm.k);
  }
  return 0;
}

struct AssignScratchPass final
    : impl::AssignScratchPassBase<AssignScratchPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](kernel::DispatchOp dispatch) {
      int64_t bytes = 0;
      for (Operation &op : dispatch.getBodyBlock().without_terminator())
        bytes = std::max(bytes, scratchBytes(&op));
      if (bytes > 0)
        dispatch.setScratchBytes(bytes);
    });
  }
};
} // namespace
} // namespace modelc::c_target

namespace modelc {
void registerCTargetPasses() {
  ::mlir::registerPass([]() -> std::unique_ptr<::mlir::Pass> {
    return c_target::createAssignScratchPass();
  });
}
} // namespace modelc
