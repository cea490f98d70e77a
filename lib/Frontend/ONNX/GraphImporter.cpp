//===- GraphImporter.cpp - ONNX graphs into func.func of graph ops --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/Importer.h"

#include "ControlFlowImporters.h"
#include "FunctionExpansion.h"
#include "ModelOpset.h"
#include "NodeContext.h"
#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

#include <map>
#include <optional>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {

//===----------------------------------------------------------------------===//
// Types and node context
//===----------------------------------------------------------------------===//

Type convertDataType(MLIRContext &context, int32_t dataType) {
  Builder b(&context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return {};
  }
}

NodeContext::NodeContext(OpBuilder &builder, const onnx::NodeProto &node,
                         int64_t opsetVersion, Location loc,
                         std::vector<Value> inputs,
                         std::string externalDataDirectory)
    : builder_(builder), node_(node), opset_(opsetVersion), loc_(loc),
      inputs_(std::move(inputs)), results_(node.output_size()),
      externalDataDirectory_(std::move(externalDataDirectory)) {}

const onnx::AttributeProto *NodeContext::attribute(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attr : node_.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeContext::intAttr(llvm::StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->i() : defaultValue;
}

float NodeContext::floatAttr(llvm::StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeContext::stringAttr(llvm::StringRef name,
                                    llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<std::vector<int64_t>>
NodeContext::intsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::nullopt;
  return std::vector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::vector<float> NodeContext::floatsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return {};
  return std::vector<float>(attr->floats().begin(), attr->floats().end());
}

std::vector<std::string> NodeContext::stringsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return {};
  return std::vector<std::string>(attr->strings().begin(),
                                  attr->strings().end());
}

std::optional<std::vector<int64_t>>
NodeContext::constantInts(Value value) const {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return mlir::modelc::graph::readConstantAsInts(attr);
}

llvm::Expected<std::vector<int64_t>>
NodeContext::requireConstantInts(size_t input, llvm::StringRef what) {
  if (!this->input(input))
    return error("missing " + what);
  std::optional<std::vector<int64_t>> values = constantInts(this->input(input));
  if (!values)
    return error(what + " must be a compile-time constant (freeze the "
                        "input that feeds it with --bind)");
  return *values;
}

llvm::Expected<Value>
NodeContext::constantFromProto(const onnx::TensorProto &proto) {
  llvm::Expected<HostTensor> tensor =
      tensorFromProto(proto, externalDataDirectory_);
  if (!tensor)
    return error(llvm::toString(tensor.takeError()));
  Type elementType = convertDataType(*builder_.getContext(), tensor->dataType);
  if (!elementType)
    return error("unsupported constant data type " +
                 llvm::Twine(tensor->dataType));
  auto type = RankedTensorType::get(tensor->dims, elementType);
  auto attr = mlir::modelc::graph::makeConstant(
      type, tensor->bytes, proto.name().empty() ? "constant" : proto.name());
  return arith::ConstantOp::create(builder_, loc_, type, cast<TypedAttr>(attr))
      .getResult();
}

bool NodeContext::resultUsed(size_t i) const {
  return static_cast<int>(i) < node_.output_size() && !node_.output(i).empty();
}

void NodeContext::setResult(size_t i, Value value) { results_[i] = value; }

llvm::Error NodeContext::error(const llvm::Twine &message) const {
  std::string name = node_.name();
  if (auto nameLoc = dyn_cast<NameLoc>(loc_))
    name = nameLoc.getName().str();
  return llvm::createStringError("node '" + name + "' (" + node_.op_type() +
                                 "): " + message);
}

std::string nodeDisplayName(const onnx::NodeProto &node, size_t index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

//===----------------------------------------------------------------------===//
// Unsupported-op scan
//===----------------------------------------------------------------------===//

static void scanGraph(const onnx::GraphProto &graph, int64_t opset,
                      std::vector<UnsupportedNode> &out) {
  const llvm::StringMap<OpImporter> &importers = getOpImporters();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    UnsupportedNode entry{node.op_type(),
                          node.domain().empty() ? "ai.onnx" : node.domain(),
                          opset, nodeDisplayName(node, index), ""};
    bool defaultDomain = isDefaultDomain(node.domain());
    auto it = importers.find(node.op_type());
    bool expandable =
        defaultDomain &&
        (hasFunctionBody(node.op_type(), opset) || isControlFlowOp(node));
    if (!defaultDomain)
      entry.reason = "domain not supported";
    else if (it == importers.end() && !expandable)
      entry.reason = "op not supported";
    else if (it != importers.end() && !expandable &&
             (opset < it->second.minOpset || opset > it->second.maxOpset))
      entry.reason = "opset " + std::to_string(opset) + " not supported (" +
                     std::to_string(it->second.minOpset) + ".." +
                     std::to_string(it->second.maxOpset) + ")";
    if (!entry.reason.empty())
      out.push_back(entry);
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        scanGraph(attr.g(), opset, out);
      for (const onnx::GraphProto &sub : attr.graphs())
        scanGraph(sub, opset, out);
    }
  }
}

