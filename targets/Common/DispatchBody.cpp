//===- DispatchBody.cpp - The anchor and epilogue of a dispatch -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "DispatchBody.h"

#include "CSyntax.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

llvm::Expected<DispatchBody> splitDispatchBody(kernel::DispatchOp dispatch) {
  DispatchBody body;
  for (Operation &op : dispatch.getBodyBlock().without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    if (isa<tensor::EmptyOp>(op))
      continue;
    if (auto generic = dyn_cast<linalg::GenericOp>(op);
        generic && !body.elementwise) {
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
