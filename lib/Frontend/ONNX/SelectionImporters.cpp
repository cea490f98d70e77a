//===- SelectionImporters.cpp - NonMaxSuppression and Unique, evaluated ---===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// NonMaxSuppression and Unique return as many rows as their data selects,
// so their inputs are shape operands (ShapeOperands.cpp): `modelc run`
// freezes them from their files and `compile` takes them from `--bind`.
// With the inputs known, the importer evaluates the op as onnxruntime does
// and the results are constants. A selection computed at run time, with an
// output bounded at compile time and its real size reported through
// <name>_run_shaped, is not built.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <map>
#include <numeric>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// The values of operand `input` when it is a constant.
std::optional<ElementsAttr> constantOperand(NodeContext &ctx, size_t input) {
  ElementsAttr data;
  if (!ctx.input(input) || !matchPattern(ctx.input(input), m_Constant(&data)))
    return std::nullopt;
  return data;
}

llvm::Error notKnown(NodeContext &ctx, llvm::StringRef what) {
  return ctx.error("the number of rows it returns depends on " + what +
                   ", so it must be known at compile time: `modelc run` "
                   "takes it from its file, `compile` from --bind (a "
                   "selection made at run time is not supported)");
}

/// One box as its corners, whichever corners the input gave.
struct Box {
  float yMin, xMin, yMax, xMax;
};

Box readBox(const std::vector<double> &boxes, int64_t at, bool centerPoint) {
  auto value = [&](int64_t k) { return static_cast<float>(boxes[at + k]); };
  if (centerPoint) {
    // [x_center, y_center, width, height].
    float halfWidth = value(2) / 2.0f, halfHeight = value(3) / 2.0f;
    return {value(1) - halfHeight, value(0) - halfWidth, value(1) + halfHeight,
            value(0) + halfWidth};
  }
  // [y1, x1, y2, x2], either diagonal.
  return {std::min(value(0), value(2)), std::min(value(1), value(3)),
          std::max(value(0), value(2)), std::max(value(1), value(3))};
}

/// Whether `a` and `b` overlap by more than `threshold` (intersection over
/// union, in float as onnxruntime computes it; an empty box suppresses
/// nothing).
bool suppresses(const Box &a, const Box &b, float threshold) {
  float yMin = std::max(a.yMin, b.yMin), xMin = std::max(a.xMin, b.xMin);
  float yMax = std::min(a.yMax, b.yMax), xMax = std::min(a.xMax, b.xMax);
  float intersection =
      std::max(0.0f, yMax - yMin) * std::max(0.0f, xMax - xMin);
  if (intersection <= 0.0f)
    return false;
  float areaA = (a.yMax - a.yMin) * (a.xMax - a.xMin);
  float areaB = (b.yMax - b.yMin) * (b.xMax - b.xMin);
  float unionArea = areaA + areaB - intersection;
  if (areaA <= 0.0f || areaB <= 0.0f || unionArea <= 0.0f)
    return false;
  return intersection / unionArea > threshold;
}

llvm::Error importNonMaxSuppression(NodeContext &ctx) {
  RankedTensorType boxesType = ctx.inputType(0), scoresType = ctx.inputType(1);
  if (boxesType.getRank() != 3 || boxesType.getDimSize(2) != 4 ||
      scoresType.getRank() != 3 ||
      scoresType.getDimSize(0) != boxesType.getDimSize(0) ||
      scoresType.getDimSize(2) != boxesType.getDimSize(1))
    return ctx.error("expected boxes [batch, boxes, 4] and scores [batch, "
                     "classes, boxes]");
  std::optional<ElementsAttr> boxesData = constantOperand(ctx, 0);
  std::optional<ElementsAttr> scoresData = constantOperand(ctx, 1);
  if (!boxesData || !scoresData)
    return notKnown(ctx, "the boxes and scores");
  int64_t maxPerClass = 0;
  float iouThreshold = 0.0f, scoreThreshold = 0.0f;
  bool filterScores = false;
  // The optional scalar operands: each, when given, is one known value.
  auto scalar = [&](size_t input,
                    llvm::StringRef what) -> llvm::Expected<double> {
    std::optional<ElementsAttr> data = constantOperand(ctx, input);
    if (!data)
      return notKnown(ctx, what);
    std::vector<double> values = graph::readConstantAsDoubles(*data);
    if (values.size() != 1)
      return ctx.error(what + llvm::Twine(" must hold one value"));
    return values.front();
  };
  if (ctx.input(2)) {
    llvm::Expected<double> value = scalar(2, "max_output_boxes_per_class");
    if (!value)
      return value.takeError();
    maxPerClass = static_cast<int64_t>(*value);
  }
  if (ctx.input(3)) {
    llvm::Expected<double> value = scalar(3, "iou_threshold");
    if (!value)
      return value.takeError();
    iouThreshold = static_cast<float>(*value);
  }
  if (ctx.input(4)) {
    llvm::Expected<double> value = scalar(4, "score_threshold");
    if (!value)
      return value.takeError();
    scoreThreshold = static_cast<float>(*value);
    filterScores = true;
  }
  bool centerPoint = ctx.intAttr("center_point_box", 0) != 0;
  std::vector<double> boxes = graph::readConstantAsDoubles(*boxesData);
  std::vector<double> scores = graph::readConstantAsDoubles(*scoresData);
  int64_t batches = boxesType.getDimSize(0), count = boxesType.getDimSize(1);
  int64_t classes = scoresType.getDimSize(1);

  std::vector<int64_t> selected;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t c = 0; c < classes; ++c) {
      const double *classScores = scores.data() + (b * classes + c) * count;
      std::vector<int64_t> candidates;
      for (int64_t i = 0; i < count; ++i)
        if (!filterScores ||
            static_cast<float>(classScores[i]) > scoreThreshold)
          candidates.push_back(i);
      // Highest score first; equal scores in box order.
      std::stable_sort(candidates.begin(), candidates.end(),
                       [&](int64_t x, int64_t y) {
                         return static_cast<float>(classScores[x]) >
                                static_cast<float>(classScores[y]);
                       });
      std::vector<Box> kept;
      for (int64_t i : candidates) {
        if (static_cast<int64_t>(kept.size()) >= maxPerClass)
          break;
        Box box = readBox(boxes, (b * count + i) * 4, centerPoint);
        if (llvm::any_of(kept, [&](const Box &other) {
              return suppresses(box, other, iouThreshold);
            }))
          continue;
        kept.push_back(box);
        selected.insert(selected.end(), {b, c, i});
      }
    }
  int64_t rows = static_cast<int64_t>(selected.size()) / 3;
  ctx.setResult(0, intConstant(ctx, {rows, 3}, selected));
  return llvm::Error::success();
}