std::vector<UnsupportedNode> findUnsupportedNodes(const onnx::ModelProto &model) {
  std::vector<UnsupportedNode> nodes;
  scanGraph(model.graph(), defaultDomainOpset(model), nodes);
  return nodes;
}

std::string formatUnsupported(const std::vector<UnsupportedNode> &nodes) {
  // Group by op so a model with 50 copies of one op stays readable.
  std::map<std::string, std::vector<const UnsupportedNode *>> byOp;
  for (const UnsupportedNode &node : nodes)
    byOp[node.domain + "::" + node.opType + " (" + node.reason + ")"]
        .push_back(&node);
  std::string text = std::to_string(nodes.size()) + " unsupported node" +
                     (nodes.size() == 1 ? "" : "s") + ": ";
  bool first = true;
  for (const auto &[key, list] : byOp) {
    text += (first ? "" : "; ") + key + " at ";
    first = false;
    for (size_t i = 0; i < list.size() && i < 3; ++i)
      text += (i ? ", '" : "'") + list[i]->nodeName + "'";
    if (list.size() > 3)
      text += " and " + std::to_string(list.size() - 3) + " more";
  }
  return text;
}

//===----------------------------------------------------------------------===//
// Graph import
//===----------------------------------------------------------------------===//

/// Marks the graph inputs and outputs that hold quantized values with their
/// scale and zero point (`modelc.scale`, `modelc.zero_point`), for the
/// artifact's tensor descriptors: an input every reader dequantizes with the
/// same per-tensor constants, an output a per-tensor quantize produces.
static void annotateQuantizedPorts(func::FuncOp func);

namespace {
class GraphImporter : public SubgraphImporter {
public:
  GraphImporter(MLIRContext &context, const LoadedModel &model,
                const ImportOptions &options)
      : context_(context), model_(model), options_(options),
        builder_(&context) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run();

  /// Every named tensor imported so far.
  const llvm::StringMap<Value> &values() const { return values_; }

private:
  llvm::Expected<RankedTensorType> inputType(const onnx::ValueInfoProto &info);
  llvm::Error importInitializers(const onnx::GraphProto &graph);
  llvm::Error readBindings(const onnx::GraphProto &graph);
  llvm::Error settleInputShapes(const onnx::GraphProto &graph);
  void bindInputs();
  llvm::Error importNode(const onnx::NodeProto &node, size_t index);
  llvm::Expected<SmallVector<Value>>
  importSubgraph(const onnx::GraphProto &graph,
                 ArrayRef<Value> formalInputs) override;
  Location nodeLocation(const onnx::NodeProto &node, size_t index);

  MLIRContext &context_;
  const LoadedModel &model_;
  const ImportOptions &options_;
  OpBuilder builder_;
  llvm::StringMap<Value> values_;
  int64_t opset_ = 0;
  /// Values of symbolic dimensions: `--dim`, then what bound files settle.
  std::map<std::string, int64_t> dims_;
  /// Where each value in dims_ came from, for messages.
  std::map<std::string, std::string> dimSources_;
  /// The tensors of `--bind`, checked against their inputs' declarations.
  std::vector<HostTensor> bound_;
  /// The checked `inputShapes`, which inputType uses as they are.
  std::map<std::string, SmallVector<int64_t>> givenShapes_;
};
} // namespace

