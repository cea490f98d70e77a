//===- DispatchEmitter.cpp - One C function per kernel.dispatch -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "DispatchEmitter.h"

#include "LoopNest.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/DispatchBody.h"
#include "targets/Common/GemmShape.h"
#include "targets/Common/LoopBody.h"
#include "targets/Common/ReductionNest.h"
#include "targets/Common/ScalarExpression.h"
#include "targets/Common/StridedView.h"
#include "modelc/IR/TensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::c_target {
using namespace ::modelc::codegen;
namespace {

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  std::string where = names.empty() ? op->getName().getStringRef().str()
                                    : "node '" + names.front() + "'";
  return llvm::createStringError(where + ": " + message + " (C target)");
}

/// A tensor seen as [outer, length, inner] around one axis: the shape every
/// along-an-axis kernel (softmax, cumsum, arg-reductions, top-k) walks.
struct AxisView {
  int64_t outer, length, inner;
};

AxisView viewAroundAxis(ArrayRef<int64_t> shape, int64_t axis) {
  return {computeProduct(shape.take_front(axis)), shape[axis],
          computeProduct(shape.drop_front(axis + 1))};
}

/// Emits the body of one dispatch function.
class DispatchWriter {
public:
  DispatchWriter(kernel::DispatchOp dispatch, llvm::raw_ostream &os,
                 std::set<RuntimeKernel> &kernels)
      : dispatch_(dispatch), os_(os), kernels_(kernels) {}

  llvm::Expected<DispatchSignature> run();

private:
  llvm::Error emitAnchor(Operation *anchor);
  llvm::Error emitElementwise(mlir::linalg::GenericOp generic);
  std::string pointer(Value value) const { return pointers_.lookup(value); }
  std::string elementType(Value value) const {
    return cElementType(tensorType(value).getElementType());
  }

  llvm::Error emitConv(kernel::ConvOp op);
  void emitIntegerConv(kernel::ConvOp op);
  llvm::Error emitMatMul(kernel::MatMulOp op);
  llvm::Error emitPool(kernel::PoolOp op);
  llvm::Error emitReduction(mlir::linalg::GenericOp generic);
  void emitArgReduce(kernel::ArgReduceOp op);
  void emitSoftmax(kernel::SoftmaxOp op);
  void emitLayerNorm(kernel::LayerNormOp op);
  void emitLogSoftmax(kernel::SoftmaxOp op);
  void emitCumSum(kernel::ScanOp op);
  void emitConvTranspose(kernel::ConvTransposeOp op);
  void emitTopK(kernel::TopKOp op);
  void emitScatterElements(kernel::ScatterElementsOp op);
  void emitScatterND(kernel::ScatterNDOp op);
  void emitHardmax(kernel::HardmaxOp op);
  void emitConcat(tensor::ConcatOp op);

  kernel::DispatchOp dispatch_;
  llvm::raw_ostream &os_;
  std::set<RuntimeKernel> &kernels_;
  /// The C pointer expression of each block argument and of the result.
  llvm::DenseMap<Value, std::string> pointers_;
  /// The C scalar name (or literal) of each value inside a loop body.
  llvm::DenseMap<Value, std::string> scalars_;
  DispatchSignature signature_;
  /// File-scope definitions the function uses (kernel parameter blocks).
  std::string statics_;
  unsigned nextScalar_ = 0;
};

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
// Elementwise loop nests
//===----------------------------------------------------------------------===//

