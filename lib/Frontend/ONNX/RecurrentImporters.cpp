//===- RecurrentImporters.cpp - ONNX RNN, GRU and LSTM as graph ops -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The recurrent ops are written as the graph ops every target already runs,
// in the shape a fused recurrent kernel has:
//   - one matrix product projects the input of every time step at once
//     ([T * batch, input] by [input, gates * hidden]), with both biases
//     added, so the per-step work is only the recurrence;
//   - each step is a small matrix product of the previous hidden state with
//     the recurrence weights, then the gate arithmetic, which the fusion
//     pass turns into one elementwise kernel per step;
//   - `sequence_lens` masks a step per batch entry: past its length an
//     entry's state stays and its output is zero. A reverse pass walks from
//     the last time step, so masking the steps at or past an entry's length
//     reverses exactly the entry's own sequence, as ONNX says.
// The time steps are unrolled: sequence lengths are static (a dimension is
// pinned at compile time), so the generated code grows with their number.
// Streaming use passes the state through initial_h / initial_c and Y_h /
// Y_c, one call per chunk.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

enum class CellKind { RNN, GRU, LSTM };

/// What differs between the three cells before any arithmetic: the number
/// of gates in the weights, and the activations each direction names.
struct CellTraits {
  llvm::StringRef name;
  int64_t gates;
  SmallVector<llvm::StringRef, 3> defaultActivations;
};

CellTraits traitsOf(CellKind kind) {
  switch (kind) {
  case CellKind::RNN:
    return {"RNN", 1, {"Tanh"}};
  case CellKind::GRU:
    return {"GRU", 3, {"Sigmoid", "Tanh"}};
  case CellKind::LSTM:
    return {"LSTM", 4, {"Sigmoid", "Tanh", "Tanh"}};
  }
  llvm_unreachable("unknown cell kind");
}

/// One activation function of the cell with the parameters it takes.
struct Activation {
  enum Kind {
    Relu,
    Tanh,
    Sigmoid,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus,
    Unknown
  } kind;
  double alpha = 0.0, beta = 0.0;
};

Activation::Kind activationKind(llvm::StringRef name) {
  std::string lower = name.lower();
  return llvm::StringSwitch<Activation::Kind>(lower)
      .Case("relu", Activation::Relu)
      .Case("tanh", Activation::Tanh)
      .Case("sigmoid", Activation::Sigmoid)
      .Case("affine", Activation::Affine)
      .Case("leakyrelu", Activation::LeakyRelu)
      .Case("thresholdedrelu", Activation::ThresholdedRelu)
      .Case("scaledtanh", Activation::ScaledTanh)
      .Case("hardsigmoid", Activation::HardSigmoid)
      .Case("elu", Activation::Elu)
      .Case("softsign", Activation::Softsign)
      .Case("softplus", Activation::Softplus)
      .Default(Activation::Unknown);
}

/// The defaults of alpha and beta are those of the ONNX op of the same name
/// (nothing for the ones that take none).
std::pair<std::optional<double>, std::optional<double>>
activationDefaults(Activation::Kind kind) {
  switch (kind) {
  case Activation::Affine:
    return {1.0, 0.0};
  case Activation::LeakyRelu:
    return {0.01, std::nullopt};
  case Activation::ThresholdedRelu:
  case Activation::Elu:
    return {1.0, std::nullopt};
  case Activation::ScaledTanh:
    return {1.0, 1.0};
  case Activation::HardSigmoid:
    return {0.2, 0.5};
  default:
    return {std::nullopt, std::nullopt};
  }
}