llvm::Expected<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &info) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type())
    return llvm::createStringError("input '" + info.name() +
                                   "' is not a tensor (sequences, maps and "
                                   "optionals are not supported)");
  const auto &tensor = type.tensor_type();
  Type elementType = convertDataType(context_, tensor.elem_type());
  if (!elementType)
    return llvm::createStringError("input '" + info.name() +
                                   "' has unsupported element type " +
                                   std::to_string(tensor.elem_type()));
  if (auto given = givenShapes_.find(info.name()); given != givenShapes_.end())
    return RankedTensorType::get(given->second, elementType);
  if (!tensor.has_shape())
    return llvm::createStringError("input '" + info.name() +
                                   "' has no shape; modelc compiles static "
                                   "shapes only");
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    std::string param = dim.has_dim_param() ? dim.dim_param() : "";
    auto it = dims_.find(param);
    if (param.empty() || it == dims_.end())
      return llvm::createStringError(
          "input '" + info.name() + "' has a symbolic dimension '" +
          (param.empty() ? std::string("?") : param) +
          "'; pin it with --dim " + (param.empty() ? "NAME" : param) +
          "=VALUE");
    shape.push_back(it->second);
  }
  return RankedTensorType::get(shape, elementType);
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node,
                                     size_t index) {
  return NameLoc::get(builder_.getStringAttr(nodeDisplayName(node, index)));
}

llvm::Error GraphImporter::importInitializers(const onnx::GraphProto &graph) {
  for (const onnx::TensorProto &init : graph.initializer()) {
    onnx::NodeProto holder;
    holder.set_name(init.name());
    holder.set_op_type("initializer");
    NodeContext ctx(builder_, holder, opset_,
                    NameLoc::get(builder_.getStringAttr(init.name())), {},
                    model_.directory);
    llvm::Expected<Value> value = ctx.constantFromProto(init);
    if (!value)
      return value.takeError();
    values_[init.name()] = *value;
  }
  return llvm::Error::success();
}

/// `FLOAT[N, 3]`: a declared type as `modelc inspect` prints it.
static std::string describeDeclared(const onnx::TypeProto::Tensor &type) {
  std::string text = onnx::TensorProto_DataType_Name(type.elem_type());
  if (!type.has_shape())
    return text + "[...]";
  text += "[";
  for (int d = 0; d < type.shape().dim_size(); ++d) {
    const auto &dim = type.shape().dim(d);
    text += d ? ", " : "";
    text += dim.has_dim_value()    ? std::to_string(dim.dim_value())
            : dim.dim_param().empty() ? std::string("?")
                                      : dim.dim_param();
  }
  return text + "]";
}

/// `FLOAT[2, 3]`: the type of a tensor read from a file.
static std::string describeTensor(const HostTensor &tensor) {
  std::string text = onnx::TensorProto_DataType_Name(tensor.dataType);
  if (text.empty())
    text = "type " + std::to_string(tensor.dataType);
  text += "[";
  for (auto [d, size] : llvm::enumerate(tensor.dims))
    text += (d ? ", " : "") + std::to_string(size);
  return text + "]";
}

/// Why `tensor` does not fit the `declared` type: nullopt when it does,
/// else an empty note or one naming the symbolic dimension it contradicts.
/// A symbolic dimension takes the file's size unless `dims` (from `--dim` or
/// an earlier `--bind`) already holds another; `settled` collects the sizes
/// this file gives.
static std::optional<std::string>
findMismatch(const onnx::TypeProto::Tensor &declared, const HostTensor &tensor,
             const std::map<std::string, int64_t> &dims,
             const std::map<std::string, std::string> &sources,
             std::map<std::string, int64_t> &settled) {
  if (declared.elem_type() != tensor.dataType)
    return std::string();
  if (!declared.has_shape())
    return std::nullopt; // any shape will do
  const auto &shape = declared.shape();
  if (shape.dim_size() != static_cast<int>(tensor.dims.size()))
    return std::string();
  for (int d = 0; d < shape.dim_size(); ++d) {
    const auto &dim = shape.dim(d);
    int64_t given = tensor.dims[d];
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      if (dim.dim_value() != given)
        return std::string();
      continue;
    }
    if (dim.dim_param().empty())
      continue; // an unnamed dimension takes any size
    const std::string &param = dim.dim_param();
    if (auto known = dims.find(param);
        known != dims.end() && known->second != given)
      return " (" + param + " = " + std::to_string(known->second) + " from " +
             sources.at(param) + ")";
    auto [it, inserted] = settled.try_emplace(param, given);
    if (!inserted && it->second != given)
      return " (" + param + " is both " + std::to_string(it->second) +
             " and " + std::to_string(given) + ")";
  }
  return std::nullopt;
}

