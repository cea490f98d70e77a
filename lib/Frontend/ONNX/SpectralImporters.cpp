//===- SpectralImporters.cpp - ONNX DFT and STFT as matrix products -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A DFT of length L whose length is known at compile time is a product with
// two constant L x K matrices, cos(2 pi k n / L) and sin(2 pi k n / L), with
// K = L bins, or L / 2 + 1 when one-sided:
//
//   forward  (re + i im)(cos - i sin)       = (re cos + im sin) + i (im cos -
//   re sin) inverse  (re + i im)(cos + i sin) / L   = (re cos - im sin) + i (im
//   cos + re sin), over L
//
// so it runs as the GEMMs every target already has, with no new kernel. The
// transform axis is moved last, multiplied and moved back. That is O(L^2)
// per transform where an FFT is O(L log L); no FFT kernel is built, so long
// transforms pay for it.
//
// STFT frames the signal with one constant gather of frame_step-strided
// windows, multiplies by the window and applies the same DFT to each frame.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"
#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include "dialects/Graph/IR/GraphOps.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::modelc;

namespace modelc::onnx_frontend {
namespace {

/// A complex tensor as its real and imaginary parts, each without ONNX's
/// trailing [re, im] dimension; `imag` is null for a real signal.
struct Complex {
  Value real, imag;
};

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Splits ONNX's [..., 1] (real) or [..., 2] (complex) layout.
Complex splitComplex(NodeContext &ctx, Value signal) {
  RankedTensorType type = typeOf(signal);
  int64_t rank = type.getRank();
  ArrayRef<int64_t> parts = type.getShape().drop_back();
  OpBuilder &b = ctx.builder();
  auto part = [&](int64_t index) {
    SmallVector<int64_t> starts(rank, 0), ends(type.getShape()), steps(rank, 1);
    starts[rank - 1] = index;
    ends[rank - 1] = index + 1;
    Value slice = ctx.create<graph::SliceOp>(
        signal, b.getDenseI64ArrayAttr(starts), b.getDenseI64ArrayAttr(ends),
        b.getDenseI64ArrayAttr(steps));
    return reshapeTo(ctx, slice, parts);
  };
  if (type.getDimSize(rank - 1) == 1)
    return {reshapeTo(ctx, signal, parts), Value()};
  return {part(0), part(1)};
}

/// ONNX's [..., 2] layout of `value`.
Value joinComplex(NodeContext &ctx, Complex value) {
  SmallVector<int64_t> shape(typeOf(value.real).getShape());
  shape.push_back(1);
  Value parts[] = {reshapeTo(ctx, value.real, shape),
                   reshapeTo(ctx, value.imag, shape)};
  return ctx.create<graph::ConcatOp>(
      parts, ctx.builder().getI64IntegerAttr(shape.size() - 1));
}

/// `value` truncated or zero-padded to `length` along `axis`, as DFT's
/// dft_length asks.
Value fitAxis(NodeContext &ctx, Value value, int64_t axis, int64_t length) {
  if (!value)
    return value;
  RankedTensorType type = typeOf(value);
  int64_t size = type.getDimSize(axis), rank = type.getRank();
  OpBuilder &b = ctx.builder();
  if (length == size)
    return value;
  if (length < size) {
    SmallVector<int64_t> starts(rank, 0), ends(type.getShape()), steps(rank, 1);
    ends[axis] = length;
    return ctx.create<graph::SliceOp>(value, b.getDenseI64ArrayAttr(starts),
                                      b.getDenseI64ArrayAttr(ends),
                                      b.getDenseI64ArrayAttr(steps));
  }
  SmallVector<int64_t> pads(2 * rank, 0), shape(type.getShape());
  pads[rank + axis] = length - size;
  shape[axis] = length;
  return ctx.create<graph::PadOp>(
      RankedTensorType::get(shape, type.getElementType()), value, Value(),
      b.getStringAttr("constant"), b.getDenseI64ArrayAttr(pads));
}

/// The L x K matrix of cos (or, with `sine`, sin) of 2 pi k n / L, times
/// `scale`. k n is reduced modulo L first so that the angle stays exact.
Value dftMatrix(NodeContext &ctx, Type element, int64_t length, int64_t bins,
                bool sine, double scale) {
  std::vector<double> values;
  values.reserve(length * bins);
  for (int64_t n = 0; n < length; ++n)
    for (int64_t k = 0; k < bins; ++k) {
      double angle = 2.0 * M_PI * static_cast<double>((k * n) % length) /
                     static_cast<double>(length);
      values.push_back(scale * (sine ? std::sin(angle) : std::cos(angle)));
    }
  return floatConstant(ctx, element, {length, bins}, values);
}

/// The most entries one cos/sin matrix may have: the transform is
/// O(L^2), and past this its constants outgrow any model's weights.
constexpr int64_t kMaxDftMatrixEntries = int64_t(1) << 24;

/// The DFT of `signal` along its last axis, of that axis's length, keeping
/// the first `bins` frequencies.
Complex transformLastAxis(NodeContext &ctx, Complex signal, int64_t bins,
                          bool inverse) {
  Type element = typeOf(signal.real).getElementType();
  int64_t length = typeOf(signal.real).getShape().back();
  double scale = inverse ? 1.0 / static_cast<double>(length) : 1.0;
  Value cosine = dftMatrix(ctx, element, length, bins, false, scale);
  // The sign that multiplies `re sin` in the imaginary part: -1 forward.
  double sineSign = inverse ? 1.0 : -1.0;
  Value sine = dftMatrix(ctx, element, length, bins, true, sineSign * scale);
  auto product = [&](Value lhs, Value rhs) {
    return ctx.create<graph::MatMulOp>(lhs, rhs);
  };
  Complex result;
  result.real = product(signal.real, cosine);
  result.imag = product(signal.real, sine);
  if (signal.imag) {
    // re' = re cos -/+ im (sign * sin), im' = im cos + re (sign * sin).
    result.real =
        ctx.create<graph::SubOp>(result.real, product(signal.imag, sine));
    result.imag =
        ctx.create<graph::AddOp>(product(signal.imag, cosine), result.imag);
  }
  return result;
}

/// `value` with dimension `from` moved to `to` (the others keep their order).
Value moveAxis(NodeContext &ctx, Value value, int64_t from, int64_t to) {
  if (!value || from == to)
    return value;
  SmallVector<int64_t> permutation(typeOf(value).getRank());
  std::iota(permutation.begin(), permutation.end(), 0);
  permutation.erase(permutation.begin() + from);
  permutation.insert(permutation.begin() + to, from);
  return ctx.create<graph::TransposeOp>(
      value, ctx.builder().getDenseI64ArrayAttr(permutation));
}

llvm::Error checkSignal(NodeContext &ctx, RankedTensorType type,
                        int64_t minRank) {
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error("the signal must be floating-point");
  if (type.getRank() < minRank ||
      (type.getShape().back() != 1 && type.getShape().back() != 2))
    return ctx.error("the signal's last dimension must be 1 (real) or 2 "
                     "(complex)");
  return llvm::Error::success();
}

/// An optional scalar shape operand: its value, `fallback` when absent.
llvm::Expected<int64_t> scalarOperand(NodeContext &ctx, size_t input,
                                      llvm::StringRef what, int64_t fallback) {
  if (!ctx.input(input))
    return fallback;
  llvm::Expected<std::vector<int64_t>> values =
      ctx.requireConstantInts(input, what);
  if (!values)
    return values.takeError();
  if (values->size() != 1 || values->front() < 1)
    return ctx.error(what + llvm::Twine(" must be one positive integer"));
  return values->front();
}

llvm::Error importDft(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (llvm::Error err = checkSignal(ctx, type, 2))
    return err;
  int64_t rank = type.getRank();
  int64_t axis = ctx.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank - 2)
    return ctx.error("axis " + llvm::Twine(ctx.intAttr("axis", 1)) +
                     " is not a signal dimension of a rank-" +
                     llvm::Twine(rank) + " input");
  bool inverse = ctx.intAttr("inverse", 0) != 0;
  bool onesided = ctx.intAttr("onesided", 0) != 0;
  if (inverse && onesided)
    return ctx.error("an inverse DFT with onesided = 1 is not supported");
  if (onesided && type.getShape().back() != 1)
    return ctx.error("onesided = 1 needs a real signal (last dimension 1)");
  llvm::Expected<int64_t> length =
      scalarOperand(ctx, 1, "dft_length", type.getDimSize(axis));
  if (!length)
    return length.takeError();
  int64_t bins = onesided ? *length / 2 + 1 : *length;
  if (*length > kMaxDftMatrixEntries / bins)
    return ctx.error("a DFT of length " + llvm::Twine(*length) +
                     " is too long for its O(L^2) matrix form (at most " +
                     llvm::Twine(kMaxDftMatrixEntries) +
                     " matrix entries; no FFT is built)");