/// The activations of every direction, in order. `activation_alpha` and
/// `activation_beta` are consumed in that order by the functions that take
/// them. A bidirectional node that names one direction's list uses it for
/// both.
llvm::Expected<SmallVector<Activation>>
readActivations(NodeContext &ctx, const CellTraits &traits,
                int64_t directions) {
  std::vector<std::string> names = ctx.stringsAttr("activations");
  size_t perDirection = traits.defaultActivations.size();
  if (names.empty())
    for (int64_t d = 0; d < directions; ++d)
      for (llvm::StringRef name : traits.defaultActivations)
        names.push_back(name.str());
  if (names.size() == perDirection && directions == 2) {
    std::vector<std::string> forward(names);
    names.insert(names.end(), forward.begin(), forward.end());
  }
  if (names.size() != perDirection * directions)
    return ctx.error("expected " + llvm::Twine(perDirection * directions) +
                     " activations, got " + llvm::Twine(names.size()));
  std::vector<float> alphas = ctx.floatsAttr("activation_alpha");
  std::vector<float> betas = ctx.floatsAttr("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> result;
  for (const std::string &name : names) {
    Activation activation{activationKind(name)};
    if (activation.kind == Activation::Unknown)
      return ctx.error("unsupported activation '" + name + "'");
    auto [alpha, beta] = activationDefaults(activation.kind);
    if (alpha)
      activation.alpha =
          nextAlpha < alphas.size() ? alphas[nextAlpha++] : *alpha;
    if (beta)
      activation.beta = nextBeta < betas.size() ? betas[nextBeta++] : *beta;
    result.push_back(activation);
  }
  return result;
}

/// Builds the unrolled recurrence of one node.
class RecurrenceBuilder {
public:
  RecurrenceBuilder(NodeContext &ctx, CellKind kind)
      : ctx_(ctx), kind_(kind), traits_(traitsOf(kind)) {}

  llvm::Error build();

private:
  OpBuilder &builder() { return ctx_.builder(); }

  Value scalar(double value) { return scalarConstant(ctx_, f32(), value); }
  Type f32() { return builder().getF32Type(); }
  Value zeros(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, f32());
    return arith::ConstantOp::create(
        builder(), ctx_.loc(), type,
        DenseElementsAttr::get(type, builder().getF32FloatAttr(0.0f)));
  }

  /// `value` restricted to [start, end) along `axis`.
  Value slice(Value value, int64_t axis, int64_t start, int64_t end) {
    auto shape = cast<RankedTensorType>(value.getType()).getShape();
    SmallVector<int64_t> starts(shape.size(), 0), ends(shape),
        steps(shape.size(), 1);
    starts[axis] = start;
    ends[axis] = end;
    return ctx_.create<graph::SliceOp>(value,
                                       builder().getDenseI64ArrayAttr(starts),
                                       builder().getDenseI64ArrayAttr(ends),
                                       builder().getDenseI64ArrayAttr(steps));
  }
  /// Gate `k` of a [batch, gates * hidden] tensor.
  Value gate(Value value, int64_t k) {
    return slice(value, 1, k * hidden_, (k + 1) * hidden_);
  }
  /// Direction `d` of a [directions, ...] operand, without its leading
  /// dimension.
  Value direction(Value value, int64_t d) {
    auto shape = cast<RankedTensorType>(value.getType()).getShape();
    return reshapeTo(ctx_, slice(value, 0, d, d + 1), shape.drop_front());
  }
  Value add(Value a, Value b) { return ctx_.create<graph::AddOp>(a, b); }
  Value mul(Value a, Value b) { return ctx_.create<graph::MulOp>(a, b); }
  Value sub(Value a, Value b) { return ctx_.create<graph::SubOp>(a, b); }
  Value transpose(Value value, ArrayRef<int64_t> permutation) {
    return ctx_.create<graph::TransposeOp>(value, permutation);
  }

  /// `clip` bounds every activation's input, when the node sets it.
  Value activate(const Activation &activation, Value x, bool clipped);

  llvm::Error readOperands();
  /// The hidden (and for LSTM cell) state after one step, from the step's
  /// projected input `xt` ([batch, gates * hidden]).
  void step(Value xt, int64_t d, Value &h, Value &c);

  NodeContext &ctx_;
  CellKind kind_;
  CellTraits traits_;
  int64_t steps_ = 0, batch_ = 0, inputSize_ = 0, hidden_ = 0, directions_ = 1;
  bool reverse_ = false;
  std::optional<double> clip_;
  SmallVector<Activation> activations_;
  /// Time-major operands: x is [T, batch, input], the states
  /// [directions, batch, hidden].
  Value x_, w_, r_, bias_, sequenceLengths_, initialH_, initialC_, peepholes_;
  /// Per direction: recurrence weights transposed to [hidden, gates *
  /// hidden], and what GRU adds inside its reset gate.
  Value rT_, recurrenceBias_;
  bool linearBeforeReset_ = false;
  bool inputForget_ = false;
};

