//===- ResizeRead.cpp - Resize as taps read from compile-time tables ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// ONNX Resize samples each dimension independently, and where it samples
// depends only on the output coordinate, the scales and the modes: all of it
// is known at compile time. So the taps (input positions and weights per
// output coordinate, per dimension) are worked out here once and become
// small constant tables, dispatch operands like any weights. The loop body
// reads a coordinate's taps through affine maps, the input at those
// positions with tensor.extract, and sums the weighted products in the
// order the dimensions come. Printers see tables, maps and extracts; the
// coordinate transformation modes live only here.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/ElementReads.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

namespace mlir::modelc::kernel {

namespace {
/// Where one dimension samples: `count` taps per output coordinate.
struct ResizeTaps {
  int64_t count = 1;
  std::vector<int64_t> index;
  std::vector<double> weight;
  /// tf_crop_and_resize: the coordinate falls outside the input.
  std::vector<bool> outside;
  bool identity = false;
};
} // namespace

/// ONNX Resize's sampling along one dimension.
static ResizeTaps resizeTaps(graph::ResizeOp op, int64_t inLen, int64_t outLen,
                             double scale, double roiStart, double roiEnd) {
  ResizeTaps taps;
  std::string coords = op.getCoordinateTransformationMode().str();
  std::string mode = op.getMode().str();
  if (inLen == outLen && scale == 1.0 && coords != "tf_crop_and_resize") {
    taps.identity = true;
    return taps;
  }
  auto original = [&](int64_t x) -> double {
    if (coords == "pytorch_half_pixel")
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    if (coords == "align_corners")
      return outLen == 1 ? 0.0 : x * double(inLen - 1) / double(outLen - 1);
    if (coords == "asymmetric")
      return x / scale;
    if (coords == "tf_half_pixel_for_nn")
      return (x + 0.5) / scale;
    if (coords == "tf_crop_and_resize")
      return outLen > 1 ? roiStart * (inLen - 1) +
                              x * (roiEnd - roiStart) * (inLen - 1) /
                                  double(outLen - 1)
                        : 0.5 * (roiStart + roiEnd) * (inLen - 1);
    return (x + 0.5) / scale - 0.5; // half_pixel
  };
  auto clampIndex = [&](int64_t i) {
    return std::min<int64_t>(std::max<int64_t>(i, 0), inLen - 1);
  };
  taps.count = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
  double a = op.getCubicCoeffA().convertToDouble();
  for (int64_t x = 0; x < outLen; ++x) {
    double at = original(x);
    taps.outside.push_back(coords == "tf_crop_and_resize" &&
                           (at < 0 || at > inLen - 1));
    if (mode == "nearest") {
      std::string rounding = op.getNearestMode().str();
      double base = std::floor(at), frac = at - base;
      double pick = rounding == "floor"  ? base
                    : rounding == "ceil" ? std::ceil(at)
                    : frac == 0.5 ? (rounding == "round_prefer_ceil" ? base + 1
                                                                     : base)
                                  : std::round(at);
      taps.index.push_back(clampIndex(static_cast<int64_t>(pick)));
      taps.weight.push_back(1.0);
      continue;
    }
    double base = std::floor(at), r = at - base;
    int64_t first = static_cast<int64_t>(base) - (mode == "cubic" ? 1 : 0);
    std::vector<double> weights;
    if (mode == "linear") {
      weights = {1.0 - r, r};
    } else {
      auto far = [&](double t) {
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
      };
      auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
      weights = {far(r + 1), near(r), near(1 - r), far(2 - r)};
    }
    double total = 0;
    for (int64_t t = 0; t < taps.count; ++t) {
      int64_t i = first + t;
      if (op.getExcludeOutside() && (i < 0 || i >= inLen))
        weights[t] = 0;
      total += weights[t];
    }
    for (int64_t t = 0; t < taps.count; ++t) {
      taps.index.push_back(clampIndex(first + t));
      taps.weight.push_back(op.getExcludeOutside() && total != 0
                                ? weights[t] / total
                                : weights[t]);
    }
  }
  return taps;
}

/// `attr` as a new operand of `dispatch` (a function-level constant, laid
/// out with the weights), returned as its block argument.
static Value addTable(DispatchOp dispatch, DenseElementsAttr attr) {
  OpBuilder b(dispatch);
  Value table = arith::ConstantOp::create(b, dispatch.getLoc(), attr);
  dispatch->insertOperands(dispatch->getNumOperands(), table);
  return dispatch.getBodyBlock().addArgument(attr.getType(), dispatch.getLoc());
}

ElementRead getResizeRead(graph::ResizeOp op, DispatchOp dispatch) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<int64_t> in = inType.getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(op.getType()).getShape();
  ArrayRef<double> scales = op.getScales(), roi = op.getRoi();
  unsigned rank = in.size();
  MLIRContext *ctx = op.getContext();
  Type element = inType.getElementType();
  // Weights and sums in f32 (f64 for f64 tensors); 16-bit values widen.
  Type sum = element.isF64() ? Type(Float64Type::get(ctx))
                             : Type(Float32Type::get(ctx));
  Type i64 = IntegerType::get(ctx, 64);

