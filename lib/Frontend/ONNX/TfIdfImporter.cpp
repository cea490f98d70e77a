//===- TfIdfImporter.cpp - ONNX TfIdfVectorizer as comparisons and sums ---===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// TfIdfVectorizer counts, in each row of integer tokens, the n-grams of a
// constant pool. For every n-gram length n and skip s (s = 0 only for n = 1)
// the windows `x[i], x[i + s + 1], ..., x[i + (n - 1)(s + 1)]` are one
// constant gather, compared element by element with every pool n-gram of
// that length; a window matches when all n tokens do, and the matches summed
// over the windows are the counts. One product with a constant 0/1 matrix
// moves each pool n-gram's count to its output position (ngram_indexes),
// exact for any count a float holds.
//
// String pools are refused (string tensors are not supported), and weights
// are taken only where ngram_indexes is the identity, where the ONNX text
// (weights by pool position) and onnxruntime (by output position) agree.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// The largest pool x output placement matrix built.
constexpr int64_t kMaxTfIdfOutputs = int64_t(1) << 24;

/// The pool's n-grams of each length n = 1 .. max, as flat token lists.
llvm::Expected<std::vector<std::vector<int64_t>>> readPool(NodeContext &ctx,
                                                           int64_t maxLength) {
  std::vector<int64_t> pool =
      ctx.intsAttr("pool_int64s").value_or(std::vector<int64_t>());
  std::vector<int64_t> counts =
      ctx.intsAttr("ngram_counts").value_or(std::vector<int64_t>());
  if (static_cast<int64_t>(counts.size()) != maxLength)
    return ctx.error("ngram_counts must hold one start per n-gram length "
                     "up to max_gram_length");
  std::vector<std::vector<int64_t>> byLength(maxLength);
  for (int64_t n = 1; n <= maxLength; ++n) {
    int64_t start = counts[n - 1];
    int64_t end = n < maxLength ? counts[n] : static_cast<int64_t>(pool.size());
    if (start < 0 || end < start || end > static_cast<int64_t>(pool.size()) ||
        (end - start) % n != 0)
      return ctx.error("ngram_counts does not split pool_int64s into " +
                       llvm::Twine(n) + "-grams");
    byLength[n - 1].assign(pool.begin() + start, pool.begin() + end);
  }
  return byLength;
}