  Complex signal = splitComplex(ctx, ctx.input(0));
  int64_t last = rank - 2;
  for (Value *part : {&signal.real, &signal.imag})
    *part = moveAxis(ctx, fitAxis(ctx, *part, axis, *length), axis, last);
  Complex spectrum = transformLastAxis(ctx, signal, bins, inverse);
  for (Value *part : {&spectrum.real, &spectrum.imag})
    *part = moveAxis(ctx, *part, last, axis);
  ctx.setResult(0, joinComplex(ctx, spectrum));
  return llvm::Error::success();
}

llvm::Error importStft(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (llvm::Error err = checkSignal(ctx, type, 3))
    return err;
  if (type.getRank() != 3)
    return ctx.error("the signal must be [batch, length, 1 or 2]");
  if (!ctx.input(1))
    return ctx.error("STFT needs its frame_step input");
  llvm::Expected<int64_t> step = scalarOperand(ctx, 1, "frame_step", 0);
  if (!step)
    return step.takeError();
  Value window = ctx.input(2);
  int64_t windowLength = window ? ctx.inputType(2).getNumElements() : 0;
  if (window && ctx.inputType(2).getRank() != 1)
    return ctx.error("the window must be one-dimensional");
  llvm::Expected<int64_t> frameLength =
      scalarOperand(ctx, 3, "frame_length", windowLength);
  if (!frameLength)
    return frameLength.takeError();
  if (*frameLength == 0)
    return ctx.error("STFT needs a window or a frame_length");
  if (window && windowLength != *frameLength)
    return ctx.error("the window has " + llvm::Twine(windowLength) +
                     " values but frame_length is " +
                     llvm::Twine(*frameLength));
  int64_t signalLength = type.getDimSize(1);
  if (*frameLength > signalLength)
    return ctx.error("frame_length " + llvm::Twine(*frameLength) +
                     " is longer than the signal (" +
                     llvm::Twine(signalLength) + ")");
  int64_t frames = 1 + (signalLength - *frameLength) / *step;
  bool onesided = ctx.intAttr("onesided", 1) != 0;
  if (onesided && type.getShape().back() != 1)
    return ctx.error("onesided = 1 needs a real signal (last dimension 1)");
  int64_t bins = onesided ? *frameLength / 2 + 1 : *frameLength;
  if (*frameLength > kMaxDftMatrixEntries / bins)
    return ctx.error("frames of " + llvm::Twine(*frameLength) +
                     " samples are too long for the O(L^2) matrix form of "
                     "the DFT (no FFT is built)");

  // [batch, length] -> [batch, frames, frame_length] by one gather.
  std::vector<int64_t> taps;
  taps.reserve(frames * *frameLength);
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t n = 0; n < *frameLength; ++n)
      taps.push_back(f * *step + n);
  Value tapTable = intConstant(ctx, {frames, *frameLength}, taps);
  Complex signal = splitComplex(ctx, ctx.input(0));
  for (Value *part : {&signal.real, &signal.imag}) {
    if (!*part)
      continue;
    *part = ctx.create<graph::GatherOp>(*part, tapTable,
                                        ctx.builder().getI64IntegerAttr(1));
    if (window)
      *part = ctx.create<graph::MulOp>(*part, window);
  }
  ctx.setResult(0, joinComplex(ctx, transformLastAxis(ctx, signal, bins,
                                                      /*inverse=*/false)));
  return llvm::Error::success();
}

