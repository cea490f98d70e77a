//===- ArtifactAbi.cpp - What every modelc artifact header shares ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ArtifactAbi.h"

#include "CSyntax.h"
#include "modelc/IR/TensorData.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::codegen {

/// ONNX's number for an element type (TensorProto.DataType).
int onnxDataType(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (type.isInteger(1))
    return 9;
  auto integer = cast<IntegerType>(type);
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? 2 : 3;
  case 16:
    return isUnsigned ? 4 : 5;
  case 32:
    return isUnsigned ? 12 : 6;
  default:
    return isUnsigned ? 13 : 7;
  }
}

const char *dtypeEnumName(int dataType) {
  switch (dataType) {
  case 1: return "MODELC_DTYPE_FLOAT";
  case 2: return "MODELC_DTYPE_UINT8";
  case 3: return "MODELC_DTYPE_INT8";
  case 4: return "MODELC_DTYPE_UINT16";
  case 5: return "MODELC_DTYPE_INT16";
  case 6: return "MODELC_DTYPE_INT32";
  case 7: return "MODELC_DTYPE_INT64";
  case 9: return "MODELC_DTYPE_BOOL";
  case 10: return "MODELC_DTYPE_FLOAT16";
  case 11: return "MODELC_DTYPE_DOUBLE";
  case 12: return "MODELC_DTYPE_UINT32";
  case 13: return "MODELC_DTYPE_UINT64";
  default: return "MODELC_DTYPE_BFLOAT16";
  }
}

int64_t tensorBytes(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getNumElements() *
         mlir::modelc::getElementByteWidth(type.getElementType());
}

