//===- IndexBuilder.h - Scalar index arithmetic in loop bodies --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The element reads (ElementReads.cpp, GridSampleRead.cpp) compute where to
// read in the loop body, in i64, and read there with tensor.extract at
// coordinates clamped into range.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_INDEXBUILDER_H
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_INDEXBUILDER_H

#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::modelc::kernel {

/// Scalar index arithmetic in i64 inside a loop body.
class IndexBuilder {
public:
  IndexBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value constant(int64_t value) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
  }
  /// An index read from a tensor of element type `element` as i64: floats
  /// truncate toward zero, unsigned integers widen as unsigned.
  Value toI64(Value value, Type element = {}) {
    if (isa<FloatType>(value.getType()))
      return arith::FPToSIOp::create(b, loc, b.getI64Type(), value);
    if (value.getType().isInteger(64))
      return value;
    if (element && element.isUnsignedInteger())
      return arith::ExtUIOp::create(b, loc, b.getI64Type(), value);
    return arith::ExtSIOp::create(b, loc, b.getI64Type(), value);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value less(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  /// max(lo, min(x, hi)).
  Value clamp(Value x, int64_t lo, int64_t hi) {
    Value low = constant(lo), high = constant(hi);
    Value below = select(less(x, low), low, x);
    return select(less(high, below), high, below);
  }
  /// A gather index into a dimension of `size`: negative counts from the
  /// end, then clamped into range.
  Value position(Value index, int64_t size) {
    Value wide = toI64(index);
    Value wrapped =
        select(less(wide, constant(0)), add(wide, constant(size)), wide);
    return clamp(wrapped, 0, size - 1);
  }
  /// Element `point` of `tensor` (in-range i64 coordinates), as a body
  /// scalar.
  Value extract(Value tensor, ArrayRef<Value> point) {
    SmallVector<Value> indices;
    for (Value coordinate : point)
      indices.push_back(
          arith::IndexCastOp::create(b, loc, b.getIndexType(), coordinate));
    Value element = tensor::ExtractOp::create(b, loc, tensor, indices);
    Type scalar = getScalarType(element.getType());
    if (scalar == element.getType())
      return element;
    return UnrealizedConversionCastOp::create(b, loc, scalar, element)
        .getResult(0);
  }
  /// Zero of a body scalar type.
  Value zero(Type type) {
    if (auto floatType = dyn_cast<FloatType>(type))
      return arith::ConstantOp::create(b, loc, FloatAttr::get(floatType, 0.0));
    return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, 0));
  }

  OpBuilder &b;
  Location loc;
};

} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_INDEXBUILDER_H
