//===- ConvertFloatStorage.cpp - Store float tensors in 16 bits -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// `--precision=fp16|bf16` is a decision about memory, so it is made in the
// IR before memory is planned: every float32 tensor that lives in a buffer
// (weights, dispatch results, the views over them) takes the 16-bit type, and
// the planner sizes it at two bytes an element. Arithmetic stays float32:
// each loop nest widens what it reads (`arith.extf`) and rounds what it
// stores (`arith.truncf`), and matrix products keep their f32 accumulator.
// Sums that a reduction nest accumulates stay float32 in registers; where one
// is a dispatch's result, a rounding loop nest stores it.
//
// The function's inputs and outputs take `io` (the caller's element type).
// Where it differs from the storage type, a `convert_input_K` or
// `convert_output_K` dispatch converts between the caller's buffer and the
// arena, so the plan holds every byte the artifact touches.
//
//===----------------------------------------------------------------------===//

#include "dialects/Kernel/Transforms/Passes.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "modelc/Support/HalfFloat.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"

#include <cstring>

namespace mlir::modelc::kernel {
#define GEN_PASS_DEF_CONVERTFLOATSTORAGEPASS
#include "dialects/Kernel/Transforms/Passes.h.inc"

namespace {
struct ConvertFloatStoragePass final
    : impl::ConvertFloatStoragePassBase<ConvertFloatStoragePass> {
  using Base::Base;
  void runOnOperation() override;
};

FailureOr<Type> parseFloatType(MLIRContext *context, StringRef name) {
  if (name == "f32")
    return Type(Float32Type::get(context));
  if (name == "f16")
    return Type(Float16Type::get(context));
  if (name == "bf16")
    return Type(BFloat16Type::get(context));
  return failure();
}

bool isF32Tensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType().isF32();
}

RankedTensorType withElement(Type type, Type element) {
  return cast<RankedTensorType>(type).clone(element);
}

/// The tensors that hold running sums: reduction loop nests' results and the
/// fills (and their empty tensors) that start them. They stay float32.
llvm::DenseSet<Value> findAccumulators(func::FuncOp func) {
  llvm::DenseSet<Value> accumulators;
  func.walk([&](linalg::FillOp fill) {
    accumulators.insert(fill.getResult(0));
    accumulators.insert(fill.getOutputs()[0]);
  });
  func.walk([&](linalg::GenericOp generic) {
    if (generic.getNumReductionLoops() == 0)
      return;
    for (Value result : generic->getResults())
      accumulators.insert(result);
    for (Value init : generic.getDpsInits())
      accumulators.insert(init);
  });
  return accumulators;
}

/// `attr` rounded to `storage`, element by element (nearest even).
FailureOr<ElementsAttr> narrowConstant(ElementsAttr attr, Type storage) {
  std::vector<char> wide = graph::readConstantBytes(attr);
  int64_t count = attr.getNumElements();
  if (static_cast<int64_t>(wide.size()) != 4 * count)
    return failure();
  std::vector<char> narrow(2 * count);
  for (int64_t i = 0; i < count; ++i) {
    float value;
    std::memcpy(&value, wide.data() + 4 * i, 4);
    uint16_t bits = storage.isF16() ? ::modelc::toHalfBits(value)
                                    : ::modelc::toBfloat16Bits(value);
    std::memcpy(narrow.data() + 2 * i, &bits, 2);
  }
  std::string hint = "narrowed";
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    hint = resource.getRawHandle().getKey().str();
  return graph::makeConstant(
      cast<ShapedType>(withElement(attr.getType(), storage)), narrow, hint);
}

/// One element of `value` converted to `to` through float32, where
/// 16-bit-to-16-bit needs both steps.
Value convertScalar(OpBuilder &builder, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth) {
    value = arith::ExtFOp::create(builder, loc, builder.getF32Type(), value);
    fromWidth = 32;
  }
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(builder, loc, to, value);
  return arith::TruncFOp::create(builder, loc, to, value);
}

/// A loop nest that converts every element of `value` to `element`.
Value convertTensor(OpBuilder &builder, Location loc, Value value,
                    Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  Value init = tensor::EmptyOp::create(builder, loc, type.getShape(), element);
  SmallVector<AffineMap> maps(
      2, builder.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{type.clone(element)}, ValueRange{value},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange arguments) {
        linalg::YieldOp::create(
            nested, nestedLoc,
            convertScalar(nested, nestedLoc, arguments[0], element));
      });
  return generic.getResult(0);
}

/// A dispatch that converts `value` to `element` on its own.
Value convertInDispatch(OpBuilder &builder, Location loc, Value value,
                        Type element, StringRef name) {
  auto type = withElement(value.getType(), element);
  auto dispatch = DispatchOp::create(
      builder, loc, TypeRange{type}, ValueRange{value}, name,
      /*result_offsets=*/nullptr, /*in_place=*/nullptr,
      /*scratch_offset=*/nullptr, /*scratch_bytes=*/nullptr,
      /*resident_offset=*/nullptr, /*resident_bytes=*/nullptr);
  OpBuilder::InsertionGuard guard(builder);
  Block *body = builder.createBlock(&dispatch.getBody());
  Value argument = body->addArgument(value.getType(), loc);
  YieldOp::create(builder, loc, convertTensor(builder, loc, argument, element));
  return dispatch.getResult(0);
}

