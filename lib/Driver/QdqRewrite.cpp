//===- QdqRewrite.cpp - Writing a model in QDQ form -----------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "QdqRewrite.h"

#include "modelc/Frontend/ONNX/TensorProtoIO.h"
#include "modelc/Quantization/WeightQuantizer.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

namespace modelc {
namespace {

using onnx::NodeProto;
using onnx::TensorProto;

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

int64_t initializerBytes(const onnx::GraphProto &graph) {
  int64_t bytes = 0;
  for (const TensorProto &init : graph.initializer()) {
    int64_t count = 1;
    for (int64_t dim : init.dims())
      count *= dim;
    bytes += count * onnx_frontend::onnxElementByteWidth(init.data_type());
  }
  return bytes;
}

template <typename T>
TensorProto makeTensor(const std::string &name, int32_t dataType,
                       const std::vector<int64_t> &dims,
                       const std::vector<T> &values) {
  TensorProto tensor;
  tensor.set_name(name);
  tensor.set_data_type(dataType);
  for (int64_t dim : dims)
    tensor.add_dims(dim);
  tensor.set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                                  values.size() * sizeof(T)));
  return tensor;
}

std::vector<float> floatsOf(const onnx_frontend::HostTensor &tensor) {
  std::vector<float> values(tensor.bytes.size() / sizeof(float));
  std::memcpy(values.data(), tensor.bytes.data(), values.size() * sizeof(float));
  return values;
}

NodeProto makeNode(const std::string &op, const std::string &name,
                   std::vector<std::string> inputs, const std::string &output,
                   std::optional<int64_t> axis) {
  NodeProto node;
  node.set_op_type(op);
  node.set_name(name);
  for (const std::string &input : inputs)
    node.add_input(input);
  node.add_output(output);
  if (axis) {
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name("axis");
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(*axis);
  }
  return node;
}

/// Builds the rewritten graph's new tensors and nodes.
class QdqBuilder {
public:
  explicit QdqBuilder(onnx::GraphProto &graph) : graph(graph) {
    for (const TensorProto &init : graph.initializer())
      names.insert(init.name());
    for (const NodeProto &node : graph.node()) {
      names.insert(node.name());
      for (const std::string &value : node.output())
        names.insert(value);
    }
    for (const onnx::ValueInfoProto &input : graph.input())
      names.insert(input.name());
  }

  /// `base` + `suffix`, or with a counter when the model has that name.
  std::string uniqueName(const std::string &base, const std::string &suffix) {
    std::string name = base + suffix;
    for (int i = 1; names.count(name); ++i)
      name = base + suffix + "_" + std::to_string(i);
    names.insert(name);
    return name;
  }

  std::string addInitializer(TensorProto tensor) {
    std::string name = tensor.name();
    *graph.add_initializer() = std::move(tensor);
    return name;
  }

  /// Adds DequantizeLinear(values, scale[, zero point]) and returns its
  /// output's name. Symmetric weights and biases leave the zero point out:
  /// it defaults to 0, and a per-channel one would cost a byte (an int32
  /// bias's four) per channel.
  std::string dequantize(const std::string &base, const std::string &values,
                         const std::string &scale, std::optional<int64_t> axis,
                         std::vector<NodeProto> &into,
                         const std::string &zero = "") {
    std::string output = uniqueName(base, "_dequantized");
    std::vector<std::string> inputs = {values, scale};
    if (!zero.empty())
      inputs.push_back(zero);
    into.push_back(makeNode("DequantizeLinear", uniqueName(base, "_DequantizeLinear"),
                            inputs, output, axis));
    return output;
  }

  onnx::GraphProto &graph;

private:
  std::set<std::string> names;
};

const TensorProto *findInitializer(const onnx::GraphProto &graph,
                                   const std::string &name) {
  for (const TensorProto &init : graph.initializer())
    if (init.name() == name)
      return &init;
  return nullptr;
}

/// Quantized weight: its dequantized name and per-channel scales.
struct QuantizedWeight {
  std::string dequantized;
  std::vector<float> scales;
};

llvm::Expected<QuantizedWeight>
quantizeWeight(QdqBuilder &builder, const std::string &name, int64_t axis,
               bool perChannel, std::vector<NodeProto> &prologue) {
  const TensorProto *init = findInitializer(builder.graph, name);
  llvm::Expected<onnx_frontend::HostTensor> tensor =
      onnx_frontend::tensorFromProto(*init, "");
  if (!tensor)
    return tensor.takeError();
  std::vector<float> values = floatsOf(*tensor);
  std::optional<QuantizedWeights> quantized;
  if (perChannel)
    quantized = quantizeWeightsPerChannel(values.data(), tensor->dims, axis);
  else
    quantized = quantizeWeightsPerTensor(values.data(), values.size());
  if (!quantized)
    return llvm::createStringError("cannot quantize weight '" + name + "'");
  std::vector<int64_t> paramDims;
  if (perChannel)
    paramDims = {static_cast<int64_t>(quantized->scales.size())};
  std::string data = builder.addInitializer(makeTensor(
      builder.uniqueName(name, "_quantized"), TensorProto::INT8, tensor->dims,
      quantized->data));
  std::string scale = builder.addInitializer(makeTensor(
      builder.uniqueName(name, "_scale"), TensorProto::FLOAT, paramDims,
      quantized->scales));
  std::optional<int64_t> axisAttr;
  if (perChannel)
    axisAttr = axis;
  return QuantizedWeight{builder.dequantize(name, data, scale, axisAttr,
                                            prologue),
                         quantized->scales};
}

