//===- LoopBody.cpp - The scalar statements of a lowered loop body --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "LoopBody.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;

namespace modelc::codegen {

/// A comparison whose every use is the condition of a select is written
/// into those selects instead of into a variable of its own.
static bool onlySteersSelects(Operation &op) {
  if (!isa<arith::CmpFOp, arith::CmpIOp>(op) || op.use_empty())
    return false;
  return llvm::all_of(op.getUses(), [](OpOperand &use) {
    return isa<arith::SelectOp>(use.getOwner()) && use.getOperandNumber() == 0;
  });
}

llvm::Error writeLoopBody(Block &body, llvm::raw_ostream &os,
                          llvm::StringRef indent,
                          llvm::DenseMap<Value, std::string> &scalars,
                          unsigned &nextName, const ScalarSpelling &spelling,
                          bool &usesHalfConversions) {
  for (Operation &op : body.without_terminator()) {
    llvm::Expected<std::string> expr = scalarExpression(
        &op, [&](unsigned i) { return scalars.lookup(op.getOperand(i)); },
        spelling, usesHalfConversions);
    if (!expr)
      return expr.takeError();
    // Constants and loop indices are written where they are used, and a
    // cast between types that C spells alike (index and i64) is no cast.
    if (isa<arith::ConstantOp, linalg::IndexOp>(op)) {
      scalars[op.getResult(0)] = *expr;
      continue;
    }
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(op) &&
        scalarTypeName(op.getResult(0).getType(), spelling) ==
            scalarTypeName(op.getOperand(0).getType(), spelling)) {
      scalars[op.getResult(0)] = scalars.lookup(op.getOperand(0));
      continue;
    }
    if (onlySteersSelects(op)) {
      // "(uint8_t)(a < b)" as a condition needs no conversion.
      llvm::StringRef text = *expr;
      text.consume_front("(uint8_t)");
      scalars[op.getResult(0)] = text.str();
      continue;
    }
    std::string name = "v" + std::to_string(nextName++);
    os << indent << "const "
       << scalarTypeName(op.getResult(0).getType(), spelling) << " " << name
       << " = " << *expr << ";\n";
    scalars[op.getResult(0)] = name;
  }
  return llvm::Error::success();
}

} // namespace modelc::codegen