llvm::Error DispatchWriter::emitElementwise(linalg::GenericOp generic) {
  SmallVector<int64_t> shape = generic.getStaticLoopRanges();
  // Operand reads through the indexing maps; the results are written where
  // the dispatch's results live.
  std::vector<std::vector<int64_t>> strides;
  std::vector<int64_t> bases;
  SmallVector<std::string> pointers;
  for (OpOperand &operand : generic->getOpOperands()) {
    std::optional<OperandRead> read = getOperandRead(
        operand.get(), generic.getMatchingIndexingMap(&operand));
    if (!read)
      return opError(generic, "indexing map is not a strided read");
    Value memory = generic.isDpsInput(&operand)
                       ? read->memory
                       : Value(generic.getTiedOpResult(&operand));
    if (!pointers_.count(memory))
      return opError(generic, "operand has no memory");
    strides.push_back(read->view.strides);
    bases.push_back(read->view.base);
    pointers.push_back(pointer(memory));
  }

  Block &loop = generic.getRegion().front();
  unsigned numInputs = generic.getNumDpsInputs();
  for (BlockArgument arg : loop.getArguments().drop_front(numInputs))
    if (!arg.use_empty())
      return opError(generic, "loop body reads its output");
  // A body that reads its loop indices (linalg.index) gets each as the
  // offset of a walk with stride 1 in that dimension alone, which also keeps
  // the loop nest from merging that dimension with its neighbours.
  std::vector<int> indexWalk(shape.size(), -1);
  generic.walk([&](linalg::IndexOp index) {
    unsigned dim = index.getDim();
    if (indexWalk[dim] >= 0)
      return;
    indexWalk[dim] = strides.size();
    std::vector<int64_t> unit(shape.size(), 0);
    unit[dim] = 1;
    strides.push_back(unit);
  });
  codegen::ScalarSpelling spelling;
  ArrayRef<std::string> currentOffsets;
  spelling.loopIndex = [&](unsigned dim) {
    return currentOffsets[indexWalk[dim]];
  };
  spelling.loadElement = [&](Value tensor, const std::string &offset) {
    return pointer(tensor) + "[" + offset + "]";
  };
  llvm::Error failure = llvm::Error::success();
  emitLoopNest(os_, 2, shape, strides,
               [&](int indent, ArrayRef<std::string> offsets) {
                 currentOffsets = offsets;
                 std::string pad(indent, ' ');
                 auto at = [&](unsigned k) {
                   return bases[k] ? std::to_string(bases[k]) + " + " + offsets[k]
                                   : offsets[k];
                 };
                 for (auto [k, arg] : llvm::enumerate(
                          loop.getArguments().take_front(numInputs))) {
                   if (arg.use_empty())
                     continue;
                   std::string name = "v" + std::to_string(nextScalar_++);
                   os_ << pad << "const " << elementType(generic.getDpsInputs()[k])
                       << " " << name << " = " << pointers[k] << "[" << at(k)
                       << "];\n";
                   scalars_[arg] = name;
                 }
                 bool usesHalf = false;
                 if (llvm::Error err = codegen::writeLoopBody(
                         loop, os_, pad, scalars_, nextScalar_, spelling,
                         usesHalf)) {
                   failure = std::move(err);
                   return;
                 }
                 if (usesHalf)
                   kernels_.insert(RuntimeKernel::Half);
                 auto yield = cast<linalg::YieldOp>(loop.getTerminator());
                 for (auto [i, value] : llvm::enumerate(yield.getValues())) {
                   unsigned k = numInputs + i;
                   os_ << pad << pointers[k] << "[" << at(k)
                       << "] = " << scalars_[value] << ";\n";
                 }
               });
  return failure;
}

//===----------------------------------------------------------------------===//
// Anchors
//===----------------------------------------------------------------------===//

