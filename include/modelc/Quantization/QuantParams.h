//===- QuantParams.h - Scale and zero point of an integer type --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The affine mapping between a float range and an 8-bit integer type that
// QuantizeLinear and DequantizeLinear use: real = scale * (q - zeroPoint).
// The rules follow onnxruntime's quantization tool, so a model quantized by
// modelc agrees with one quantized by onnxruntime from the same ranges.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_QUANTIZATION_QUANTPARAMS_H
#define MODELC_QUANTIZATION_QUANTPARAMS_H

#include <cstdint>

namespace modelc {

enum class QuantizedType { Int8, UInt8 };

/// The smallest value of `type`: -128 or 0.
int32_t quantizedMin(QuantizedType type);
/// The largest value of `type`: 127 or 255.
int32_t quantizedMax(QuantizedType type);

struct QuantParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
};

/// Parameters that map [rmin, rmax] onto all of `type`'s values. The range is
/// first widened to include 0 so that zero (padding, ReLU's floor) is exact.
/// Then scale = (rmax - rmin) / (qmax - qmin), computed in double, and
/// zeroPoint = qmin - round(rmin / scale), rounded half to even and clamped
/// to [qmin, qmax]. A range narrower than the smallest normal float (such as
/// rmin == rmax == 0) gives scale 1 and zero point 0, which holds 0 exactly.
/// This is onnxruntime's `compute_scale_zp` for the asymmetric case.
/// Expects rmin <= rmax, both finite.
QuantParams chooseAffineParams(float rmin, float rmax, QuantizedType type);

/// Parameters for a range symmetric about zero, [-absMax, absMax], as
/// onnxruntime chooses them with `symmetric=True`:
///  - Int8 uses [-127, 127], leaving -128 unused so that negation cannot
///    overflow: scale = absMax / 127, zero point 0.
///  - UInt8 uses all of [0, 255]: scale = absMax / 127.5 and zero point
///    round_half_even(127.5) = 128, so -absMax and absMax sit half a step
///    inside 0 and 255.
/// absMax below the smallest normal float gives scale 1 and zero point 0,
/// as in chooseAffineParams.
QuantParams chooseSymmetricParams(float absMax, QuantizedType type);

/// ONNX QuantizeLinear of one value: saturate(round(x / scale) + zeroPoint),
/// a float division (not a multiplication by the reciprocal, which rounds
/// differently) and rounding half to even (std::nearbyint in the default
/// rounding mode). NaN maps to the zero point.
int32_t quantizeValue(float x, QuantParams params, QuantizedType type);

} // namespace modelc

#endif // MODELC_QUANTIZATION_QUANTPARAMS_H
