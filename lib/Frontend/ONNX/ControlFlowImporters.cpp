//===- ControlFlowImporters.cpp - If, Loop and Scan as graph ops ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Control flow is resolved at import, into the graph ops of its bodies:
//   - If with a condition known at compile time (a constant, a shape test,
//     an input frozen with --bind) is its branch alone, so the branches may
//     give different shapes. A run-time condition imports both branches and
//     selects each result with graph.where, so they must agree on types.
//   - Scan is unrolled over its scan axis, whose length is static.
//   - Loop is unrolled when its trip count and its condition are known at
//     compile time at every iteration (as `modelc run` freezes M and cond
//     from their files), up to kMaxUnrolledIterations.
// Every body sees the values defined before the node (outer-scope capture).
//
//===----------------------------------------------------------------------===//

#include "ControlFlowImporters.h"

#include "ImporterHelpers.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/STLExtras.h"

#include <optional>
#include <string>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// The most iterations a Loop is unrolled to; the generated code grows with
/// each.
constexpr int64_t kMaxUnrolledIterations = 4096;

std::string typeText(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

/// The value of a compile-time constant, when `value` is one.
std::optional<std::vector<int64_t>> knownInts(Value value) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return graph::readConstantAsInts(attr);
}

llvm::Expected<const onnx::GraphProto *> bodyAttribute(NodeContext &ctx,
                                                       llvm::StringRef name) {
  const onnx::AttributeProto *attr = ctx.attribute(name);
  if (!attr || !attr->has_g())
    return ctx.error("expected a '" + name + "' graph");
  return &attr->g();
}

/// Sets every result of the node from `values`, which must be as many.
llvm::Error setResults(NodeContext &ctx, ArrayRef<Value> values,
                       llvm::StringRef what) {
  if (values.size() != ctx.results().size())
    return ctx.error(what + " gives " + llvm::Twine(values.size()) +
                     " outputs for the node's " +
                     llvm::Twine(ctx.results().size()));
  for (auto [i, value] : llvm::enumerate(values))
    ctx.setResult(i, value);
  return llvm::Error::success();
}

/// `value` with a unit dimension inserted at `axis`.
Value unsqueeze(NodeContext &ctx, Value value, int64_t axis) {
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(value.getType()).getShape());
  shape.insert(shape.begin() + axis, 1);
  return reshapeTo(ctx, value, shape);
}

/// Element `index` of `value` along `axis`, without that dimension.
Value sliceOut(NodeContext &ctx, Value value, int64_t axis, int64_t index) {
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  SmallVector<int64_t> starts(shape.size(), 0), ends(shape),
      steps(shape.size(), 1);
  starts[axis] = index;
  ends[axis] = index + 1;
  OpBuilder &b = ctx.builder();
  Value slice = ctx.create<graph::SliceOp>(
      value, b.getDenseI64ArrayAttr(starts), b.getDenseI64ArrayAttr(ends),
      b.getDenseI64ArrayAttr(steps));
  SmallVector<int64_t> kept(shape);
  kept.erase(kept.begin() + axis);
  return reshapeTo(ctx, slice, kept);
}

/// The per-iteration values stacked along a new dimension `axis`.
Value stack(NodeContext &ctx, ArrayRef<Value> parts, int64_t axis) {
  SmallVector<Value> unsqueezed;
  for (Value part : parts)
    unsqueezed.push_back(unsqueeze(ctx, part, axis));
  if (unsqueezed.size() == 1)
    return unsqueezed.front();
  return ctx.create<graph::ConcatOp>(unsqueezed,
                                     ctx.builder().getI64IntegerAttr(axis));
}

/// A scalar formal of a Loop body (its iteration number or condition) in
/// the shape the body declares: older bodies declare them [1].
Value asDeclared(NodeContext &ctx, Value scalar,
                 const onnx::ValueInfoProto &formal) {
  const onnx::TypeProto &type = formal.type();
  if (type.has_tensor_type() && type.tensor_type().has_shape() &&
      type.tensor_type().shape().dim_size() == 1)
    return reshapeTo(ctx, scalar, {1});
  return scalar;
}