llvm::Error DispatchWriter::emitAnchor(Operation *anchor) {
  Type elementType = tensorType(anchor->getResult(0)).getElementType();
  bool needsF32 = isa<kernel::ConvOp, kernel::ConvTransposeOp, kernel::MatMulOp,
                      kernel::PoolOp, kernel::SoftmaxOp, kernel::LayerNormOp>(anchor);
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

/// An int32 convolution (ConvInteger's centered values) as direct loops:
/// each output sums its products in 32 bits with wrap-around (unsigned, so
/// C has no overflow to trap on), exact whenever the true sum fits int32.
void DispatchWriter::emitIntegerConv(kernel::ConvOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t groupOut = out[1] / op.getGroup(), groupIn = w[1];
  std::string x = pointer(op.getInput()), k = pointer(op.getWeight());
  std::string bias = op.getBias() ? " + (uint32_t)" + pointer(op.getBias()) + "[oc]" : "";
  os_ << "  for (int64_t n = 0; n < " << in[0] << "; ++n)\n"
      << "    for (int64_t oc = 0; oc < " << out[1] << "; ++oc) {\n"
      << "      const int64_t channel = oc / " << groupOut << " * " << groupIn
      << ";\n"
      << "      for (int64_t oy = 0; oy < " << out[2] << "; ++oy)\n"
      << "        for (int64_t ox = 0; ox < " << out[3] << "; ++ox) {\n"
      << "          uint32_t sum = 0;\n"
      << "          for (int64_t ic = 0; ic < " << groupIn << "; ++ic)\n"
      << "            for (int64_t ky = 0; ky < " << w[2] << "; ++ky) {\n"
      << "              const int64_t iy = oy * " << s[0] << " - " << p[0]
      << " + ky * " << d[0] << ";\n"
      << "              if (iy < 0 || iy >= " << in[2] << ")\n"
      << "                continue;\n"
      << "              for (int64_t kx = 0; kx < " << w[3] << "; ++kx) {\n"
      << "                const int64_t ix = ox * " << s[1] << " - " << p[1]
      << " + kx * " << d[1] << ";\n"
      << "                if (ix < 0 || ix >= " << in[3] << ")\n"
      << "                  continue;\n"
      << "                sum += (uint32_t)" << x << "[((n * " << in[1]
      << " + channel + ic) * " << in[2] << " + iy) * " << in[3]
      << " + ix] * (uint32_t)" << k << "[((oc * " << groupIn << " + ic) * "
      << w[2] << " + ky) * " << w[3] << " + kx];\n"
      << "              }\n"
      << "            }\n"
      << "          out0[((n * " << out[1] << " + oc) * " << out[2]
      << " + oy) * " << out[3] << " + ox] = (int32_t)(sum" << bias << ");\n"
      << "        }\n"
      << "    }\n";
}

llvm::Error DispatchWriter::emitConv(kernel::ConvOp op) {
  if (op.getType().getElementType().isInteger(32)) {
    emitIntegerConv(op);
    return llvm::Error::success();
  }
  kernels_.insert(RuntimeKernel::Gemm);
  kernels_.insert(RuntimeKernel::Conv);
  signature_.usesExec = signature_.usesScratch = true;
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  std::string params = dispatch_.getName().str() + "_params";
  signature_.scratchNeed = "mk_conv2d_scratch_bytes(&" + params + ")";
  llvm::raw_string_ostream statics(statics_);
  statics << "static const mk_conv2d_params " << params << " = {\n"
      << "      .batch = " << in[0] << ", .in_channels = " << in[1]
      << ", .in_h = " << in[2] << ", .in_w = " << in[3] << ",\n"
      << "      .out_channels = " << out[1] << ", .out_h = " << out[2]
      << ", .out_w = " << out[3] << ",\n"
      << "      .kernel_h = " << w[2] << ", .kernel_w = " << w[3]
      << ", .stride_h = " << s[0] << ", .stride_w = " << s[1] << ",\n"
      << "      .pad_top = " << p[0] << ", .pad_left = " << p[1]
      << ", .dilation_h = " << d[0] << ", .dilation_w = " << d[1]
      << ", .groups = " << op.getGroup() << "};\n";
  std::string bias = op.getBias() ? pointer(op.getBias()) : "NULL";
  os_ << "  mk_conv2d(ex, &" << params << ", " << pointer(op.getInput()) << ", "
      << pointer(op.getWeight()) << ", " << bias << ", out0, scratch);\n";
  return llvm::Error::success();
}

/// The broadcast batch of a matrix product and the element strides with
/// which the result, the left and the right operand advance per batch index.
static std::pair<SmallVector<int64_t>, std::vector<std::vector<int64_t>>>
batchLoops(const GemmShape &gemm) {
  SmallVector<int64_t> batch =
      *mlir::modelc::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
  std::vector<std::vector<int64_t>> strides = {
      contiguousStrides(batch), broadcastStrides(gemm.lhsBatch, batch),
      broadcastStrides(gemm.rhsBatch, batch)};
  for (int64_t &v : strides[0])
    v *= gemm.m * gemm.n;
  for (int64_t &v : strides[1])
    v *= gemm.m * gemm.k;
  for (int64_t &v : strides[2])
    v *= gemm.k * gemm.n;
  return {batch, strides};
}

llvm::Error DispatchWriter::emitMatMul(kernel::MatMulOp op) {
  kernels_.insert(RuntimeKernel::Gemm);
  GemmShape gemm = getGemmShape(op);
  int64_t m = gemm.m, n = gemm.n, k = gemm.k;
  std::string a = pointer(op.getLhs()), b = pointer(op.getRhs());
  if (op.getType().getElementType().isInteger(32)) {
    // Exact int32 products: one plain call per batch matrix.
    auto [batch, strides] = batchLoops(gemm);
    emitLoopNest(os_, 2, batch, strides,
                 [&](int indent, ArrayRef<std::string> offsets) {
                   os_ << std::string(indent, ' ') << "mk_igemm_i32(" << m
                       << ", " << n << ", " << k << ", " << a << " + "
                       << offsets[1] << ", " << b << " + " << offsets[2]
                       << ", out0 + " << offsets[0] << ");\n";
                 });
    return llvm::Error::success();
  }
  signature_.usesExec = signature_.usesScratch = true;
  if (gemm.foldsBatch) {
    // The right operand is one matrix: fold the left batch into the rows.
    int64_t rows = gemm.rowsPerCall();
    signature_.scratchNeed = "mk_sgemm_scratch_bytes(" + std::to_string(rows) +
                             ", " + std::to_string(n) + ", " +
                             std::to_string(k) + ")";
    os_ << "  mk_sgemm(ex, " << rows << ", " << n << ", " << k << ", " << a
        << ", " << k << ", 0, " << b << ", " << n << ", 0, out0, " << n
        << ", 0, scratch);\n";
    return llvm::Error::success();
  }
  signature_.scratchNeed = "mk_sgemm_scratch_bytes(" + std::to_string(m) +
                           ", " + std::to_string(n) + ", " +
                           std::to_string(k) + ")";
  auto [batch, strides] = batchLoops(gemm);
  emitLoopNest(os_, 2, batch, strides,
               [&](int indent, ArrayRef<std::string> offsets) {
                 os_ << std::string(indent, ' ') << "mk_sgemm(ex, " << m
                     << ", " << n << ", " << k << ", " << a << " + "
                     << offsets[1] << ", " << k << ", 0, " << b << " + "
                     << offsets[2] << ", " << n << ", 0, out0 + " << offsets[0]
                     << ", " << n << ", 0, scratch);\n";
               });
  return llvm::Error::success();
}

llvm::Error DispatchWriter::emitPool(kernel::PoolOp op) {
  if (op.getKind() != "max" && op.getKind() != "avg")
    return opError(op, "pooling kind '" + op.getKind() + "' is not supported");
  std::string kernel = op.getKind() == "max" ? "mk_maxpool2d" : "mk_avgpool2d";
  kernels_.insert(RuntimeKernel::Pool);
  signature_.usesExec = true;
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> kk = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  std::string params = dispatch_.getName().str() + "_params";
  llvm::raw_string_ostream statics(statics_);
  statics << "static const mk_pool2d_params " << params << " = {\n"
      << "      .batch = " << in[0] << ", .channels = " << in[1]
      << ", .in_h = " << in[2] << ", .in_w = " << in[3] << ",\n"
      << "      .out_h = " << out[2] << ", .out_w = " << out[3]
      << ", .kernel_h = " << kk[0] << ", .kernel_w = " << kk[1] << ",\n"
      << "      .stride_h = " << s[0] << ", .stride_w = " << s[1]
      << ", .pad_top = " << p[0] << ", .pad_left = " << p[1] << ",\n"
      << "      .dilation_h = " << d[0] << ", .dilation_w = " << d[1]
      << ", .count_include_pad = " << (op.getCountIncludePad() ? 1 : 0)
      << "};\n";
  os_ << "  " << kernel << "(ex, &" << params << ", " << pointer(op.getInput())
      << ", out0);\n";
  return llvm::Error::success();
}

/// The lowest or highest value of an element type, as C.
llvm::Error DispatchWriter::emitReduction(linalg::GenericOp generic) {
  codegen::ScalarSpelling spelling;
  bool usesHalf = false;
  llvm::Expected<ReductionNest> nest = getReductionNest(generic, spelling, usesHalf);
  if (!nest)
    return nest.takeError();
  Value input = generic.getDpsInputs().front();
  int64_t outCount = tensorType(generic.getResult(0)).getNumElements();
  // Start every accumulator at the identity, then fold the input in, in
  // the input's own order.
  os_ << "  for (int64_t i = 0; i < " << outCount << "; ++i)\n"
      << "    out0[i] = " << nest->identity << ";\n";
  Block &loop = generic.getRegion().front();
  llvm::Error failure = llvm::Error::success();
  std::string in = pointer(input);
  auto at = [](int64_t base, const std::string &offset) {
    return base ? std::to_string(base) + " + " + offset : offset;
  };
  emitLoopNest(
      os_, 2, nest->iteration, {nest->accumulator.strides, nest->input.strides},
      [&](int indent, ArrayRef<std::string> offsets) {
        std::string pad(indent, ' ');
        std::string accumulator = "out0[" + at(nest->accumulator.base, offsets[0]) + "]";
        std::string x = "v" + std::to_string(nextScalar_++);
        os_ << pad << "const " << elementType(input) << " " << x << " = " << in
            << "[" << at(nest->input.base, offsets[1]) << "];\n";
        std::string acc = "v" + std::to_string(nextScalar_++);
        os_ << pad << "const " << elementType(generic.getResult(0)) << " "
            << acc << " = " << accumulator << ";\n";
        scalars_[loop.getArgument(0)] = x;
        scalars_[loop.getArgument(1)] = acc;
        if (llvm::Error err = codegen::writeLoopBody(loop, os_, pad, scalars_,
                                                     nextScalar_, spelling,
                                                     usesHalf)) {
          failure = std::move(err);
          return;
        }
        Value next = cast<linalg::YieldOp>(loop.getTerminator()).getValues()[0];
        os_ << pad << accumulator << " = " << scalars_[next] << ";\n";
      });
  if (usesHalf)
    kernels_.insert(RuntimeKernel::Half);
  return failure;
}

void DispatchWriter::emitArgReduce(kernel::ArgReduceOp op) {
  bool max = op.getMax();
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string in = pointer(op.getInput());
  std::string better = max ? " > " : " < ";
  if (op.getSelectLastIndex())
    better = max ? " >= " : " <= ";
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o) {\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << elementType(op.getInput()) << " *row = " << in
      << " + o * " << length * inner << " + i;\n"
      << "      int64_t best = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        if (row[a * " << inner << "]" << better << "row[best * "
      << inner << "])\n"
      << "          best = a;\n"
      << "      out0[o * " << inner << " + i] = best;\n"
      << "    }\n"
      << "  }\n";
}

void DispatchWriter::emitSoftmax(kernel::SoftmaxOp op) {
  kernels_.insert(RuntimeKernel::Norm);
  signature_.usesExec = true;
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = op.getAxis();
  os_ << "  mk_softmax(ex, " << computeProduct(shape.take_front(axis)) << ", "
      << shape[axis] << ", " << computeProduct(shape.drop_front(axis + 1))
      << ", " << pointer(op.getInput()) << ", out0);\n";
}

void DispatchWriter::emitLayerNorm(kernel::LayerNormOp op) {
  kernels_.insert(RuntimeKernel::Norm);
  signature_.usesExec = true;
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = op.getAxis();
  std::string bias = op.getBias() ? pointer(op.getBias()) : "NULL";
  os_ << "  mk_layernorm(ex, " << computeProduct(shape.take_front(axis))
      << ", " << computeProduct(shape.drop_front(axis)) << ", "
      << pointer(op.getInput()) << ", " << pointer(op.getScale()) << ", "
      << bias << ", "
      << cLiteral(op.getType().getElementType(),
                  op.getEpsilon().convertToDouble())
      << ", out0);\n";
}

void DispatchWriter::emitLogSoftmax(kernel::SoftmaxOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string type = elementType(op.getResult());
  std::string f = type == "float" ? "f" : "";
  // x - (max + log(sum(exp(x - max)))), per row along the axis.
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o) {\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << type << " *x = " << pointer(op.getInput())
      << " + o * " << length * inner << " + i;\n"
      << "      " << type << " *y = out0 + o * " << length * inner
      << " + i;\n"
      << "      " << type << " top = x[0], sum = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        top = x[a * " << inner << "] > top ? x[a * " << inner
      << "] : top;\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        sum += exp" << f << "(x[a * " << inner << "] - top);\n"
      << "      top += log" << f << "(sum);\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        y[a * " << inner << "] = x[a * " << inner << "] - top;\n"
      << "    }\n"
      << "  }\n";
}

/// The C statement that applies one scattered update with `reduction`.
static std::string scatterUpdate(llvm::StringRef reduction,
                                 const std::string &target,
                                 const std::string &update) {
  if (reduction == "add")
    return target + " += " + update + ";";
  if (reduction == "mul")
    return target + " *= " + update + ";";
  return target + " = " + update + ";";
}

void DispatchWriter::emitScatterElements(kernel::ScatterElementsOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  ArrayRef<int64_t> updates = op.getUpdates().getType().getShape();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  std::vector<int64_t> strides = contiguousStrides(shape);
  std::vector<int64_t> walk = strides;
  walk[axis] = 0;
  os_ << "  memcpy(out0, " << pointer(op.getData()) << ", "
      << op.getType().getNumElements() << " * sizeof(*out0));\n";
  if (op.getUpdates().getType().getNumElements() == 0)
    return;
  std::string indices = pointer(op.getIndices()), values = pointer(op.getUpdates());
  emitLoopNest(os_, 2, updates, {contiguousStrides(updates), walk},
               [&](int indent, ArrayRef<std::string> offsets) {
                 std::string pad(indent, ' ');
                 os_ << pad << "int64_t k = (int64_t)" << indices << "["
                     << offsets[0] << "];\n"
                     << pad << "if (k < 0)\n"
                     << pad << "  k += " << shape[axis] << ";\n"
                     << pad << "if (k >= 0 && k < " << shape[axis] << ")\n"
                     << pad << "  "
                     << scatterUpdate(op.getReduction(),
                                      "out0[" + offsets[1] + " + k * " +
                                          std::to_string(strides[axis]) + "]",
                                      values + "[" + offsets[0] + "]")
                     << "\n";
               });
}

void DispatchWriter::emitScatterND(kernel::ScatterNDOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  ArrayRef<int64_t> indices = op.getIndices().getType().getShape();
  int64_t depth = indices.back();
  int64_t tuples = computeProduct(indices.drop_back());
  int64_t slice = computeProduct(shape.drop_front(depth));
  std::vector<int64_t> strides = contiguousStrides(shape);
  os_ << "  memcpy(out0, " << pointer(op.getData()) << ", "
      << op.getType().getNumElements() << " * sizeof(*out0));\n"
      << "  for (int64_t t = 0; t < " << tuples << "; ++t) {\n"
      << "    int64_t base = 0;\n";
  for (int64_t d = 0; d < depth; ++d)
    os_ << "    {\n"
        << "      int64_t k = (int64_t)" << pointer(op.getIndices()) << "[t * "
        << depth << " + " << d << "];\n"
        << "      if (k < 0)\n"
        << "        k += " << shape[d] << ";\n"
        << "      base += (k < 0 ? 0 : (k > " << shape[d] - 1 << " ? "
        << shape[d] - 1 << " : k)) * " << strides[d] << ";\n"
        << "    }\n";
  os_ << "    for (int64_t i = 0; i < " << slice << "; ++i)\n"
      << "      "
      << scatterUpdate(op.getReduction(), "out0[base + i]",
                       pointer(op.getUpdates()) + "[t * " +
                           std::to_string(slice) + " + i]")
      << "\n"
      << "  }\n";
}

void DispatchWriter::emitTopK(kernel::TopKOp op) {
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  int64_t k = static_cast<int64_t>(op.getK());
  std::string type = elementType(op.getInput());
  std::string better = op.getLargest() ? ">" : "<";
  // Selection without scratch: the j-th pick is the first element, in
  // (value, index) order, that comes after the (j-1)-th.
  auto before = [&](const std::string &v, const std::string &a,
                    const std::string &w, const std::string &b) {
    return "(" + v + " " + better + " " + w + " || (" + v + " == " + w +
           " && " + a + " < " + b + "))";
  };
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const " << type << " *x = " << pointer(op.getInput())
      << " + o * " << length * inner << " + i;\n"
      << "      int64_t previous = -1;\n"
      << "      for (int64_t j = 0; j < " << k << "; ++j) {\n"
      << "        int64_t best = -1;\n"
      << "        for (int64_t a = 0; a < " << length << "; ++a) {\n"
      << "          if (previous >= 0 && !"
      << before("x[previous * " + std::to_string(inner) + "]", "previous",
                "x[a * " + std::to_string(inner) + "]", "a")
      << ")\n"
      << "            continue;\n"
      << "          if (best < 0 || "
      << before("x[a * " + std::to_string(inner) + "]", "a",
                "x[best * " + std::to_string(inner) + "]", "best")
      << ")\n"
      << "            best = a;\n"
      << "        }\n"
      << "        out0[(o * " << k << " + j) * " << inner << " + i] = x[best * "
      << inner << "];\n"
      << "        out1[(o * " << k << " + j) * " << inner << " + i] = best;\n"
      << "        previous = best;\n"
      << "      }\n"
      << "    }\n";
}

void DispatchWriter::emitConvTranspose(kernel::ConvTransposeOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t group = static_cast<int64_t>(op.getGroup());
  int64_t icg = in[1] / group, ocg = w[1];
  std::string x = pointer(op.getInput()), k = pointer(op.getWeight());
  // Scatter form: every input pixel adds its kernel-weighted contribution to
  // the output pixels it reaches.
  os_ << "  for (int64_t n = 0; n < " << out[0] << "; ++n)\n"
      << "    for (int64_t c = 0; c < " << out[1] << "; ++c)\n"
      << "      for (int64_t i = 0; i < " << out[2] * out[3] << "; ++i)\n"
      << "        out0[(n * " << out[1] << " + c) * " << out[2] * out[3]
      << " + i] = "
      << (op.getBias() ? pointer(op.getBias()) + "[c]" : std::string("0.0f"))
      << ";\n"
      << "  for (int64_t n = 0; n < " << in[0] << "; ++n)\n"
      << "    for (int64_t g = 0; g < " << group << "; ++g)\n"
      << "      for (int64_t ic = 0; ic < " << icg << "; ++ic)\n"
      << "        for (int64_t ih = 0; ih < " << in[2] << "; ++ih)\n"
      << "          for (int64_t iw = 0; iw < " << in[3] << "; ++iw) {\n"
      << "            const float v = " << x << "[((n * " << in[1]
      << " + g * " << icg << " + ic) * " << in[2] << " + ih) * " << in[3]
      << " + iw];\n"
      << "            for (int64_t oc = 0; oc < " << ocg << "; ++oc)\n"
      << "              for (int64_t kh = 0; kh < " << w[2] << "; ++kh) {\n"
      << "                const int64_t oh = ih * " << s[0] << " - " << p[0]
      << " + kh * " << d[0] << ";\n"
      << "                if (oh < 0 || oh >= " << out[2] << ")\n"
      << "                  continue;\n"
      << "                for (int64_t kw = 0; kw < " << w[3] << "; ++kw) {\n"
      << "                  const int64_t ow = iw * " << s[1] << " - " << p[1]
      << " + kw * " << d[1] << ";\n"
      << "                  if (ow < 0 || ow >= " << out[3] << ")\n"
      << "                    continue;\n"
      << "                  out0[((n * " << out[1] << " + g * " << ocg
      << " + oc) * " << out[2] << " + oh) * " << out[3] << " + ow] += v * "
      << k << "[(((g * " << icg << " + ic) * " << ocg << " + oc) * " << w[2]
      << " + kh) * " << w[3] << " + kw];\n"
      << "                }\n"
      << "              }\n"
      << "          }\n";
}

void DispatchWriter::emitCumSum(kernel::ScanOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  std::string type = elementType(op.getResult());
  std::string step = op.getReverse() ? std::to_string(length - 1) + " - s" : "s";
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      " << type << " sum = 0;\n"
      << "      for (int64_t s = 0; s < " << length << "; ++s) {\n"
      << "        const int64_t at = (o * " << length << " + (" << step
      << ")) * " << inner << " + i;\n";
  if (op.getExclusive())
    os_ << "        const " << type << " x = " << pointer(op.getInput())
        << "[at];\n"
        << "        out0[at] = sum;\n"
        << "        sum += x;\n";
  else
    os_ << "        sum += " << pointer(op.getInput()) << "[at];\n"
        << "        out0[at] = sum;\n";
  os_ << "      }\n"
      << "    }\n";
}

void DispatchWriter::emitHardmax(kernel::HardmaxOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  auto [outer, length, inner] =
      viewAroundAxis(shape, static_cast<int64_t>(op.getAxis()));
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      const int64_t base = o * " << length * inner << " + i;\n"
      << "      int64_t best = 0;\n"
      << "      for (int64_t a = 1; a < " << length << "; ++a)\n"
      << "        if (" << pointer(op.getInput()) << "[base + a * " << inner
      << "] > " << pointer(op.getInput()) << "[base + best * " << inner
      << "])\n"
      << "          best = a;\n"
      << "      for (int64_t a = 0; a < " << length << "; ++a)\n"
      << "        out0[base + a * " << inner << "] = a == best;\n"
      << "    }\n";
}

void DispatchWriter::emitConcat(tensor::ConcatOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = static_cast<int64_t>(op.getDim());
  int64_t outer = computeProduct(shape.take_front(axis));
  int64_t inner = computeProduct(shape.drop_front(axis + 1));
  int64_t outChunk = shape[axis] * inner, position = 0;
  std::string type = elementType(op.getResult());
  for (Value input : op.getInputs()) {
    int64_t chunk = tensorType(input).getDimSize(axis) * inner;
    if (chunk == 0)
      continue;
    os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
        << "    memcpy(out0 + o * " << outChunk << " + " << position << ", "
        << pointer(input) << " + o * " << chunk << ", " << chunk
        << " * sizeof(" << type << "));\n";
    position += chunk;
  }
}

} // namespace

llvm::Expected<DispatchSignature>
emitDispatchFunction(kernel::DispatchOp dispatch, llvm::raw_ostream &os,
                     std::set<RuntimeKernel> &kernels) {
  DispatchWriter writer(dispatch, os, kernels);
  return writer.run();
}

} // namespace modelc::c_target