llvm::Error GraphImporter::readBindings(const onnx::GraphProto &graph) {
  for (const auto &[name, path] : options_.inputBindings) {
    const onnx::ValueInfoProto *info = nullptr;
    for (const onnx::ValueInfoProto &input : graph.input())
      if (input.name() == name)
        info = &input;
    if (!info)
      return llvm::createStringError("--bind names '" + name +
                                     "', which is not a graph input");
    llvm::Expected<HostTensor> tensor = readTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    if (!convertDataType(context_, tensor->dataType))
      return llvm::createStringError("--bind " + name + ": '" + path +
                                     "' holds unsupported data type " +
                                     std::to_string(tensor->dataType));
    if (!info->type().has_tensor_type())
      return llvm::createStringError("--bind " + name + ": input '" + name +
                                     "' is not a tensor");
    // The file must hold what the model declares: a bound tensor of another
    // type or shape would be compiled into code built for the declared one.
    const onnx::TypeProto::Tensor &declared = info->type().tensor_type();
    std::map<std::string, int64_t> settled;
    std::optional<std::string> mismatch =
        findMismatch(declared, *tensor, dims_, dimSources_, settled);
    if (mismatch)
      return llvm::createStringError(
          "--bind " + name + ": '" + path + "' holds " +
          describeTensor(*tensor) + ", but input '" + name +
          "' is declared " + describeDeclared(declared) + *mismatch);
    for (const auto &[param, value] : settled) {
      dims_[param] = value;
      dimSources_[param] = "--bind " + name;
    }
    tensor->name = name;
    bound_.push_back(std::move(*tensor));
  }
  return llvm::Error::success();
}

/// In graph order, so that a contradiction names the later input.
llvm::Error GraphImporter::settleInputShapes(const onnx::GraphProto &graph) {
  for (const auto &[name, dims] : options_.inputShapes)
    if (llvm::none_of(graph.input(), [&](const onnx::ValueInfoProto &input) {
          return input.name() == name;
        }))
      return llvm::createStringError("a size is given for '" + name +
                                     "', which is not a graph input");
  for (const onnx::ValueInfoProto &input : graph.input()) {
    auto given = options_.inputShapes.find(input.name());
    if (given == options_.inputShapes.end())
      continue;
    const std::string &name = input.name();
    const std::vector<int64_t> &dims = given->second;
    if (!input.type().has_tensor_type())
      return llvm::createStringError("input '" + name + "' is not a tensor");
    const onnx::TypeProto::Tensor &declared = input.type().tensor_type();
    HostTensor sized;
    sized.dataType = declared.elem_type();
    sized.dims = dims;
    std::map<std::string, int64_t> settled;
    std::optional<std::string> mismatch =
        findMismatch(declared, sized, dims_, dimSources_, settled);
    if (mismatch) {
      std::string shape;
      for (auto [d, size] : llvm::enumerate(dims))
        shape += (d ? ", " : "") + std::to_string(size);
      return llvm::createStringError(
          "input '" + name + "' is declared " + describeDeclared(declared) +
          ", but is given as [" + shape + "]" + *mismatch);
    }
    for (const auto &[param, value] : settled) {
      dims_[param] = value;
      dimSources_[param] = "input '" + name + "'";
    }
    givenShapes_[name] = SmallVector<int64_t>(dims.begin(), dims.end());
  }
  return llvm::Error::success();
}

void GraphImporter::bindInputs() {
  for (const HostTensor &tensor : bound_) {
    Type elementType = convertDataType(context_, tensor.dataType);
    auto type = RankedTensorType::get(tensor.dims, elementType);
    auto attr =
        mlir::modelc::graph::makeConstant(type, tensor.bytes, tensor.name);
    values_[tensor.name] = arith::ConstantOp::create(
        builder_, NameLoc::get(builder_.getStringAttr(tensor.name)), type,
        cast<TypedAttr>(attr));
  }
}

