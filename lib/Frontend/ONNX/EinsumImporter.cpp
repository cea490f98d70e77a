//===- EinsumImporter.cpp - ONNX Einsum as transposes and matrix products -===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Einsum is written as the graph ops every target already runs, so it needs
// no kernel of its own:
//   - a label repeated within one operand takes the diagonal (a select
//     against an identity mask, then a sum over the repeated axis, which
//     adds only zeros to the kept element);
//   - a label that only one operand has and the result does not is summed
//     out there;
//   - two operands contract as one batched matrix product: each is
//     transposed to [batch, own, contracted] and reshaped to three
//     dimensions, and the product is reshaped and transposed to the result
//     (types other than f32, which the targets' matrix products do not
//     take, multiply elementwise and sum instead);
//   - more operands contract left to right.
// The ellipsis stands for the same trailing dimensions in every operand, as
// in numpy; labels shared by operands must have equal sizes (no
// broadcasting of size-1 dimensions).
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// One operand of the contraction: a value and the label of each dimension.
struct Term {
  Value value;
  std::string labels;
};

/// Labels the ellipsis dimensions with characters no equation uses, so
/// that they take part like letters.
char ellipsisLabel(int64_t index) { return static_cast<char>(1 + index); }

/// How messages name a label: its letter, or the ellipsis it stands for.
std::string labelName(char label) {
  return llvm::isAlpha(label) ? "'" + std::string(1, label) + "'"
                              : std::string("'...'");
}

/// The equation split into operand terms and the result's term, with
/// spaces removed and each ellipsis expanded for its operand's rank.
struct Equation {
  std::vector<std::string> inputs;
  std::string output;
};

llvm::Expected<Equation> parseEquation(NodeContext &ctx, llvm::StringRef text) {
  std::string compact;
  for (char c : text)
    if (c != ' ')
      compact += c;
  llvm::StringRef equation(compact);
  auto [lhs, rhs] = equation.split("->");
  bool explicitOutput = equation.contains("->");
  llvm::SmallVector<llvm::StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ctx.numInputs())
    return ctx.error("the equation has " + llvm::Twine(terms.size()) +
                     " operand terms for " + llvm::Twine(ctx.numInputs()) +
                     " inputs");

  auto valid = [](llvm::StringRef term) {
    size_t dots = term.find("...");
    std::string rest = term.str();
    if (dots != llvm::StringRef::npos)
      rest.erase(dots, 3);
    return llvm::all_of(rest, [](char c) { return llvm::isAlpha(c); });
  };
  Equation result;
  int64_t ellipsisRank = 0;
  std::vector<int64_t> operandEllipsis;
  for (auto [i, term] : llvm::enumerate(terms)) {
    if (!valid(term))
      return ctx.error("bad term '" + term + "' in equation '" + text + "'");
    int64_t rank = ctx.inputType(i).getRank();
    bool hasEllipsis = term.contains("...");
    int64_t letters = static_cast<int64_t>(term.size()) - (hasEllipsis ? 3 : 0);
    int64_t covered = hasEllipsis ? rank - letters : 0;
    if (covered < 0 || (!hasEllipsis && letters != rank))
      return ctx.error("term '" + term + "' does not match input " +
                       llvm::Twine(i) + " of rank " + llvm::Twine(rank));
    ellipsisRank = std::max(ellipsisRank, covered);
    operandEllipsis.push_back(covered);
  }
  // Ellipsis dimensions align from the right, as numpy's broadcasting does.
  auto expand = [&](llvm::StringRef term, int64_t covered) {
    std::string labels;
    size_t dots = term.find("...");
    if (dots == llvm::StringRef::npos)
      return term.str();
    labels = term.substr(0, dots).str();
    for (int64_t e = ellipsisRank - covered; e < ellipsisRank; ++e)
      labels += ellipsisLabel(e);
    return labels + term.substr(dots + 3).str();
  };
  for (auto [i, term] : llvm::enumerate(terms))
    result.inputs.push_back(expand(term, operandEllipsis[i]));

  if (explicitOutput) {
    if (!valid(rhs))
      return ctx.error("bad result term '" + rhs + "' in equation '" + text +
                       "'");
    result.output = expand(rhs, ellipsisRank);
  } else {
    // Implicit: the ellipsis, then every letter used once, sorted.
    std::map<char, int> counts;
    for (const std::string &term : result.inputs)
      for (char c : term)
        ++counts[c];
    for (int64_t e = 0; e < ellipsisRank; ++e)
      result.output += ellipsisLabel(e);
    for (auto [c, count] : counts)
      if (count == 1 && llvm::isAlpha(c))
        result.output += c;
  }
  return result;
}

