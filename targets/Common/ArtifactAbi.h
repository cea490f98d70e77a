//===- ArtifactAbi.h - What every modelc artifact header shares -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The status and dtype enums and the tensor descriptor are one ABI across
// targets, so a C model and a CUDA model link into one program.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_ARTIFACTABI_H
#define MODELC_TARGETS_COMMON_ARTIFACTABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace modelc::codegen {

/// ONNX's number for an element type (TensorProto.DataType).
int onnxDataType(mlir::Type type);

/// The modelc_dtype enumerator of an ONNX data type number.
const char *dtypeEnumName(int dataType);

/// Bytes of a ranked tensor value.
int64_t tensorBytes(mlir::Value value);

/// "float[1, 3, 224, 224]", for comments.
std::string shapeComment(mlir::Value value);

/// The ABI-version-guarded enums, descriptor and callback types.
void writeAbiTypes(llvm::raw_ostream &os);

/// What every artifact header has after its comment: the include guard
/// `guard`, the includes, extern "C", the ABI types, `<UPPER>_ABI_VERSION`
/// and `<UPPER>_MODEL_HASH`.
void writeHeaderOpening(llvm::raw_ostream &os, llvm::StringRef guard,
                        llvm::StringRef upper, uint64_t modelHash);

/// `const char *<name>_status_string(modelc_status)`.
void writeStatusStringFunction(llvm::raw_ostream &os, llvm::StringRef name);

/// One input or output as its descriptor describes it.
struct TensorPort {
  std::string name;
  mlir::Type element; ///< the caller's element type
  llvm::ArrayRef<int64_t> shape;
  int64_t bytes;
  /// A quantized tensor's parameters (1 and 0 for others).
  float scale = 1.0f;
  int64_t zeroPoint = 0;
};

/// The dims arrays and `<linkage>const modelc_tensor_desc <name>_<kind>s[]`.
void writeTensorDescriptors(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef kind,
                            llvm::ArrayRef<TensorPort> ports,
                            llvm::StringRef linkage = "");

/// Statements that validate an external weights file at `file` (a
/// `const unsigned char *`) of size `weights_bytes` against the header's
/// macros, returning a status on a mismatch.
void writeExternalWeightsCheck(llvm::raw_ostream &os, llvm::StringRef upper,
                               llvm::StringRef indent);

/// The function an artifact is made of, after checking that `name` is a C
/// identifier.
llvm::Expected<mlir::func::FuncOp> getArtifactFunction(mlir::ModuleOp module,
                                                       llvm::StringRef name);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_ARTIFACTABI_H