llvm::Error GraphImporter::importNode(const onnx::NodeProto &node,
                                      size_t index) {
  std::vector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      continue;
    }
    auto it = values_.find(name);
    if (it == values_.end())
      return llvm::createStringError("node '" + nodeDisplayName(node, index) +
                                     "' (" + node.op_type() + "): input '" +
                                     name + "' is not defined before it");
    inputs.push_back(it->second);
  }
  const llvm::StringMap<OpImporter> &importers = getOpImporters();
  auto importer = importers.find(node.op_type());
  bool handled =
      isControlFlowOp(node) ||
      (importer != importers.end() && opset_ >= importer->second.minOpset &&
       opset_ <= importer->second.maxOpset);
  if (!handled) {
    // An op defined as a function: import its body in its place.
    std::vector<Type> inputTypes;
    for (Value input : inputs)
      inputTypes.push_back(input ? input.getType() : Type());
    std::string scope = nodeDisplayName(node, index);
    llvm::Expected<std::vector<onnx::NodeProto>> body =
        expandFunction(node, scope, opset_, inputTypes);
    if (!body)
      return llvm::createStringError("node '" + scope + "' (" +
                                     node.op_type() + "): " +
                                     llvm::toString(body.takeError()));
    for (auto [bodyIndex, inner] : llvm::enumerate(*body))
      if (llvm::Error err = importNode(inner, bodyIndex))
        return err;
    return llvm::Error::success();
  }
  NodeContext ctx(builder_, node, opset_, nodeLocation(node, index),
                  std::move(inputs), model_.directory);
  if (llvm::Error err = isControlFlowOp(node) ? importControlFlow(ctx, *this)
                                              : importer->second.import(ctx))
    return err;
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    Value result = ctx.results()[i];
    if (!result)
      return ctx.error("output " + llvm::Twine(i) + " ('" + node.output(i) +
                       "') is not supported");
    values_[node.output(i)] = result;
  }
  return llvm::Error::success();
}

llvm::Expected<SmallVector<Value>>
GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                              ArrayRef<Value> formalInputs) {
  // Before IR version 4 a graph lists its initializers among its inputs.
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());
  SmallVector<const onnx::ValueInfoProto *> formals;
  for (const onnx::ValueInfoProto &input : graph.input())
    if (!initializers.contains(input.name()))
      formals.push_back(&input);
  if (formals.size() != formalInputs.size())
    return llvm::createStringError("subgraph '" + graph.name() + "' has " +
                                   std::to_string(formals.size()) +
                                   " inputs, expected " +
                                   std::to_string(formalInputs.size()));
  llvm::StringMap<Value> outerScope = values_;
  auto restore =
      llvm::make_scope_exit([&] { values_ = std::move(outerScope); });
  for (auto [formal, value] : llvm::zip(formals, formalInputs))
    values_[formal->name()] = value;
  if (llvm::Error err = importInitializers(graph))
    return std::move(err);
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (llvm::Error err = importNode(node, index))
      return std::move(err);
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values_.find(output.name());
    if (it == values_.end())
      return llvm::createStringError("subgraph '" + graph.name() +
                                     "' never computes its output '" +
                                     output.name() + "'");
    results.push_back(it->second);
  }
  return results;
}

llvm::Expected<OwningOpRef<ModuleOp>> GraphImporter::run() {
  const onnx::ModelProto &model = *model_.proto;
  const onnx::GraphProto &graph = model.graph();
  opset_ = defaultDomainOpset(model);

  std::vector<UnsupportedNode> unsupported = findUnsupportedNodes(model);
  if (!unsupported.empty())
    return llvm::createStringError(formatUnsupported(unsupported));

  context_.loadDialect<func::FuncDialect, arith::ArithDialect,
                       mlir::modelc::graph::GraphDialect>();
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context_, model_.path, 0, 0));
  builder_.setInsertionPointToEnd(module->getBody());

  // Bound inputs first: their files may settle symbolic dimensions that
  // other inputs share.
  dims_ = options_.dimValues;
  for (const auto &[param, value] : dims_)
    dimSources_[param] = "--dim " + param + "=" + std::to_string(value);
  if (llvm::Error err = readBindings(graph))
    return std::move(err);
  if (llvm::Error err = settleInputShapes(graph))
    return std::move(err);

  // Graph inputs that are initializers (older IR versions) are weights.
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &init : graph.initializer())
    initializerNames.insert(init.name());
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (initializerNames.contains(info.name()) ||
        options_.inputBindings.count(info.name()))
      continue;
    llvm::Expected<RankedTensorType> type = inputType(info);
    if (!type)
      return type.takeError();
    argTypes.push_back(*type);
    argNames.push_back(info.name());
  }

  auto func = func::FuncOp::create(builder_, module->getLoc(),
                                   options_.functionName,
                                   builder_.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values_[name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder_.getStringAttr(name));
  }

  if (llvm::Error err = importInitializers(graph))
    return std::move(err);
  bindInputs();
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (llvm::Error err = importNode(node, index))
      return std::move(err);

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values_.find(output.name());
    if (it == values_.end())
      return llvm::createStringError("graph output '" + output.name() +
                                     "' is never computed");
    results.push_back(it->second);
    resultTypes.push_back(it->second.getType());
  }
  func::ReturnOp::create(builder_, module->getLoc(), results);
  func.setType(builder_.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder_.getStringAttr(output.name()));
  annotateQuantizedPorts(func);
  return module;
}

