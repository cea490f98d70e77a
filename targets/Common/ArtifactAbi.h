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

#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"
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

/// `const char *<name>_status_string(modelc_status)`.
void writeStatusStringFunction(llvm::raw_ostream &os, llvm::StringRef name);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_ARTIFACTABI_H
