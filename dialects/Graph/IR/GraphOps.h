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

/// Whether `value` is a constant whose every element is 0, in any storage
/// (a splat, dense values or a resource).
bool isZeroConstant(Value value);

/// Whether a graph.conv_integer or graph.matmul_integer fits the contract of
/// the 8-bit kernels (kernel.quantized_conv, kernel.quantized_matmul): a
/// uint8 input with a constant zero point per tensor, a constant int8
/// weight with a zero point of 0 (symmetric), a constant or absent bias,
/// and for a matmul a 2-D weight. Other 8-bit products (int8 activations
/// among them) are expanded into int32 ones.
bool fitsEightBitKernels(Operation *op);

} // namespace mlir::modelc::graph

#endif // MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_H
