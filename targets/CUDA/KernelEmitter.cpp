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
//   - library: cuBLASLt or cuDNN writes the anchor's result into the output,
//     then one per-element kernel applies bias and epilogue in place.
// Offsets are closed-form expressions of the flat output index with
// compile-time constants, so nvcc strength-reduces every division.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/ShapeHelpers.h"
#include "targets/Common/CSyntax.h"
#include "targets/Common/DispatchBody.h"
#include "targets/Common/GemmShape.h"
#include "targets/Common/ScalarExpression.h"
#include "targets/Common/StridedView.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::cuda_target {
using namespace ::modelc::codegen;

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

Type StoragePolicy::storageElement(Type element) const {
  if (!element.isF32())
    return element;
  switch (precision_) {
  case Precision::F32:
    return element;
  case Precision::F16:
    return Float16Type::get(element.getContext());
  case Precision::BF16:
    return BFloat16Type::get(element.getContext());
  }
  return element;
}

std::string StoragePolicy::storageTypeName(Type element) const {
  Type stored = storageElement(element);
  if (stored.isF16())
    return "__half";
  if (stored.isBF16())
    return "__nv_bfloat16";
  return cElementType(stored);
}

std::string StoragePolicy::registerTypeName(Type element) const {
  if (element.isF16() || element.isBF16() || element.isF32())
    return "float";
  return cElementType(element);
}

int64_t StoragePolicy::storageBytes(Type element) const {
  return graph::getElementByteWidth(storageElement(element));
}

const char *StoragePolicy::libraryType() const {
  switch (precision_) {
  case Precision::F16:
    return "MC_F16";
  case Precision::BF16:
    return "MC_BF16";
  case Precision::F32:
    break;
  }
  return "MC_F32";
}

namespace {

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

std::string where(Operation *op) {
  std::vector<std::string> names = onnxNodeNames(op->getLoc());
  return names.empty() ? op->getName().getStringRef().str()
                       : "node '" + names.front() + "'";
}

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  return llvm::createStringError(where(op) + ": " + message + " (cuda target)");
}

/// `flat` decomposed over `shape` and re-addressed with `strides`: the
/// element offset of one operand at a flat output index. Unit dimensions are
/// dropped and dimensions an operand walks contiguously are merged, so the
/// common cases are `i`, `0` or one division.
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

/// A C expression of coordinate `d` of `flat` over `shape`.
std::string coordinate(ArrayRef<int64_t> shape, size_t d, llvm::StringRef flat) {
  int64_t inner = computeProduct(shape.drop_front(d + 1));
  std::string coord =
      inner == 1 ? flat.str()
                 : "(" + flat.str() + " / " + std::to_string(inner) + ")";
  if (d != 0)
    coord = "(" + coord + " % " + std::to_string(shape[d]) + ")";
  return coord;
}

bool isLibraryAnchor(Operation *op) {
  return isa<graph::MatMulOp, graph::ConvOp>(op);
}

bool isRowAnchor(Operation *op) {
  return isa<graph::SoftmaxOp, graph::LogSoftmaxOp, graph::LayerNormOp>(op);
}

bool isReduction(Operation *op) {
  return isa<graph::ReduceMeanOp, graph::ReduceSumOp, graph::ReduceMaxOp,
             graph::ReduceMinOp, graph::ReduceProdOp, graph::ReduceL1Op,
             graph::ReduceL2Op, graph::ReduceLogSumOp, graph::ReduceLogSumExpOp,
             graph::ReduceSumSquareOp>(op);
}

bool isElementAnchor(Operation *op) {
  return isa<graph::TransposeOp, graph::SliceOp, graph::ConcatOp,
             graph::GatherOp, graph::PadOp, graph::MaxPoolOp, graph::AvgPoolOp,
             graph::ArgMaxOp, graph::ArgMinOp>(op) ||
         isReduction(op);
}

/// Emits the kernels and host function of one dispatch.
class KernelWriter {
public:
  KernelWriter(kernel::DispatchOp dispatch, const StoragePolicy &storage,
               const std::string &contextType, bool allowTf32,
               LibraryPlans &plans)
      : dispatch_(dispatch), storage_(storage), contextType_(contextType),
        allowTf32_(allowTf32), plans_(plans),
        name_(dispatch.getName().str()) {}

