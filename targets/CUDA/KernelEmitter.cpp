//===- KernelEmitter.cpp - CUDA kernels of one kernel.dispatch ------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Three kernel shapes cover the dispatches:
//   - per-element: one thread per output element computes the anchor's value
//     (a gather of some input elements, a window or a reduction), then the
//     fused elementwise epilogue, and stores once;
//   - per-row: one block per row for softmax, log-softmax and layer norm, with
//     block-wide reductions, the epilogue fused into the final store;
//   - 8-bit products: dp4a tiles (QuantizedKernels.cpp) whose store applies
//     the output stage and the epilogue;
//   - library: cuBLASLt or cuDNN writes the anchor's result into the output,
//     then one per-element kernel applies bias and epilogue in place.
// Offsets are closed-form expressions of the flat output index with
// compile-time constants, so nvcc strength-reduces every division.
//
//===----------------------------------------------------------------------===//

#include "KernelWriter.h"

#include "modelc/IR/TensorData.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/DispatchBody.h"
#include "targets/Common/LoopBody.h"
#include "targets/Common/ScalarExpression.h"
#include "targets/Common/StridedView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

std::string storageTypeName(Type element) {
  if (element.isF16())
    return "__half";
  if (element.isBF16())
    return "__nv_bfloat16";
  return cElementType(element);
}

std::string registerTypeName(Type element) {
  if (element.isF16() || element.isBF16() || element.isF32())
    return "float";
  return cElementType(element);
}

const char *libraryType(Type element) {
  if (element.isF16())
    return "MC_F16";
  if (element.isBF16())
    return "MC_BF16";
  return "MC_F32";
}

namespace detail {

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static std::string where(Operation *op) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  return names.empty() ? op->getName().getStringRef().str()
                       : "node '" + names.front() + "'";
}

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  return llvm::createStringError(where(op) + ": " + message + " (cuda target)");
}

std::string offsetExpression(ArrayRef<int64_t> shape, ArrayRef<int64_t> strides,
                             llvm::StringRef flat) {
  struct Dim {
    int64_t size, stride;
  };
  SmallVector<Dim> dims;
  for (auto [size, stride] : llvm::zip(shape, strides))
    if (size != 1)
      dims.push_back({size, stride});
  SmallVector<Dim> merged;
  for (Dim dim : dims) {
    if (!merged.empty() && merged.back().stride == dim.stride * dim.size) {
      merged.back() = {merged.back().size * dim.size, dim.stride};
      continue;
    }
    merged.push_back(dim);
  }
  std::string expr;
  int64_t inner = 1;
  for (size_t d = merged.size(); d-- > 0;) {
    Dim dim = merged[d];
    if (dim.stride != 0) {
      std::string coord = inner == 1 ? flat.str()
                                     : "(" + flat.str() + " / " +
                                           std::to_string(inner) + ")";
      if (d != 0)
        coord = "(" + coord + " % " + std::to_string(dim.size) + ")";
      if (dim.stride != 1)
        coord += " * " + std::to_string(dim.stride);
      expr = expr.empty() ? coord : coord + " + " + expr;
    }
    inner *= dim.size;
  }
  return expr.empty() ? "0" : expr;
}

std::string coordinate(ArrayRef<int64_t> shape, size_t d, llvm::StringRef flat) {
  int64_t inner = computeProduct(shape.drop_front(d + 1));
  std::string coord =
      inner == 1 ? flat.str()
                 : "(" + flat.str() + " / " + std::to_string(inner) + ")";
  if (d != 0)
    coord = "(" + coord + " % " + std::to_string(shape[d]) + ")";
  return coord;
}

/// Integer matrix products and convolutions have no cuBLASLt or cuDNN call
/// that is exact for every K; they run as one thread per output element.
static bool isIntegerProduct(Operation *op) {
  return isa<kernel::MatMulOp, kernel::ConvOp>(op) &&
         cast<RankedTensorType>(op->getResult(0).getType())
             .getElementType()
             .isInteger(32);
}

