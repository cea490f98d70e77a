//===- DispatchEmitter.cpp - One C function per kernel.dispatch -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The driver of the C target's dispatch translation: run() names the
// parameters, emits the anchor through the switch below (which hands each
// anchor op to its emitter in LibraryCallEmitters.cpp, SequentialKernels.cpp
// or, for a reduction, DispatchLoops.cpp), then the elementwise chain in
// place, and writes the function under its comment. Also the helpers that
// those files share.
//
//===----------------------------------------------------------------------===//

#include "DispatchEmitter.h"

#include "DispatchWriter.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/DispatchBody.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target::detail {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  std::string where = names.empty() ? op->getName().getStringRef().str()
                                    : "node '" + names.front() + "'";
  return llvm::createStringError(where + ": " + message + " (C target)");
}

AxisView viewAroundAxis(ArrayRef<int64_t> shape, int64_t axis) {
  return {computeProduct(shape.take_front(axis)), shape[axis],
          computeProduct(shape.drop_front(axis + 1))};
}

void DispatchWriter::usePackedWeight(Value weight, llvm::StringRef packCall,
                                     llvm::StringRef packedNeed) {
  signature_.packedInput =
      static_cast<int>(cast<BlockArgument>(weight).getArgNumber());
  signature_.packedNeed = packedNeed.str();
  llvm::raw_string_ostream statics(statics_);
  statics << "/* Packs the weights of " << dispatch_.getName()
          << " for the SIMD path compiled in; init calls it once. */\n"
          << "static void " << dispatch_.getName()
          << "_pack(const mk_exec *ex, const " << elementType(weight)
          << " *weight, void *packed)\n{\n  " << packCall << "\n}\n";
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

llvm::Expected<DispatchSignature> DispatchWriter::run() {
  Block &body = dispatch_.getBodyBlock();

  llvm::Expected<DispatchBody> parts = splitDispatchBody(dispatch_);
  if (!parts)
    return parts.takeError();
  Operation *anchor = parts->anchor;
  linalg::GenericOp elementwise = parts->elementwise;

  // Parameters: inputs, then the result; all element types must be known.
  std::string params;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    std::string type = elementType(arg);
    if (type.empty())
      return opError(dispatch_, "element type not supported");
    pointers_[arg] = "in" + std::to_string(i);
    params += ", const " + type + " *in" + std::to_string(i);
  }
  for (auto [i, value] : llvm::enumerate(dispatch_.getYield().getValues())) {
    std::string outType = elementType(value);
    if (outType.empty())
      return opError(dispatch_, "element type not supported");
    std::string name = "out" + std::to_string(i);
    params += ", " + outType + " *" + name;
    pointers_[value] = name;
  }
  if (anchor)
    for (auto [i, value] : llvm::enumerate(anchor->getResults()))
      if (!pointers_.count(value))
        pointers_[value] = "out" + std::to_string(i);

  std::string code;
  {
    llvm::raw_string_ostream body(code);
    DispatchWriter inner(dispatch_, body, kernels_);
    inner.pointers_ = pointers_;
    if (anchor)
      if (llvm::Error err = inner.emitAnchor(anchor))
        return std::move(err);
    if (elementwise)
      if (llvm::Error err = inner.emitElementwise(elementwise))
        return std::move(err);
    signature_ = inner.signature_;
    statics_ = inner.statics_;
  }

  std::string prefix;
  if (signature_.usesExec)
    prefix += "const mk_exec *ex";
  std::string all = prefix + params;
  if (prefix.empty())
    all = all.substr(2);
  if (signature_.packedInput >= 0)
    all += ", const void *packed";
  if (signature_.usesScratch)
    all += ", void *scratch";

  std::vector<std::string> names = onnxNodeNames(dispatch_.getLoc());
  os_ << "/* " << dispatch_.getName() << ": from ONNX node"
      << (names.size() == 1 ? "" : "s");
  for (auto [i, name] : llvm::enumerate(names))
    os_ << (i ? ", " : " ") << commentSafe(name);
  os_ << " */\n" << statics_;
  os_ << "static void " << dispatch_.getName() << "(" << all << ")\n{\n"
      << code << "}\n\n";
  return signature_;
}

//===----------------------------------------------------------------------===//
// Anchors
//===----------------------------------------------------------------------===//

llvm::Error DispatchWriter::emitAnchor(Operation *anchor) {
  Type elementType = tensorType(anchor->getResult(0)).getElementType();
  // Pools check their own types: max pools also take 8-bit values.
  bool needsF32 = isa<kernel::ConvOp, kernel::ConvTransposeOp, kernel::MatMulOp,
                      kernel::SoftmaxOp, kernel::LayerNormOp>(anchor);
  bool integerProduct = isa<kernel::MatMulOp, kernel::ConvOp>(anchor) &&
                        elementType.isInteger(32);
  if (needsF32 && !elementType.isF32() && !integerProduct)
    return opError(anchor, "only float32 is supported for " +
                               anchor->getName().stripDialect());
  if (auto generic = dyn_cast<linalg::GenericOp>(anchor))
    return emitReduction(generic);
  return llvm::TypeSwitch<Operation *, llvm::Error>(anchor)
      .Case([&](kernel::ConvOp op) { return emitConv(op); })
      .Case([&](kernel::MatMulOp op) { return emitMatMul(op); })
      .Case([&](kernel::QuantizedConvOp op) { return emitQuantizedConv(op); })
      .Case([&](kernel::QuantizedMatMulOp op) {
        return emitQuantizedMatMul(op);
      })
      .Case([&](kernel::PoolOp op) { return emitPool(op); })
      .Case([&](kernel::ArgReduceOp op) {
        emitArgReduce(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::SoftmaxOp op) {
        if (op.getLog())
          emitLogSoftmax(op);
        else
          emitSoftmax(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::LayerNormOp op) {
        emitLayerNorm(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::ScatterElementsOp op) {
        emitScatterElements(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::ScatterNDOp op) {
        emitScatterND(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::TopKOp op) {
        emitTopK(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::ConvTransposeOp op) {
        emitConvTranspose(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::ScanOp op) {
        emitCumSum(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::HardmaxOp op) {
        emitHardmax(op);
        return llvm::Error::success();
      })
      .Case([&](tensor::ConcatOp op) {
        emitConcat(op);
        return llvm::Error::success();
      })
      .Default([&](Operation *op) {
        return opError(op, "op '" + op->getName().getStringRef() +
                               "' is not supported");
      });
}

} // namespace modelc::c_target::detail

namespace modelc::c_target {

llvm::Expected<DispatchSignature>
emitDispatchFunction(kernel::DispatchOp dispatch, llvm::raw_ostream &os,
                     std::set<RuntimeKernel> &kernels) {
  detail::DispatchWriter writer(dispatch, os, kernels);
  return writer.run();
}

} // namespace modelc::c_target
