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
#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"

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
  llvm::Error emitMatMul(kernel::MatMulOp op);
  llvm::Error emitPool(kernel::PoolOp op);
  llvm::Error emitReduction(mlir::linalg::GenericOp generic);
  /// Slice: a loop nest reading through `view`.
  void emitStridedCopy(Value input, const StridedView &view,
                       ArrayRef<int64_t> outShape);
  void emitArgReduce(kernel::ArgReduceOp op);
  void emitSoftmax(kernel::SoftmaxOp op);
  void emitLayerNorm(kernel::LayerNormOp op);
  void emitLogSoftmax(kernel::SoftmaxOp op);
  void emitGatherElements(graph::GatherElementsOp op);
  void emitTrilu(graph::TriluOp op);
  void emitCumSum(kernel::ScanOp op);
  void emitConvTranspose(kernel::ConvTransposeOp op);
  void emitResize(graph::ResizeOp op);
  void emitPad(graph::PadOp op);
  void emitTopK(kernel::TopKOp op);
  void emitScatterElements(kernel::ScatterElementsOp op);
  void emitScatterND(kernel::ScatterNDOp op);
  void emitGatherND(graph::GatherNDOp op);
  void emitHardmax(kernel::HardmaxOp op);
  void emitOneHot(graph::OneHotOp op);
  void emitConcat(tensor::ConcatOp op);
  void emitGather(graph::GatherOp op);

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
    bool isInput = generic.isDpsInput(&operand);
    Value memory = isInput ? operand.get()
                           : generic.getTiedOpResult(&operand);
    std::optional<StridedView> view =
        getStridedView(generic.getMatchingIndexingMap(&operand),
                       tensorType(operand.get()).getShape());
    if (!view)
      return opError(generic, "indexing map is not a strided read");
    if (!pointers_.count(memory))
      return opError(generic, "operand has no memory");
    strides.push_back(view->strides);
    bases.push_back(view->base);
    pointers.push_back(pointer(memory));
  }

  Block &loop = generic.getRegion().front();
  unsigned numInputs = generic.getNumDpsInputs();
  for (BlockArgument arg : loop.getArguments().drop_front(numInputs))
    if (!arg.use_empty())
      return opError(generic, "loop body reads its output");
  codegen::ScalarSpelling spelling;
  llvm::Error failure = llvm::Error::success();
  emitLoopNest(os_, 2, shape, strides,
               [&](int indent, ArrayRef<std::string> offsets) {
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
  bool integerMatMul = isa<kernel::MatMulOp>(anchor) && elementType.isInteger(32);
  if (needsF32 && !elementType.isF32() && !integerMatMul)
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
      .Case([&](graph::GatherElementsOp op) {
        emitGatherElements(op);
        return llvm::Error::success();
      })
      .Case([&](graph::TriluOp op) {
        emitTrilu(op);
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
      .Case([&](graph::GatherNDOp op) {
        emitGatherND(op);
        return llvm::Error::success();
      })
      .Case([&](kernel::TopKOp op) {
        emitTopK(op);
        return llvm::Error::success();
      })
      .Case([&](graph::PadOp op) {
        emitPad(op);
        return llvm::Error::success();
      })
      .Case([&](graph::ResizeOp op) {
        emitResize(op);
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
      .Case([&](graph::OneHotOp op) {
        emitOneHot(op);
        return llvm::Error::success();
      })
      .Case([&](graph::SliceOp op) {
        emitStridedCopy(op.getInput(), getStridedView(op),
                        op.getType().getShape());
        return llvm::Error::success();
      })
      .Case([&](tensor::ConcatOp op) {
        emitConcat(op);
        return llvm::Error::success();
      })
      .Case([&](graph::GatherOp op) {
        emitGather(op);
        return llvm::Error::success();
      })
      .Default([&](Operation *op) {
        return opError(op, "op '" + op->getName().getStringRef() +
                               "' is not supported");
      });
}

llvm::Error DispatchWriter::emitConv(kernel::ConvOp op) {
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
      *graph::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
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

void DispatchWriter::emitGatherElements(graph::GatherElementsOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  if (op.getType().getNumElements() == 0)
    return;
  int64_t axis = static_cast<int64_t>(op.getAxis());
  ArrayRef<int64_t> dataShape = op.getData().getType().getShape();
  std::vector<int64_t> dataStrides = contiguousStrides(dataShape);
  int64_t axisStride = dataStrides[axis], axisSize = dataShape[axis];
  // Walk the indices; the data offset follows every dimension but the axis,
  // which the index picks.
  std::vector<int64_t> walk = dataStrides;
  walk[axis] = 0;
  std::string data = pointer(op.getData()), indices = pointer(op.getIndices());
  emitLoopNest(os_, 2, shape, {contiguousStrides(shape), walk},
               [&](int indent, ArrayRef<std::string> offsets) {
                 std::string pad(indent, ' ');
                 os_ << pad << "int64_t k = (int64_t)" << indices << "["
                     << offsets[0] << "];\n"
                     << pad << "if (k < 0)\n"
                     << pad << "  k += " << axisSize << ";\n"
                     << pad << "k = k < 0 ? 0 : (k > " << axisSize - 1
                     << " ? " << axisSize - 1 << " : k);\n"
                     << pad << "out0[" << offsets[0] << "] = " << data << "["
                     << offsets[1] << " + k * " << axisStride << "];\n";
               });
}

void DispatchWriter::emitTrilu(graph::TriluOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  int64_t batch = computeProduct(shape.drop_back(2));
  std::string keep = op.getUpper() ? "j - r >= " : "j - r <= ";
  os_ << "  for (int64_t b = 0; b < " << batch << "; ++b)\n"
      << "    for (int64_t r = 0; r < " << rows << "; ++r)\n"
      << "      for (int64_t j = 0; j < " << cols << "; ++j) {\n"
      << "        const int64_t at = (b * " << rows << " + r) * " << cols
      << " + j;\n"
      << "        out0[at] = " << keep << static_cast<int64_t>(op.getK())
      << " ? " << pointer(op.getInput()) << "[at] : 0;\n"
      << "      }\n";
}

namespace {
/// The input elements (and weights) one output coordinate of a resized
/// dimension reads: `count` taps per output coordinate.
struct ResizeTaps {
  int64_t count = 1;
  std::vector<int64_t> index;
  std::vector<double> weight;
  /// tf_crop_and_resize: the coordinate falls outside the input.
  std::vector<bool> outside;
  bool identity = false;
};
} // namespace

/// ONNX Resize's sampling along one dimension, worked out at compile time.
static ResizeTaps resizeTaps(graph::ResizeOp op, int64_t inLen, int64_t outLen,
                             double scale, double roiStart, double roiEnd) {
  ResizeTaps taps;
  std::string coords = op.getCoordinateTransformationMode().str();
  std::string mode = op.getMode().str();
  if (inLen == outLen && scale == 1.0 && coords != "tf_crop_and_resize") {
    taps.identity = true;
    return taps;
  }
  auto original = [&](int64_t x) -> double {
    if (coords == "pytorch_half_pixel")
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    if (coords == "align_corners")
      return outLen == 1 ? 0.0
                         : x * double(inLen - 1) / double(outLen - 1);
    if (coords == "asymmetric")
      return x / scale;
    if (coords == "tf_half_pixel_for_nn")
      return (x + 0.5) / scale;
    if (coords == "tf_crop_and_resize")
      return outLen > 1 ? roiStart * (inLen - 1) +
                              x * (roiEnd - roiStart) * (inLen - 1) /
                                  double(outLen - 1)
                        : 0.5 * (roiStart + roiEnd) * (inLen - 1);
    return (x + 0.5) / scale - 0.5; // half_pixel
  };
  auto clampIndex = [&](int64_t i) {
    return std::min<int64_t>(std::max<int64_t>(i, 0), inLen - 1);
  };
  taps.count = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
  double a = op.getCubicCoeffA().convertToDouble();
  for (int64_t x = 0; x < outLen; ++x) {
    double at = original(x);
    taps.outside.push_back(coords == "tf_crop_and_resize" &&
                           (at < 0 || at > inLen - 1));
    if (mode == "nearest") {
      std::string rounding = op.getNearestMode().str();
      double base = std::floor(at), frac = at - base;
      double pick = rounding == "floor"  ? base
                    : rounding == "ceil" ? std::ceil(at)
                    : frac == 0.5 ? (rounding == "round_prefer_ceil" ? base + 1
                                                                     : base)
                                  : std::round(at);
      taps.index.push_back(clampIndex(static_cast<int64_t>(pick)));
      taps.weight.push_back(1.0);
      continue;
    }
    double base = std::floor(at), r = at - base;
    int64_t first = static_cast<int64_t>(base) - (mode == "cubic" ? 1 : 0);
    std::vector<double> weights;
    if (mode == "linear") {
      weights = {1.0 - r, r};
    } else {
      auto far = [&](double t) {
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
      };
      auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
      weights = {far(r + 1), near(r), near(1 - r), far(2 - r)};
    }
    double total = 0;
    for (int64_t t = 0; t < taps.count; ++t) {
      int64_t i = first + t;
      if (op.getExcludeOutside() && (i < 0 || i >= inLen))
        weights[t] = 0;
      total += weights[t];
    }
    for (int64_t t = 0; t < taps.count; ++t) {
      taps.index.push_back(clampIndex(first + t));
      taps.weight.push_back(op.getExcludeOutside() && total != 0
                                ? weights[t] / total
                                : weights[t]);
    }
  }
  return taps;
}

void DispatchWriter::emitResize(graph::ResizeOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<double> scales = op.getScales(), roi = op.getRoi();
  size_t rank = in.size();
  std::vector<int64_t> inStrides = contiguousStrides(in);
  std::vector<int64_t> outStrides = contiguousStrides(out);
  std::string name = dispatch_.getName().str();
  Type element = op.getType().getElementType();
  llvm::raw_string_ostream statics(statics_);
  std::vector<ResizeTaps> taps;
  bool cropped = false;
  for (size_t d = 0; d < rank; ++d) {
    double start = roi.size() == 2 * rank ? roi[d] : 0.0;
    double end = roi.size() == 2 * rank ? roi[rank + d] : 1.0;
    taps.push_back(resizeTaps(op, in[d], out[d], scales[d], start, end));
    const ResizeTaps &t = taps.back();
    if (t.identity)
      continue;
    statics << "static const int64_t " << name << "_index" << d << "["
            << t.index.size() << "] = {";
    for (auto [i, index] : llvm::enumerate(t.index))
      statics << (i ? ", " : "") << index * inStrides[d];
    statics << "};\n";
    if (t.count > 1) {
      statics << "static const " << cElementType(element) << " " << name
              << "_weight" << d << "[" << t.weight.size() << "] = {";
      for (auto [i, weight] : llvm::enumerate(t.weight))
        statics << (i ? ", " : "") << cLiteral(element, weight);
      statics << "};\n";
    }
    if (llvm::is_contained(t.outside, true)) {
      cropped = true;
      statics << "static const uint8_t " << name << "_outside" << d << "["
              << t.outside.size() << "] = {";
      for (auto [i, flag] : llvm::enumerate(t.outside))
        statics << (i ? ", " : "") << (flag ? 1 : 0);
      statics << "};\n";
    }
  }
  std::string x = pointer(op.getInput());
  std::string type = cElementType(element);
  std::string pad = "  ";
  for (size_t d = 0; d < rank; ++d) {
    os_ << pad << "for (int64_t o" << d << " = 0; o" << d << " < " << out[d]
        << "; ++o" << d << ") {\n";
    pad += "  ";
  }
  std::string at = "0";
  for (size_t d = 0; d < rank; ++d)
    at += " + o" + std::to_string(d) + " * " + std::to_string(outStrides[d]);
  std::string outside = "0";
  for (size_t d = 0; d < rank; ++d)
    if (llvm::is_contained(taps[d].outside, true))
      outside += " || " + name + "_outside" + std::to_string(d) + "[o" +
                 std::to_string(d) + "]";
  os_ << pad << type << " acc = 0;\n";
  std::string inner = pad, offset = "0", weight = "";
  size_t opened = 0;
  for (size_t d = 0; d < rank; ++d) {
    std::string o = "o" + std::to_string(d), t = "t" + std::to_string(d);
    if (taps[d].identity) {
      offset += " + " + o + " * " + std::to_string(inStrides[d]);
      continue;
    }
    int64_t count = taps[d].count;
    if (count == 1) {
      offset += " + " + name + "_index" + std::to_string(d) + "[" + o + "]";
      continue;
    }
    os_ << inner << "for (int64_t " << t << " = 0; " << t << " < " << count
        << "; ++" << t << ") {\n";
    inner += "  ";
    ++opened;
    std::string slot = o + " * " + std::to_string(count) + " + " + t;
    offset += " + " + name + "_index" + std::to_string(d) + "[" + slot + "]";
    weight += " * " + name + "_weight" + std::to_string(d) + "[" + slot + "]";
  }
  os_ << inner << "acc += " << x << "[" << offset << "]" << weight << ";\n";
  for (size_t i = 0; i < opened; ++i) {
    inner.resize(inner.size() - 2);
    os_ << inner << "}\n";
  }
  if (cropped)
    os_ << pad << "out0[" << at << "] = (" << outside << ") ? "
        << cLiteral(element, op.getExtrapolationValue().convertToDouble())
        << " : acc;\n";
  else
    os_ << pad << "out0[" << at << "] = acc;\n";
  for (size_t d = rank; d-- > 0;) {
    pad.resize(pad.size() - 2);
    os_ << pad << "}\n";
  }
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

void DispatchWriter::emitGatherND(graph::GatherNDOp op) {
  ArrayRef<int64_t> data = op.getData().getType().getShape();
  ArrayRef<int64_t> indices = op.getIndices().getType().getShape();
  int64_t batchDims = static_cast<int64_t>(op.getBatchDims());
  int64_t depth = indices.back();
  int64_t batch = computeProduct(data.take_front(batchDims));
  int64_t tuplesPerBatch = computeProduct(indices.drop_back()) / std::max<int64_t>(batch, 1);
  int64_t slice = computeProduct(data.drop_front(batchDims + depth));
  int64_t batchStride = computeProduct(data.drop_front(batchDims));
  std::vector<int64_t> strides = contiguousStrides(data);
  os_ << "  for (int64_t b = 0; b < " << batch << "; ++b)\n"
      << "    for (int64_t t = 0; t < " << tuplesPerBatch << "; ++t) {\n"
      << "      const int64_t tuple = b * " << tuplesPerBatch << " + t;\n"
      << "      int64_t base = b * " << batchStride << ";\n";
  for (int64_t d = 0; d < depth; ++d) {
    int64_t dim = data[batchDims + d];
    os_ << "      {\n"
        << "        int64_t k = (int64_t)" << pointer(op.getIndices())
        << "[tuple * " << depth << " + " << d << "];\n"
        << "        if (k < 0)\n"
        << "          k += " << dim << ";\n"
        << "        base += (k < 0 ? 0 : (k > " << dim - 1 << " ? " << dim - 1
        << " : k)) * " << strides[batchDims + d] << ";\n"
        << "      }\n";
  }
  os_ << "      for (int64_t i = 0; i < " << slice << "; ++i)\n"
      << "        out0[tuple * " << slice << " + i] = " << pointer(op.getData())
      << "[base + i];\n"
      << "    }\n";
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

void DispatchWriter::emitPad(graph::PadOp op) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> pads = op.getPads();
  size_t rank = in.size();
  if (op.getType().getNumElements() == 0)
    return;
  std::vector<int64_t> inStrides = contiguousStrides(in);
  std::vector<int64_t> outStrides = contiguousStrides(out);
  std::string name = dispatch_.getName().str(), mode = op.getMode().str();
  llvm::raw_string_ostream statics(statics_);
  // Per dimension, the input offset each output coordinate reads, or -1 for
  // a constant-mode pad cell.
  for (size_t d = 0; d < rank; ++d) {
    statics << "static const int64_t " << name << "_source" << d << "["
            << out[d] << "] = {";
    for (int64_t o = 0; o < out[d]; ++o) {
      int64_t source = o - pads[d], n = in[d];
      if (mode == "edge")
        source = std::min<int64_t>(std::max<int64_t>(source, 0), n - 1);
      else if (mode == "reflect")
        source = source < 0 ? -source : (source >= n ? 2 * (n - 1) - source : source);
      statics << (o ? ", " : "")
              << (source < 0 || source >= n ? -1 : source * inStrides[d]);
    }
    statics << "};\n";
  }
  std::string fill = op.getValue() ? pointer(op.getValue()) + "[0]" : "0";
  std::string pad = "  ", at = "0", from = "0", hole = "0";
  for (size_t d = 0; d < rank; ++d) {
    std::string o = "o" + std::to_string(d);
    os_ << pad << "for (int64_t " << o << " = 0; " << o << " < " << out[d]
        << "; ++" << o << ") {\n";
    pad += "  ";
    at += " + " + o + " * " + std::to_string(outStrides[d]);
    from += " + " + name + "_source" + std::to_string(d) + "[" + o + "]";
    hole += " || " + name + "_source" + std::to_string(d) + "[" + o + "] < 0";
  }
  os_ << pad << "out0[" << at << "] = (" << hole << ") ? " << fill << " : "
      << pointer(op.getInput()) << "[" << from << "];\n";
  for (size_t d = rank; d-- > 0;) {
    pad.resize(pad.size() - 2);
    os_ << pad << "}\n";
  }
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

void DispatchWriter::emitOneHot(graph::OneHotOp op) {
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  int64_t depth = static_cast<int64_t>(op.getDepth());
  int64_t outer = computeProduct(shape.take_front(axis));
  int64_t inner = computeProduct(shape.drop_front(axis + 1));
  std::string values = pointer(op.getValues());
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o)\n"
      << "    for (int64_t i = 0; i < " << inner << "; ++i) {\n"
      << "      int64_t hot = (int64_t)" << pointer(op.getIndices()) << "[o * "
      << inner << " + i];\n"
      << "      if (hot < 0)\n"
      << "        hot += " << depth << ";\n"
      << "      for (int64_t d = 0; d < " << depth << "; ++d)\n"
      << "        out0[(o * " << depth << " + d) * " << inner << " + i] = d == hot ? "
      << values << "[1] : " << values << "[0];\n"
      << "    }\n";
}


void DispatchWriter::emitStridedCopy(Value input, const StridedView &view,
                                     ArrayRef<int64_t> outShape) {
  if (computeProduct(outShape) == 0)
    return;
  std::string in = pointer(input);
  std::string base = view.base ? std::to_string(view.base) + " + " : "";
  emitLoopNest(os_, 2, outShape, {contiguousStrides(outShape), view.strides},
               [&](int indent, ArrayRef<std::string> offsets) {
                 os_ << std::string(indent, ' ') << "out0[" << offsets[0]
                     << "] = " << in << "[" << base << offsets[1] << "];\n";
               });
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

void DispatchWriter::emitGather(graph::GatherOp op) {
  ArrayRef<int64_t> shape = op.getData().getType().getShape();
  int64_t axis = op.getAxis();
  int64_t outer = computeProduct(shape.take_front(axis));
  int64_t inner = computeProduct(shape.drop_front(axis + 1));
  int64_t count = op.getIndices().getType().getNumElements();
  int64_t axisSize = shape[axis];
  std::string type = elementType(op.getResult());
  // Out-of-range indices are clamped: ONNX leaves them undefined and the
  // generated code must never read outside its inputs.
  os_ << "  for (int64_t o = 0; o < " << outer << "; ++o) {\n"
      << "    for (int64_t k = 0; k < " << count << "; ++k) {\n"
      << "      int64_t index = (int64_t)" << pointer(op.getIndices())
      << "[k];\n"
      << "      if (index < 0)\n"
      << "        index += " << axisSize << ";\n"
      << "      index = index < 0 ? 0 : (index > " << axisSize - 1 << " ? "
      << axisSize - 1 << " : index);\n"
      << "      memcpy(out0 + (o * " << count << " + k) * " << inner << ", "
      << pointer(op.getData()) << " + (o * " << axisSize << " + index) * "
      << inner << ", " << inner << " * sizeof(" << type << "));\n"
      << "    }\n"
      << "  }\n";
}

} // namespace

llvm::Expected<DispatchSignature>
emitDispatchFunction(kernel::DispatchOp dispatch, llvm::raw_ostream &os,
                     std::set<RuntimeKernel> &kernels) {
  DispatchWriter writer(dispatch, os, kernels);
  return writer.run();
}

} // namespace modelc::c_target