/// A Conv's float bias as int32 at scale inputScale * weightScale[c].
llvm::Expected<std::string>
quantizeBias(QdqBuilder &builder, const std::string &name, float inputScale,
             const std::vector<float> &weightScales,
             std::vector<NodeProto> &prologue) {
  const TensorProto *init = findInitializer(builder.graph, name);
  llvm::Expected<onnx_frontend::HostTensor> tensor =
      onnx_frontend::tensorFromProto(*init, "");
  if (!tensor)
    return tensor.takeError();
  std::vector<float> values = floatsOf(*tensor);
  std::vector<float> scales(values.size());
  std::vector<int32_t> data(values.size());
  for (size_t c = 0; c < values.size(); ++c) {
    scales[c] = inputScale * weightScales[weightScales.size() == 1 ? 0 : c];
    double q = std::nearbyint(static_cast<double>(values[c]) / scales[c]);
    data[c] = static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
  }
  std::vector<int64_t> dims = {static_cast<int64_t>(values.size())};
  std::string q = builder.addInitializer(makeTensor(
      builder.uniqueName(name, "_quantized"), TensorProto::INT32, dims, data));
  std::string scale = builder.addInitializer(
      makeTensor(builder.uniqueName(name, "_scale"), TensorProto::FLOAT, dims,
                 scales));
  return builder.dequantize(name, q, scale, /*axis=*/0, prologue);
}

/// Removes initializers (and their graph inputs) that nothing reads.
void removeUnread(onnx::GraphProto &graph) {
  std::set<std::string> read;
  for (const NodeProto &node : graph.node())
    for (const std::string &input : node.input())
      read.insert(input);
  for (const onnx::ValueInfoProto &output : graph.output())
    read.insert(output.name());
  auto *inits = graph.mutable_initializer();
  std::set<std::string> removed;
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!read.count(inits->Get(i).name())) {
      removed.insert(inits->Get(i).name());
      inits->DeleteSubrange(i, 1);
    }
  auto *inputs = graph.mutable_input();
  for (int i = inputs->size() - 1; i >= 0; --i)
    if (removed.count(inputs->Get(i).name()))
      inputs->DeleteSubrange(i, 1);
}

} // namespace

void hoistConstantNodes(onnx::ModelProto &model) {
  onnx::GraphProto &graph = *model.mutable_graph();
  google::protobuf::RepeatedPtrField<NodeProto> kept;
  for (NodeProto &node : *graph.mutable_node()) {
    bool hoisted = false;
    if (node.op_type() == "Constant" && node.output_size() == 1 &&
        (node.domain().empty() || node.domain() == "ai.onnx") &&
        node.attribute_size() == 1 && node.attribute(0).name() == "value" &&
        node.attribute(0).has_t()) {
      TensorProto *init = graph.add_initializer();
      *init = node.attribute(0).t();
      init->set_name(node.output(0));
      hoisted = true;
    }
    if (!hoisted)
      *kept.Add() = std::move(node);
  }
  graph.mutable_node()->Swap(&kept);
}

llvm::Error inlineExternalData(onnx::ModelProto &model,
                               const std::string &externalDataDirectory) {
  for (TensorProto &init : *model.mutable_graph()->mutable_initializer()) {
    if (init.data_location() != TensorProto::EXTERNAL)
      continue;
    llvm::Expected<onnx_frontend::HostTensor> tensor =
        onnx_frontend::tensorFromProto(init, externalDataDirectory);
    if (!tensor)
      return llvm::createStringError("initializer '" + init.name() +
                                     "': " + llvm::toString(tensor.takeError()));
    init.clear_external_data();
    init.clear_data_location();
    init.set_raw_data(std::string(tensor->bytes.begin(), tensor->bytes.end()));
  }
  return llvm::Error::success();
}

