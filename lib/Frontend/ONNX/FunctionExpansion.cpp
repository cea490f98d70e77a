//===- FunctionExpansion.cpp - ONNX function ops as their bodies ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "FunctionExpansion.h"

#include "mlir/IR/BuiltinTypes.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"

#include <map>

namespace modelc::onnx_frontend {

/// ONNX's data type number for an MLIR element type (0 when there is none).
static int32_t onnxDataType(mlir::Type type) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (type.isInteger(1))
    return onnx::TensorProto::BOOL;
  auto integer = mlir::dyn_cast<mlir::IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  default:
    return 0;
  }
}

static const onnx::OpSchema *findSchema(const std::string &opType,
                                        int64_t opset) {
  return onnx::OpSchemaRegistry::Schema(opType, static_cast<int>(opset), "");
}

bool hasFunctionBody(const std::string &opType, int64_t opset) {
  const onnx::OpSchema *schema = findSchema(opType, opset);
  return schema &&
         (schema->HasFunction() || schema->HasContextDependentFunction());
}

llvm::Expected<std::vector<onnx::NodeProto>>
expandFunction(const onnx::NodeProto &node, const std::string &scope,
               int64_t opset, const std::vector<mlir::Type> &inputTypes) {
  const onnx::OpSchema *schema = findSchema(node.op_type(), opset);
  onnx::FunctionProto body;
  if (schema && schema->HasFunction()) {
    body = *schema->GetFunction();
  } else if (schema && schema->HasContextDependentFunction()) {
    std::vector<onnx::TypeProto> types(inputTypes.size());
    for (size_t i = 0; i < inputTypes.size(); ++i) {
      auto tensor = mlir::dyn_cast_or_null<mlir::RankedTensorType>(inputTypes[i]);
      if (!tensor)
        continue;
      auto *tensorType = types[i].mutable_tensor_type();
      tensorType->set_elem_type(onnxDataType(tensor.getElementType()));
      for (int64_t dim : tensor.getShape())
        tensorType->mutable_shape()->add_dim()->set_dim_value(dim);
    }
    onnx::FunctionBodyBuildContextImpl context(node, types);
    if (!schema->BuildContextDependentFunction(context, body))
      return llvm::createStringError("cannot build the function body of " +
                                     node.op_type());
  } else {
    return llvm::createStringError(node.op_type() + " is not supported");
  }

  // Formal inputs and outputs take the node's names; everything else is
  // prefixed with the node's scope so two expansions never collide.
  std::map<std::string, std::string> names;
  for (int i = 0; i < body.input_size(); ++i)
    names[body.input(i)] = i < node.input_size() ? node.input(i) : "";
  for (int i = 0; i < body.output_size(); ++i)
    names[body.output(i)] = i < node.output_size() && !node.output(i).empty()
                                ? node.output(i)
                                : scope + "/" + body.output(i);
  auto rename = [&](const std::string &name) -> std::string {
    if (name.empty())
      return name;
    auto it = names.find(name);
    return it != names.end() ? it->second : scope + "/" + name;
  };
  std::map<std::string, const onnx::AttributeProto *> attributes;
  for (const onnx::AttributeProto &attr : node.attribute())
    attributes[attr.name()] = &attr;

  std::vector<onnx::NodeProto> nodes;
  for (const onnx::NodeProto &inner : body.node()) {
    onnx::NodeProto copy = inner;
    copy.set_name(scope + "/" +
                  (inner.name().empty() ? inner.op_type() + "_" +
                                              std::to_string(nodes.size())
                                        : inner.name()));
    for (std::string &input : *copy.mutable_input())
      input = rename(input);
    for (std::string &output : *copy.mutable_output())
      output = rename(output);
    // Attributes that refer to the caller's take its value, or vanish (so
    // the default applies) when the caller does not set them.
    copy.clear_attribute();
    for (const onnx::AttributeProto &attr : inner.attribute()) {
      if (attr.ref_attr_name().empty()) {
        *copy.add_attribute() = attr;
        continue;
      }
      const onnx::AttributeProto *source = nullptr;
      auto it = attributes.find(attr.ref_attr_name());
      if (it != attributes.end()) {
        source = it->second;
      } else if (schema) {
        // Unset on the caller: the schema's default, if it has one.
        auto schemaAttr = schema->attributes().find(attr.ref_attr_name());
        if (schemaAttr != schema->attributes().end() &&
            schemaAttr->second.default_value.type() !=
                onnx::AttributeProto::UNDEFINED)
          source = &schemaAttr->second.default_value;
      }
      if (!source)
        continue;
      onnx::AttributeProto *value = copy.add_attribute();
      *value = *source;
      value->set_name(attr.name());
    }
    nodes.push_back(std::move(copy));
  }
  return nodes;
}

} // namespace modelc::onnx_frontend
