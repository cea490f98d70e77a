//===- DispatchWriter.h - The writer behind DispatchEmitter -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Private to targets/C: the class that writes one dispatch's C function,
// whose parts live in DispatchEmitter.cpp (the driver, the anchor switch and
// the helpers below), DispatchLoops.cpp (elementwise loop nests and
// reductions), LibraryCallEmitters.cpp (conv, matmul, pooling, softmax,
// layer norm, conv-transpose), QuantizedCallEmitters.cpp (8-bit conv and
// matmul) and SequentialKernels.cpp (arg-reduce, scan, top-k, hardmax,
// scatter, concat).
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_DISPATCHWRITER_H
#define MODELC_TARGETS_C_DISPATCHWRITER_H

#include "DispatchEmitter.h"

#include "targets/Common/CSyntax.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

namespace modelc::c_target::detail {

mlir::RankedTensorType tensorType(mlir::Value value);

/// "node 'X': <message> (C target)", or the op's name where no ONNX node is
/// recorded.
llvm::Error opError(mlir::Operation *op, const llvm::Twine &message);

/// A tensor seen as [outer, length, inner] around one axis: the shape every
/// along-an-axis kernel (softmax, cumsum, arg-reductions, top-k) walks.
struct AxisView {
  int64_t outer, length, inner;
};

AxisView viewAroundAxis(llvm::ArrayRef<int64_t> shape, int64_t axis);

/// The geometry fields of mk_conv2d_params, which mk_qconv2d_params shares
/// (designated initializers, without the closing brace).
void writeConvGeometry(llvm::raw_ostream &os, mlir::Value input,
                       mlir::Value weight, mlir::Value result,
                       llvm::ArrayRef<int64_t> strides,
                       llvm::ArrayRef<int64_t> pads,
                       llvm::ArrayRef<int64_t> dilations, int64_t group);

/// Emits the body of one dispatch function.
class DispatchWriter {
public:
  DispatchWriter(mlir::modelc::kernel::DispatchOp dispatch,
                 llvm::raw_ostream &os, std::set<RuntimeKernel> &kernels)
      : dispatch_(dispatch), os_(os), kernels_(kernels) {}

  llvm::Expected<DispatchSignature> run();

private:
  llvm::Error emitAnchor(mlir::Operation *anchor);
  std::string pointer(mlir::Value value) const {
    return pointers_.lookup(value);
  }
  std::string elementType(mlir::Value value) const {
    return codegen::cElementType(tensorType(value).getElementType());
  }

  // DispatchLoops.cpp
  llvm::Error emitElementwise(mlir::linalg::GenericOp generic);
  llvm::Error emitReduction(mlir::linalg::GenericOp generic);

  // LibraryCallEmitters.cpp
  llvm::Error emitConv(mlir::modelc::kernel::ConvOp op);
  void emitIntegerConv(mlir::modelc::kernel::ConvOp op);
  llvm::Error emitMatMul(mlir::modelc::kernel::MatMulOp op);
  llvm::Error emitPool(mlir::modelc::kernel::PoolOp op);
  void emitSoftmax(mlir::modelc::kernel::SoftmaxOp op);
  void emitLogSoftmax(mlir::modelc::kernel::SoftmaxOp op);
  void emitLayerNorm(mlir::modelc::kernel::LayerNormOp op);
  void emitConvTranspose(mlir::modelc::kernel::ConvTransposeOp op);

  llvm::Error emitQuantizedConv(mlir::modelc::kernel::QuantizedConvOp op);
  llvm::Error emitQuantizedMatMul(mlir::modelc::kernel::QuantizedMatMulOp op);
  /// Whether the plan gave this dispatch resident space for its weights.
  bool hasPackedWeights() {
    return dispatch_.getResidentBytes().has_value();
  }
  /// Makes the dispatch read `weight` (a block argument) pre-packed: writes
  /// `<name>_pack`, whose body is `packCall` on `weight` and `packed`, and
  /// records it and `packedNeed` in the signature.
  void usePackedWeight(mlir::Value weight, llvm::StringRef packCall,
                       llvm::StringRef packedNeed);

  // QuantizedCallEmitters.cpp
  /// Declares `epilogue`, the mk_qgemm_epilogue of `op`'s output stage.
  void emitQuantizedEpilogue(mlir::Operation *op, mlir::Value multiplier,
                             int64_t outputZeroPoint);

  // SequentialKernels.cpp
  void emitArgReduce(mlir::modelc::kernel::ArgReduceOp op);
  void emitCumSum(mlir::modelc::kernel::ScanOp op);
  void emitTopK(mlir::modelc::kernel::TopKOp op);
  void emitHardmax(mlir::modelc::kernel::HardmaxOp op);
  void emitScatterElements(mlir::modelc::kernel::ScatterElementsOp op);
  void emitScatterND(mlir::modelc::kernel::ScatterNDOp op);
  void emitConcat(mlir::tensor::ConcatOp op);

  mlir::modelc::kernel::DispatchOp dispatch_;
  llvm::raw_ostream &os_;
  std::set<RuntimeKernel> &kernels_;
  /// The C pointer expression of each block argument and of the result.
  llvm::DenseMap<mlir::Value, std::string> pointers_;
  /// The C scalar name (or literal) of each value inside a loop body.
  llvm::DenseMap<mlir::Value, std::string> scalars_;
  DispatchSignature signature_;
  /// File-scope definitions the function uses (kernel parameter blocks).
  std::string statics_;
  unsigned nextScalar_ = 0;
};

} // namespace modelc::c_target::detail

#endif // MODELC_TARGETS_C_DISPATCHWRITER_H
