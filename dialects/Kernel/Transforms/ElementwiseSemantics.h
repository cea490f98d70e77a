//===- ElementwiseSemantics.h - Graph elementwise ops as arith/math -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The one place that says what each elementwise graph op computes at one
// element. Every target prints the arith/math ops written here, so NaN
// handling, integer division by zero and the other edge cases are decided
// once instead of once per printer.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTWISESEMANTICS_H
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTWISESEMANTICS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

namespace mlir::modelc::kernel {

/// The scalar type a tensor element of type `element` is computed in inside
/// a loop body: integers become signless (arith has no signed types; the
/// choice of op carries the signedness), floats stay as they are.
Type getScalarType(Type element);

/// Writes the scalar computation of elementwise graph op `op` at `builder`'s
/// insertion point, given its operands as scalars of getScalarType of their
/// element types. 16-bit float operands are widened to f32 and the result
/// rounded back once, so arithmetic never happens in 16 bits. Fails with a
/// diagnostic on `op` for an op or type this lowering does not know.
FailureOr<Value> lowerElementwiseScalar(OpBuilder &builder, Operation *op,
                                        ValueRange operands);

} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_ELEMENTWISESEMANTICS_H