llvm::Error importTfIdfVectorizer(NodeContext &ctx) {
  if (ctx.attribute("pool_strings"))
    return ctx.error("string pools are not supported (string tensors are "
                     "not)");
  RankedTensorType type = ctx.inputType(0);
  if (!type.getElementType().isInteger(32) &&
      !type.getElementType().isInteger(64))
    return ctx.error("X must hold int32 or int64 tokens");
  int64_t rank = type.getRank();
  if (rank != 1 && rank != 2)
    return ctx.error("X must be [C] or [N, C]");
  int64_t minLength = ctx.intAttr("min_gram_length", 1);
  int64_t maxLength = ctx.intAttr("max_gram_length", 1);
  int64_t maxSkip = ctx.intAttr("max_skip_count", 0);
  if (minLength < 1 || maxLength < minLength || maxSkip < 0)
    return ctx.error("expected 1 <= min_gram_length <= max_gram_length and "
                     "max_skip_count >= 0");
  std::string mode = ctx.stringAttr("mode", "TF");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.error("mode '" + mode + "' is not TF, IDF or TFIDF");
  llvm::Expected<std::vector<std::vector<int64_t>>> pool =
      readPool(ctx, maxLength);
  if (!pool)
    return pool.takeError();
  size_t poolSize = 0;
  for (auto [n, tokens] : llvm::enumerate(*pool))
    poolSize += tokens.size() / (n + 1);
  std::vector<int64_t> indexes =
      ctx.intsAttr("ngram_indexes").value_or(std::vector<int64_t>());
  if (indexes.size() != poolSize ||
      llvm::any_of(indexes, [](int64_t i) { return i < 0; }))
    return ctx.error("ngram_indexes must give a non-negative output position "
                     "for each of the pool's " +
                     llvm::Twine(poolSize) + " n-grams");
  std::vector<float> weights = ctx.floatsAttr("weights");
  bool identity = true;
  for (auto [i, index] : llvm::enumerate(indexes))
    identity = identity && index == static_cast<int64_t>(i);
  if (!weights.empty() && (weights.size() != poolSize || !identity))
    return ctx.error("weights are supported with one per n-gram and "
                     "ngram_indexes 0, 1, 2, ... only");
  int64_t outputs = indexes.empty()
                        ? 0
                        : *std::max_element(indexes.begin(), indexes.end()) + 1;
  // The placement is a dense [pool, outputs] matrix.
  if (outputs > kMaxTfIdfOutputs ||
      static_cast<int64_t>(poolSize) * outputs > kMaxTfIdfOutputs)
    return ctx.error("ngram_indexes reach position " +
                     llvm::Twine(outputs - 1) + ", more than the " +
                     llvm::Twine(kMaxTfIdfOutputs) +
                     " pool x output entries supported");

  OpBuilder &b = ctx.builder();
  Type f32 = b.getF32Type();
  ArrayRef<int64_t> batch = type.getShape().drop_back();
  int64_t length = type.getShape().back();
  Value tokens = ctx.input(0);
  if (!type.getElementType().isInteger(64))
    tokens = ctx.create<graph::CastOp>(
        RankedTensorType::get(type.getShape(), b.getI64Type()), tokens);

  // counts[j], in pool order, for every pool n-gram.
  SmallVector<Value> counts;
  for (int64_t n = 1; n <= maxLength; ++n) {
    const std::vector<int64_t> &grams = (*pool)[n - 1];
    int64_t numGrams = static_cast<int64_t>(grams.size()) / n;
    if (numGrams == 0)
      continue;
    SmallVector<int64_t> countShape(batch);
    countShape.push_back(numGrams);
    Value total;
    if (n >= minLength) {
      Value gramTable = intConstant(ctx, {numGrams, n}, grams);
      for (int64_t skip = 0; skip <= (n == 1 ? 0 : maxSkip); ++skip) {
        int64_t span = (n - 1) * (skip + 1);
        int64_t windows = length - span;
        if (windows <= 0)
          break;
        std::vector<int64_t> taps;
        for (int64_t i = 0; i < windows; ++i)
          for (int64_t k = 0; k < n; ++k)
            taps.push_back(i + k * (skip + 1));
        // [batch..., windows, n] -> [batch..., windows, 1, n].
        Value window = ctx.create<graph::GatherOp>(
            tokens, intConstant(ctx, {windows, n}, taps),
            b.getI64IntegerAttr(rank - 1));
        SmallVector<int64_t> spread(batch);
        spread.append({windows, 1, n});
        Value same = ctx.create<graph::EqualOp>(reshapeTo(ctx, window, spread),
                                                gramTable);
        SmallVector<int64_t> matchShape(batch);
        matchShape.append({windows, numGrams, n});
        Value matches = ctx.create<graph::ReduceMinOp>(
            ctx.create<graph::CastOp>(RankedTensorType::get(matchShape, f32),
                                      same),
            b.getDenseI64ArrayAttr({rank + 1}), b.getBoolAttr(false));
        Value found = ctx.create<graph::ReduceSumOp>(
            matches, b.getDenseI64ArrayAttr({rank - 1}), b.getBoolAttr(false));
        total = total ? ctx.create<graph::AddOp>(total, found) : found;
      }
    }
    if (!total)
      total = floatConstant(ctx, f32, countShape, {0.0});
    counts.push_back(total);
  }
  SmallVector<int64_t> resultShape(batch);
  resultShape.push_back(outputs);
  if (counts.empty()) {
    ctx.setResult(0, floatConstant(ctx, f32, resultShape, {0.0}));
    return llvm::Error::success();
  }
  Value all =
      counts.size() == 1
          ? counts.front()
          : ctx.create<graph::ConcatOp>(counts, b.getI64IntegerAttr(rank - 1));
  if (mode != "TF") {
    // IDF: whether the n-gram occurs; TFIDF: how often. Both times weight.
    if (mode == "IDF")
      all = ctx.create<graph::MinOp>(all, scalarConstant(ctx, f32, 1.0));
    if (!weights.empty()) {
      std::vector<double> values(weights.begin(), weights.end());
      all = ctx.create<graph::MulOp>(
          all,
          floatConstant(ctx, f32, {static_cast<int64_t>(poolSize)}, values));
    }
  }
  std::vector<double> placement(poolSize * outputs, 0.0);
  for (auto [j, index] : llvm::enumerate(indexes))
    placement[j * outputs + index] = 1.0;
  Value place = floatConstant(
      ctx, f32, {static_cast<int64_t>(poolSize), outputs}, placement);
  ctx.setResult(0, ctx.create<graph::MatMulOp>(all, place));
  return llvm::Error::success();
}

} // namespace

void registerTfIdfImporter(OpImporterTable &table) {
  addImporters(
      table, {{"TfIdfVectorizer", {9, kMaxKnownOpset, importTfIdfVectorizer}}});
}

} // namespace modelc::onnx_frontend
