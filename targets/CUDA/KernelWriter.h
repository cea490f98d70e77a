//===- KernelWriter.h - The writer behind KernelEmitter ---------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Private to targets/CUDA: the class that writes one dispatch's kernels, whose
// parts live in KernelEmitter.cpp (the driver and the fused epilogue),
// ElementKernels.cpp (one thread per output element), RowKernels.cpp (one
// block per row), SequentialKernels.cpp (top-k and scatters, in the C
// target's order), QuantizedKernels.cpp (8-bit products as dp4a tiles) and
// LibraryCalls.cpp (cuBLASLt and cuDNN).
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_CUDA_KERNELWRITER_H
#define MODELC_TARGETS_CUDA_KERNELWRITER_H

#include "KernelEmitter.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>
#include <string>

namespace modelc::cuda_target::detail {

mlir::RankedTensorType tensorType(mlir::Value value);

/// "node 'X': <message> (cuda target)".
llvm::Error opError(mlir::Operation *op, const llvm::Twine &message);

/// `flat` decomposed over `shape` and re-addressed with `strides`: the
/// element offset of one operand at a flat output index. Unit dimensions are
/// dropped and dimensions an operand walks contiguously are merged, so the
/// common cases are `i`, `0` or one division.
std::string offsetExpression(llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> strides,
                             llvm::StringRef flat);

/// A C expression of coordinate `d` of `flat` over `shape`.
std::string coordinate(llvm::ArrayRef<int64_t> shape, size_t d,
                       llvm::StringRef flat);

bool isLibraryAnchor(mlir::Operation *op);
bool isRowAnchor(mlir::Operation *op);
bool isReduction(mlir::Operation *op);
bool isElementAnchor(mlir::Operation *op);
/// kernel.quantized_conv and kernel.quantized_matmul.
bool isQuantizedProduct(mlir::Operation *op);
/// kernel.top_k and the scatters (SequentialKernels.cpp).
bool isSequentialAnchor(mlir::Operation *op);

/// Emits the kernels and host function of one dispatch.
class KernelWriter {
public:
  KernelWriter(mlir::modelc::kernel::DispatchOp dispatch,
               const std::string &contextType, bool allowTf32,
               LibraryPlans &plans)
      : dispatch_(dispatch), contextType_(contextType),
        allowTf32_(allowTf32), plans_(plans),
        name_(dispatch.getName().str()) {}

  llvm::Expected<DispatchCode> run();

private:
  std::string storageType(mlir::Value value) const {
    return storageTypeName(tensorType(value).getElementType());
  }
  std::string registerType(mlir::Value value) const {
    return registerTypeName(tensorType(value).getElementType());
  }
  /// Loads element `offset` of a dispatch operand into a register.
  std::string load(mlir::Value value, const std::string &offset) const {
    return "mc_load(" + pointers_.lookup(value) + ", " + offset + ")";
  }

  /// The kernel parameter list: inputs, then outputs.
  std::string kernelParams();
  std::string kernelArgs();
  /// The index type of a kernel over `count` elements (int where it fits).
  static const char *indexType(int64_t count) {
    return count < std::numeric_limits<int>::max() / 2 ? "int" : "long long";
  }

  /// Loads, elementwise chain and stores of output element `flat`, with
  /// `anchorValue` standing for the anchor's result (none: no anchor).
  llvm::Error writeTail(llvm::raw_ostream &os, const std::string &indent,
                        const std::string &flat, const std::string &anchorValue);
  /// A one-thread-per-output kernel; `body` writes statements that leave the
  /// anchor's value in register `a` (nothing for a pure elementwise chain).
  llvm::Error writeElementKernel(
      const std::string &kernel, int64_t count,
      llvm::function_ref<llvm::Error(llvm::raw_ostream &, const std::string &)>
          body,
      bool hasAnchorValue);

  llvm::Error writeElementAnchor(llvm::raw_ostream &os, mlir::Operation *anchor,
                                 const std::string &index);
  llvm::Error writeReduction(llvm::raw_ostream &os, mlir::linalg::GenericOp generic,
                             const std::string &index);
  void writePool(llvm::raw_ostream &os, mlir::modelc::kernel::PoolOp op, bool max,
                 const std::string &index);
  llvm::Error writeRowKernel(mlir::Operation *anchor);
  /// Top-k as one thread per row; a scatter as a copy, a one-thread update
  /// pass and the epilogue in place.
  llvm::Error writeSequentialKernel(mlir::Operation *anchor);
  llvm::Error writeLibraryCall(mlir::Operation *anchor);
  /// A dp4a tile kernel, or one thread per output for small products, with
  /// the output stage and epilogue fused into the store.
  llvm::Error writeQuantizedProduct(mlir::Operation *anchor);

  mlir::modelc::kernel::DispatchOp dispatch_;
  const std::string &contextType_;
  bool allowTf32_;
  LibraryPlans &plans_;
  std::string name_;

  mlir::Operation *anchor_ = nullptr;
  mlir::linalg::GenericOp elementwise_;
  /// Kernel parameter name of each block argument and yielded value.
  llvm::DenseMap<mlir::Value, std::string> pointers_;
  std::string device_, launches_;
  bool usesQuantizedProducts_ = false;
};

} // namespace modelc::cuda_target::detail

#endif // MODELC_TARGETS_CUDA_KERNELWRITER_H
