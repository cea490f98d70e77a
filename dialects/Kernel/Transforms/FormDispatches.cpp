//===- FormDispatches.cpp - Group graph ops into dispatch regions ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "kernel-form-dispatches"

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_FORMDISPATCHESPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
/// Ops that will become one dispatch. The last op's result is the group's
/// only value used outside it.
struct Group {
  SmallVector<Operation *> ops;
  /// The non-elementwise op the group grew from; null for a pure chain.
  Operation *anchor = nullptr;
};

struct FormDispatchesPass final
    : impl::FormDispatchesPassBase<FormDispatchesPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  /// After `op` joined group `target`, merges in the elementwise chains that
  /// produce its other operands and that nothing else reads (the two halves
  /// of a GELU meet this way), so the whole chain is one loop nest.
  void absorbChains(Operation *op, unsigned target, std::vector<Group> &groups,
                    DenseMap<Operation *, unsigned> &groupOf,
                    const DenseMap<Operation *, unsigned> &position) const;

  /// Index of the group an elementwise op can join through one of its
  /// operands, if any.
  std::optional<unsigned> findGroupToJoin(
      Operation *op, ArrayRef<Group> groups,
      const DenseMap<Operation *, unsigned> &groupOf) const;
};
} // namespace

/// The op name without its dialect prefix: "graph.conv" -> "conv".
static StringRef shortName(Operation *op) {
  return op->getName().stripDialect();
}

/// Splat constants are cheap to rematerialize and emitters inline them as
/// literals, so dispatches take a copy instead of an input.
static bool isInlinableConstant(Value value) {
  DenseElementsAttr attr;
  return matchPattern(value, m_Constant(&attr)) && attr.isSplat();
}

std::optional<unsigned> FormDispatchesPass::findGroupToJoin(
    Operation *op, ArrayRef<Group> groups,
    const DenseMap<Operation *, unsigned> &groupOf) const {
  for (Value operand : op->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    auto it = producer ? groupOf.find(producer) : groupOf.end();
    if (it == groupOf.end())
      continue;
    const Group &group = groups[it->second];
    // Epilogues extend single-result groups only: a group's last op's
    // results are what it hands on.
    if (group.ops.back() != producer || group.ops.size() >= maxGroupSize ||
        producer->getNumResults() != 1)
      continue;
    // The producer's value must die inside the group.
    if (!llvm::all_of(operand.getUsers(),
                      [&](Operation *user) { return user == op; }))
      continue;
    // An anchor's epilogue runs in place on the anchor's output, so it must
    // keep that output's type.
    if (group.anchor && op->getResult(0).getType() != operand.getType())
      continue;
    return it->second;
  }
  return std::nullopt;
}

/// The 8-bit product group whose output stage `op` is: a requantize or
/// dequantize of a graph.conv_integer or graph.matmul_integer that nothing
/// else reads. The kernel computes both as one call (the result changes
/// type, which no other epilogue may).
static std::optional<unsigned>
findProductToFinish(Operation *op,
                    const DenseMap<Operation *, unsigned> &groupOf) {
  if (!isa<graph::RequantizeOp, graph::DequantizeLinearOp>(op))
    return std::nullopt;
  Operation *product = op->getOperand(0).getDefiningOp();
  if (!product || !isa<graph::ConvIntegerOp, graph::MatMulIntegerOp>(product) ||
      !product->hasOneUse())
    return std::nullopt;
  auto it = groupOf.find(product);
  if (it == groupOf.end())
    return std::nullopt;
  return it->second;
}

void FormDispatchesPass::absorbChains(
    Operation *op, unsigned target, std::vector<Group> &groups,
    DenseMap<Operation *, unsigned> &groupOf,
    const DenseMap<Operation *, unsigned> &position) const {
  for (Value operand : op->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    auto it = producer ? groupOf.find(producer) : groupOf.end();
    if (it == groupOf.end() || it->second == target)
      continue;
    Group &chain = groups[it->second];
    Group &into = groups[target];
    if (chain.anchor || chain.ops.back() != producer ||
        chain.ops.size() + into.ops.size() > maxGroupSize ||
        !llvm::all_of(operand.getUsers(),
                      [&](Operation *user) { return user == op; }))
      continue;
    for (Operation *member : chain.ops)
      groupOf[member] = target;
    into.ops.append(chain.ops.begin(), chain.ops.end());
    chain.ops.clear();
    // Keep program order, so every op's operands precede it in the body.
    llvm::sort(into.ops, [&](Operation *a, Operation *b) {
      return position.lookup(a) < position.lookup(b);
    });
  }
}