class EinsumBuilder {
public:
  explicit EinsumBuilder(NodeContext &ctx) : ctx_(ctx) {}

  /// The dimension sizes of each label, checked to agree across operands.
  llvm::Error recordSizes(const Term &term) {
    auto shape = cast<RankedTensorType>(term.value.getType()).getShape();
    for (auto [d, label] : llvm::enumerate(term.labels)) {
      auto [it, inserted] = sizes_.try_emplace(label, shape[d]);
      if (!inserted && it->second != shape[d])
        return ctx_.error("label " + labelName(label) + " has sizes " +
                          llvm::Twine(it->second) + " and " +
                          llvm::Twine(shape[d]) +
                          " (broadcasting a size-1 dimension is not "
                          "supported)");
    }
    return llvm::Error::success();
  }

  /// Takes the diagonal of every label `term` repeats.
  Term takeDiagonals(Term term) {
    for (size_t q = 0; q < term.labels.size(); ++q) {
      size_t p = term.labels.find(term.labels[q]);
      if (p == q)
        continue;
      auto type = cast<RankedTensorType>(term.value.getType());
      // mask[..., i (at p), ..., j (at q), ...] = (i == j), broadcast over
      // every other dimension.
      SmallVector<int64_t> maskShape(type.getRank(), 1);
      int64_t n = type.getDimSize(p);
      maskShape[p] = maskShape[q] = n;
      SmallVector<double> eye(n * n, 0.0);
      for (int64_t i = 0; i < n; ++i)
        eye[i * n + i] = 1.0;
      auto maskType = RankedTensorType::get(maskShape, builder().getI1Type());
      Value mask = arith::ConstantOp::create(
          builder(), ctx_.loc(), maskType,
          cast<TypedAttr>(graph::makeConstantFromDoubles(maskType, eye)));
      Value kept = ctx_.create<graph::WhereOp>(
          mask, term.value, scalarConstant(ctx_, type.getElementType(), 0.0));
      term.value = sum(kept, {static_cast<int64_t>(q)});
      term.labels.erase(q, 1);
      --q;
    }
    return term;
  }

  /// Sums out the labels of `term` that `needed` does not hold.
  Term sumOut(Term term, llvm::StringRef needed) {
    SmallVector<int64_t> axes;
    std::string kept;
    for (auto [d, label] : llvm::enumerate(term.labels)) {
      if (needed.contains(label))
        kept += label;
      else
        axes.push_back(d);
    }
    if (!axes.empty())
      term = {sum(term.value, axes), kept};
    return term;
  }

  /// `term` with its dimensions in the order of `labels`, a permutation of
  /// its own.
  Term permute(Term term, llvm::StringRef labels) {
    if (term.labels == labels)
      return term;
    SmallVector<int64_t> permutation;
    for (char label : labels)
      permutation.push_back(term.labels.find(label));
    return {ctx_.create<graph::TransposeOp>(term.value, permutation),
            labels.str()};
  }