  llvm::Expected<DispatchCode> run();

private:
  std::string storageType(Value value) const {
    return storage_.storageTypeName(tensorType(value).getElementType());
  }
  std::string registerType(Value value) const {
    return storage_.registerTypeName(tensorType(value).getElementType());
  }
  /// Loads element `offset` of a dispatch operand into a register.
  std::string load(Value value, const std::string &offset) const {
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

  llvm::Error writeElementAnchor(llvm::raw_ostream &os, Operation *anchor,
                                 const std::string &index);
  llvm::Error writeReduction(llvm::raw_ostream &os, Operation *op,
                             const std::string &index);
  template <typename PoolOp>
  void writePool(llvm::raw_ostream &os, PoolOp op, bool max,
                 const std::string &index);
  llvm::Error writeRowKernel(Operation *anchor);
  llvm::Error writeLibraryCall(Operation *anchor);

  kernel::DispatchOp dispatch_;
  const StoragePolicy &storage_;
  const std::string &contextType_;
  bool allowTf32_;
  LibraryPlans &plans_;
  std::string name_;

  Operation *anchor_ = nullptr;
  SmallVector<Operation *> elementwise_;
  /// Kernel parameter name of each block argument and yielded value.
  llvm::DenseMap<Value, std::string> pointers_;
  std::string device_, launches_;
};

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
  ArrayRef<int64_t> shape = tensorType(yielded.front()).getShape();
  llvm::DenseMap<Value, std::string> scalars;
  if (anchor_)
    scalars[anchor_->getResult(0)] = anchorValue;
  unsigned next = 0;
  auto scalarOf = [&](Value value) -> llvm::Expected<std::string> {
    auto it = scalars.find(value);
    if (it != scalars.end())
      return it->second;
    DenseElementsAttr splat;
    if (matchPattern(value, m_Constant(&splat)) && splat.isSplat()) {
      double number =
          graph::readConstantAsDoubles(cast<ElementsAttr>(splat)).front();
      Type element = splat.getElementType();
      std::string literal =
          cLiteral(element.isF16() || element.isBF16()
                       ? Type(Float32Type::get(element.getContext()))
                       : element,
                   number);
      scalars[value] = literal;
      return literal;
    }
    if (!pointers_.count(value))
      return opError(value.getDefiningOp() ? value.getDefiningOp()
                                           : dispatch_.getOperation(),
                     "operand has no memory");
    std::string name = "v" + std::to_string(next++);
    std::vector<int64_t> strides =
        broadcastStrides(tensorType(value).getShape(), shape);
    os << indent << "const " << registerType(value) << " " << name << " = "
       << load(value, offsetExpression(shape, strides, flat)) << ";\n";
    scalars[value] = name;
    return name;
  };
  for (Operation *op : elementwise_) {
    SmallVector<std::string> operands;
    for (Value operand : op->getOperands()) {
      llvm::Expected<std::string> scalar = scalarOf(operand);
      if (!scalar)
        return scalar.takeError();
      operands.push_back(*scalar);
    }
    bool usesHalf = false;
    ScalarSpelling spelling;
    spelling.targetName = "cuda";
    spelling.halfInFloatRegisters = true;
    llvm::Expected<std::string> expr = scalarExpression(
        op, [&](unsigned i) { return operands[i]; }, spelling, usesHalf);
    if (!expr)
      return expr.takeError();
    std::string name = "v" + std::to_string(next++);
    os << indent << "const " << registerType(op->getResult(0)) << " " << name
       << " = " << *expr << ";\n";
    scalars[op->getResult(0)] = name;
  }
  for (auto [i, value] : llvm::enumerate(yielded)) {
    if (tensorType(value).getShape() != shape)
      return opError(dispatch_, "results of different shapes");
    llvm::Expected<std::string> scalar = scalarOf(value);
    if (!scalar)
      return scalar.takeError();
    os << indent << "mc_store(out" << i << ", " << flat << ", " << *scalar
       << ");\n";
  }
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

//===----------------------------------------------------------------------===//
// Per-element anchors
//===----------------------------------------------------------------------===//

llvm::Error KernelWriter::writeElementAnchor(llvm::raw_ostream &os,
                                             Operation *anchor,
                                             const std::string &i) {
  std::string type = registerType(anchor->getResult(0));
  ArrayRef<int64_t> outShape = tensorType(anchor->getResult(0)).getShape();
  return llvm::TypeSwitch<Operation *, llvm::Error>(anchor)
      .Case<graph::TransposeOp, graph::SliceOp>([&](auto op) {
        StridedView view = getStridedView(op);
        std::string offset = offsetExpression(outShape, view.strides, i);
        if (view.base)
          offset = std::to_string(view.base) + " + " + offset;
        os << "  const " << type << " a = " << load(op.getInput(), offset)
           << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::ConcatOp op) {
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(outShape.drop_front(axis + 1));
        int64_t length = outShape[axis];
        os << "  const long long o = " << i << " / " << length * inner
           << ", c = (" << i << " / " << inner << ") % " << length
           << ", n = " << i << " % " << inner << ";\n"
           << "  " << type << " a;\n";
        int64_t start = 0;
        bool first = true;
        for (Value input : op.getInputs()) {
          int64_t size = tensorType(input).getDimSize(axis);
          if (size == 0)
            continue;
          os << "  " << (first ? "" : "else ") << "if (c < " << start + size
             << ")\n    a = "
             << load(input, "(o * " + std::to_string(size) + " + c - " +
                                std::to_string(start) + ") * " +
                                std::to_string(inner) + " + n")
             << ";\n";
          first = false;
          start += size;
        }
        return llvm::Error::success();
      })
      .Case([&](graph::GatherOp op) {
        ArrayRef<int64_t> data = op.getData().getType().getShape();
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(data.drop_front(axis + 1));
        int64_t count = op.getIndices().getType().getNumElements();
        int64_t size = data[axis];
        // Out-of-range indices are clamped: ONNX leaves them undefined and a
        // kernel must never read outside its inputs.
        os << "  const long long o = " << i << " / " << count * inner
           << ", k = (" << i << " / " << inner << ") % " << count
           << ", n = " << i << " % " << inner << ";\n"
           << "  long long index = (long long)"
           << load(op.getIndices(), "k") << ";\n"
           << "  if (index < 0)\n    index += " << size << ";\n"
           << "  index = index < 0 ? 0 : (index > " << size - 1 << " ? "
           << size - 1 << " : index);\n"
           << "  const " << type << " a = "
           << load(op.getData(), "(o * " + std::to_string(size) +
                                     " + index) * " + std::to_string(inner) +
                                     " + n")
           << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::PadOp op) -> llvm::Error {
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        ArrayRef<int64_t> pads = op.getPads();
        std::vector<int64_t> inStrides = contiguousStrides(in);
        std::string mode = op.getMode().str();
        std::string fill =
            op.getValue() ? load(op.getValue(), "0") : std::string("0");
        os << "  bool hole = false;\n  long long from = 0;\n";
        for (size_t d = 0; d < in.size(); ++d) {
          std::string c = "c" + std::to_string(d);
          int64_t n = in[d];
          os << "  long long " << c << " = " << coordinate(outShape, d, i)
             << " - " << pads[d] << ";\n";
          if (mode == "edge")
            os << "  " << c << " = " << c << " < 0 ? 0 : (" << c << " > "
               << n - 1 << " ? " << n - 1 << " : " << c << ");\n";
          else if (mode == "reflect")
            os << "  " << c << " = " << c << " < 0 ? -" << c << " : (" << c
               << " >= " << n << " ? " << 2 * (n - 1) << " - " << c << " : "
               << c << ");\n";
          os << "  hole = hole || " << c << " < 0 || " << c << " >= " << n
             << ";\n"
             << "  from += " << c << " * " << inStrides[d] << ";\n";
        }
        os << "  const " << type << " a = hole ? (" << type << ")" << fill
           << " : " << load(op.getInput(), "from") << ";\n";
        return llvm::Error::success();
      })
      .Case([&](graph::MaxPoolOp op) {
        writePool(os, op, /*max=*/true, i);
        return llvm::Error::success();
      })
      .Case([&](graph::AvgPoolOp op) {
        writePool(os, op, /*max=*/false, i);
        return llvm::Error::success();
      })
      .Case<graph::ArgMaxOp, graph::ArgMinOp>([&](auto op) {
        bool max = isa<graph::ArgMaxOp>(op.getOperation());
        ArrayRef<int64_t> in = op.getInput().getType().getShape();
        int64_t axis = op.getAxis();
        int64_t inner = computeProduct(in.drop_front(axis + 1));
        int64_t length = in[axis];
        std::string cmp = max ? ">" : "<";
        if (op.getSelectLastIndex())
          cmp += "=";
        std::string valueType = registerType(op.getInput());
        os << "  const long long o = " << i << " / " << inner << ", n = " << i
           << " % " << inner << ";\n"
           << "  " << valueType << " best = "
           << load(op.getInput(), "o * " + std::to_string(length * inner) +
                                      " + n")
           << ";\n"
           << "  long long a = 0;\n"
           << "  for (int j = 1; j < " << length << "; ++j) {\n"
           << "    const " << valueType << " x = "
           << load(op.getInput(), "(o * " + std::to_string(length) +
                                      " + j) * " + std::to_string(inner) +
                                      " + n")
           << ";\n"
           << "    if (x " << cmp << " best) {\n"
           << "      best = x;\n      a = j;\n    }\n  }\n";
        return llvm::Error::success();
      })
      .Default([&](Operation *op) -> llvm::Error {
        if (isReduction(op))
          return writeReduction(os, op, i);
        return opError(op, "not a per-element anchor");
      });
}

template <typename PoolOp>
void KernelWriter::writePool(llvm::raw_ostream &os, PoolOp op, bool max,
                             const std::string &i) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  ArrayRef<int64_t> out = op.getType().getShape();
  ArrayRef<int64_t> k = op.getKernelShape(), s = op.getStrides(),
                    p = op.getPads(), d = op.getDilations();
  os << "  const long long nc = " << i << " / " << out[2] * out[3]
     << ";\n"
     << "  const int oy = (" << i << " / " << out[3] << ") % " << out[2]
     << ", ox = " << i << " % " << out[3] << ";\n"
     << "  float acc = " << (max ? "-INFINITY" : "0.0f") << ";\n"
     << (max || op.getCountIncludePad() ? "" : "  int taken = 0;\n")
     << "  for (int ky = 0; ky < " << k[0] << "; ++ky) {\n"
     << "    const int y = oy * " << s[0] << " - " << p[0] << " + ky * "
     << d[0] << ";\n"
     << "    if (y < 0 || y >= " << in[2] << ")\n      continue;\n"
     << "    for (int kx = 0; kx < " << k[1] << "; ++kx) {\n"
     << "      const int x = ox * " << s[1] << " - " << p[1] << " + kx * "
     << d[1] << ";\n"
     << "      if (x < 0 || x >= " << in[3] << ")\n        continue;\n"
     << "      const float v = "
     << load(op.getInput(),
             "(nc * " + std::to_string(in[2]) + " + y) * " +
                 std::to_string(in[3]) + " + x")
     << ";\n"
     << "      acc = " << (max ? "v > acc ? v : acc" : "acc + v") << ";\n"
     << (max || op.getCountIncludePad() ? "" : "      ++taken;\n")
     << "    }\n  }\n";
  if (max) {
    os << "  const float a = acc;\n";
    return;
  }
  if (op.getCountIncludePad()) {
    // The window clipped to the padded input: cells past the padding do not
    // count even with count_include_pad.
    os << "  const int y0 = oy * " << s[0] << " - " << p[0]
       << ", x0 = ox * " << s[1] << " - " << p[1] << ";\n"
       << "  const int y1 = min(y0 + " << (k[0] - 1) * d[0] + 1 << ", "
       << in[2] + p[2] << "), x1 = min(x0 + " << (k[1] - 1) * d[1] + 1
       << ", " << in[3] + p[3] << ");\n"
       << "  const int cells = ((y1 - y0 + " << d[0] - 1 << ") / " << d[0]
       << ") * ((x1 - x0 + " << d[1] - 1 << ") / " << d[1] << ");\n"
       << "  const float a = acc / (float)cells;\n";
    return;
  }
  os << "  const float a = taken ? acc / (float)taken : 0.0f;\n";
}

