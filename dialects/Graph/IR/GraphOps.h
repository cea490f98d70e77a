//===- GraphOps.h - Graph dialect operations --------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_H
#define MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_H

#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.h.inc"

namespace mlir::modelc::graph {

/// True for ops that compute each result element from the elements at the
/// same (broadcast) index of their operands: the ops that fuse into one loop
/// nest.
bool isElementwise(Operation *op);

/// True for ops that move no data and only reinterpret their input (reshape):
/// their result may alias their input's memory.
bool isView(Operation *op);

/// Follows views back to the value whose memory `value` shares.
Value getViewSource(Value value);

} // namespace mlir::modelc::graph

#endif // MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_H
