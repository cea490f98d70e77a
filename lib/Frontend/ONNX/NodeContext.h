//===- NodeContext.h - What an op importer sees of one node -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_NODECONTEXT_H
#define MODELC_LIB_FRONTEND_ONNX_NODECONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace onnx {
class AttributeProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// Maps an ONNX data type to the MLIR element type modelc uses for it, or a
/// null type when there is none.
mlir::Type convertDataType(mlir::MLIRContext &context, int32_t dataType);

/// The view of one ONNX node that an op importer works from: its operands as
/// imported values, its attributes, and where its results go.
class NodeContext {
public:
  NodeContext(mlir::OpBuilder &builder, const onnx::NodeProto &node,
              int64_t opsetVersion, mlir::Location loc,
              std::vector<mlir::Value> inputs,
              std::string externalDataDirectory);

  mlir::OpBuilder &builder() { return builder_; }
  mlir::Location loc() const { return loc_; }
  int64_t opset() const { return opset_; }
  const onnx::NodeProto &node() const { return node_; }

  /// Number of operands the node names (optional ones included).
  size_t numInputs() const { return inputs_.size(); }
  /// Operand `i`, or a null value when it is absent or named "".
  mlir::Value input(size_t i) const {
    return i < inputs_.size() ? inputs_[i] : mlir::Value();
  }
  /// Operand `i` as a ranked tensor type; the operand must be present.
  mlir::RankedTensorType inputType(size_t i) const {
    return mlir::cast<mlir::RankedTensorType>(inputs_[i].getType());
  }

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  float floatAttr(llvm::StringRef name, float defaultValue) const;
  std::string stringAttr(llvm::StringRef name,
                         llvm::StringRef defaultValue) const;
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const;
  /// A list attribute's values; empty when the node does not set it.
  std::vector<float> floatsAttr(llvm::StringRef name) const;
  std::vector<std::string> stringsAttr(llvm::StringRef name) const;

  /// The integer values of a constant operand (shapes, axes, pads); nothing
  /// when the operand is absent or not a compile-time constant.
  std::optional<std::vector<int64_t>> constantInts(mlir::Value value) const;
  /// Like constantInts, but a missing or non-constant operand is an error that
  /// names `what`.
  llvm::Expected<std::vector<int64_t>> requireConstantInts(size_t input,
                                                           llvm::StringRef what);

  /// An arith.constant holding the tensor of a TensorProto.
  llvm::Expected<mlir::Value> constantFromProto(const onnx::TensorProto &proto);

  /// True when result `i` is named, i.e. something may read it.
  bool resultUsed(size_t i) const;
  void setResult(size_t i, mlir::Value value);
  const std::vector<mlir::Value> &results() const { return results_; }

  /// An error naming the node: "node 'name' (OpType): message".
  llvm::Error error(const llvm::Twine &message) const;

  /// Creates `OpTy` and folds it when its operands allow (shape chains).
  template <typename OpTy, typename... Args>
  mlir::Value create(Args &&...args) {
    return builder_.createOrFold<OpTy>(loc_, std::forward<Args>(args)...);
  }

private:
  mlir::OpBuilder &builder_;
  const onnx::NodeProto &node_;
  int64_t opset_;
  mlir::Location loc_;
  std::vector<mlir::Value> inputs_;
  std::vector<mlir::Value> results_;
  std::string externalDataDirectory_;
};

/// The node's name, or `<OpType>_<index>` for an unnamed node: the name in
/// locations, diagnostics and generated-code comments.
std::string nodeDisplayName(const onnx::NodeProto &node, size_t index);

/// Imports one node: reads operands and attributes from the context and
/// sets every result the graph uses.
using OpImportFn = llvm::Error (*)(NodeContext &);

struct OpImporter {
  /// Lowest and highest default-domain opset versions handled.
  int64_t minOpset;
  int64_t maxOpset;
  OpImportFn import;
};

/// The importers of every supported ONNX op, by op type.
const llvm::StringMap<OpImporter> &getOpImporters();

/// Newest opset version modelc knows the semantics of.
constexpr int64_t kMaxKnownOpset = 21;

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_NODECONTEXT_H