llvm::Error KernelWriter::writeReduction(llvm::raw_ostream &os, Operation *op,
                                         const std::string &i) {
  Value input = op->getOperand(0);
  ArrayRef<int64_t> shape = tensorType(input).getShape();
  Type element = tensorType(input).getElementType();
  ArrayRef<int64_t> axes =
      cast<DenseI64ArrayAttr>(op->getAttr("axes")).asArrayRef();
  std::vector<int64_t> strides = contiguousStrides(shape);
  // The kept dimensions address the base; the reduced ones are loops.
  SmallVector<int64_t> keptShape, keptStrides;
  int64_t reduced = 1;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (llvm::is_contained(axes, static_cast<int64_t>(d))) {
      reduced *= size;
      continue;
    }
    keptShape.push_back(size);
    keptStrides.push_back(strides[d]);
  }
  std::string type = storage_.registerTypeName(element);
  bool isFloat = isa<FloatType>(element);
  std::string acc = isFloat ? "float" : type;
  auto limit = [&](bool lowest) -> std::string {
    if (isFloat)
      return lowest ? "-INFINITY" : "INFINITY";
    auto integer = cast<IntegerType>(element);
    unsigned width = integer.getWidth();
    if (integer.isUnsigned() || width == 1)
      return lowest ? "0" : "(" + type + ")~(" + type + ")0";
    return lowest ? "(" + type + ")(1ull << " + std::to_string(width - 1) + ")"
                  : "(" + type + ")((1ull << " + std::to_string(width - 1) +
                        ") - 1)";
  };
  std::string init = "0", combine;
  llvm::TypeSwitch<Operation *>(op)
      .Case<graph::ReduceMeanOp, graph::ReduceSumOp, graph::ReduceLogSumOp>(
          [&](auto) { combine = "acc += x"; })
      .Case([&](graph::ReduceProdOp) {
        init = "1";
        combine = "acc *= x";
      })
      .Case([&](graph::ReduceMaxOp) {
        init = limit(true);
        combine = "acc = x > acc ? x : acc";
      })
      .Case([&](graph::ReduceMinOp) {
        init = limit(false);
        combine = "acc = x < acc ? x : acc";
      })
      .Case([&](graph::ReduceL1Op) {
        combine = isFloat ? "acc += fabsf(x)" : "acc += x < 0 ? -x : x";
      })
      .Case<graph::ReduceL2Op, graph::ReduceSumSquareOp>(
          [&](auto) { combine = "acc += x * x"; })
      .Case([&](graph::ReduceLogSumExpOp) { combine = "acc += expf(x - top)"; })
      .Default([&](Operation *) {});
  if (!isFloat && isa<graph::ReduceLogSumExpOp, graph::ReduceLogSumOp,
                      graph::ReduceL2Op>(op))
    return opError(op, "logarithms and roots of integers");

  std::string base = offsetExpression(keptShape, keptStrides, i);
  os << "  const long long base = " << base << ";\n";
  // One loop per reduced dimension, outermost first.
  auto loops = [&](const std::string &statement) {
    std::string pad = "  ", offset = "base";
    for (int64_t axis : axes) {
      std::string r = "r" + std::to_string(axis);
      os << pad << "for (int " << r << " = 0; " << r << " < " << shape[axis]
         << "; ++" << r << ")\n";
      pad += "  ";
      offset += " + (long long)" + r + " * " + std::to_string(strides[axis]);
    }
    os << pad << "{\n"
       << pad << "  const " << acc << " x = " << load(input, offset) << ";\n"
       << pad << "  " << statement << ";\n"
       << pad << "}\n";
  };
  if (isa<graph::ReduceLogSumExpOp>(op)) {
    os << "  float top = -INFINITY;\n";
    loops("top = x > top ? x : top");
    os << "  if (isinf(top))\n    top = 0.0f;\n";
  }
  os << "  " << acc << " acc = " << init << ";\n";
  loops(combine);
  std::string result = "acc";
  if (isa<graph::ReduceMeanOp>(op))
    result = "acc / (" + acc + ")" + std::to_string(std::max<int64_t>(reduced, 1));
  else if (isa<graph::ReduceL2Op>(op))
    result = "sqrtf(acc)";
  else if (isa<graph::ReduceLogSumOp>(op))
    result = "logf(acc)";
  else if (isa<graph::ReduceLogSumExpOp>(op))
    result = "top + logf(acc)";
  os << "  const " << registerType(op->getResult(0)) << " a = (" 
     << registerType(op->getResult(0)) << ")(" << result << ");\n";
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Per-row anchors
//===----------------------------------------------------------------------===//

