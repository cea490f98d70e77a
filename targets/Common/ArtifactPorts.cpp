//===- ArtifactPorts.cpp - The inputs and outputs of an artifact ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ArtifactPorts.h"

#include "ArtifactAbi.h"
#include "CSyntax.h"
#include "dialects/Kernel/IR/KernelOps.h"
#include "modelc/IR/TensorData.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

namespace {

Type elementType(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// The importer's modelc.scale and modelc.zero_point of a quantized port.
void readQuantization(DictionaryAttr attrs, ArtifactPort &port) {
  if (!attrs)
    return;
  if (auto scale = attrs.getAs<FloatAttr>("modelc.scale"))
    port.scale = static_cast<float>(scale.getValueAsDouble());
  if (auto zero = attrs.getAs<IntegerAttr>("modelc.zero_point"))
    port.zeroPoint = zero.getInt();
}

} // namespace

bool ArtifactPorts::isDirectOutput(unsigned index) const {
  auto it = directOutputs.find(kernel::getViewSource(outputs[index].value));
  return it != directOutputs.end() && it->second == index;
}

ArtifactPorts collectArtifactPorts(func::FuncOp func) {
  ArtifactPorts ports;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
    ports.inputs.push_back(
        {name ? name.str() : "input_" + std::to_string(i), arg});
    readQuantization(func.getArgAttrDict(i), ports.inputs.back());
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
    ports.outputs.push_back(
        {name ? name.str() : "output_" + std::to_string(i), value});
    readQuantization(func.getResultAttrDict(i), ports.outputs.back());
    Value source = kernel::getViewSource(value);
    if (isa_and_nonnull<kernel::DispatchOp>(source.getDefiningOp()) &&
        !ports.directOutputs.count(source))
      ports.directOutputs[source] = i;
  }
  return ports;
}

void writePortList(llvm::raw_ostream &os, const ArtifactPorts &ports) {
  os << "/* Inputs:\n";
  for (auto [i, port] : llvm::enumerate(ports.inputs))
    os << " *   " << i << ": " << commentSafe(port.onnxName) << " "
       << shapeComment(port.value) << "\n";
  os << " * Outputs:\n";
  for (auto [i, port] : llvm::enumerate(ports.outputs))
    os << " *   " << i << ": " << commentSafe(port.onnxName) << " "
       << shapeComment(port.value) << "\n";
}

void writePortDescriptors(llvm::raw_ostream &os, llvm::StringRef name,
                          llvm::StringRef kind, ArrayRef<ArtifactPort> ports,
                          llvm::StringRef linkage) {
  SmallVector<TensorPort> described;
  for (const ArtifactPort &port : ports) {
    auto type = cast<RankedTensorType>(port.value.getType());
    described.push_back({port.onnxName, type.getElementType(), type.getShape(),
                         tensorBytes(port.value), port.scale, port.zeroPoint});
  }
  writeTensorDescriptors(os, name, kind, described, linkage);
}

void writeRunArgumentChecks(llvm::raw_ostream &os, llvm::StringRef upper,
                            const ArtifactPorts &ports) {
  os << "  if (!ctx || (" << upper << "_NUM_INPUTS > 0 && (!inputs || "
     << "!input_bytes)) || !outputs || !output_bytes)\n"
     << "    return MODELC_ERROR_NULL_ARGUMENT;\n";
  auto checkPorts = [&](llvm::StringRef array, llvm::StringRef sizes,
                        ArrayRef<ArtifactPort> list) {
    for (auto [i, port] : llvm::enumerate(list)) {
      int64_t bytes = tensorBytes(port.value);
      // A zero-byte tensor is never read or written, so its pointer may be
      // NULL, as malloc(0) and cudaMalloc(0) may give.
      if (bytes != 0)
        os << "  if (!" << array << "[" << i << "])\n"
           << "    return MODELC_ERROR_NULL_ARGUMENT;\n";
      os << "  if (" << sizes << "[" << i << "] != " << bytes
         << ")\n    return MODELC_ERROR_SIZE_MISMATCH;\n";
      int64_t align = mlir::modelc::getElementByteWidth(elementType(port.value));
      if (align > 1)
        os << "  if ((uintptr_t)" << array << "[" << i << "] % " << align
           << " != 0)\n    return MODELC_ERROR_MISALIGNED;\n";
    }
  };
  checkPorts("inputs", "input_bytes", ports.inputs);
  checkPorts("outputs", "output_bytes", ports.outputs);
}

void writePortPointers(llvm::raw_ostream &os, const ArtifactPorts &ports,
                       llvm::StringRef indent,
                       llvm::function_ref<std::string(Type)> typeName) {
  for (auto [i, port] : llvm::enumerate(ports.inputs)) {
    if (port.value.use_empty())
      continue;
    std::string type = typeName(elementType(port.value));
    os << indent << "const " << type << " *input_" << i << " = (const "
       << type << " *)inputs[" << i << "];\n";
  }
  for (auto [i, port] : llvm::enumerate(ports.outputs)) {
    if (!ports.isDirectOutput(i))
      continue;
    std::string type = typeName(elementType(port.value));
    os << indent << type << " *output_" << i << " = (" << type
       << " *)outputs[" << i << "];\n";
  }
}

} // namespace modelc::codegen
