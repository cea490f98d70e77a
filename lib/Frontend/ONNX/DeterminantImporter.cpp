//===- DeterminantImporter.cpp - ONNX Det as a sum of products ------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Det of [..., M, M] is written as graph ops by the Leibniz formula: the sum
// over the permutations p of 0..M-1 of sign(p) * prod_i a[..., i, p(i)],
// each element a slice of the input. That is M! products of M factors, so
// it is kept to M <= 4 (24 terms); elimination with pivoting, which larger
// matrices need, selects rows by value and is not built.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// The largest matrix Det expands.
constexpr int64_t kMaxDetSize = 4;

/// +1 or -1: the parity of `permutation`'s inversions.
int permutationSign(ArrayRef<int64_t> permutation) {
  int sign = 1;
  for (size_t i = 0; i < permutation.size(); ++i)
    for (size_t j = i + 1; j < permutation.size(); ++j)
      if (permutation[i] > permutation[j])
        sign = -sign;
  return sign;
}

llvm::Error importDet(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2 || type.getDimSize(rank - 1) != type.getDimSize(rank - 2))
    return ctx.error("expected square matrices in the last two dimensions");
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error("Det takes floats");
  int64_t size = type.getDimSize(rank - 1);
  if (size > kMaxDetSize)
    return ctx.error("matrices of " + llvm::Twine(size) + " x " +
                     llvm::Twine(size) + " are not supported (at most " +
                     llvm::Twine(kMaxDetSize) + " x " +
                     llvm::Twine(kMaxDetSize) + ")");
  ArrayRef<int64_t> batch = type.getShape().drop_back(2);
  OpBuilder &b = ctx.builder();
  if (size == 0) {
    // The empty product: the determinant of a 0 x 0 matrix is 1.
    auto ones = RankedTensorType::get(batch, type.getElementType());
    ctx.setResult(0,
                  arith::ConstantOp::create(
                      b, ctx.loc(), ones,
                      DenseElementsAttr::get(
                          ones, b.getFloatAttr(type.getElementType(), 1.0))));
    return llvm::Error::success();
  }
  auto element = [&](int64_t row, int64_t column) {
    SmallVector<int64_t> starts(rank, 0), ends(type.getShape()), steps(rank, 1);
    starts[rank - 2] = row;
    ends[rank - 2] = row + 1;
    starts[rank - 1] = column;
    ends[rank - 1] = column + 1;
    Value slice = ctx.create<graph::SliceOp>(
        ctx.input(0), b.getDenseI64ArrayAttr(starts),
        b.getDenseI64ArrayAttr(ends), b.getDenseI64ArrayAttr(steps));
    return reshapeTo(ctx, slice, batch);
  };
  SmallVector<SmallVector<Value>> a(size);
  for (int64_t i = 0; i < size; ++i)
    for (int64_t j = 0; j < size; ++j)
      a[i].push_back(element(i, j));

  SmallVector<int64_t> permutation(size);
  std::iota(permutation.begin(), permutation.end(), 0);
  Value det;
  do {
    Value term = a[0][permutation[0]];
    for (int64_t i = 1; i < size; ++i)
      term = ctx.create<graph::MulOp>(term, a[i][permutation[i]]);
    if (!det)
      det = permutationSign(permutation) > 0 ? term
                                             : ctx.create<graph::NegOp>(term);
    else if (permutationSign(permutation) > 0)
      det = ctx.create<graph::AddOp>(det, term);
    else
      det = ctx.create<graph::SubOp>(det, term);
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  ctx.setResult(0, det);
  return llvm::Error::success();
}
} // namespace

void registerDeterminantImporter(OpImporterTable &table) {
  addImporters(table, {{"Det", {11, kMaxKnownOpset, importDet}}});
}

} // namespace modelc::onnx_frontend