Value RecurrenceBuilder::activate(const Activation &activation, Value x,
                                  bool clipped) {
  if (clipped && clip_)
    x = ctx_.create<graph::ClipOp>(x, builder().getF64FloatAttr(-*clip_),
                                   builder().getF64FloatAttr(*clip_));
  auto alpha = builder().getF64FloatAttr(activation.alpha);
  auto beta = builder().getF64FloatAttr(activation.beta);
  switch (activation.kind) {
  case Activation::Relu:
    return ctx_.create<graph::ReluOp>(x);
  case Activation::Tanh:
    return ctx_.create<graph::TanhOp>(x);
  case Activation::Sigmoid:
    return ctx_.create<graph::SigmoidOp>(x);
  case Activation::Affine:
    return add(mul(x, scalar(activation.alpha)), scalar(activation.beta));
  case Activation::LeakyRelu:
    return ctx_.create<graph::LeakyReluOp>(x, alpha);
  case Activation::ThresholdedRelu:
    return ctx_.create<graph::ThresholdedReluOp>(x, alpha);
  case Activation::ScaledTanh:
    return mul(ctx_.create<graph::TanhOp>(mul(x, scalar(activation.beta))),
               scalar(activation.alpha));
  case Activation::HardSigmoid:
    return ctx_.create<graph::HardSigmoidOp>(x, alpha, beta);
  case Activation::Elu:
    return ctx_.create<graph::EluOp>(x, alpha);
  case Activation::Softsign:
    return ctx_.create<graph::SoftsignOp>(x);
  case Activation::Softplus:
    return ctx_.create<graph::SoftplusOp>(x);
  case Activation::Unknown:
    break;
  }
  llvm_unreachable("activations are checked when read");
}

llvm::Error RecurrenceBuilder::readOperands() {
  if (ctx_.numInputs() < 3 || !ctx_.input(0) || !ctx_.input(1) ||
      !ctx_.input(2))
    return ctx_.error("expected X, W and R operands");
  for (size_t i = 0; i < ctx_.numInputs(); ++i)
    if (ctx_.input(i) && i != 4 && !ctx_.inputType(i).getElementType().isF32())
      return ctx_.error(traits_.name + " runs in f32 only; operand " +
                        llvm::Twine(i) + " is not f32");

  std::string direction = ctx_.stringAttr("direction", "forward");
  if (direction == "bidirectional")
    directions_ = 2;
  else if (direction == "reverse")
    reverse_ = true;
  else if (direction != "forward")
    return ctx_.error("unknown direction '" + direction + "'");
  int64_t layout = ctx_.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx_.error("layout must be 0 or 1, got " + llvm::Twine(layout));

  x_ = ctx_.input(0);
  auto xShape = ctx_.inputType(0).getShape();
  if (xShape.size() != 3)
    return ctx_.error("X must have rank 3");
  if (layout == 1)
    x_ = transpose(x_, {1, 0, 2});
  auto timeMajor = cast<RankedTensorType>(x_.getType()).getShape();
  steps_ = timeMajor[0];
  batch_ = timeMajor[1];
  inputSize_ = timeMajor[2];
  if (steps_ == 0)
    return ctx_.error("X has no time steps");

  auto rShape = ctx_.inputType(2).getShape();
  if (rShape.size() != 3 || rShape[0] != directions_ ||
      rShape[1] != traits_.gates * rShape[2])
    return ctx_.error("R must be [" + llvm::Twine(directions_) + ", " +
                      llvm::Twine(traits_.gates) + " * hidden, hidden]");
  hidden_ = rShape[2];
  if (int64_t declared = ctx_.intAttr("hidden_size", hidden_);
      declared != hidden_)
    return ctx_.error("hidden_size " + llvm::Twine(declared) +
                      " does not match R's hidden size " +
                      llvm::Twine(hidden_));
  int64_t gateWidth = traits_.gates * hidden_;
  auto wShape = ctx_.inputType(1).getShape();
  if (wShape != ArrayRef<int64_t>{directions_, gateWidth, inputSize_})
    return ctx_.error("W must be [" + llvm::Twine(directions_) + ", " +
                      llvm::Twine(gateWidth) + ", " + llvm::Twine(inputSize_) +
                      "]");
  w_ = ctx_.input(1);
  r_ = ctx_.input(2);

  bias_ = ctx_.input(3);
  if (bias_ && ctx_.inputType(3).getShape() !=
                   ArrayRef<int64_t>{directions_, 2 * gateWidth})
    return ctx_.error("B must be [" + llvm::Twine(directions_) + ", " +
                      llvm::Twine(2 * gateWidth) + "]");
  sequenceLengths_ = ctx_.input(4);
  if (sequenceLengths_) {
    auto type = ctx_.inputType(4);
    if (type.getShape() != ArrayRef<int64_t>{batch_} ||
        !type.getElementType().isInteger(32))
      return ctx_.error("sequence_lens must be int32 of shape [" +
                        llvm::Twine(batch_) + "]");
  }
  auto readState = [&](size_t index, Value &state) -> llvm::Error {
    state = ctx_.input(index);
    if (!state)
      return llvm::Error::success();
    if (ctx_.inputType(index).getRank() != 3)
      return ctx_.error("initial state " + llvm::Twine(index) +
                        " must have rank 3");
    if (layout == 1)
      state = transpose(state, {1, 0, 2});
    if (cast<RankedTensorType>(state.getType()).getShape() !=
        ArrayRef<int64_t>{directions_, batch_, hidden_})
      return ctx_.error("initial state " + llvm::Twine(index) +
                        " must be [directions, batch, hidden]");
    return llvm::Error::success();
  };
  if (llvm::Error err = readState(5, initialH_))
    return err;
  if (kind_ == CellKind::LSTM) {
    if (llvm::Error err = readState(6, initialC_))
      return err;
    peepholes_ = ctx_.input(7);
    if (peepholes_ && ctx_.inputType(7).getShape() !=
                          ArrayRef<int64_t>{directions_, 3 * hidden_})
      return ctx_.error("P must be [" + llvm::Twine(directions_) + ", " +
                        llvm::Twine(3 * hidden_) + "]");
    inputForget_ = ctx_.intAttr("input_forget", 0) != 0;
  }
  linearBeforeReset_ =
      kind_ == CellKind::GRU && ctx_.intAttr("linear_before_reset", 0) != 0;
  if (ctx_.attribute("clip"))
    clip_ = ctx_.floatAttr("clip", 0.0f);

  llvm::Expected<SmallVector<Activation>> activations =
      readActivations(ctx_, traits_, directions_);
  if (!activations)
    return activations.takeError();
  activations_ = std::move(*activations);
  return llvm::Error::success();
}