bool isLibraryAnchor(Operation *op) {
  return isa<kernel::MatMulOp, kernel::ConvOp>(op) && !isIntegerProduct(op);
}

bool isRowAnchor(Operation *op) {
  return isa<kernel::SoftmaxOp, kernel::LayerNormOp>(op);
}

bool isReduction(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && !isParallelLoopNest(generic);
}

bool isElementAnchor(Operation *op) {
  return isa<tensor::ConcatOp, kernel::PoolOp, kernel::ArgReduceOp,
             kernel::ScanOp, kernel::HardmaxOp, kernel::ConvTransposeOp>(op) ||
         isReduction(op) || isIntegerProduct(op);
}

/// Emits the kernels and host function of one dispatch.

std::string KernelWriter::kernelParams() {
  std::string params;
  Block &body = dispatch_.getBodyBlock();
  for (auto [i, arg] : llvm::enumerate(body.getArguments()))
    params += (params.empty() ? "const " : ", const ") + storageType(arg) +
              " *in" + std::to_string(i);
  for (auto [i, value] : llvm::enumerate(dispatch_.getYield().getValues()))
    params += (params.empty() ? "" : ", ") + storageType(value) + " *out" +
              std::to_string(i);
  return params;
}

std::string KernelWriter::kernelArgs() {
  std::string args;
  unsigned inputs = dispatch_.getBodyBlock().getNumArguments();
  for (unsigned i = 0; i < inputs; ++i)
    args += (args.empty() ? "in" : ", in") + std::to_string(i);
  for (unsigned i = 0; i < dispatch_.getYield().getValues().size(); ++i)
    args += (args.empty() ? "out" : ", out") + std::to_string(i);
  return args;
}

llvm::Error KernelWriter::writeTail(llvm::raw_ostream &os,
                                    const std::string &indent,
                                    const std::string &flat,
                                    const std::string &anchorValue) {
  ValueRange yielded = dispatch_.getYield().getValues();
  if (!elementwise_) {
    // The anchor's value is the result.
    for (auto [i, value] : llvm::enumerate(yielded))
      os << indent << "mc_store(out" << i << ", " << flat << ", "
         << anchorValue << ");\n";
    return llvm::Error::success();
  }
  SmallVector<int64_t> shape = elementwise_.getStaticLoopRanges();
  if (tensorType(yielded.front()).getShape() != ArrayRef<int64_t>(shape))
    return opError(dispatch_, "results of different shapes");
  Block &loop = elementwise_.getRegion().front();
  unsigned numInputs = elementwise_.getNumDpsInputs();
  llvm::DenseMap<Value, std::string> scalars;
  unsigned next = 0;
  for (auto [k, arg] : llvm::enumerate(loop.getArguments())) {
    if (arg.use_empty())
      continue;
    if (k >= numInputs)
      return opError(elementwise_, "loop body reads its output");
    OpOperand *operand = elementwise_.getDpsInputOperand(k);
    Value value = operand->get();
    if (anchor_ && value.getDefiningOp() == anchor_) {
      scalars[arg] = anchorValue;
      continue;
    }
    std::optional<OperandRead> read =
        getOperandRead(value, elementwise_.getMatchingIndexingMap(operand));
    if (!read)
      return opError(elementwise_, "indexing map is not a strided read");
    if (!pointers_.count(read->memory))
      return opError(elementwise_, "operand has no memory");
    std::string offset = offsetExpression(shape, read->view.strides, flat);
    if (read->view.base)
      offset = std::to_string(read->view.base) + " + " + offset;
    std::string name = "v" + std::to_string(next++);
    os << indent << "const " << registerType(value) << " " << name << " = "
       << load(read->memory, offset) << ";\n";
    scalars[arg] = name;
  }
  ScalarSpelling spelling;
  spelling.targetName = "cuda";
  spelling.halfInFloatRegisters = true;
  spelling.loopIndex = [&](unsigned dim) {
    return "(int64_t)(" + coordinate(shape, dim, flat) + ")";
  };
  spelling.loadElement = [&](Value tensor, const std::string &offset) {
    return load(tensor, offset);
  };
  bool usesHalf = false;
  if (llvm::Error err = writeLoopBody(loop, os, indent, scalars, next, spelling,
                                      usesHalf))
    return err;
  auto yield = cast<linalg::YieldOp>(loop.getTerminator());
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    os << indent << "mc_store(out" << i << ", " << flat << ", "
       << scalars.lookup(value) << ");\n";
  return llvm::Error::success();
}

