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

void writeShapedRunDeclaration(llvm::raw_ostream &os, llvm::StringRef name) {
  os << "/* Runs one inference on inputs whose rank and dims the caller "
        "states, "
        "and\n"
     << " * reports each output's dims. inputs[i] is a dense buffer of "
        "input_dims[i]\n"
     << " * (input_ranks[i] entries); rank and dims must be those of " << name
     << "_inputs[i]\n"
     << " * (MODELC_ERROR_RANK_MISMATCH, MODELC_ERROR_DIMS_OUT_OF_RANGE "
        "otherwise).\n"
     << " * outputs[i] holds output_bytes[i] >= " << name
     << "_outputs[i].bytes bytes, and\n"
     << " * output_dims[i] room for " << name
     << "_outputs[i].rank dims, written on success.\n"
     << " * Nothing is read or written outside the buffers so described. */\n"
     << "modelc_status " << name << "_run_shaped(" << name
     << "_context *ctx, const void *const inputs[],\n"
     << "    const int32_t input_ranks[], const int64_t *const input_dims[],\n"
     << "    void *const outputs[], const size_t output_bytes[],\n"
     << "    int64_t *const output_dims[]);\n\n";
}

void writeShapedRunFunction(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef upper, const ArtifactPorts &ports,
                            llvm::StringRef linkage) {
  size_t numInputs = ports.inputs.size(), numOutputs = ports.outputs.size();
  os << linkage << "modelc_status " << name << "_run_shaped(" << name
     << "_context *ctx, const void *const inputs[],\n"
     << "    const int32_t input_ranks[], const int64_t *const input_dims[],\n"
     << "    void *const outputs[], const size_t output_bytes[],\n"
     << "    int64_t *const output_dims[])\n{\n";
  // The byte counts handed to <name>_run: the descriptors', which the
  // checks below have shown the caller's buffers to hold.
  if (numInputs > 0)
    os << "  size_t input_bytes[" << numInputs << "];\n";
  if (numOutputs > 0)
    os << "  size_t exact_output_bytes[" << numOutputs << "];\n";
  os << "  modelc_status status;\n  size_t i;\n  int32_t d;\n"
     << "  if (!ctx || (" << upper
     << "_NUM_INPUTS > 0 && (!inputs || !input_ranks || !input_dims)) ||\n"
     << "      !outputs || !output_bytes || !output_dims)\n"
     << "    return MODELC_ERROR_NULL_ARGUMENT;\n";
  if (numInputs > 0)
    os << "  for (i = 0; i < " << upper << "_NUM_INPUTS; ++i) {\n"
       << "    const modelc_tensor_desc *desc = &" << name << "_inputs[i];\n"
       << "    if (input_ranks[i] != desc->rank)\n"
       << "      return MODELC_ERROR_RANK_MISMATCH;\n"
       << "    if (desc->rank > 0 && !input_dims[i])\n"
       << "      return MODELC_ERROR_NULL_ARGUMENT;\n"
       << "    for (d = 0; d < desc->rank; ++d)\n"
       << "      if (input_dims[i][d] != desc->dims[d])\n"
       << "        return MODELC_ERROR_DIMS_OUT_OF_RANGE;\n"
       << "    input_bytes[i] = desc->bytes;\n"
       << "  }\n";
  if (numOutputs > 0)
    os << "  for (i = 0; i < " << upper << "_NUM_OUTPUTS; ++i) {\n"
       << "    const modelc_tensor_desc *desc = &" << name << "_outputs[i];\n"
       << "    if (output_bytes[i] < desc->bytes)\n"
       << "      return MODELC_ERROR_SIZE_MISMATCH;\n"
       << "    if (desc->rank > 0 && !output_dims[i])\n"
       << "      return MODELC_ERROR_NULL_ARGUMENT;\n"
       << "    exact_output_bytes[i] = desc->bytes;\n"
       << "  }\n";
  os << "  status = " << name << "_run(ctx, inputs, "
     << (numInputs > 0 ? "input_bytes" : "NULL") << ", outputs, "
     << (numOutputs > 0 ? "exact_output_bytes" : "output_bytes") << ");\n"
     << "  if (status != MODELC_OK)\n    return status;\n";
  if (numOutputs > 0)
    os << "  for (i = 0; i < " << upper << "_NUM_OUTPUTS; ++i)\n"
       << "    for (d = 0; d < " << name << "_outputs[i].rank; ++d)\n"
       << "      output_dims[i][d] = " << name << "_outputs[i].dims[d];\n";
  else
    os << "  (void)output_dims;\n";
  if (numInputs == 0)
    os << "  (void)input_ranks;\n  (void)input_dims;\n  (void)i;\n  (void)d;\n";
  os << "  return MODELC_OK;\n}\n\n";
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