  ElementRead read;
  // Per dimension: the read slot of each tap's index and weight (-1: none)
  // and of the outside flag.
  SmallVector<ResizeTaps> taps;
  SmallVector<SmallVector<int>> indexSlot(rank), weightSlot(rank);
  SmallVector<int> outsideSlot(rank, -1);
  auto readAt = [&](Value table, unsigned d, std::optional<int64_t> tap) {
    SmallVector<AffineExpr> results = {getAffineDimExpr(d, ctx)};
    if (tap)
      results.push_back(getAffineConstantExpr(*tap, ctx));
    read.operands.push_back(table);
    read.maps.push_back(AffineMap::get(rank, 0, results, ctx));
    return static_cast<int>(read.operands.size() - 1);
  };
  for (unsigned d = 0; d < rank; ++d) {
    double start = roi.size() == 2 * rank ? roi[d] : 0.0;
    double end = roi.size() == 2 * rank ? roi[rank + d] : 1.0;
    taps.push_back(resizeTaps(op, in[d], out[d], scales[d], start, end));
    const ResizeTaps &t = taps.back();
    if (t.identity)
      continue;
    auto tableType = [&](Type type) {
      return RankedTensorType::get({out[d], t.count}, type);
    };
    Value index = addTable(
        dispatch, DenseElementsAttr::get(tableType(i64), ArrayRef(t.index)));
    for (int64_t tap = 0; tap < t.count; ++tap)
      indexSlot[d].push_back(readAt(index, d, tap));
    if (t.count > 1) {
      SmallVector<Attribute> weights;
      for (double w : t.weight)
        weights.push_back(FloatAttr::get(sum, w));
      Value weight =
          addTable(dispatch, DenseElementsAttr::get(tableType(sum), weights));
      for (int64_t tap = 0; tap < t.count; ++tap)
        weightSlot[d].push_back(readAt(weight, d, tap));
    }
    if (llvm::is_contained(t.outside, true)) {
      SmallVector<bool> flags(t.outside.begin(), t.outside.end());
      Value outside = addTable(
          dispatch,
          DenseElementsAttr::get(
              RankedTensorType::get({out[d]}, IntegerType::get(ctx, 1)),
              ArrayRef(flags)));
      outsideSlot[d] = readAt(outside, d, std::nullopt);
    }
  }

  Value input = op.getInput();
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  read.compute = [=](OpBuilder &b, Location loc, ArrayRef<Value> point,
                     ArrayRef<Value> reads) -> Value {
    auto toIndex = [&](Value v) {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v)
          .getResult();
    };
    // Every combination of taps, the last dimension's fastest.
    SmallVector<int64_t> tap(rank, 0);
    Value total;
    while (true) {
      SmallVector<Value> at;
      for (unsigned d = 0; d < rank; ++d)
        at.push_back(toIndex(taps[d].identity ? point[d]
                                              : reads[indexSlot[d][tap[d]]]));
      Value term = tensor::ExtractOp::create(b, loc, input, at);
      if (term.getType() != sum)
        term = arith::ExtFOp::create(b, loc, sum, term);
      for (unsigned d = 0; d < rank; ++d)
        if (!weightSlot[d].empty())
          term = arith::MulFOp::create(b, loc, term,
                                       reads[weightSlot[d][tap[d]]]);
      total = total ? arith::AddFOp::create(b, loc, total, term).getResult()
                    : term;
      int d = rank - 1;
      for (; d >= 0; --d) {
        if (++tap[d] < taps[d].count)
          break;
        tap[d] = 0;
      }
      if (d < 0)
        break;
    }
    Value outside;
    for (unsigned d = 0; d < rank; ++d)
      if (outsideSlot[d] >= 0)
        outside = outside ? arith::OrIOp::create(b, loc, outside,
                                                 reads[outsideSlot[d]])
                                .getResult()
                          : reads[outsideSlot[d]];
    if (outside) {
      Value fill = arith::ConstantOp::create(
          b, loc, FloatAttr::get(sum, extrapolation));
      total = arith::SelectOp::create(b, loc, outside, fill, total);
    }
    if (total.getType() != element)
      total = arith::TruncFOp::create(b, loc, element, total);
    return total;
  };
  return read;
}

} // namespace mlir::modelc::kernel
