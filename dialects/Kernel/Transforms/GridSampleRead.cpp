//===- GridSampleRead.cpp - GridSample as taps at positions read from data ===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Unlike Resize, GridSample's sampling positions are data: each output
// element reads its (x, y) from the grid through affine maps, turns it into
// pixel coordinates in the loop body, and reads its taps with
// tensor.extract at clamped positions, zero where a tap falls outside. The
// arithmetic follows PyTorch's grid_sample, which onnxruntime follows too:
//   - bilinear and nearest pad the coordinate first (border clips it,
//     reflection folds it back and clips), then read 4 or 1 taps;
//   - bicubic reads 16 taps around the unpadded coordinate and pads each
//     tap's own coordinate.
// Sums are f32 (f64 for f64 tensors), as for Resize.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/ElementReads.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Kernel/Transforms/IndexBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::modelc::kernel {

namespace {
/// Scalar float and index arithmetic of one output element.
class SampleBuilder {
public:
  SampleBuilder(OpBuilder &b, Location loc, FloatType type)
      : b(b), loc(loc), type(type) {}

  Value constant(double value) {
    return arith::ConstantOp::create(b, loc, FloatAttr::get(type, value));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value less(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// min(max(x, lo), hi).
  Value clamp(Value x, double lo, double hi) {
    Value low = constant(lo), high = constant(hi);
    Value above = select(less(x, low), low, x);
    return select(less(high, above), high, above);
  }
  /// `value` widened or narrowed to the arithmetic type.
  Value widen(Value value) {
    auto from = cast<FloatType>(value.getType());
    if (from == type)
      return value;
    if (from.getWidth() < type.getWidth())
      return arith::ExtFOp::create(b, loc, type, value);
    return arith::TruncFOp::create(b, loc, type, value);
  }
  Value toI64(Value x) {
    return arith::FPToSIOp::create(b, loc, b.getI64Type(), x);
  }

  OpBuilder &b;
  Location loc;
  FloatType type;
};

/// How one axis of size `size` maps grid values to pixel coordinates.
struct Axis {
  int64_t size;
  bool alignCorners;
  std::string padding;

  /// [-1, 1] to pixels: corner centers with align_corners, else edges.
  Value unnormalize(SampleBuilder &sb, Value coordinate) const {
    Value one = sb.constant(1.0);
    if (alignCorners)
      return sb.mul(sb.add(coordinate, one), sb.constant((size - 1) / 2.0));
    return sb.div(
        sb.sub(sb.mul(sb.add(coordinate, one), sb.constant(size)), one),
        sb.constant(2.0));
  }

  /// Folds `x` into [twiceLow / 2, twiceHigh / 2] as a mirror would.
  Value reflect(SampleBuilder &sb, Value x, int64_t twiceLow,
                int64_t twiceHigh) const {
    if (twiceLow == twiceHigh)
      return sb.constant(0.0);
    double low = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
    Value distance =
        math::AbsFOp::create(sb.b, sb.loc, sb.sub(x, sb.constant(low)));
    Value spanValue = sb.constant(span);
    Value extra = arith::RemFOp::create(sb.b, sb.loc, distance, spanValue);
    Value flips = sb.toI64(sb.floor(sb.div(distance, spanValue)));
    Value odd = arith::TruncIOp::create(sb.b, sb.loc, sb.b.getI1Type(), flips);
    return sb.select(odd, sb.add(sb.sub(spanValue, extra), sb.constant(low)),
                     sb.add(extra, sb.constant(low)));
  }

  /// The padding mode applied to a pixel coordinate.
  Value pad(SampleBuilder &sb, Value x) const {
    if (padding == "border")
      return sb.clamp(x, 0.0, size - 1);
    if (padding == "reflection") {
      x = alignCorners ? reflect(sb, x, 0, 2 * (size - 1))
                       : reflect(sb, x, -1, 2 * size - 1);
      return sb.clamp(x, 0.0, size - 1);
    }
    return x;
  }
};

/// The input at integer pixel (x, y) of image n, channel c, or 0 outside.
Value tap(SampleBuilder &sb, Value input, Value n, Value c, Value x, Value y,
          int64_t width, int64_t height) {
  IndexBuilder ib(sb.b, sb.loc);
  Value outside = ib.orI(
      ib.orI(ib.less(x, ib.constant(0)), ib.less(ib.constant(width - 1), x)),
      ib.orI(ib.less(y, ib.constant(0)), ib.less(ib.constant(height - 1), y)));
  Value element = ib.extract(
      input, {n, c, ib.clamp(y, 0, height - 1), ib.clamp(x, 0, width - 1)});
  return sb.select(outside, sb.constant(0.0), sb.widen(element));
}

/// The cubic convolution weights of the 4 taps around fraction t (A = -0.75).
std::array<Value, 4> cubicWeights(SampleBuilder &sb, Value t) {
  const double a = -0.75;
  auto near = [&](Value x) { // |x| <= 1
    return sb.add(
        sb.mul(sb.mul(sb.sub(sb.mul(sb.constant(a + 2), x), sb.constant(a + 3)),
                      x),
               x),
        sb.constant(1.0));
  };
  auto far = [&](Value x) { // 1 < |x| < 2
    Value r = sb.sub(sb.mul(sb.constant(a), x), sb.constant(5 * a));
    r = sb.add(sb.mul(r, x), sb.constant(8 * a));
    return sb.sub(sb.mul(r, x), sb.constant(4 * a));
  };
  Value one = sb.constant(1.0);
  return {far(sb.add(t, one)), near(t), near(sb.sub(one, t)),
          far(sb.sub(sb.constant(2.0), t))};
}
} // namespace

ElementRead getGridSampleRead(graph::GridSampleOp op) {
  MLIRContext *ctx = op.getContext();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type element = inType.getElementType();
  FloatType sum = element.isF64() ? FloatType(Float64Type::get(ctx))
                                  : FloatType(Float32Type::get(ctx));
  ElementRead read;
  // grid[n, h, w, 0] is x, grid[n, h, w, 1] is y.
  for (int64_t component : {0, 1}) {
    read.operands.push_back(op.getGrid());
    read.maps.push_back(AffineMap::get(
        4, 0,
        {getAffineDimExpr(0, ctx), getAffineDimExpr(2, ctx),
         getAffineDimExpr(3, ctx), getAffineConstantExpr(component, ctx)},
        ctx));
  }
  int64_t height = inType.getDimSize(2), width = inType.getDimSize(3);
  bool align = op.getAlignCorners();
  std::string padding = op.getPaddingMode().str(), mode = op.getMode().str();
  Axis xAxis{width, align, padding}, yAxis{height, align, padding};
  Value input = op.getInput();
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) -> Value {
    SampleBuilder sb(b, loc, sum);
    Value n = point[0], c = point[1];
    Value x = sb.widen(reads[0]), y = sb.widen(reads[1]);
    auto at = [&](Value px, Value py) {
      return tap(sb, input, n, c, px, py, width, height);
    };
    Value result;
    if (mode == "bicubic") {
      Value ix = xAxis.unnormalize(sb, x), iy = yAxis.unnormalize(sb, y);
      Value x0 = sb.floor(ix), y0 = sb.floor(iy);
      std::array<Value, 4> wx = cubicWeights(sb, sb.sub(ix, x0));
      std::array<Value, 4> wy = cubicWeights(sb, sb.sub(iy, y0));
      for (int i = 0; i < 4; ++i) {
        Value py = yAxis.pad(sb, sb.add(y0, sb.constant(i - 1)));
        Value row;
        for (int j = 0; j < 4; ++j) {
          Value px = xAxis.pad(sb, sb.add(x0, sb.constant(j - 1)));
          Value term = sb.mul(at(sb.toI64(px), sb.toI64(py)), wx[j]);
          row = row ? sb.add(row, term) : term;
        }
        Value term = sb.mul(row, wy[i]);
        result = result ? sb.add(result, term) : term;
      }
    } else {
      Value ix = xAxis.pad(sb, xAxis.unnormalize(sb, x));
      Value iy = yAxis.pad(sb, yAxis.unnormalize(sb, y));
      if (mode == "nearest") {
        result = at(sb.toI64(math::RoundEvenOp::create(b, loc, ix)),
                    sb.toI64(math::RoundEvenOp::create(b, loc, iy)));
      } else {
        Value x0 = sb.floor(ix), y0 = sb.floor(iy);
        Value east = sb.sub(ix, x0), south = sb.sub(iy, y0);
        Value west = sb.sub(sb.constant(1.0), east);
        Value north = sb.sub(sb.constant(1.0), south);
        Value left = sb.toI64(x0), top = sb.toI64(y0);
        Value one = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1));
        Value right = arith::AddIOp::create(b, loc, left, one);
        Value bottom = arith::AddIOp::create(b, loc, top, one);
        result = sb.mul(at(left, top), sb.mul(west, north));
        result = sb.add(result, sb.mul(at(right, top), sb.mul(east, north)));
        result = sb.add(result, sb.mul(at(left, bottom), sb.mul(west, south)));
        result = sb.add(result, sb.mul(at(right, bottom), sb.mul(east, south)));
      }
    }
    if (result.getType() != element)
      result = arith::TruncFOp::create(b, loc, element, result);
    return result;
  };
  return read;
}

} // namespace mlir::modelc::kernel
