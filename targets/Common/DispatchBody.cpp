//===- DispatchBody.cpp - The anchor and epilogue of a dispatch -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "DispatchBody.h"

#include "CSyntax.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

bool isParallelLoopNest(linalg::GenericOp generic) {
  return generic.getNumParallelLoops() == generic.getNumLoops();
}

llvm::Expected<DispatchBody> splitDispatchBody(kernel::DispatchOp dispatch) {
  DispatchBody body;
  for (Operation &op : dispatch.getBodyBlock().without_terminator()) {
    // Constants, empty tensors, the fills that start reductions, the casts
    // that strip the signedness of their values and the slice views a loop
    // nest reads belong to the anchor or loop nest that reads them.
    if (op.hasTrait<OpTrait::ConstantLike>() ||
        isa<tensor::EmptyOp, tensor::ExtractSliceOp, linalg::FillOp,
            UnrealizedConversionCastOp>(op))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic && isParallelLoopNest(generic) && !body.elementwise) {
      body.elementwise = generic;
      continue;
    }
    if (body.anchor || body.elementwise) {
      std::vector<std::string> names = onnxNodeNames(op.getLoc());
      return llvm::createStringError(
          (names.empty() ? op.getName().getStringRef().str()
                         : "node '" + names.front() + "'") +
          ": dispatch '" + dispatch.getName() + "' has two anchors");
    }
    body.anchor = &op;
  }
  return body;
}

} // namespace modelc::codegen