llvm::Error importIf(NodeContext &ctx, SubgraphImporter &subgraphs) {
  llvm::Expected<const onnx::GraphProto *> thenBranch =
      bodyAttribute(ctx, "then_branch");
  if (!thenBranch)
    return thenBranch.takeError();
  llvm::Expected<const onnx::GraphProto *> elseBranch =
      bodyAttribute(ctx, "else_branch");
  if (!elseBranch)
    return elseBranch.takeError();
  Value condition = ctx.input(0);
  auto conditionType =
      condition ? dyn_cast<RankedTensorType>(condition.getType()) : nullptr;
  if (!conditionType || conditionType.getNumElements() != 1 ||
      !conditionType.getElementType().isInteger(1))
    return ctx.error("the condition must be a single boolean");

  if (std::optional<std::vector<int64_t>> known = knownInts(condition)) {
    const onnx::GraphProto *taken =
        known->front() != 0 ? *thenBranch : *elseBranch;
    llvm::Expected<SmallVector<Value>> branch =
        subgraphs.importSubgraph(*taken, {});
    if (!branch)
      return branch.takeError();
    return setResults(ctx, *branch, "the branch taken");
  }
  llvm::Expected<SmallVector<Value>> thenResults =
      subgraphs.importSubgraph(**thenBranch, {});
  if (!thenResults)
    return thenResults.takeError();
  llvm::Expected<SmallVector<Value>> elseResults =
      subgraphs.importSubgraph(**elseBranch, {});
  if (!elseResults)
    return elseResults.takeError();
  if (thenResults->size() != elseResults->size())
    return ctx.error("the branches give " + llvm::Twine(thenResults->size()) +
                     " and " + llvm::Twine(elseResults->size()) + " outputs");
  Value scalarCondition = reshapeTo(ctx, condition, {});
  SmallVector<Value> selected;
  for (auto [i, thenValue, elseValue] :
       llvm::enumerate(*thenResults, *elseResults)) {
    if (thenValue.getType() != elseValue.getType())
      return ctx.error(
          "the condition is known only at run time and the branches' output " +
          llvm::Twine(i) + " differs (" + typeText(thenValue.getType()) +
          " and " + typeText(elseValue.getType()) +
          "); bind the inputs it depends on with --bind");
    selected.push_back(
        ctx.create<graph::WhereOp>(scalarCondition, thenValue, elseValue));
  }
  return setResults(ctx, selected, "If");
}

/// Scan over the given state and scan inputs (opset 9 and later, or one
/// batch entry of opset 8's).
llvm::Expected<SmallVector<Value>>
unrollScan(NodeContext &ctx, SubgraphImporter &subgraphs,
           const onnx::GraphProto &body, SmallVector<Value> states,
           ArrayRef<Value> scans, ArrayRef<int64_t> inputAxes,
           ArrayRef<int64_t> inputDirections, ArrayRef<int64_t> outputAxes,
           ArrayRef<int64_t> outputDirections) {
  int64_t steps = -1;
  for (auto [j, scan] : llvm::enumerate(scans)) {
    int64_t length =
        cast<RankedTensorType>(scan.getType()).getDimSize(inputAxes[j]);
    if (steps >= 0 && length != steps)
      return ctx.error("scan inputs have lengths " + llvm::Twine(steps) +
                       " and " + llvm::Twine(length));
    steps = length;
  }
  if (steps <= 0)
    return ctx.error("the scan runs no iteration");
  size_t numStates = states.size();
  SmallVector<SmallVector<Value>> scanOutputs;
  for (int64_t s = 0; s < steps; ++s) {
    SmallVector<Value> formals(states);
    for (auto [j, scan] : llvm::enumerate(scans)) {
      int64_t t = inputDirections[j] ? steps - 1 - s : s;
      formals.push_back(sliceOut(ctx, scan, inputAxes[j], t));
    }
    llvm::Expected<SmallVector<Value>> outputs =
        subgraphs.importSubgraph(body, formals);
    if (!outputs)
      return outputs.takeError();
    if (outputs->size() < numStates)
      return ctx.error("the body gives fewer outputs than there are states");
    for (size_t k = 0; k < numStates; ++k)
      states[k] = (*outputs)[k];
    scanOutputs.resize(outputs->size() - numStates);
    for (size_t k = numStates; k < outputs->size(); ++k)
      scanOutputs[k - numStates].push_back((*outputs)[k]);
  }
  SmallVector<Value> results(states);
  for (auto [k, parts] : llvm::enumerate(scanOutputs)) {
    if (k < outputDirections.size() && outputDirections[k])
      std::reverse(parts.begin(), parts.end());
    int64_t rank =
        cast<RankedTensorType>(parts.front().getType()).getRank() + 1;
    int64_t axis = k < outputAxes.size() ? outputAxes[k] : 0;
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return ctx.error("scan output axis out of range");
    results.push_back(stack(ctx, parts, axis));
  }
  return results;
}

