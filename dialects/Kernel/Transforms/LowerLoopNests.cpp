//===- LowerLoopNests.cpp - Elementwise chains as one linalg.generic ------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Rewrites the elementwise graph ops of every dispatch body (a pure chain, or
// the epilogue after an anchor) into one linalg.generic whose indexing maps
// carry the broadcasts and whose body is arith/math. An anchor that only
// reads its input through a permutation (transpose) joins the same
// loop nest as that map; a slice becomes a `tensor.extract_slice` view that
// the loop nest reads (a strided window: static offsets, sizes and strides).
// Printers then emit loops or threads from the maps and views and C
// expressions from arith/math, and never learn what an ONNX op means.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Kernel/Transforms/ElementReads.h"
#include "dialects/Kernel/Transforms/ElementwiseSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_LOWERLOOPNESTSPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct LowerLoopNestsPass final
    : impl::LowerLoopNestsPassBase<LowerLoopNestsPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// The map reading an operand of `shape` at the iteration point of a loop
/// nest over `iteration`, with numpy broadcasting: trailing dimensions line
/// up and a size-1 dimension stays at index 0.
static AffineMap broadcastMap(ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> iteration, MLIRContext *ctx) {
  SmallVector<AffineExpr> results;
  size_t offset = iteration.size() - shape.size();
  for (auto [j, size] : llvm::enumerate(shape)) {
    size_t d = offset + j;
    results.push_back(size == 1 && iteration[d] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(d, ctx));
  }
  return AffineMap::get(iteration.size(), 0, results, ctx);
}

/// How a data-movement op reads its input at a point of its result, when
/// that is an affine map linalg accepts (none for other ops). A slice is not
/// one: linalg sizes a loop by any operand dimension a plain loop index
/// addresses, so a map cannot read a smaller window of a larger input; it
/// becomes a tensor.extract_slice view instead (sliceAsView).
static std::optional<AffineMap> viewMap(Operation *op) {
  MLIRContext *ctx = op->getContext();
  if (auto transpose = dyn_cast<graph::TransposeOp>(op)) {
    // Result dimension d is input dimension permutation[d].
    ArrayRef<int64_t> permutation = transpose.getPermutation();
    SmallVector<AffineExpr> results(permutation.size());
    for (auto [d, source] : llvm::enumerate(permutation))
      results[source] = getAffineDimExpr(d, ctx);
    return AffineMap::get(permutation.size(), 0, results, ctx);
  }
  return std::nullopt;
}

/// A tensor element as a body scalar: integers lose their signedness.
static Value toScalar(OpBuilder &b, Location loc, Value element) {
  Type scalar = getScalarType(element.getType());
  if (scalar == element.getType())
    return element;
  return UnrealizedConversionCastOp::create(b, loc, scalar, element)
      .getResult(0);
}

static Value fromScalar(OpBuilder &b, Location loc, Value scalar, Type element) {
  if (scalar.getType() == element)
    return scalar;
  return UnrealizedConversionCastOp::create(b, loc, element, scalar).getResult(0);
}

/// The one value of a splat constant as a body scalar.
static Value scalarConstant(OpBuilder &b, Location loc,
                            DenseElementsAttr splat) {
  Type element = splat.getElementType();
  TypedAttr value;
  if (auto floatType = dyn_cast<FloatType>(element))
    value = FloatAttr::get(floatType, splat.getSplatValue<APFloat>());
  else
    value = IntegerAttr::get(getScalarType(element),
                             splat.getSplatValue<APInt>());
  return arith::ConstantOp::create(b, loc, value);
}

/// A slice as the strided window it reads: starts are offsets, steps are
/// strides (negative ones walk backwards), and the result's shape the sizes.
static tensor::ExtractSliceOp sliceAsView(graph::SliceOp slice) {
  OpBuilder b(slice);
  SmallVector<int64_t> sizes(slice.getType().getShape());
  auto view = tensor::ExtractSliceOp::create(
      b, slice.getLoc(), slice.getType(), slice.getInput(), ValueRange{},
      ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr(slice.getStarts()),
      b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(slice.getSteps()));
  slice.getResult().replaceAllUsesWith(view.getResult());
  slice.erase();
  return view;
}