llvm::Expected<InitializerBytes>
rewriteAsQdq(onnx::ModelProto &model, const QuantizationPlan &plan,
             const std::map<std::string, QuantParams> &activationParams) {
  int64_t opset = defaultOpset(model);
  if (opset < 10)
    return llvm::createStringError(
        "the model's opset " + std::to_string(opset) +
        " predates QuantizeLinear (opset 10)");
  bool perChannel = opset >= 13;
  onnx::GraphProto &graph = *model.mutable_graph();
  InitializerBytes bytes;
  bytes.before = initializerBytes(graph);
  QdqBuilder builder(graph);

  // Weights and biases first: they read the activations' original names.
  std::vector<NodeProto> prologue;
  std::map<std::pair<std::string, int64_t>, QuantizedWeight> weights;
  std::set<std::string> quantizedBiases;
  for (const QuantizedProduct &product : plan.products) {
    NodeProto &node = *graph.mutable_node(product.node);
    if (product.weightInput < 0)
      continue;
    std::string name = node.input(product.weightInput);
    auto key = std::make_pair(name, product.weightAxis);
    auto it = weights.find(key);
    if (it == weights.end()) {
      llvm::Expected<QuantizedWeight> weight = quantizeWeight(
          builder, name, product.weightAxis, perChannel, prologue);
      if (!weight)
        return weight.takeError();
      it = weights.emplace(key, std::move(*weight)).first;
    }
    node.set_input(product.weightInput, it->second.dequantized);
    if (product.biasInput < 0)
      continue;
    std::string bias = node.input(product.biasInput);
    // A bias shared by convs of different input scales stays float.
    if (!quantizedBiases.insert(bias).second)
      continue;
    float inputScale = activationParams.at(node.input(0)).scale;
    llvm::Expected<std::string> dequantized =
        quantizeBias(builder, bias, inputScale, it->second.scales, prologue);
    if (!dequantized)
      return dequantized.takeError();
    node.set_input(product.biasInput, *dequantized);
  }

  // Each activation: one QuantizeLinear -> DequantizeLinear pair after its
  // producer, read by everything that read it.
  std::map<std::string, std::vector<NodeProto>> pairsAfter;
  std::map<std::string, std::string> dequantizedName;
  std::set<std::string> graphOutputs;
  for (const onnx::ValueInfoProto &output : graph.output())
    graphOutputs.insert(output.name());
  for (const std::string &tensor : plan.activations) {
    const QuantParams &params = activationParams.at(tensor);
    // A graph output keeps its name for the dequantized value; its producer
    // writes the float value under a new one.
    std::string source = tensor;
    if (graphOutputs.count(tensor)) {
      source = builder.uniqueName(tensor, "_float");
      for (NodeProto &node : *graph.mutable_node())
        for (int i = 0; i < node.output_size(); ++i)
          if (node.output(i) == tensor)
            node.set_output(i, source);
    }
    std::string scale = builder.addInitializer(makeTensor(
        builder.uniqueName(tensor, "_scale"), TensorProto::FLOAT, {},
        std::vector<float>{params.scale}));
    std::string zero = builder.addInitializer(makeTensor(
        builder.uniqueName(tensor, "_zero_point"), TensorProto::UINT8, {},
        std::vector<uint8_t>{static_cast<uint8_t>(params.zeroPoint)}));
    std::vector<NodeProto> &pair = pairsAfter[source];
    std::string quantized = builder.uniqueName(tensor, "_quantized");
    pair.push_back(makeNode("QuantizeLinear",
                            builder.uniqueName(tensor, "_QuantizeLinear"),
                            {source, scale, zero}, quantized, std::nullopt));
    if (source != tensor) {
      pair.push_back(makeNode("DequantizeLinear",
                              builder.uniqueName(tensor, "_DequantizeLinear"),
                              {quantized, scale, zero}, tensor, std::nullopt));
      continue;
    }
    dequantizedName[tensor] =
        builder.dequantize(tensor, quantized, scale, std::nullopt, pair, zero);
  }
  for (NodeProto &node : *graph.mutable_node())
    for (int i = 0; i < node.input_size(); ++i)
      if (auto it = dequantizedName.find(node.input(i));
          it != dequantizedName.end())
        node.set_input(i, it->second);

  // Graph inputs' pairs come first, each other pair after its producer.
  google::protobuf::RepeatedPtrField<NodeProto> nodes;
  for (NodeProto &node : prologue)
    *nodes.Add() = std::move(node);
  for (const onnx::ValueInfoProto &input : graph.input())
    if (auto it = pairsAfter.find(input.name()); it != pairsAfter.end())
      for (NodeProto &node : it->second)
        *nodes.Add() = std::move(node);
  for (NodeProto &node : *graph.mutable_node()) {
    std::vector<std::string> outputs(node.output().begin(), node.output().end());
    *nodes.Add() = std::move(node);
    for (const std::string &output : outputs)
      if (auto it = pairsAfter.find(output); it != pairsAfter.end())
        for (NodeProto &pairNode : it->second)
          *nodes.Add() = std::move(pairNode);
  }
  graph.mutable_node()->Swap(&nodes);
  removeUnread(graph);
  bytes.after = initializerBytes(graph);
  return bytes;
}

} // namespace modelc