llvm::Error importScan(NodeContext &ctx, SubgraphImporter &subgraphs) {
  llvm::Expected<const onnx::GraphProto *> body = bodyAttribute(ctx, "body");
  if (!body)
    return body.takeError();
  int64_t numScans = ctx.intAttr("num_scan_inputs", 0);
  // Opset 8 puts an optional sequence_lens first and a batch dimension on
  // every operand; its body runs per batch entry.
  bool batched = ctx.opset() < 9;
  size_t first = batched ? 1 : 0;
  if (batched && ctx.input(0))
    return ctx.error("sequence_lens is not supported; every sequence runs "
                     "the full length");
  int64_t numOperands = static_cast<int64_t>(ctx.numInputs() - first);
  if (numScans < 1 || numScans > numOperands)
    return ctx.error("num_scan_inputs must be between 1 and " +
                     llvm::Twine(numOperands));
  int64_t numStates = numOperands - numScans;
  SmallVector<Value> states, scans;
  for (int64_t i = 0; i < numOperands; ++i)
    (i < numStates ? states : scans).push_back(ctx.input(first + i));

  auto listAttr = [&](llvm::StringRef name, size_t count) {
    std::vector<int64_t> values =
        ctx.intsAttr(name).value_or(std::vector<int64_t>());
    values.resize(std::max(values.size(), count), 0);
    return SmallVector<int64_t>(values.begin(), values.end());
  };
  SmallVector<int64_t> inputDirections =
      listAttr(batched ? "directions" : "scan_input_directions", numScans);
  SmallVector<int64_t> inputAxes = listAttr("scan_input_axes", numScans);
  size_t numScanOutputs = ctx.results().size() - numStates;
  SmallVector<int64_t> outputAxes =
      listAttr("scan_output_axes", numScanOutputs);
  SmallVector<int64_t> outputDirections =
      listAttr("scan_output_directions", numScanOutputs);
  for (auto [j, scan] : llvm::enumerate(scans)) {
    int64_t rank = cast<RankedTensorType>(scan.getType()).getRank();
    if (batched) {
      inputAxes[j] = 0;
      continue;
    }
    llvm::Expected<int64_t> axis = normalizeAxis(ctx, inputAxes[j], rank);
    if (!axis)
      return axis.takeError();
    inputAxes[j] = *axis;
  }

  if (!batched) {
    llvm::Expected<SmallVector<Value>> results =
        unrollScan(ctx, subgraphs, **body, states, scans, inputAxes,
                   inputDirections, outputAxes, outputDirections);
    if (!results)
      return results.takeError();
    return setResults(ctx, *results, "the scan");
  }
  // Opset 8: one scan per batch entry, stacked back along the batch.
  int64_t batch = cast<RankedTensorType>(scans.front().getType()).getDimSize(0);
  if (batch == 0)
    return ctx.error("the scan has an empty batch");
  SmallVector<SmallVector<Value>> perEntry;
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> entryStates, entryScans;
    for (Value state : states)
      entryStates.push_back(sliceOut(ctx, state, 0, b));
    for (Value scan : scans)
      entryScans.push_back(sliceOut(ctx, scan, 0, b));
    llvm::Expected<SmallVector<Value>> results =
        unrollScan(ctx, subgraphs, **body, entryStates, entryScans, inputAxes,
                   inputDirections, {}, {});
    if (!results)
      return results.takeError();
    perEntry.push_back(*results);
  }
  SmallVector<Value> results;
  for (size_t k = 0; k < perEntry.front().size(); ++k) {
    SmallVector<Value> parts;
    for (const SmallVector<Value> &entry : perEntry)
      parts.push_back(entry[k]);
    results.push_back(stack(ctx, parts, 0));
  }
  return setResults(ctx, results, "the scan");
}