llvm::Error KernelWriter::writeRowKernel(Operation *anchor) {
  ArrayRef<int64_t> shape = tensorType(anchor->getResult(0)).getShape();
  int64_t axis = 0, length = 0, inner = 1;
  if (auto norm = dyn_cast<graph::LayerNormOp>(anchor)) {
    axis = norm.getAxis();
    length = computeProduct(shape.drop_front(axis));
  } else {
    axis = cast<IntegerAttr>(anchor->getAttr("axis")).getInt();
    length = shape[axis];
    inner = computeProduct(shape.drop_front(axis + 1));
  }
  int64_t rows = computeProduct(shape) / std::max<int64_t>(length, 1);
  if (rows == 0 || length == 0)
    return llvm::Error::success();
  Value input = anchor->getOperand(0);
  std::string kernel = name_ + "_" + anchor->getName().stripDialect().str();
  std::string code;
  llvm::raw_string_ostream os(code);

  if (inner != 1) {
    // Softmax over an axis that is not the last: one thread per (outer,
    // inner) pair, `rows` of them, walks the axis with stride `inner`.
    int64_t count = rows;
    bool logarithm = isa<graph::LogSoftmaxOp>(anchor);
    os << "static __global__ void __launch_bounds__(256) " << kernel << "("
       << kernelParams() << ")\n{\n"
       << "  const long long t = (long long)blockIdx.x * blockDim.x + "
          "threadIdx.x;\n"
       << "  if (t >= " << count << ")\n    return;\n"
       << "  const long long start = (t / " << inner << ") * "
       << length * inner << " + t % " << inner << ";\n"
       << "  float top = -INFINITY, sum = 0.0f;\n"
       << "  for (int j = 0; j < " << length << "; ++j)\n"
       << "    top = fmaxf(top, " << load(input, "start + (long long)j * " + std::to_string(inner))
       << ");\n"
       << "  for (int j = 0; j < " << length << "; ++j)\n"
       << "    sum += expf(" << load(input, "start + (long long)j * " + std::to_string(inner))
       << " - top);\n"
       << "  for (int j = 0; j < " << length << "; ++j) {\n"
       << "    const long long e = start + (long long)j * " << inner << ";\n"
       << "    const float x = " << load(input, "e") << ";\n"
       << "    const float a = "
       << (logarithm ? "x - top - logf(sum)" : "expf(x - top) / sum") << ";\n";
    if (llvm::Error err = writeTail(os, "    ", "e", "a"))
      return err;
    os << "  }\n}\n\n";
    device_ += code;
    launches_ += "  " + kernel + "<<<" + std::to_string((count + 255) / 256) +
                 ", 256, 0, stream>>>(" + kernelArgs() + ");\n";
    return llvm::Error::success();
  }

  int64_t threads = length >= 256 ? 256 : std::max<int64_t>(32, (length + 31) / 32 * 32);
  std::string row = "(long long)blockIdx.x * " + std::to_string(length);
  os << "static __global__ void __launch_bounds__(" << threads << ") "
     << kernel << "(" << kernelParams() << ")\n{\n"
     << "  const long long row = " << row << ";\n";
  auto forEach = [&](const std::string &body) {
    os << "  for (int j = threadIdx.x; j < " << length << "; j += "
       << threads << ") {\n"
       << "    const float x = " << load(input, "row + j") << ";\n"
       << body << "  }\n";
  };
  std::string finalValue;
  if (auto norm = dyn_cast<graph::LayerNormOp>(anchor)) {
    // Two passes over the row: the mean, then the variance around it.
    os << "  float sum = 0.0f;\n";
    forEach("    sum += x;\n");
    os << "  const float mean = mc_block_sum(sum) / " << length << ".0f;\n"
       << "  float squares = 0.0f;\n";
    forEach("    squares += (x - mean) * (x - mean);\n");
    os << "  const float rstd = rsqrtf(mc_block_sum(squares) / " << length
       << ".0f + " << cLiteral(Float32Type::get(anchor->getContext()),
                              norm.getEpsilon().convertToDouble())
       << ");\n";
    int64_t scaleCount = norm.getScale().getType().getNumElements();
    std::string scaleIndex = scaleCount == length ? "j" : "j % " + std::to_string(scaleCount);
    finalValue = "(x - mean) * rstd * " + load(norm.getScale(), scaleIndex);
    if (norm.getBias()) {
      int64_t biasCount = norm.getBias().getType().getNumElements();
      finalValue += " + " + load(norm.getBias(), biasCount == length
                                                     ? "j"
                                                     : "j % " + std::to_string(biasCount));
    }
  } else {
    os << "  float top = -INFINITY;\n";
    forEach("    top = fmaxf(top, x);\n");
    os << "  top = mc_block_max(top);\n  float sum = 0.0f;\n";
    forEach("    sum += expf(x - top);\n");
    os << "  sum = mc_block_sum(sum);\n";
    if (isa<graph::LogSoftmaxOp>(anchor)) {
      os << "  const float shift = top + logf(sum);\n";
      finalValue = "x - shift";
    } else {
      os << "  const float scale = 1.0f / sum;\n";
      finalValue = "expf(x - top) * scale";
    }
  }
  os << "  for (int j = threadIdx.x; j < " << length << "; j += " << threads
     << ") {\n"
     << "    const long long e = row + j;\n"
     << "    const float x = " << load(input, "e") << ";\n"
     << "    const float a = " << finalValue << ";\n";
  if (llvm::Error err = writeTail(os, "    ", "e", "a"))
    return err;
  os << "  }\n}\n\n";
  device_ += code;
  launches_ += "  " + kernel + "<<<" + std::to_string(rows) + ", " +
               std::to_string(threads) + ", 0, stream>>>(" + kernelArgs() +
               ");\n";
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Library anchors
//===----------------------------------------------------------------------===//

llvm::Error KernelWriter::writeLibraryCall(Operation *anchor) {
  std::string out = "out0";
  if (auto matmul = dyn_cast<graph::MatMulOp>(anchor)) {
    GemmShape gemm = getGemmShape(matmul);
    int64_t batch = 1, strideA = gemm.m * gemm.k, strideB = gemm.k * gemm.n;
    int64_t m = gemm.m;
    if (gemm.foldsBatch) {
      m = gemm.rowsPerCall();
      strideA = strideB = 0;
    } else {
      std::optional<SmallVector<int64_t>> shape =
          graph::broadcastShapes(gemm.lhsBatch, gemm.rhsBatch);
      batch = computeProduct(*shape);
      // One strided batch: each operand either has the whole batch or one
      // matrix for all of it.
      auto strideOf = [&](ArrayRef<int64_t> own, int64_t matrix,
                          int64_t &stride) {
        int64_t count = computeProduct(own);
        if (count == batch && llvm::equal(own, ArrayRef<int64_t>(*shape).take_back(own.size())))
          stride = matrix;
        else if (count == 1)
          stride = 0;
        else
          return false;
        return true;
      };
      if (!strideOf(gemm.lhsBatch, gemm.m * gemm.k, strideA) ||
          !strideOf(gemm.rhsBatch, gemm.k * gemm.n, strideB))
        return opError(anchor, "matmul batch broadcasting beyond one strided "
                               "batch");
    }
    unsigned index = plans_.gemms.size();
    plans_.gemms.push_back(
        "{" + std::to_string(batch) + ", " + std::to_string(m) + ", " +
        std::to_string(gemm.n) + ", " + std::to_string(gemm.k) + ", " +
        std::to_string(strideA) + ", " + std::to_string(strideB) + ", " +
        std::to_string(m * gemm.n) + ", " + storage_.libraryType() + ", " +
        (allowTf32_ ? "1" : "0") + "}");
    launches_ += "  if (mc_gemm_run(&ctx->gemm[" + std::to_string(index) +
                 "], &ctx->libraries, stream, " +
                 pointers_.lookup(matmul.getLhs()) + ", " +
                 pointers_.lookup(matmul.getRhs()) + ", " + out +
                 ", ctx->workspace) != 0)\n    return -1;\n";
    return llvm::Error::success();
  }
  auto conv = cast<graph::ConvOp>(anchor);
  ArrayRef<int64_t> in = conv.getInput().getType().getShape();
  ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
  ArrayRef<int64_t> o = conv.getType().getShape();
  ArrayRef<int64_t> s = conv.getStrides(), p = conv.getPads(),
                    d = conv.getDilations();
  unsigned index = plans_.convs.size();
  std::string shape;
  llvm::raw_string_ostream os(shape);
  os << "{" << in[0] << ", " << in[1] << ", " << in[2] << ", " << in[3]
     << ", " << o[1] << ", " << o[2] << ", " << o[3] << ", " << w[2] << ", "
     << w[3] << ", " << s[0] << ", " << s[1] << ", " << p[0] << ", " << p[1]
     << ", " << d[0] << ", " << d[1] << ", " << conv.getGroup() << ", "
     << storage_.libraryType() << ", " << (allowTf32_ ? 1 : 0) << "}";
  plans_.convs.push_back(shape);
  launches_ += "  if (mc_conv_run(&ctx->conv[" + std::to_string(index) +
               "], &ctx->libraries, stream, " +
               pointers_.lookup(conv.getInput()) + ", " +
               pointers_.lookup(conv.getWeight()) + ", " + out +
               ", ctx->workspace) != 0)\n    return -1;\n";
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
            name_ + "_" + anchor_->getName().stripDialect().str(), count,
            [&](llvm::raw_ostream &os, const std::string &i) {
              return writeElementAnchor(os, anchor_, i);
            },
            /*hasAnchorValue=*/true))
      return std::move(err);
  } else if (isRowAnchor(anchor_)) {
    if (llvm::Error err = writeRowKernel(anchor_))
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
    if (auto conv = dyn_cast<graph::ConvOp>(anchor_); conv && conv.getBias()) {
      ArrayRef<int64_t> shape = conv.getType().getShape();
      bias = " + " + load(conv.getBias(),
                          "(i / " + std::to_string(shape[2] * shape[3]) +
                              ") % " + std::to_string(shape[1]));
    }
    if (!bias.empty() || !elementwise_.empty()) {
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

} // namespace

std::string unsupportedReason(kernel::DispatchOp dispatch) {
  llvm::Expected<DispatchBody> parts = splitDispatchBody(dispatch);
  if (!parts)
    return llvm::toString(parts.takeError());
  Operation *anchor = parts->anchor;
  if (!anchor)
    return "";
  if (isElementAnchor(anchor) || isRowAnchor(anchor))
    return "";
  if (auto matmul = dyn_cast<graph::MatMulOp>(anchor)) {
    if (!matmul.getType().getElementType().isF32())
      return "matmul of " +
             std::string(matmul.getType().getElementType().isInteger()
                             ? "integers"
                             : "this type") +
             " is not supported by the cuda target yet";
    return "";
  }
  if (auto conv = dyn_cast<graph::ConvOp>(anchor)) {
    ArrayRef<int64_t> p = conv.getPads();
    if (conv.getType().getRank() != 4)
      return "only 2-D convolutions are supported by the cuda target";
    if (p[0] != p[2] || p[1] != p[3])
      return "asymmetric convolution padding is not supported by the cuda "
             "target yet";
    if (!conv.getType().getElementType().isF32())
      return "only float convolutions are supported by the cuda target";
    return "";
  }
  return "op '" + anchor->getName().stripDialect().str() +
         "' is not supported by the cuda target yet";
}

llvm::Expected<DispatchCode>
emitDispatchKernels(kernel::DispatchOp dispatch, const StoragePolicy &storage,
                    const std::string &contextType, bool allowTf32,
                    LibraryPlans &plans) {
  KernelWriter writer(dispatch, storage, contextType, allowTf32, plans);
  return writer.run();
}

} // namespace modelc::cuda_target