namespace {
/// The per-tensor constant scale and zero point of a quantize or dequantize.
std::optional<std::pair<double, int64_t>> perTensorParameters(Value scale,
                                                              Value zeroPoint) {
  ElementsAttr s, z;
  if (!matchPattern(scale, m_Constant(&s)) ||
      !matchPattern(zeroPoint, m_Constant(&z)) || s.getNumElements() != 1 ||
      z.getNumElements() != 1)
    return std::nullopt;
  return std::make_pair(graph::readConstantAsDoubles(s)[0],
                        graph::readConstantAsInts(z)[0]);
}
} // namespace

static void annotateQuantizedPorts(func::FuncOp func) {
  Builder builder(func.getContext());
  auto annotate = [&](auto setAttr, std::pair<double, int64_t> params) {
    setAttr("modelc.scale", builder.getF32FloatAttr(params.first));
    setAttr("modelc.zero_point", builder.getI64IntegerAttr(params.second));
  };
  // An 8-bit input every reader dequantizes with the same parameters.
  for (BlockArgument arg : func.getArguments()) {
    std::optional<std::pair<double, int64_t>> common;
    bool quantized = !arg.use_empty();
    for (Operation *user : arg.getUsers()) {
      auto dequantize = dyn_cast<graph::DequantizeLinearOp>(user);
      std::optional<std::pair<double, int64_t>> params;
      if (dequantize)
        params = perTensorParameters(dequantize.getScale(),
                                     dequantize.getZeroPoint());
      if (!params || (common && *common != *params)) {
        quantized = false;
        break;
      }
      common = params;
    }
    if (quantized)
      annotate([&](StringRef name, Attribute value) {
        func.setArgAttr(arg.getArgNumber(), name, value);
      }, *common);
  }
  // An 8-bit output a quantize produces.
  auto returned = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(returned.getOperands()))
    if (auto quantize = value.getDefiningOp<graph::QuantizeLinearOp>())
      if (auto params = perTensorParameters(quantize.getScale(),
                                            quantize.getZeroPoint()))
        annotate([&, index = i](StringRef name, Attribute attr) {
          func.setResultAttr(index, name, attr);
        }, *params);
}

llvm::Expected<OwningOpRef<ModuleOp>>
importModel(MLIRContext &context, const LoadedModel &model,
            const ImportOptions &options) {
  GraphImporter importer(context, model, options);
  return importer.run();
}

/// The ONNX data type of an element type; 0 for none.
static int32_t onnxDataTypeOf(Type type) {
  for (int32_t dataType = 1; dataType <= onnx::TensorProto::BFLOAT16; ++dataType)
    if (Type converted = convertDataType(*type.getContext(), dataType);
        converted && converted == type)
      return dataType;
  return 0;
}

llvm::Expected<std::map<std::string, TensorTypeInfo>>
inferTensorTypes(const LoadedModel &model, const ImportOptions &options) {
  MLIRContext context;
  GraphImporter importer(context, model, options);
  llvm::Expected<OwningOpRef<ModuleOp>> module = importer.run();
  if (!module)
    return module.takeError();
  std::map<std::string, TensorTypeInfo> types;
  for (const auto &entry : importer.values()) {
    auto type = dyn_cast<RankedTensorType>(entry.getValue().getType());
    if (!type)
      continue;
    TensorTypeInfo info;
    info.dataType = onnxDataTypeOf(type.getElementType());
    info.dims.assign(type.getShape().begin(), type.getShape().end());
    types[entry.getKey().str()] = std::move(info);
  }
  return types;
}

} // namespace modelc::onnx_frontend