/// Unique over the slices of `X` along `axis` (over its elements, flattened,
/// without one), compared as numbers, lexicographically for slices.
llvm::Error importUnique(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  std::optional<ElementsAttr> data = constantOperand(ctx, 0);
  if (!data)
    return notKnown(ctx, "the values of X");
  bool byAxis = ctx.attribute("axis") != nullptr;
  int64_t rank = type.getRank();
  Value input = ctx.input(0);
  int64_t axis = 0;
  if (byAxis) {
    llvm::Expected<int64_t> normalized =
        normalizeAxis(ctx, ctx.intAttr("axis", 0), rank);
    if (!normalized)
      return normalized.takeError();
    axis = *normalized;
  } else {
    input = reshapeTo(ctx, input, {type.getNumElements()});
  }
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t length = shape[axis];
  int64_t inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  bool isFloat = isa<FloatType>(type.getElementType());
  std::vector<double> asDoubles;
  std::vector<int64_t> asInts;
  if (isFloat)
    asDoubles = graph::readConstantAsDoubles(*data);
  else
    asInts = graph::readConstantAsInts(*data);
  // Slice `s` as the numbers it holds, in row-major order.
  auto slice = [&](int64_t s) {
    std::vector<std::pair<int64_t, double>> values;
    values.reserve(outer * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t at = (o * length + s) * inner + i;
        values.push_back(isFloat ? std::pair<int64_t, double>(0, asDoubles[at])
                                 : std::pair<int64_t, double>(asInts[at], 0));
      }
    return values;
  };
  std::map<std::vector<std::pair<int64_t, double>>, int64_t> firstOf;
  std::vector<int64_t> firsts, inverse(length), counts;
  std::vector<std::vector<std::pair<int64_t, double>>> keys;
  for (int64_t s = 0; s < length; ++s) {
    auto key = slice(s);
    auto [it, inserted] = firstOf.try_emplace(key, firsts.size());
    if (inserted) {
      firsts.push_back(s);
      counts.push_back(0);
      keys.push_back(std::move(key));
    }
    inverse[s] = it->second;
    ++counts[it->second];
  }
  // Order of the unique slices: ascending when sorted, else first seen.
  std::vector<int64_t> order(firsts.size());
  std::iota(order.begin(), order.end(), 0);
  if (ctx.intAttr("sorted", 1) != 0)
    std::sort(order.begin(), order.end(),
              [&](int64_t x, int64_t y) { return keys[x] < keys[y]; });
  std::vector<int64_t> position(order.size());
  for (auto [rankInOrder, unique] : llvm::enumerate(order))
    position[unique] = static_cast<int64_t>(rankInOrder);
  std::vector<int64_t> indices, uniqueCounts, inverseIndices;
  for (int64_t unique : order) {
    indices.push_back(firsts[unique]);
    uniqueCounts.push_back(counts[unique]);
  }
  for (int64_t s = 0; s < length; ++s)
    inverseIndices.push_back(position[inverse[s]]);

  int64_t uniques = static_cast<int64_t>(order.size());
  Value indexTable = intConstant(ctx, {uniques}, indices);
  // Y gathers the unique slices from X itself, so its values are X's
  // exactly, whatever the element type.
  if (ctx.resultUsed(0))
    ctx.setResult(
        0, ctx.create<graph::GatherOp>(input, indexTable,
                                       ctx.builder().getI64IntegerAttr(axis)));
  if (ctx.resultUsed(1))
    ctx.setResult(1, indexTable);
  if (ctx.resultUsed(2))
    ctx.setResult(2, intConstant(ctx, {length}, inverseIndices));
  if (ctx.resultUsed(3))
    ctx.setResult(3, intConstant(ctx, {uniques}, uniqueCounts));
  return llvm::Error::success();
}

} // namespace

void registerSelectionImporters(OpImporterTable &table) {
  addImporters(table, {{"NonMaxSuppression",
                        {10, kMaxKnownOpset, importNonMaxSuppression}},
                       {"Unique", {11, kMaxKnownOpset, importUnique}}});
}

} // namespace modelc::onnx_frontend