void RecurrenceBuilder::step(Value xt, int64_t d, Value &h, Value &c) {
  const Activation *act = &activations_[d * traits_.defaultActivations.size()];
  // GRU's candidate gate multiplies the reset state by its own weights
  // unless linear_before_reset; only z and r take the state's product then.
  Value recurrentWeights = kind_ == CellKind::GRU && !linearBeforeReset_
                               ? slice(rT_, 1, 0, 2 * hidden_)
                               : rT_;
  Value recurrent = ctx_.create<graph::MatMulOp>(h, recurrentWeights);
  switch (kind_) {
  case CellKind::RNN:
    h = activate(act[0], add(xt, recurrent), true);
    return;
  case CellKind::GRU: {
    // Gates z, r, h. With linear_before_reset the reset gate scales the
    // recurrence's product and bias; otherwise it scales the state before
    // its product, which is a second small matrix product.
    Value z = activate(act[0], add(gate(xt, 0), gate(recurrent, 0)), true);
    Value reset = activate(act[0], add(gate(xt, 1), gate(recurrent, 1)), true);
    Value candidateRecurrent;
    if (linearBeforeReset_) {
      candidateRecurrent = mul(reset, add(gate(recurrent, 2), recurrenceBias_));
    } else {
      Value rhT = slice(rT_, 1, 2 * hidden_, 3 * hidden_);
      candidateRecurrent = ctx_.create<graph::MatMulOp>(mul(reset, h), rhT);
    }
    Value candidate =
        activate(act[1], add(gate(xt, 2), candidateRecurrent), true);
    // H = (1 - z) * candidate + z * H, written as candidate + z * (H -
    // candidate).
    h = add(candidate, mul(z, sub(h, candidate)));
    return;
  }
  case CellKind::LSTM: {
    // Gates i, o, f, c; peepholes i, o, f.
    Value gates = add(xt, recurrent);
    Value inputGate = gate(gates, 0), outputGate = gate(gates, 1),
          forgetGate = gate(gates, 2), cellGate = gate(gates, 3);
    Value pi, po, pf;
    if (peepholes_) {
      Value p = direction(peepholes_, d);
      pi = slice(p, 0, 0, hidden_);
      po = slice(p, 0, hidden_, 2 * hidden_);
      pf = slice(p, 0, 2 * hidden_, 3 * hidden_);
      inputGate = add(inputGate, mul(pi, c));
      forgetGate = add(forgetGate, mul(pf, c));
    }
    Value i = activate(act[0], inputGate, true);
    Value f =
        inputForget_ ? sub(scalar(1.0), i) : activate(act[0], forgetGate, true);
    Value candidate = activate(act[1], cellGate, true);
    c = add(mul(f, c), mul(i, candidate));
    if (peepholes_)
      outputGate = add(outputGate, mul(po, c));
    Value o = activate(act[0], outputGate, true);
    h = mul(o, activate(act[2], c, false));
    return;
  }
  }
}