/// Widens what a loop nest reads from 16-bit operands and rounds what it
/// yields into 16-bit results, so its body keeps computing in float32.
void convertAtLoopNestBoundary(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  OpBuilder builder(generic.getContext());
  for (OpOperand &operand : generic->getOpOperands()) {
    BlockArgument argument = generic.getMatchingBlockArgument(&operand);
    Type element = getElementTypeOrSelf(operand.get().getType());
    Type computed = argument.getType();
    if (computed == element)
      continue;
    argument.setType(element);
    if (argument.use_empty())
      continue;
    builder.setInsertionPointToStart(&body);
    Value wide = convertScalar(builder, argument.getLoc(), argument, computed);
    argument.replaceAllUsesExcept(wide, wide.getDefiningOp());
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  builder.setInsertionPoint(yield);
  for (auto [i, result] : llvm::enumerate(generic->getResults())) {
    Type element = getElementTypeOrSelf(result.getType());
    Value yielded = yield.getOperand(i);
    if (yielded.getType() != element)
      yield.setOperand(i, convertScalar(builder, yield.getLoc(), yielded,
                                        element));
  }
}

/// A tensor.extract from a now 16-bit tensor yields the 16-bit element;
/// its users still see float32.
void widenExtract(tensor::ExtractOp extract) {
  Type element = extract.getTensor().getType().getElementType();
  Type computed = extract.getType();
  if (element == computed)
    return;
  extract.getResult().setType(element);
  OpBuilder builder(extract->getContext());
  builder.setInsertionPointAfter(extract);
  Value wide = convertScalar(builder, extract.getLoc(), extract, computed);
  extract.getResult().replaceAllUsesExcept(wide, wide.getDefiningOp());
}
} // namespace

void ConvertFloatStoragePass::runOnOperation() {
  func::FuncOp func = getOperation();
  MLIRContext *context = &getContext();
  FailureOr<Type> storage = parseFloatType(context, storageName);
  FailureOr<Type> io = ioName == "model" ? FailureOr<Type>(Float32Type::get(context))
                                         : parseFloatType(context, ioName);
  if (failed(storage) || failed(io)) {
    func.emitError("kernel-convert-float-storage: storage and io take f32, "
                   "f16 or bf16 (io also model), got storage=")
        << storageName << " io=" << ioName;
    return signalPassFailure();
  }
  if (storage->isF32() && io->isF32())
    return;

  // Storage: weights, results and views take the storage type; sums being
  // accumulated keep float32.
  if (!storage->isF32()) {
    llvm::DenseSet<Value> accumulators = findAccumulators(func);
    bool failedConstant = false;
    func.walk([&](Operation *op) {
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        auto attr = dyn_cast<ElementsAttr>(constant.getValue());
        if (!attr || !isF32Tensor(constant.getType()) ||
            accumulators.contains(constant.getResult()))
          return;
        FailureOr<ElementsAttr> narrowed = narrowConstant(attr, *storage);
        if (failed(narrowed)) {
          constant.emitError("a float32 constant without data cannot be "
                             "stored as ")
              << *storage;
          failedConstant = true;
          return;
        }
        constant.setValueAttr(cast<TypedAttr>(*narrowed));
        constant.getResult().setType(narrowed->getType());
        return;
      }
      for (Value result : op->getResults())
        if (isF32Tensor(result.getType()) && !accumulators.contains(result))
          result.setType(withElement(result.getType(), *storage));
      if (auto dispatch = dyn_cast<DispatchOp>(op))
        for (BlockArgument argument : dispatch.getBodyBlock().getArguments())
          if (isF32Tensor(argument.getType()))
            argument.setType(withElement(argument.getType(), *storage));
    });
    if (failedConstant)
      return signalPassFailure();
    func.walk(convertAtLoopNestBoundary);
    func.walk(widenExtract);
    // A dispatch that yields a float32 sum rounds it into its result.
    func.walk([&](DispatchOp dispatch) {
      auto yield = dispatch.getYield();
      OpBuilder builder(yield);
      for (auto [i, type] : llvm::enumerate(dispatch.getResultTypes())) {
        Value yielded = yield.getOperand(i);
        if (yielded.getType() != type)
          yield.setOperand(i, convertTensor(builder, yield.getLoc(), yielded,
                                            getElementTypeOrSelf(type)));
      }
    });
  }

  // The caller's buffers: float inputs and outputs take `io`, converted to
  // and from storage by their own dispatches where the two differ.
  Block &entry = func.getBody().front();
  FunctionType type = func.getFunctionType();
  OpBuilder builder(context);
  builder.setInsertionPointToStart(&entry);
  SmallVector<Type> inputTypes, resultTypes;
  for (auto [i, argument] : llvm::enumerate(entry.getArguments())) {
    if (!isF32Tensor(type.getInput(i))) {
      inputTypes.push_back(argument.getType());
      continue;
    }
    argument.setType(withElement(argument.getType(), *io));
    inputTypes.push_back(argument.getType());
    if (*io == *storage || argument.use_empty())
      continue;
    Value stored = convertInDispatch(builder, argument.getLoc(), argument,
                                     *storage,
                                     "convert_input_" + std::to_string(i));
    argument.replaceAllUsesExcept(stored, stored.getDefiningOp());
  }
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  builder.setInsertionPoint(ret);
  for (OpOperand &operand : ret->getOpOperands()) {
    unsigned i = operand.getOperandNumber();
    if (!isF32Tensor(type.getResult(i))) {
      resultTypes.push_back(operand.get().getType());
      continue;
    }
    Type wanted = withElement(operand.get().getType(), *io);
    if (operand.get().getType() != wanted)
      operand.set(convertInDispatch(builder, ret.getLoc(), operand.get(), *io,
                                    "convert_output_" + std::to_string(i)));
    resultTypes.push_back(wanted);
  }
  func.setType(FunctionType::get(context, inputTypes, resultTypes));
}

} // namespace mlir::modelc::kernel