/// MelWeightMatrix as the ONNX reference computes it, in double precision
/// from the run-time sample rate and edge frequencies: num_mel_bins + 2
/// points evenly spaced in mel between the edges (the spacing divides by
/// num_mel_bins + 2, as the reference does), converted to spectrogram bins
/// floor((dft_length + 1) hz / sample_rate), and one triangle per mel bin
/// rising from bin i to bin i + 1 and falling to bin i + 2.
llvm::Error importMelWeightMatrix(NodeContext &ctx) {
  llvm::Expected<int64_t> melBins = scalarOperand(ctx, 0, "num_mel_bins", 0);
  if (!melBins)
    return melBins.takeError();
  llvm::Expected<int64_t> dftLength = scalarOperand(ctx, 1, "dft_length", 0);
  if (!dftLength)
    return dftLength.takeError();
  for (size_t input = 2; input < 5; ++input)
    if (!ctx.input(input) || ctx.inputType(input).getNumElements() != 1)
      return ctx.error("sample_rate, lower_edge_hertz and upper_edge_hertz "
                       "must be scalars");
  Type output = convertDataType(*ctx.builder().getContext(),
                                ctx.intAttr("output_datatype", 1));
  if (!output || !isa<FloatType>(output))
    return ctx.error("output_datatype must be a floating-point type");
  OpBuilder &b = ctx.builder();
  Type f64 = b.getF64Type();
  auto scalar = [&](double value) { return scalarConstant(ctx, f64, value); };
  auto asDouble = [&](size_t input) {
    Value value = reshapeTo(ctx, ctx.input(input), {});
    return ctx.create<graph::CastOp>(RankedTensorType::get({}, f64), value);
  };
  auto mul = [&](Value x, Value y) { return ctx.create<graph::MulOp>(x, y); };
  auto add = [&](Value x, Value y) { return ctx.create<graph::AddOp>(x, y); };
  auto sub = [&](Value x, Value y) { return ctx.create<graph::SubOp>(x, y); };
  auto div = [&](Value x, Value y) { return ctx.create<graph::DivOp>(x, y); };
  // mel(h) = 2595 log10(1 + h / 700); hz(m) = 700 (10^(m / 2595) - 1).
  auto toMel = [&](Value hz) {
    return mul(
        scalar(2595.0 / std::log(10.0)),
        ctx.create<graph::LogOp>(add(scalar(1.0), div(hz, scalar(700.0)))));
  };
  Value lowMel = toMel(asDouble(3)), highMel = toMel(asDouble(4));
  int64_t points = *melBins + 2;
  Value melStep = div(sub(highMel, lowMel), scalar(points));
  std::vector<double> pointIndex(points);
  std::iota(pointIndex.begin(), pointIndex.end(), 0.0);
  Value mels =
      add(mul(floatConstant(ctx, f64, {points}, pointIndex), melStep), lowMel);
  Value hz = mul(
      scalar(700.0),
      sub(ctx.create<graph::ExpOp>(mul(mels, scalar(std::log(10.0) / 2595.0))),
          scalar(1.0)));
  Value bins = ctx.create<graph::FloorOp>(
      div(mul(scalar(static_cast<double>(*dftLength + 1)), hz), asDouble(2)));
  auto edge = [&](int64_t offset) {
    Value slice =
        ctx.create<graph::SliceOp>(bins, b.getDenseI64ArrayAttr({offset}),
                                   b.getDenseI64ArrayAttr({offset + *melBins}),
                                   b.getDenseI64ArrayAttr({1}));
    return reshapeTo(ctx, slice, {1, *melBins});
  };
  Value low = edge(0), center = edge(1), high = edge(2);
  int64_t spectrogramBins = *dftLength / 2 + 1;
  std::vector<double> binIndex(spectrogramBins);
  std::iota(binIndex.begin(), binIndex.end(), 0.0);
  Value j = floatConstant(ctx, f64, {spectrogramBins, 1}, binIndex);
  auto both = [&](Value x, Value y) { return ctx.create<graph::AndOp>(x, y); };
  Value rising = ctx.create<graph::WhereOp>(
      ctx.create<graph::EqualOp>(center, low), scalar(1.0),
      div(sub(j, low), sub(center, low)));
  Value onRise = both(ctx.create<graph::GreaterEqualOp>(j, low),
                      ctx.create<graph::LessEqualOp>(j, center));
  Value falling = div(sub(high, j), sub(high, center));
  Value onFall = both(ctx.create<graph::GreaterEqualOp>(j, center),
                      ctx.create<graph::LessOp>(j, high));
  Value weights = ctx.create<graph::WhereOp>(
      onFall, falling, ctx.create<graph::WhereOp>(onRise, rising, scalar(0.0)));
  ctx.setResult(
      0,
      ctx.create<graph::CastOp>(
          RankedTensorType::get({spectrogramBins, *melBins}, output), weights));
  return llvm::Error::success();
}

} // namespace

void registerSpectralImporters(OpImporterTable &table) {
  addImporters(table, {{"DFT", {17, 19, importDft}},
                       {"STFT", {17, kMaxKnownOpset, importStft}},
                       {"MelWeightMatrix",
                        {17, kMaxKnownOpset, importMelWeightMatrix}}});
}

} // namespace modelc::onnx_frontend