std::string shapeComment(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  std::string text = cElementType(type.getElementType()) + "[";
  for (auto [i, dim] : llvm::enumerate(type.getShape()))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

void writeAbiTypes(llvm::raw_ostream &os) {
  os << "/* Types shared by every modelc model header (ABI version 2). */\n"
     << "#ifndef MODELC_ABI_TYPES_2\n#define MODELC_ABI_TYPES_2\n"
     << "typedef enum modelc_status {\n"
     << "  MODELC_OK = 0,\n"
     << "  MODELC_ERROR_NULL_ARGUMENT = 1, /* a required pointer is NULL */\n"
     << "  MODELC_ERROR_MISALIGNED = 2,    /* a buffer breaks its alignment "
        "*/\n"
     << "  MODELC_ERROR_SIZE_MISMATCH = 3, /* a buffer has the wrong size */\n"
     << "  MODELC_ERROR_BAD_WEIGHTS = 4,   /* external weights of another "
        "model */\n"
     << "  MODELC_ERROR_BUILD_MISMATCH = 5, /* the C was built with kernel "
        "settings\n"
     << "                                      its arena was not planned "
        "for */\n"
     << "  MODELC_ERROR_DEVICE = 6,        /* a GPU runtime or library call "
        "failed */\n"
     << "  MODELC_ERROR_OUT_OF_MEMORY = 7, /* device or host memory ran out "
        "*/\n"
     << "  MODELC_ERROR_RANK_MISMATCH = 8, /* an input's rank is not the "
        "model's */\n"
     << "  MODELC_ERROR_DIMS_OUT_OF_RANGE = 9 /* an input's dims are outside "
        "those\n"
     << "                                        the model was compiled for "
        "*/\n"
     << "} modelc_status;\n\n"
     << "/* Element types, numbered as ONNX's TensorProto.DataType. */\n"
     << "typedef enum modelc_dtype {\n"
     << "  MODELC_DTYPE_FLOAT = 1, MODELC_DTYPE_UINT8 = 2, MODELC_DTYPE_INT8 "
        "= 3,\n"
     << "  MODELC_DTYPE_UINT16 = 4, MODELC_DTYPE_INT16 = 5, MODELC_DTYPE_INT32 "
        "= 6,\n"
     << "  MODELC_DTYPE_INT64 = 7, MODELC_DTYPE_BOOL = 9, MODELC_DTYPE_FLOAT16 "
        "= 10,\n"
     << "  MODELC_DTYPE_DOUBLE = 11, MODELC_DTYPE_UINT32 = 12, "
        "MODELC_DTYPE_UINT64 = 13,\n"
     << "  MODELC_DTYPE_BFLOAT16 = 16\n"
     << "} modelc_dtype;\n\n"
     << "/* One input or output: a dense row-major buffer of `bytes` bytes.\n"
     << " * scale/zero_point describe quantized tensors (1 and 0 otherwise). "
        "*/\n"
     << "typedef struct modelc_tensor_desc {\n"
     << "  const char *name;\n  modelc_dtype dtype;\n  int32_t rank;\n"
     << "  const int64_t *dims;\n  size_t bytes;\n  float scale;\n"
     << "  int32_t zero_point;\n} modelc_tensor_desc;\n\n"
     << "/* A parallel-for supplied by the application: run task(task_ctx, i)\n"
     << " * for every i in [0, count), in any order and on any threads, and\n"
     << " * return when all are done. Results do not depend on it. */\n"
     << "typedef void (*modelc_task_fn)(void *task_ctx, size_t index);\n"
     << "typedef void (*modelc_parallel_for_fn)(void *user, size_t count,\n"
     << "                                       modelc_task_fn task, void "
        "*task_ctx);\n"
     << "#endif /* MODELC_ABI_TYPES_2 */\n\n";
}

const char *statusDescription(llvm::StringRef enumerator) {
  return llvm::StringSwitch<const char *>(enumerator)
      .Case("MODELC_OK", "ok")
      .Case("MODELC_ERROR_NULL_ARGUMENT", "a required pointer is NULL")
      .Case("MODELC_ERROR_MISALIGNED", "a buffer is not aligned enough")
      .Case("MODELC_ERROR_SIZE_MISMATCH", "a buffer has the wrong size")
      .Case("MODELC_ERROR_BAD_WEIGHTS",
            "the weights belong to another model or build")
      .Case("MODELC_ERROR_BUILD_MISMATCH",
            "the kernels need more scratch than planned (MK_* settings "
            "changed?)")
      .Case("MODELC_ERROR_DEVICE", "a CUDA runtime or library call failed")
      .Case("MODELC_ERROR_OUT_OF_MEMORY", "out of memory")
      .Case("MODELC_ERROR_RANK_MISMATCH", "an input has the wrong rank")
      .Case("MODELC_ERROR_DIMS_OUT_OF_RANGE",
            "an input's dims are outside those the model was compiled for")
      .Default("unknown status");
}

void writeStatusStringFunction(llvm::raw_ostream &os, llvm::StringRef name) {
  static const char *const kStatuses[] = {"MODELC_OK",
                                          "MODELC_ERROR_NULL_ARGUMENT",
                                          "MODELC_ERROR_MISALIGNED",
                                          "MODELC_ERROR_SIZE_MISMATCH",
                                          "MODELC_ERROR_BAD_WEIGHTS",
                                          "MODELC_ERROR_BUILD_MISMATCH",
                                          "MODELC_ERROR_DEVICE",
                                          "MODELC_ERROR_OUT_OF_MEMORY",
                                          "MODELC_ERROR_RANK_MISMATCH",
                                          "MODELC_ERROR_DIMS_OUT_OF_RANGE"};
  os << "const char *" << name << "_status_string(modelc_status status)\n{\n"
     << "  switch (status) {\n";
  for (const char *status : kStatuses)
    os << "  case " << status << ": return \"" << statusDescription(status)
       << "\";\n";
  os << "  }\n  return \"unknown status\";\n}\n\n";
}

void writeTensorDescriptors(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef kind, ArrayRef<TensorPort> ports,
                            llvm::StringRef linkage) {
  for (auto [i, port] : llvm::enumerate(ports)) {
    if (port.shape.empty())
      continue;
    os << "static const int64_t " << kind << "_" << i << "_dims["
       << port.shape.size() << "] = {";
    for (auto [d, dim] : llvm::enumerate(port.shape))
      os << (d ? ", " : "") << dim;
    os << "};\n";
  }
  os << linkage << "const modelc_tensor_desc " << name << "_" << kind << "s["
     << std::max<size_t>(ports.size(), 1) << "] = {\n";
  for (auto [i, port] : llvm::enumerate(ports)) {
    std::string quoted;
    llvm::raw_string_ostream q(quoted);
    q.write_escaped(port.name);
    os << "    {\"" << quoted << "\", "
       << dtypeEnumName(onnxDataType(port.element)) << ", "
       << port.shape.size() << ", "
       << (port.shape.empty() ? std::string("NULL")
                              : kind.str() + "_" + std::to_string(i) + "_dims")
       << ", " << port.bytes << ", "
       << cLiteral(mlir::Float32Type::get(port.element.getContext()), port.scale)
       << ", "
       << port.zeroPoint << "},\n";
  }
  if (ports.empty())
    os << "    {NULL, MODELC_DTYPE_FLOAT, 0, NULL, 0, 1.0f, 0},\n";
  os << "};\n\n";
}

void writeExternalWeightsCheck(llvm::raw_ostream &os, llvm::StringRef upper,
                               llvm::StringRef indent) {
  std::string i = indent.str();
  os << i << "uint64_t hash = 0, payload = 0;\n"
     << i << "int byte;\n"
     << i << "if (!file)\n" << i << "  return MODELC_ERROR_NULL_ARGUMENT;\n"
     << i << "if ((uintptr_t)file % 64 != 0)\n"
     << i << "  return MODELC_ERROR_MISALIGNED;\n"
     << i << "if (weights_bytes != " << upper << "_WEIGHTS_FILE_BYTES)\n"
     << i << "  return MODELC_ERROR_SIZE_MISMATCH;\n"
     << i << "for (byte = 7; byte >= 0; --byte) {\n"
     << i << "  hash = (hash << 8) | file[8 + byte];\n"
     << i << "  payload = (payload << 8) | file[16 + byte];\n"
     << i << "}\n"
     << i << "if (memcmp(file, \"MODELCW1\", 8) != 0 || hash != " << upper
     << "_MODEL_HASH ||\n"
     << i << "    payload != " << upper << "_WEIGHTS_BYTES)\n"
     << i << "  return MODELC_ERROR_BAD_WEIGHTS;\n";
}

llvm::Expected<func::FuncOp> getArtifactFunction(ModuleOp module,
                                                 llvm::StringRef name) {
  if (name.empty() ||
      !llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }) ||
      llvm::isDigit(name.front()))
    return llvm::createStringError("--name '" + name +
                                   "' is not a C identifier");
  for (auto func : module.getOps<func::FuncOp>())
    return func;
  return llvm::createStringError("the module has no function to emit");
}

void writeHeaderOpening(llvm::raw_ostream &os, llvm::StringRef guard,
                        llvm::StringRef upper, uint64_t modelHash) {
  os << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stddef.h>\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  writeAbiTypes(os);
  os << "#define " << upper << "_ABI_VERSION 2\n"
     << "/* FNV-1a hash of the model file and of the flags that shaped this "
        "artifact. */\n"
     << "#define " << upper << "_MODEL_HASH UINT64_C(0x"
     << llvm::format_hex_no_prefix(modelHash, 16) << ")\n";
}

} // namespace modelc::codegen