llvm::Error KernelWriter::writeElementKernel(
    const std::string &kernel, int64_t count,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &, const std::string &)>
        body,
    bool hasAnchorValue) {
  if (count == 0)
    return llvm::Error::success();
  std::string code;
  llvm::raw_string_ostream os(code);
  const char *index = indexType(count);
  os << "static __global__ void __launch_bounds__(256) " << kernel << "("
     << kernelParams() << ")\n{\n"
     << "  const " << index << " i = (" << index
     << ")blockIdx.x * blockDim.x + threadIdx.x;\n"
     << "  if (i >= " << count << ")\n    return;\n";
  if (llvm::Error err = body(os, "i"))
    return err;
  if (llvm::Error err = writeTail(os, "  ", "i", hasAnchorValue ? "a" : ""))
    return err;
  os << "}\n\n";
  device_ += code;
  launches_ += "  " + kernel + "<<<" + std::to_string((count + 255) / 256) +
               ", 256, 0, stream>>>(" + kernelArgs() + ");\n";
  return llvm::Error::success();
}

llvm::Expected<DispatchCode> KernelWriter::run() {
  llvm::Expected<DispatchBody> parts = splitDispatchBody(dispatch_);
  if (!parts)
    return parts.takeError();
  anchor_ = parts->anchor;
  elementwise_ = parts->elementwise;
  Block &body = dispatch_.getBodyBlock();
  for (auto [i, arg] : llvm::enumerate(body.getArguments()))
    pointers_[arg] = "in" + std::to_string(i);
  for (auto [i, value] : llvm::enumerate(dispatch_.getYield().getValues()))
    pointers_[value] = "out" + std::to_string(i);
  ValueRange yielded = dispatch_.getYield().getValues();
  int64_t count = tensorType(yielded.front()).getNumElements();

  if (!anchor_) {
    if (llvm::Error err = writeElementKernel(
            name_ + "_elementwise", count,
            [](llvm::raw_ostream &, const std::string &) {
              return llvm::Error::success();
            },
            /*hasAnchorValue=*/false))
      return std::move(err);
  } else if (isElementAnchor(anchor_)) {
    if (llvm::Error err = writeElementKernel(
            name_ + "_" +
                (isReduction(anchor_) ? std::string("reduce")
                                      : anchor_->getName().stripDialect().str()),
            count,
            [&](llvm::raw_ostream &os, const std::string &i) {
              return writeElementAnchor(os, anchor_, i);
            },
            /*hasAnchorValue=*/true))
      return std::move(err);
  } else if (isRowAnchor(anchor_)) {
    if (llvm::Error err = writeRowKernel(anchor_))
      return std::move(err);
  } else if (isSequentialAnchor(anchor_)) {
    if (llvm::Error err = writeSequentialKernel(anchor_))
      return std::move(err);
  } else if (isQuantizedProduct(anchor_)) {
    if (llvm::Error err = writeQuantizedProduct(anchor_))
      return std::move(err);
  } else if (isLibraryAnchor(anchor_)) {
    Value result = anchor_->getResult(0);
    if (yielded.size() != 1 ||
        storageType(result) != storageType(yielded.front()) ||
        tensorType(result).getShape() != tensorType(yielded.front()).getShape())
      return opError(anchor_, "the epilogue changes the result's type or "
                              "shape");
    if (llvm::Error err = writeLibraryCall(anchor_))
      return std::move(err);
    // Bias and epilogue run in place over the library's result.
    std::string bias;
    if (auto conv = dyn_cast<kernel::ConvOp>(anchor_); conv && conv.getBias()) {
      ArrayRef<int64_t> shape = conv.getType().getShape();
      bias = " + " + load(conv.getBias(),
                          "(i / " + std::to_string(shape[2] * shape[3]) +
                              ") % " + std::to_string(shape[1]));
    }
    if (!bias.empty() || elementwise_) {
      if (llvm::Error err = writeElementKernel(
              name_ + "_epilogue", count,
              [&](llvm::raw_ostream &os, const std::string &i) {
                os << "  const float a = mc_load(out0, " << i << ")" << bias
                   << ";\n";
                return llvm::Error::success();
              },
              /*hasAnchorValue=*/true))
        return std::move(err);
    }
  } else {
    return opError(anchor_, unsupportedReason(dispatch_));
  }

  DispatchCode code;
  std::vector<std::string> names = onnxNodeNames(dispatch_.getLoc());
  std::string comment = "/* " + name_;
  if (!names.empty())
    comment += std::string(": from ONNX node") + (names.size() == 1 ? "" : "s");
  for (auto [i, name] : llvm::enumerate(names))
    comment += (i ? ", " : " ") + commentSafe(name);
  comment += " */\n";
  code.device = comment + device_;
  code.usesQuantizedProducts = usesQuantizedProducts_;
  std::string params;
  for (auto [i, arg] : llvm::enumerate(body.getArguments()))
    params += ", const " + storageType(arg) + " *in" + std::to_string(i);
  for (auto [i, value] : llvm::enumerate(yielded))
    params += ", " + storageType(value) + " *out" + std::to_string(i);
  code.host = "static int " + name_ + "(" + contextType_ +
              " *ctx, cudaStream_t stream" + params + ")\n{\n" +
              (launches_.find("ctx->") == std::string::npos ? "  (void)ctx;\n"
                                                            : "") +
              launches_ + "  return 0;\n}\n\n";
  return code;
}

} // namespace detail

