//===- DispatchBody.cpp - The anchor and epilogue of a dispatch -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "DispatchBody.h"

#include "CSyntax.h"
#include "dialects/Graph/IR/GraphOps.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

llvm::Expected<DispatchBody> splitDispatchBody(kernel::DispatchOp dispatch) {
  DispatchBody body;
  for (Operation &op : dispatch.getBodyBlock().without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    if (graph::isElementwise(&op)) {
      body.elementwise.push_back(&op);
      continue;
    }
    if (body.anchor) {
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
