//===- LowerLibraryCalls.cpp - Matmul, conv and pooling as library calls ---===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Rewrites the graph anchors that targets compute with tuned routines into
// kernel library-call descriptors: graph.matmul into kernel.matmul,
// graph.conv into kernel.conv, graph.max_pool and graph.avg_pool into
// kernel.pool; and the row ops into their stable kernel forms: softmax and
// log-softmax into kernel.softmax, layer norm into kernel.layer_norm,
// arg-max and arg-min into kernel.arg_reduce; conv-transpose into
// kernel.conv_transpose; cumsum, top-k, hardmax and the scatters into the
// sequential kernels kernel.scan, kernel.top_k, kernel.hardmax,
// kernel.scatter_elements and kernel.scatter_nd. Views
// (graph.reshape, outside dispatches) become kernel.reshape, and concat the
// upstream tensor.concat. The accumulator type is decided here, once: f32 for float
// products, i32 for integer products.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_LOWERLIBRARYCALLSPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct LowerLibraryCallsPass final
    : impl::LowerLibraryCallsPassBase<LowerLibraryCallsPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// The type a product of `element` values is summed in.
static Type accumulatorFor(Type element) {
  if (element.isInteger(32))
    return element;
  return Float32Type::get(element.getContext());
}

static void lower(Operation *op) {
  IRRewriter rewriter(op->getContext());
  rewriter.setInsertionPoint(op);
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](graph::MatMulOp matmul) {
        rewriter.replaceOpWithNewOp<MatMulOp>(
            matmul, matmul.getType(), matmul.getLhs(), matmul.getRhs(),
            TypeAttr::get(accumulatorFor(matmul.getType().getElementType())),
            rewriter.getStringAttr("row_major"),
            rewriter.getStringAttr("default"));
      })
      .Case([&](graph::ConvOp conv) {
        rewriter.replaceOpWithNewOp<ConvOp>(
            conv, conv.getType(), conv.getInput(), conv.getWeight(),
            conv.getBias(), conv.getStridesAttr(), conv.getPadsAttr(),
            conv.getDilationsAttr(), conv.getGroupAttr(),
            TypeAttr::get(accumulatorFor(conv.getType().getElementType())),
            rewriter.getStringAttr("nchw"), rewriter.getStringAttr("direct"));
      })
      .Case<graph::SoftmaxOp, graph::LogSoftmaxOp>([&](auto softmax) {
        rewriter.replaceOpWithNewOp<SoftmaxOp>(
            softmax, softmax.getType(), softmax.getInput(),
            softmax.getAxisAttr(),
            rewriter.getBoolAttr(isa<graph::LogSoftmaxOp>(softmax.getOperation())));
      })
      .Case<graph::ArgMaxOp, graph::ArgMinOp>([&](auto arg) {
        rewriter.replaceOpWithNewOp<ArgReduceOp>(
            arg, arg.getType(), arg.getInput(), arg.getAxisAttr(),
            rewriter.getBoolAttr(isa<graph::ArgMaxOp>(arg.getOperation())),
            arg.getSelectLastIndexAttr());
      })
      .Case([&](graph::ConvTransposeOp conv) {
        rewriter.replaceOpWithNewOp<ConvTransposeOp>(
            conv, conv.getType(), conv.getInput(), conv.getWeight(),
            conv.getBias(), conv.getStridesAttr(), conv.getPadsAttr(),
            conv.getDilationsAttr(), conv.getGroupAttr());
      })
      .Case([&](graph::CumSumOp scan) {
        rewriter.replaceOpWithNewOp<ScanOp>(scan, scan.getType(), scan.getInput(),
                                            scan.getAxisAttr(),
                                            scan.getExclusiveAttr(),
                                            scan.getReverseAttr());
      })
      .Case([&](graph::TopKOp top) {
        rewriter.replaceOpWithNewOp<TopKOp>(
            top, top.getValues().getType(), top.getIndices().getType(),
            top.getInput(), top.getAxisAttr(), top.getKAttr(),
            top.getLargestAttr());
      })
      .Case([&](graph::ScatterElementsOp scatter) {
        rewriter.replaceOpWithNewOp<ScatterElementsOp>(
            scatter, scatter.getType(), scatter.getData(), scatter.getIndices(),
            scatter.getUpdates(), scatter.getAxisAttr(),
            scatter.getReductionAttr());
      })
      .Case([&](graph::ScatterNDOp scatter) {
        rewriter.replaceOpWithNewOp<ScatterNDOp>(
            scatter, scatter.getType(), scatter.getData(), scatter.getIndices(),
            scatter.getUpdates(), scatter.getReductionAttr());
      })
      .Case([&](graph::HardmaxOp hardmax) {
        rewriter.replaceOpWithNewOp<HardmaxOp>(hardmax, hardmax.getType(),
                                               hardmax.getInput(),
                                               hardmax.getAxisAttr());
      })
      .Case([&](graph::ConcatOp concat) {
        rewriter.replaceOpWithNewOp<tensor::ConcatOp>(
            concat, concat.getType(), concat.getAxisAttr(), concat.getInputs());
      })
      .Case([&](graph::LayerNormOp norm) {
        rewriter.replaceOpWithNewOp<LayerNormOp>(
            norm, norm.getType(), norm.getInput(), norm.getScale(),
            norm.getBias(), norm.getAxisAttr(), norm.getEpsilonAttr());
      })
      .Case<graph::MaxPoolOp, graph::AvgPoolOp>([&](auto pool) {
        bool max = isa<graph::MaxPoolOp>(pool.getOperation());
        rewriter.replaceOpWithNewOp<PoolOp>(
            pool, pool.getType(), pool.getInput(),
            rewriter.getStringAttr(max ? "max" : "avg"),
            pool.getKernelShapeAttr(), pool.getStridesAttr(),
            pool.getPadsAttr(), pool.getDilationsAttr(),
            pool.getCountIncludePadAttr());
      });
}

void LowerLibraryCallsPass::runOnOperation() {
  // Views outside dispatches become kernel views.
  getOperation().walk([&](graph::ReshapeOp reshape) {
    IRRewriter rewriter(reshape);
    rewriter.replaceOpWithNewOp<ReshapeOp>(reshape, reshape.getType(),
                                           reshape.getInput());
  });
  SmallVector<Operation *> anchors;
  getOperation().walk([&](DispatchOp dispatch) {
    for (Operation &op : dispatch.getBodyBlock())
      if (isa<graph::MatMulOp, graph::ConvOp, graph::MaxPoolOp,
              graph::AvgPoolOp, graph::SoftmaxOp, graph::LogSoftmaxOp,
              graph::LayerNormOp, graph::ConcatOp, graph::ArgMaxOp,
              graph::ArgMinOp, graph::ConvTransposeOp, graph::CumSumOp,
              graph::TopKOp, graph::HardmaxOp, graph::ScatterElementsOp,
              graph::ScatterNDOp>(op))
        anchors.push_back(&op);
  });
  for (Operation *op : anchors)
    lower(op);
}

} // namespace mlir::modelc::kernel