/// A stable, readable name: the anchor (or first op), the dispatch's index,
/// then the ops fused after it.
static std::string dispatchName(const Group &group, unsigned index) {
  Operation *head = group.anchor ? group.anchor : group.ops.front();
  std::string name = (shortName(head) + "_" + Twine(index)).str();
  unsigned listed = 0;
  for (Operation *op : group.ops) {
    if (op == head)
      continue;
    if (++listed > 4) {
      name += "_etc";
      break;
    }
    name += "_" + shortName(op).str();
  }
  return name;
}

/// Replaces the ops of `group` by one dispatch placed at the group's last op.
static void buildDispatch(const Group &group, unsigned index) {
  Operation *last = group.ops.back();
  llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                             group.ops.end());
  llvm::SetVector<Value> inputs;
  llvm::SetVector<Operation *> inlinedConstants;
  SmallVector<Location> locations;
  for (Operation *op : group.ops) {
    locations.push_back(op->getLoc());
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (producer && members.contains(producer))
        continue;
      if (isInlinableConstant(operand) && graph::isElementwise(op))
        inlinedConstants.insert(producer);
      else
        inputs.insert(operand);
    }
  }
  // A splat that an anchor also reads stays an input for all of its users.
  inlinedConstants.remove_if([&](Operation *constant) {
    return inputs.contains(constant->getResult(0));
  });

  OpBuilder builder(last);
  MLIRContext *context = last->getContext();
  Location loc = FusedLoc::get(context, locations);
  auto dispatch = DispatchOp::create(
      builder, loc, last->getResultTypes(), inputs.getArrayRef(),
      dispatchName(group, index), /*result_offsets=*/nullptr,
      /*in_place=*/nullptr, /*scratch_offset=*/nullptr,
      /*scratch_bytes=*/nullptr, /*resident_offset=*/nullptr,
      /*resident_bytes=*/nullptr);
  Block *body = builder.createBlock(&dispatch.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  for (Operation *constant : inlinedConstants)
    builder.clone(*constant, mapping);
  for (Operation *op : group.ops)
    builder.clone(*op, mapping);
  SmallVector<Value> yielded;
  for (Value result : last->getResults())
    yielded.push_back(mapping.lookup(result));
  YieldOp::create(builder, last->getLoc(), yielded);

  last->replaceAllUsesWith(dispatch.getResults());
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
}

void FormDispatchesPass::runOnOperation() {
  func::FuncOp func = getOperation();
  auto *graphDialect =
      getContext().getLoadedDialect<graph::GraphDialect>();
  std::vector<Group> groups;
  DenseMap<Operation *, unsigned> groupOf;

  DenseMap<Operation *, unsigned> position;
  for (Operation &op : func.getBody().getOps()) {
    position[&op] = position.size();
    if (op.getDialect() != graphDialect || graph::isView(&op))
      continue;
    std::optional<unsigned> joined;
    if (graph::isElementwise(&op))
      joined = findGroupToJoin(&op, groups, groupOf);
    else if (std::optional<unsigned> product = findProductToFinish(&op, groupOf))
      joined = product;
    if (joined) {
      groups[*joined].ops.push_back(&op);
      groupOf[&op] = *joined;
      absorbChains(&op, *joined, groups, groupOf, position);
      continue;
    }
    Group group;
    group.ops.push_back(&op);
    if (!graph::isElementwise(&op))
      group.anchor = &op;
    groupOf[&op] = groups.size();
    groups.push_back(std::move(group));
  }

  unsigned index = 0;
  for (const Group &group : groups)
    if (!group.ops.empty())
      buildDispatch(group, index++);
  LLVM_DEBUG(llvm::dbgs() << "formed " << groups.size() << " dispatches\n");
}
} // namespace mlir::modelc::kernel
