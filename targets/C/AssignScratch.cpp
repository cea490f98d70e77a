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

/// What the runtime kernel of one op needs from the arena.
struct KernelMemory {
  /// Bytes used only while the kernel runs.
  int64_t scratch = 0;
  /// Bytes of its weights pre-packed once by init (0: packed per call, or
  /// read as they are).
  int64_t resident = 0;
};

ConvShape convShape(Value input, Value weight, Value result,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                    ArrayRef<int64_t> dilations, int64_t group) {
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> w = cast<RankedTensorType>(weight.getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(result.getType()).getShape();
  return {in[1],      in[2],      in[3],      out[1],  out[2],
          out[3],     w[2],       w[3],       strides[0], strides[1],
          pads[0],    pads[1],    group,      dilations[0], dilations[1]};
}

/// Whether `weight`, a value inside `dispatch`, is one of its operands that a
/// constant defines outside: only those can be packed before the first run.
bool isConstantOperand(kernel::DispatchOp dispatch, Value weight) {
  auto arg = dyn_cast<BlockArgument>(weight);
  if (!arg || arg.getOwner() != &dispatch.getBodyBlock())
    return false;
  Operation *def = dispatch.getInputs()[arg.getArgNumber()].getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>();
}

/// The arena needs of `op`'s runtime kernel. With `prepack`, the weights of
/// 8-bit and half-precision products (not depthwise ones, whose direct loops
/// read them as they are) are packed once by init into resident space.
KernelMemory kernelMemory(kernel::DispatchOp dispatch, Operation *op,
                          bool prepack) {
  auto packs = [&](Value weight) {
    return prepack && isConstantOperand(dispatch, weight);
  };
  if (auto conv = dyn_cast<kernel::QuantizedConvOp>(op)) {
    ConvShape shape =
        convShape(conv.getInput(), conv.getWeight(), conv.getResult(),
                  conv.getStrides(), conv.getPads(), conv.getDilations(),
                  conv.getGroup());
    int64_t packed = quantizedConvPackedBytes(shape);
    bool resident = packed > 0 && packs(conv.getWeight());
    return {quantizedConvScratchBytes(shape, resident), resident ? packed : 0};
  }
  if (auto matmul = dyn_cast<kernel::QuantizedMatMulOp>(op)) {
    ArrayRef<int64_t> w = matmul.getWeight().getType().getShape();
    int64_t rows = matmul.getInput().getType().getNumElements() / w[1];
    bool resident = packs(matmul.getWeight());
    return {quantizedGemmScratchBytes(w[0], rows, w[1], resident),
            resident ? quantizedGemmPackedBytes(w[0], w[1]) : 0};
  }
  if (auto conv = dyn_cast<kernel::ConvOp>(op);
      conv && conv.getType().getElementType().isF32()) {
    ConvShape shape =
        convShape(conv.getInput(), conv.getWeight(), conv.getResult(),
                  conv.getStrides(), conv.getPads(), conv.getDilations(),
                  conv.getGroup());
    if (conv.getWeight().getType().getElementType().isF32())
      return {convScratchBytes(shape), 0};
    bool resident = shape.inChannels / shape.groups > 1 &&
                    packs(conv.getWeight());
    return {halfConvScratchBytes(shape, resident),
            resident ? halfConvPackedBytes(shape) : 0};
  }
  if (auto matmul = dyn_cast<kernel::MatMulOp>(op);
      matmul && matmul.getType().getElementType().isF32()) {
    GemmShape gemm = getGemmShape(matmul);
    if (matmul.getRhs().getType().getElementType().isF32())
      return {gemmScratchBytes(gemm.rowsPerCall(), gemm.n, gemm.k), 0};
    bool resident = packs(matmul.getRhs());
    return {halfMatMulScratchBytes(gemm.n, gemm.k, resident),
            resident ? halfMatMulPackedBytes(gemm.n, gemm.k) : 0};
  }
  return {};
}

struct AssignScratchPass final
    : impl::AssignScratchPassBase<AssignScratchPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([&](kernel::DispatchOp dispatch) {
      KernelMemory memory;
      int packing = 0;
      for (Operation &op : dispatch.getBodyBlock().without_terminator()) {
        KernelMemory need = kernelMemory(dispatch, &op, prepackWeights);
        memory.scratch = std::max(memory.scratch, need.scratch);
        memory.resident += need.resident;
        packing += need.resident > 0;
      }
      // The C emitter gives each dispatch one packed operand at most.
      if (packing > 1) {
        memory = {};
        for (Operation &op : dispatch.getBodyBlock().without_terminator())
          memory.scratch = std::max(
              memory.scratch, kernelMemory(dispatch, &op, false).scratch);
      }
      if (memory.scratch > 0)
        dispatch.setScratchBytes(memory.scratch);
      if (memory.resident > 0)
        dispatch.setResidentBytes(memory.resident);
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