/// How an anchor joins the dispatch's loop nest, as the element it yields at
/// a point of its result: a transpose reads its input through the
/// permutation, a slice's view is read where the point is, and gathers,
/// pads, resizes, Trilu and OneHot compute theirs (ElementReads.cpp).
static std::optional<ElementRead> getViewRead(Operation *op,
                                              DispatchOp dispatch) {
  auto readAsIs = [](OpBuilder &, Location, ArrayRef<Value>,
                     ArrayRef<Value> reads) { return reads[0]; };
  if (std::optional<AffineMap> map = viewMap(op))
    return ElementRead{{op->getOperand(0)}, {*map}, readAsIs};
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
    return ElementRead{
        {slice.getResult()},
        {AffineMap::getMultiDimIdentityMap(slice.getType().getRank(),
                                           op->getContext())},
        readAsIs};
  return getElementRead(op, dispatch);
}

static LogicalResult lowerDispatch(DispatchOp dispatch) {
  Block &body = dispatch.getBodyBlock();
  for (auto slice : llvm::make_early_inc_range(body.getOps<graph::SliceOp>()))
    sliceAsView(slice);
  SmallVector<Operation *> chain;
  // At most one anchor joins the loop nest through its element read (a
  // slice's view alone is copied by the loop nest).
  Operation *view = nullptr;
  std::optional<ElementRead> viewRead;
  for (Operation &op : body.without_terminator()) {
    if (graph::isElementwise(&op))
      chain.push_back(&op);
    else if (!view && (viewRead = getViewRead(&op, dispatch)))
      view = &op;
  }
  if (chain.empty() && !view)
    return success();
  llvm::SmallPtrSet<Operation *, 16> members(chain.begin(), chain.end());

  // What the chain hands on: yielded values. Nothing else may read it.
  YieldOp yield = dispatch.getYield();
  SmallVector<Value> produced;
  if (view)
    for (OpOperand &use : view->getResult(0).getUses()) {
      if (use.getOwner() == yield.getOperation()) {
        if (!llvm::is_contained(produced, use.get()))
          produced.push_back(use.get());
      } else if (!members.contains(use.getOwner())) {
        return view->emitOpError("feeds a non-elementwise op of its dispatch");
      }
    }
  for (Operation *op : chain)
    for (OpOperand &use : op->getResult(0).getUses()) {
      if (members.contains(use.getOwner()))
        continue;
      if (use.getOwner() != yield.getOperation())
        return op->emitOpError("feeds a non-elementwise op of its dispatch");
      if (!llvm::is_contained(produced, use.get()))
        produced.push_back(use.get());
    }
  if (produced.empty())
    return success();
  auto iterationType = cast<RankedTensorType>(produced.front().getType());
  ArrayRef<int64_t> iteration = iterationType.getShape();
  for (Value value : produced)
    if (cast<RankedTensorType>(value.getType()).getShape() != iteration)
      return dispatch.emitOpError("elementwise results of different shapes");

  // Values read from memory: anything from outside the chain that is not a
  // splat constant, which becomes a scalar constant in the body.
  SetVector<Value> loaded;
  if (view && llvm::is_contained(produced, view->getResult(0)))
    loaded.insert(view->getResult(0));
  for (Operation *op : chain)
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      DenseElementsAttr splat;
      if ((producer && members.contains(producer)) ||
          (matchPattern(operand, m_Constant(&splat)) && splat.isSplat()))
        continue;
      if (cast<RankedTensorType>(operand.getType()).getRank() >
          iterationType.getRank())
        return op->emitOpError("operand has a higher rank than the result");
      loaded.insert(operand);
    }

  MLIRContext *ctx = dispatch.getContext();
  SmallVector<Location> locations;
  if (view)
    locations.push_back(view->getLoc());
  for (Operation *op : chain)
    locations.push_back(op->getLoc());
  Location loc = FusedLoc::get(ctx, locations);
  OpBuilder b(yield);
  // Each value read from memory, and the map it is read through: in the
  // view's place, the operands its element read takes, through their maps
  // composed with the point of the view's result that the loop visits.
  SmallVector<Value> memory;
  SmallVector<AffineMap> maps;
  AffineMap viewPoint;
  for (Value value : loaded) {
    AffineMap map = broadcastMap(
        cast<RankedTensorType>(value.getType()).getShape(), iteration, ctx);
    if (view && value == view->getResult(0)) {
      viewPoint = map;
      for (auto [operand, readMap] :
           llvm::zip(viewRead->operands, viewRead->maps)) {
        memory.push_back(operand);
        maps.push_back(readMap.compose(map));
      }
      continue;
    }
    memory.push_back(value);
    maps.push_back(map);
  }
  SmallVector<Value> outputs;
  SmallVector<Type> resultTypes;
  for (Value value : produced) {
    auto type = cast<RankedTensorType>(value.getType());
    outputs.push_back(tensor::EmptyOp::create(b, loc, type.getShape(),
                                              type.getElementType()));
    resultTypes.push_back(type);
    maps.push_back(b.getMultiDimIdentityMap(iteration.size()));
  }
  SmallVector<utils::IteratorType> iterators(iteration.size(),
                                             utils::IteratorType::parallel);

  bool failedOp = false;
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, memory, outputs, maps, iterators,
      [&](OpBuilder &nb, Location bodyLoc, ValueRange args) {
        IRMapping scalars;
        unsigned next = 0;
        for (Value value : loaded) {
          if (!view || value != view->getResult(0)) {
            scalars.map(value, toScalar(nb, bodyLoc, args[next++]));
            continue;
          }
          // The point of the view's result that this iteration reads (loop
          // indices the element read does not use are erased below).
          SmallVector<Value> point;
          for (AffineExpr expr : viewPoint.getResults()) {
            if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
              Value index =
                  linalg::IndexOp::create(nb, bodyLoc, dim.getPosition());
              point.push_back(arith::IndexCastOp::create(
                  nb, bodyLoc, nb.getI64Type(), index));
            } else {
              point.push_back(arith::ConstantOp::create(
                  nb, bodyLoc, nb.getI64IntegerAttr(0)));
            }
          }
          SmallVector<Value> reads;
          for (Value arg : args.slice(next, viewRead->operands.size()))
            reads.push_back(toScalar(nb, bodyLoc, arg));
          next += viewRead->operands.size();
          scalars.map(value, viewRead->compute(nb, view->getLoc(), point, reads));
        }
        for (Operation *op : chain) {
          SmallVector<Value> operands;
          for (Value operand : op->getOperands()) {
            if (Value scalar = scalars.lookupOrNull(operand)) {
              operands.push_back(scalar);
              continue;
            }
            DenseElementsAttr splat;
            matchPattern(operand, m_Constant(&splat));
            operands.push_back(scalarConstant(nb, op->getLoc(), splat));
          }
          OpBuilder::InsertionGuard guard(nb);
          FailureOr<Value> result = lowerElementwiseScalar(nb, op, operands);
          if (failed(result)) {
            failedOp = true;
            result = operands.empty() ? Value() : operands.front();
          }
          scalars.map(op->getResult(0), *result);
        }
        SmallVector<Value> yielded;
        for (Value value : produced)
          yielded.push_back(
              fromScalar(nb, bodyLoc, scalars.lookup(value),
                         cast<RankedTensorType>(value.getType()).getElementType()));
        linalg::YieldOp::create(nb, bodyLoc, yielded);
      });
  if (failedOp)
    return failure();

  // Constants the chain built and then did not need.
  Block &loop = generic.getRegion().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(loop)))
    if (isOpTriviallyDead(&op))
      op.erase();

  for (auto [value, result] : llvm::zip(produced, generic.getResults()))
    value.replaceUsesWithIf(result, [&](OpOperand &use) {
      return use.getOwner() == yield.getOperation();
    });
  if (view && !isa<tensor::ExtractSliceOp>(view))
    chain.insert(chain.begin(), view);
  for (Operation *op : llvm::reverse(chain)) {
    if (!op->use_empty())
      return op->emitOpError("is still used after lowering its chain");
    op->erase();
  }
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op))
      op.erase();
  return success();
}

void LowerLoopNestsPass::runOnOperation() {
  WalkResult result = getOperation().walk([](DispatchOp dispatch) {
    return failed(lowerDispatch(dispatch)) ? WalkResult::interrupt()
                                           : WalkResult::advance();
  });
  if (result.wasInterrupted())
    signalPassFailure();
}

} // namespace mlir::modelc::kernel
