//===- NarrowProductWeights.cpp - Half-precision product weights ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A CPU reads each weight of a convolution or matmul once per output tile,
// so halving their bytes halves the traffic that bounds small-batch
// inference, and AVX512-BF16 multiplies bf16 pairs at twice the rate of
// f32. Only constant weights narrow: activations keep f32, and every
// product accumulates in f32.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "modelc/Support/HalfFloat.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_NARROWPRODUCTWEIGHTSPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {

struct NarrowProductWeightsPass final
    : impl::NarrowProductWeightsPassBase<NarrowProductWeightsPass> {
  using Base::Base;
  void runOnOperation() override;
};

/// The weight operand of `op` that may narrow: the block argument a float
/// conv's weight or a float matmul's 2-D right operand is bound to.
BlockArgument weightArgument(Operation &op) {
  Value weight;
  if (auto conv = dyn_cast<ConvOp>(op);
      conv && conv.getType().getElementType().isF32())
    weight = conv.getWeight();
  else if (auto matmul = dyn_cast<MatMulOp>(op);
           matmul && matmul.getType().getElementType().isF32() &&
           matmul.getRhs().getType().getRank() == 2)
    weight = matmul.getRhs();
  auto argument = dyn_cast_or_null<BlockArgument>(weight);
  if (!argument || !argument.hasOneUse())
    return {};
  return argument;
}

} // namespace

void NarrowProductWeightsPass::runOnOperation() {
  Type storage;
  if (storageName == "bf16")
    storage = BFloat16Type::get(&getContext());
  else if (storageName == "f16")
    storage = Float16Type::get(&getContext());
  else {
    getOperation().emitError("unknown weight storage '") << storageName << "'";
    return signalPassFailure();
  }
  getOperation().walk([&](DispatchOp dispatch) {
    for (Operation &op : dispatch.getBodyBlock()) {
      BlockArgument argument = weightArgument(op);
      if (!argument)
        continue;
      Value input = dispatch.getInputs()[argument.getArgNumber()];
      ElementsAttr values;
      if (!matchPattern(input, m_Constant(&values)))
        continue;
      auto type = cast<RankedTensorType>(input.getType());
      std::vector<char> floats = graph::readConstantBytes(values);
      std::vector<char> bytes(type.getNumElements() * sizeof(uint16_t));
      for (int64_t i = 0; i < type.getNumElements(); ++i) {
        float value;
        std::memcpy(&value, floats.data() + i * sizeof(float), sizeof(float));
        uint16_t bits = storage.isBF16() ? ::modelc::toBfloat16Bits(value)
                                         : ::modelc::toHalfBits(value);
        std::memcpy(bytes.data() + i * sizeof(uint16_t), &bits, sizeof(bits));
      }
      auto narrowType = RankedTensorType::get(type.getShape(), storage);
      OpBuilder builder(dispatch);
      Value narrowed = arith::ConstantOp::create(
          builder, input.getLoc(),
          cast<TypedAttr>(graph::makeConstant(narrowType, bytes, "weight")));
      dispatch->setOperand(argument.getArgNumber(), narrowed);
      argument.setType(narrowType);
      if (Operation *old = input.getDefiningOp(); old && old->use_empty())
        old->erase();
    }
  });
}

} // namespace mlir::modelc::kernel
