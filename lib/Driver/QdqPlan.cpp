//===- QdqPlan.cpp - What modelc quantize quantizes -----------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "QdqPlan.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <set>
#include <variant>

namespace modelc {
namespace {

/// What the plan needs to know about a graph's tensors.
struct GraphIndex {
  std::map<std::string, const onnx::TensorProto *> initializers;
  std::map<std::string, std::vector<int>> consumers;
  std::set<std::string> graphOutputs;

  explicit GraphIndex(const onnx::GraphProto &graph) {
    for (const onnx::TensorProto &init : graph.initializer())
      initializers[init.name()] = &init;
    for (int i = 0; i < graph.node_size(); ++i)
      for (const std::string &input : graph.node(i).input())
        if (!input.empty())
          consumers[input].push_back(i);
    for (const onnx::ValueInfoProto &output : graph.output())
      graphOutputs.insert(output.name());
  }

  const onnx::TensorProto *initializer(const std::string &name) const {
    auto it = initializers.find(name);
    return it == initializers.end() ? nullptr : it->second;
  }
};

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node,
                                          const std::string &name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t intAttribute(const onnx::NodeProto &node, const std::string &name,
                     int64_t fallback) {
  const onnx::AttributeProto *attr = findAttribute(node, name);
  return attr ? attr->i() : fallback;
}

float floatAttribute(const onnx::NodeProto &node, const std::string &name,
                     float fallback) {
  const onnx::AttributeProto *attr = findAttribute(node, name);
  return attr ? attr->f() : fallback;
}

bool isFloatInitializer(const onnx::TensorProto *init, int rank) {
  return init && init->data_type() == onnx::TensorProto::FLOAT &&
         init->dims_size() == rank;
}

/// How `node` is quantized, or the reason it stays float.
std::variant<QuantizedProduct, std::string>
classify(const onnx::NodeProto &node, int index, const GraphIndex &graph) {
  QuantizedProduct product;
  product.node = index;
  auto isActivation = [&](int input) {
    return input < node.input_size() && !node.input(input).empty() &&
           !graph.initializer(node.input(input));
  };
  const std::string &op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return std::string("not an ai.onnx op");
  if (op == "Conv") {
    if (!isFloatInitializer(graph.initializer(node.input(1)), 4))
      return std::string("only 2-D convolutions with a constant float "
                         "weight are quantized");
    if (!isActivation(0))
      return std::string("its input is a constant");
    product.activationInputs = {0};
    product.weightInput = 1;
    product.weightAxis = 0;
    if (node.input_size() > 2 && !node.input(2).empty()) {
      if (!isFloatInitializer(graph.initializer(node.input(2)), 1))
        return std::string("its bias is not a constant float vector");
      product.biasInput = 2;
    }
    return product;
  }
  if (op == "MatMul") {
    // A product of two activations (attention's Q K^T and P V) has no
    // weight to shrink, and 8-bit kernels take a constant weight: it stays
    // float, where its softmax input and output keep their precision.
    if (isActivation(0) && isActivation(1))
      return std::string("both operands are activations");
    if (!isActivation(0) || !isFloatInitializer(graph.initializer(node.input(1)), 2))
      return std::string("needs an activation lhs and a constant 2-D float "
                         "rhs");
    product.activationInputs = {0};
    product.weightInput = 1;
    product.weightAxis = 1;
    return product;
  }
  if (op == "Gemm") {
    if (intAttribute(node, "transA", 0) != 0 ||
        floatAttribute(node, "alpha", 1.0f) != 1.0f ||
        floatAttribute(node, "beta", 1.0f) != 1.0f)
      return std::string("only Gemm without transA and with alpha = beta = 1 "
                         "is quantized");
    if (!isActivation(0) || !isFloatInitializer(graph.initializer(node.input(1)), 2))
      return std::string("needs an activation A and a constant float B");
    product.activationInputs = {0};
    product.weightInput = 1;
    product.weightAxis = intAttribute(node, "transB", 0) ? 0 : 1;
    return product;
  }
  return std::string();
}

} // namespace

std::string displayNodeName(const onnx::GraphProto &graph, int node) {
  const onnx::NodeProto &proto = graph.node(node);
  if (!proto.name().empty())
    return proto.name();
  return proto.op_type() + "_" + std::to_string(node);
}

llvm::Expected<QuantizationPlan>
planQuantization(const onnx::GraphProto &graph,
                 const std::vector<std::string> &keepFloat) {
  GraphIndex index(graph);
  std::set<std::string> keep(keepFloat.begin(), keepFloat.end());
  std::set<std::string> matched;
  QuantizationPlan plan;
  std::set<std::string> planned;
  auto addActivation = [&](const std::string &tensor) {
    if (planned.insert(tensor).second)
      plan.activations.push_back(tensor);
  };

  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string name = displayNodeName(graph, i);
    auto how = classify(node, i, index);
    if (auto *reason = std::get_if<std::string>(&how)) {
      if (keep.count(name))
        matched.insert(name);
      if (!reason->empty())
        plan.keptFloat.push_back({name, *reason});
      continue;
    }
    if (keep.count(name)) {
      matched.insert(name);
      plan.keptFloat.push_back({name, "--keep-float"});
      continue;
    }
    QuantizedProduct product = std::get<QuantizedProduct>(how);
    for (int input : product.activationInputs)
      addActivation(node.input(input));
    // The output is quantized where the next node reads it: after a Relu or
    // Clip (ReLU6) that is its only reader, as onnxruntime's quantizer does.
    // The quantize's saturation then makes the clamp (graph-fold-quantized-
    // products drops it), and the product's output is rounded once.
    std::string output = node.output(0);
    const std::vector<int> &readers = index.consumers[output];
    auto isClamp = [&](int reader) {
      const std::string &op = graph.node(reader).op_type();
      return op == "Relu" || op == "Clip";
    };
    if (readers.size() == 1 && isClamp(readers[0]) &&
        !index.graphOutputs.count(output))
      output = graph.node(readers[0]).output(0);
    addActivation(output);
    plan.products.push_back(std::move(product));
  }

  std::string unknown;
  for (const std::string &name : keep)
    if (!matched.count(name))
      unknown += (unknown.empty() ? "'" : ", '") + name + "'";
  if (!unknown.empty())
    return llvm::createStringError("--keep-float: no node named " + unknown);
  if (plan.products.empty())
    return llvm::createStringError(
        "nothing to quantize: the model has no Conv, MatMul or Gemm that "
        "modelc quantizes");
  return plan;
}

} // namespace modelc