llvm::Error importLoop(NodeContext &ctx, SubgraphImporter &subgraphs) {
  llvm::Expected<const onnx::GraphProto *> body = bodyAttribute(ctx, "body");
  if (!body)
    return body.takeError();
  std::optional<int64_t> tripCount;
  if (Value m = ctx.input(0)) {
    std::optional<std::vector<int64_t>> known = knownInts(m);
    if (!known || known->size() != 1)
      return ctx.error("the trip count M is known only at run time; modelc "
                       "unrolls loops, so bind it with --bind");
    tripCount = known->front();
  }
  OpBuilder &b = ctx.builder();
  auto boolType = RankedTensorType::get({}, b.getI1Type());
  Value condition = ctx.input(1);
  if (!condition && !tripCount)
    return ctx.error("a loop with neither a trip count nor a condition never "
                     "ends");
  if (!condition)
    condition = arith::ConstantOp::create(
        b, ctx.loc(), boolType, DenseElementsAttr::get(boolType, true));
  SmallVector<Value> carried;
  for (size_t i = 2; i < ctx.numInputs(); ++i)
    carried.push_back(ctx.input(i));

  SmallVector<SmallVector<Value>> scanOutputs;
  int64_t iteration = 0;
  for (;; ++iteration) {
    if (tripCount && iteration >= *tripCount)
      break;
    std::optional<std::vector<int64_t>> go = knownInts(condition);
    if (!go)
      return ctx.error("the loop condition is known only at run time at "
                       "iteration " +
                       llvm::Twine(iteration) +
                       "; modelc unrolls loops whose condition folds");
    if (go->front() == 0)
      break;
    if (iteration >= kMaxUnrolledIterations)
      return ctx.error("the loop runs more than " +
                       llvm::Twine(kMaxUnrolledIterations) +
                       " iterations, the most modelc unrolls");
    SmallVector<Value> formals{
        asDeclared(ctx, scalarConstant(ctx, b.getI64Type(), double(iteration)),
                   (*body)->input(0)),
        asDeclared(ctx, reshapeTo(ctx, condition, {}), (*body)->input(1))};
    formals.append(carried);
    llvm::Expected<SmallVector<Value>> outputs =
        subgraphs.importSubgraph(**body, formals);
    if (!outputs)
      return outputs.takeError();
    if (outputs->size() < 1 + carried.size())
      return ctx.error("the body gives fewer outputs than the loop carries");
    condition = (*outputs)[0];
    for (size_t k = 0; k < carried.size(); ++k)
      carried[k] = (*outputs)[1 + k];
    scanOutputs.resize(outputs->size() - 1 - carried.size());
    for (size_t k = 1 + carried.size(); k < outputs->size(); ++k)
      scanOutputs[k - 1 - carried.size()].push_back((*outputs)[k]);
  }
  if (iteration == 0 && ctx.results().size() > carried.size())
    return ctx.error("the loop runs no iteration, so its scan outputs would "
                     "be empty tensors of unknown shape");
  SmallVector<Value> results(carried);
  for (const SmallVector<Value> &parts : scanOutputs)
    results.push_back(stack(ctx, parts, 0));
  return setResults(ctx, results, "the loop");
}

} // namespace

bool isControlFlowOp(const onnx::NodeProto &node) {
  return node.op_type() == "If" || node.op_type() == "Loop" ||
         node.op_type() == "Scan";
}

llvm::Error importControlFlow(NodeContext &ctx, SubgraphImporter &subgraphs) {
  llvm::StringRef op = ctx.node().op_type();
  if (op == "If")
    return importIf(ctx, subgraphs);
  if (op == "Loop")
    return importLoop(ctx, subgraphs);
  return importScan(ctx, subgraphs);
}

} // namespace modelc::onnx_frontend