std::string unsupportedReason(kernel::DispatchOp dispatch) {
  using namespace detail;
  llvm::Expected<DispatchBody> parts = splitDispatchBody(dispatch);
  if (!parts)
    return llvm::toString(parts.takeError());
  Operation *anchor = parts->anchor;
  if (!anchor)
    return "";
  auto isLibraryFloat = [](Type element) {
    return element.isF32() || element.isF16() || element.isBF16();
  };
  if (auto conv = dyn_cast<kernel::ConvTransposeOp>(anchor)) {
    // The per-element kernel accumulates in float registers.
    if (conv.getType().getRank() != 4)
      return "only 2-D transposed convolutions are supported by the cuda "
             "target";
    if (!isLibraryFloat(conv.getType().getElementType()))
      return "only float transposed convolutions are supported by the cuda "
             "target";
    return "";
  }
  if (isElementAnchor(anchor) || isRowAnchor(anchor) ||
      isSequentialAnchor(anchor) || isQuantizedProduct(anchor))
    return "";
  if (auto matmul = dyn_cast<kernel::MatMulOp>(anchor)) {
    if (!isLibraryFloat(matmul.getType().getElementType()))
      return "matmul of this type is not supported by the cuda target yet";
    return "";
  }
  if (auto conv = dyn_cast<kernel::ConvOp>(anchor)) {
    ArrayRef<int64_t> p = conv.getPads();
    if (conv.getType().getRank() != 4)
      return "only 2-D convolutions are supported by the cuda target";
    if (p[0] != p[2] || p[1] != p[3])
      return "asymmetric convolution padding is not supported by the cuda "
             "target yet";
    if (!isLibraryFloat(conv.getType().getElementType()))
      return "only float convolutions are supported by the cuda target";
    return "";
  }
  return "op '" + anchor->getName().stripDialect().str() +
         "' is not supported by the cuda target yet";
}

llvm::Expected<DispatchCode>
emitDispatchKernels(kernel::DispatchOp dispatch,
                    const std::string &contextType, bool allowTf32,
                    LibraryPlans &plans) {
  detail::KernelWriter writer(dispatch, contextType, allowTf32, plans);
  return writer.run();
}

} // namespace modelc::cuda_target