llvm::Error RecurrenceBuilder::build() {
  if (llvm::Error err = readOperands())
    return err;
  int64_t gateWidth = traits_.gates * hidden_;
  Value flatInput = reshapeTo(ctx_, x_, {steps_ * batch_, inputSize_});
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < directions_; ++d) {
    bool reverse = reverse_ || d == 1;
    Value wT = transpose(direction(w_, d), {1, 0});
    rT_ = transpose(direction(r_, d), {1, 0});
    // Both biases go into the projection, except GRU's candidate recurrence
    // bias under linear_before_reset, which the reset gate scales.
    Value projection = ctx_.create<graph::MatMulOp>(flatInput, wT);
    if (bias_) {
      Value b = direction(bias_, d);
      Value inputBias = slice(b, 0, 0, gateWidth);
      Value recurrenceBias = slice(b, 0, gateWidth, 2 * gateWidth);
      if (linearBeforeReset_) {
        recurrenceBias_ = slice(recurrenceBias, 0, 2 * hidden_, 3 * hidden_);
        recurrenceBias = ctx_.create<graph::ConcatOp>(
            ValueRange{slice(recurrenceBias, 0, 0, 2 * hidden_),
                       zeros({hidden_})},
            builder().getI64IntegerAttr(0));
      }
      projection = add(projection, add(inputBias, recurrenceBias));
    } else if (linearBeforeReset_) {
      recurrenceBias_ = zeros({hidden_});
    }
    projection = reshapeTo(ctx_, projection, {steps_, batch_, gateWidth});

    Value h = initialH_ ? direction(initialH_, d) : zeros({batch_, hidden_});
    Value c;
    if (kind_ == CellKind::LSTM)
      c = initialC_ ? direction(initialC_, d) : zeros({batch_, hidden_});
    SmallVector<Value> outputs(steps_);
    for (int64_t s = 0; s < steps_; ++s) {
      int64_t t = reverse ? steps_ - 1 - s : s;
      Value xt =
          reshapeTo(ctx_, slice(projection, 0, t, t + 1), {batch_, gateWidth});
      Value nextH = h, nextC = c;
      step(xt, d, nextH, nextC);
      Value output = nextH;
      if (sequenceLengths_) {
        Value live = ctx_.create<graph::LessOp>(
            scalarConstant(ctx_, builder().getI32Type(), double(t)),
            sequenceLengths_);
        live = reshapeTo(ctx_, live, {batch_, 1});
        output = ctx_.create<graph::WhereOp>(live, nextH, scalar(0.0));
        nextH = ctx_.create<graph::WhereOp>(live, nextH, h);
        if (nextC)
          nextC = ctx_.create<graph::WhereOp>(live, nextC, c);
      }
      h = nextH;
      c = nextC;
      outputs[t] = reshapeTo(ctx_, output, {1, 1, batch_, hidden_});
    }
    ys.push_back(outputs.size() == 1
                     ? outputs.front()
                     : ctx_.create<graph::ConcatOp>(
                           outputs, builder().getI64IntegerAttr(0)));
    hs.push_back(reshapeTo(ctx_, h, {1, batch_, hidden_}));
    if (c)
      cs.push_back(reshapeTo(ctx_, c, {1, batch_, hidden_}));
  }

  bool batchMajor = ctx_.intAttr("layout", 0) == 1;
  auto join = [&](SmallVector<Value> &parts, int64_t axis) {
    return parts.size() == 1 ? parts.front()
                             : ctx_.create<graph::ConcatOp>(
                                   parts, builder().getI64IntegerAttr(axis));
  };
  // A node may name fewer results than the op has.
  auto setResult = [&](size_t i, Value value) {
    if (i < ctx_.results().size())
      ctx_.setResult(i, value);
  };
  Value y = join(ys, 1);
  setResult(0, batchMajor ? transpose(y, {2, 0, 1, 3}) : y);
  Value yh = join(hs, 0);
  setResult(1, batchMajor ? transpose(yh, {1, 0, 2}) : yh);
  if (kind_ == CellKind::LSTM) {
    Value yc = join(cs, 0);
    setResult(2, batchMajor ? transpose(yc, {1, 0, 2}) : yc);
  }
  return llvm::Error::success();
}

template <CellKind Kind> llvm::Error importRecurrent(NodeContext &ctx) {
  return RecurrenceBuilder(ctx, Kind).build();
}
} // namespace

void registerRecurrentImporters(OpImporterTable &table) {
  addImporters(
      table, {{"RNN", {7, kMaxKnownOpset, importRecurrent<CellKind::RNN>}},
              {"GRU", {7, kMaxKnownOpset, importRecurrent<CellKind::GRU>}},
              {"LSTM", {7, kMaxKnownOpset, importRecurrent<CellKind::LSTM>}}});
}

} // namespace modelc::onnx_frontend
