//===- ConstantImporters.cpp - Ops whose result is a constant -------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Constant, ConstantOfShape, Range and EyeLike depend on nothing known only
// at run time: each becomes an arith.constant.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Matchers.h"
#include "onnx/onnx_pb.h"

#include <cmath>
#include <cstring>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

llvm::Error importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  if (const onnx::AttributeProto *value = ctx.attribute("value")) {
    llvm::Expected<Value> constant = ctx.constantFromProto(value->t());
    if (!constant)
      return constant.takeError();
    ctx.setResult(0, *constant);
    return llvm::Error::success();
  }
  auto make = [&](Type elementType, ArrayRef<int64_t> shape,
                  ArrayRef<double> values) {
    auto type = RankedTensorType::get(shape, elementType);
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  };
  if (const onnx::AttributeProto *v = ctx.attribute("value_float")) {
    make(b.getF32Type(), {}, {v->f()});
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_floats")) {
    std::vector<double> values(v->floats().begin(), v->floats().end());
    make(b.getF32Type(), {static_cast<int64_t>(values.size())}, values);
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_int")) {
    auto type = RankedTensorType::get({}, b.getI64Type());
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromInts(type, {v->i()}))));
  } else if (const onnx::AttributeProto *v = ctx.attribute("value_ints")) {
    std::vector<int64_t> values(v->ints().begin(), v->ints().end());
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      b.getI64Type());
    ctx.setResult(0, arith::ConstantOp::create(
                         b, ctx.loc(), type,
                         cast<TypedAttr>(graph::makeConstantFromInts(type, values))));
  } else {
    return ctx.error("only tensor, float(s) and int(s) values are supported");
  }
  return llvm::Error::success();
}

llvm::Error importConstantOfShape(NodeContext &ctx) {
  auto shape = ctx.requireConstantInts(0, "shape");
  if (!shape)
    return shape.takeError();
  OpBuilder &b = ctx.builder();
  Type elementType = b.getF32Type();
  std::vector<char> element(4, 0);
  if (const onnx::AttributeProto *value = ctx.attribute("value")) {
    llvm::Expected<Value> constant = ctx.constantFromProto(value->t());
    if (!constant)
      return constant.takeError();
    ElementsAttr attr;
    matchPattern(*constant, m_Constant(&attr));
    elementType = cast<ShapedType>(attr.getType()).getElementType();
    element = graph::readConstantBytes(attr);
    constant->getDefiningOp()->erase();
  }
  auto type = RankedTensorType::get(*shape, elementType);
  int64_t width = graph::getElementByteWidth(elementType);
  std::vector<char> bytes(type.getNumElements() * width);
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    std::memcpy(bytes.data() + i * width, element.data(), width);
  ctx.setResult(0, arith::ConstantOp::create(
                       b, ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstant(type, bytes))));
  return llvm::Error::success();
}

/// Range with constant bounds is a constant.
llvm::Error importRange(NodeContext &ctx) {
  ElementsAttr start, limit, delta;
  if (!matchPattern(ctx.input(0), m_Constant(&start)) ||
      !matchPattern(ctx.input(1), m_Constant(&limit)) ||
      !matchPattern(ctx.input(2), m_Constant(&delta)))
    return ctx.error("start, limit and delta must be compile-time constants");
  double a = graph::readConstantAsDoubles(start).front();
  double l = graph::readConstantAsDoubles(limit).front();
  double d = graph::readConstantAsDoubles(delta).front();
  if (d == 0)
    return ctx.error("delta is 0");
  int64_t count = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((l - a) / d)));
  Type element = ctx.inputType(0).getElementType();
  auto type = RankedTensorType::get({count}, element);
  std::vector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(a + i * d);
  ctx.setResult(0, arith::ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  return llvm::Error::success();
}

/// EyeLike depends only on the input's shape: a constant.
llvm::Error importEyeLike(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  if (shape.size() != 2)
    return ctx.error("expected a rank-2 input");
  Type element = ctx.inputType(0).getElementType();
  if (const onnx::AttributeProto *dtype = ctx.attribute("dtype"))
    element = convertDataType(*ctx.builder().getContext(), dtype->i());
  if (!element)
    return ctx.error("unsupported dtype");
  int64_t k = ctx.intAttr("k", 0);
  auto type = RankedTensorType::get(shape, element);
  std::vector<double> values(type.getNumElements(), 0.0);
  for (int64_t r = 0; r < shape[0]; ++r)
    if (r + k >= 0 && r + k < shape[1])
      values[r * shape[1] + r + k] = 1.0;
  ctx.setResult(0, arith::ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       cast<TypedAttr>(graph::makeConstantFromDoubles(type, values))));
  return llvm::Error::success();
}

} // namespace

void registerConstantImporters(OpImporterTable &table) {
  addImporters(table, {
      {"Range", {11, kMaxKnownOpset, importRange}},
      {"EyeLike", {9, kMaxKnownOpset, importEyeLike}},
      {"Constant", {1, kMaxKnownOpset, importConstant}},
      {"ConstantOfShape", {9, kMaxKnownOpset, importConstantOfShape}},
  });
}

} // namespace modelc::onnx_frontend
