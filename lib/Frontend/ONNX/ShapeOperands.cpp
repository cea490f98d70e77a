//===- ShapeOperands.cpp - Graph inputs that decide output shapes ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/ShapeOperands.h"

#include "ModelOpset.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

namespace modelc::onnx_frontend {
namespace {

/// One operand position and what the spec calls it.
struct ShapeOperand {
  int position;
  const char *name;
};

/// The operand positions whose value decides an output's shape, from the
/// ONNX operator specs (opset 11 and later). Operands that only change
/// values are left out even where modelc wants them constant (Pad's
/// constant_value, Resize's roi, Clip's bounds, CumSum's axis, Trilu's k):
/// freezing those would hide a missing feature, not settle a size. Where the
/// size of an output is the data itself (Compress, NonZero, Unique,
/// NonMaxSuppression), the data is the shape operand.
const llvm::StringMap<std::vector<ShapeOperand>> &shapeOperandTable() {
  static const llvm::StringMap<std::vector<ShapeOperand>> table = [] {
    llvm::StringMap<std::vector<ShapeOperand>> t;
    for (const char *reduce :
         {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
          "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
          "ReduceSumSquare"})
      t[reduce] = {{1, "axes"}};
    t["Reshape"] = {{1, "shape"}};
    t["Expand"] = {{1, "shape"}};
    t["Slice"] = {{1, "starts"}, {2, "ends"}, {3, "axes"}, {4, "steps"}};
    t["Squeeze"] = {{1, "axes"}};
    t["Unsqueeze"] = {{1, "axes"}};
    t["ConstantOfShape"] = {{0, "input"}};
    t["Tile"] = {{1, "repeats"}};
    t["Pad"] = {{1, "pads"}, {3, "axes"}};
    t["TopK"] = {{1, "K"}};
    t["Split"] = {{1, "split"}};
    t["SplitToSequence"] = {{1, "split"}};
    t["Resize"] = {{2, "scales"}, {3, "sizes"}};
    t["Upsample"] = {{1, "scales"}};
    t["OneHot"] = {{1, "depth"}};
    t["Range"] = {{0, "start"}, {1, "limit"}, {2, "delta"}};
    t["Compress"] = {{1, "condition"}};
    t["NonZero"] = {{0, "X"}};
    t["Unique"] = {{0, "X"}};
    t["NonMaxSuppression"] = {{0, "boxes"},
                              {1, "scores"},
                              {2, "max_output_boxes_per_class"},
                              {3, "iou_threshold"},
                              {4, "score_threshold"}};
    t["MaxUnpool"] = {{2, "output_shape"}};
    t["Loop"] = {{0, "M"}, {1, "cond"}};
    t["DFT"] = {{1, "dft_length"}};
    t["STFT"] = {{1, "frame_step"}, {3, "frame_length"}};
    t["MelWeightMatrix"] = {{0, "num_mel_bins"}, {1, "dft_length"}};
    for (const char *window : {"BlackmanWindow", "HammingWindow", "HannWindow"})
      t[window] = {{0, "size"}};
    return t;
  }();
  return table;
}

/// The spec's name for operand `position` of `opType` when it is a shape
/// operand at `opset`.
std::optional<std::string> shapeOperandName(llvm::StringRef opType,
                                            int64_t opset, int position) {
  // Before opset 11 Resize had no roi: its second operand was the scales.
  if (opType == "Resize" && opset < 11)
    return position == 1 ? std::optional<std::string>("scales") : std::nullopt;
  auto it = shapeOperandTable().find(opType);
  if (it == shapeOperandTable().end())
    return std::nullopt;
  for (const ShapeOperand &operand : it->second)
    if (operand.position == position)
      return std::string(operand.name);
  return std::nullopt;
}

/// Every value name that a node inside one of `graph`'s subgraphs reads.
void collectSubgraphReads(const onnx::GraphProto &graph, bool inside,
                          llvm::StringSet<> &reads) {
  for (const onnx::NodeProto &node : graph.node()) {
    if (inside)
      for (const std::string &input : node.input())
        reads.insert(input);
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        collectSubgraphReads(attr.g(), /*inside=*/true, reads);
      for (const onnx::GraphProto &sub : attr.graphs())
        collectSubgraphReads(sub, /*inside=*/true, reads);
    }
  }
}
} // namespace

std::vector<ShapeOperandInput>
findShapeOperandInputs(const onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph();
  int64_t opset = defaultDomainOpset(model);

  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());

  /// For each candidate input: the first shape operand it feeds, and whether
  /// anything else reads it.
  struct Uses {
    std::string firstShapeUse;
    bool dataUse = false;
  };
  llvm::StringMap<Uses> uses;
  std::vector<std::pair<std::string, int>> candidates;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    candidates.emplace_back(input.name(), static_cast<int>(candidates.size()));
    uses[input.name()];
  }

  for (const onnx::NodeProto &node : graph.node()) {
    for (auto [position, name] : llvm::enumerate(node.input())) {
      auto it = uses.find(name);
      if (it == uses.end())
        continue;
      std::optional<std::string> operand =
          isDefaultDomain(node.domain())
              ? shapeOperandName(node.op_type(), opset, position)
              : std::nullopt;
      if (!operand)
        it->second.dataUse = true;
      else if (it->second.firstShapeUse.empty())
        it->second.firstShapeUse = node.op_type() + "'s " + *operand;
    }
  }
  llvm::StringSet<> subgraphReads;
  collectSubgraphReads(graph, /*inside=*/false, subgraphReads);
  for (auto &[name, use] : uses)
    if (subgraphReads.contains(name))
      use.dataUse = true;
  for (const onnx::ValueInfoProto &output : graph.output())
    if (auto it = uses.find(output.name()); it != uses.end())
      it->second.dataUse = true;

  std::vector<ShapeOperandInput> found;
  for (const auto &[name, index] : candidates) {
    const Uses &use = uses[name];
    if (!use.dataUse && !use.firstShapeUse.empty())
      found.push_back({name, index, use.firstShapeUse});
  }
  return found;
}

} // namespace modelc::onnx_frontend