  /// The product of two terms keeping only the labels `needed` holds.
  llvm::Expected<Term> contract(Term a, Term b, llvm::StringRef needed) {
    std::string batch, left, right, contracted;
    for (char label : a.labels) {
      bool inB = b.labels.find(label) != std::string::npos;
      if (inB && needed.contains(label))
        batch += label;
      else if (inB)
        contracted += label;
      else
        left += label;
    }
    for (char label : b.labels)
      if (a.labels.find(label) == std::string::npos)
        right += label;
    int64_t nb = product(batch), nl = product(left), nr = product(right),
            nk = product(contracted);
    a = permute(a, batch + left + contracted);
    Value result;
    if (cast<RankedTensorType>(a.value.getType()).getElementType().isF32()) {
      b = permute(b, batch + contracted + right);
      Value lhs = reshapeTo(ctx_, a.value, {nb, nl, nk});
      Value rhs = reshapeTo(ctx_, b.value, {nb, nk, nr});
      result = ctx_.create<graph::MatMulOp>(lhs, rhs);
    } else {
      // Matrix products are f32 on the targets; other types multiply
      // elementwise ([B, L, 1, K] by [B, 1, R, K]) and sum over K, exactly
      // for integers, at the cost of a B x L x R x K intermediate.
      b = permute(b, batch + right + contracted);
      Value lhs = reshapeTo(ctx_, a.value, {nb, nl, 1, nk});
      Value rhs = reshapeTo(ctx_, b.value, {nb, 1, nr, nk});
      result = sum(ctx_.create<graph::MulOp>(lhs, rhs), {3});
    }
    std::string labels = batch + left + right;
    SmallVector<int64_t> shape;
    for (char label : labels)
      shape.push_back(sizes_.at(label));
    return Term{reshapeTo(ctx_, result, shape), labels};
  }

private:
  OpBuilder &builder() { return ctx_.builder(); }

  Value sum(Value value, ArrayRef<int64_t> axes) {
    return ctx_.create<graph::ReduceSumOp>(value,
                                           builder().getDenseI64ArrayAttr(axes),
                                           builder().getBoolAttr(false));
  }

  int64_t product(llvm::StringRef labels) {
    int64_t size = 1;
    for (char label : labels)
      size *= sizes_.at(label);
    return size;
  }

  NodeContext &ctx_;
  std::map<char, int64_t> sizes_;
};

llvm::Error importEinsum(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.error("expected at least one input");
  llvm::Expected<Equation> equation =
      parseEquation(ctx, ctx.stringAttr("equation", ""));
  if (!equation)
    return equation.takeError();
  for (char label : equation->output)
    if (llvm::none_of(equation->inputs, [&](const std::string &term) {
          return term.find(label) != std::string::npos;
        }))
      return ctx.error("the result has label " + labelName(label) +
                       ", which no operand has");

  EinsumBuilder builder(ctx);
  std::vector<Term> terms;
  for (auto [i, labels] : llvm::enumerate(equation->inputs)) {
    Term term{ctx.input(i), labels};
    if (llvm::Error err = builder.recordSizes(term))
      return err;
    terms.push_back(builder.takeDiagonals(term));
  }
  // What must survive after operand i: the result's labels and every later
  // operand's.
  auto neededAfter = [&](size_t i) {
    std::string needed = equation->output;
    for (size_t j = i + 1; j < terms.size(); ++j)
      needed += terms[j].labels;
    return needed;
  };
  Term result = builder.sumOut(terms[0], neededAfter(0));
  for (size_t i = 1; i < terms.size(); ++i) {
    std::string needed = neededAfter(i);
    Term next = builder.sumOut(terms[i], needed + result.labels);
    llvm::Expected<Term> product = builder.contract(result, next, needed);
    if (!product)
      return product.takeError();
    result = *product;
  }
  result = builder.sumOut(result, equation->output);
  ctx.setResult(0, builder.permute(result, equation->output).value);
  return llvm::Error::success();
}
} // namespace

void registerEinsumImporter(OpImporterTable &table) {
  addImporters(table, {{"Einsum", {12, kMaxKnownOpset, importEinsum}}});
}

} // namespace modelc::onnx_frontend
