//===- QuantParams.cpp - Scale and zero point of an integer type ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Quantization/QuantParams.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace modelc {

int32_t quantizedMin(QuantizedType type) {
  return type == QuantizedType::Int8 ? -128 : 0;
}

int32_t quantizedMax(QuantizedType type) {
  return type == QuantizedType::Int8 ? 127 : 255;
}

/// Scale and zero point for [rmin, rmax] (which contains 0) spread over
/// [qmin, qmax], in double as onnxruntime computes them; the zero point uses
/// the double scale, before it is rounded to float.
static QuantParams scaleAndZeroPoint(double rmin, double rmax, int32_t qmin,
                                     int32_t qmax) {
  double scale = (rmax - rmin) / (static_cast<double>(qmax) - qmin);
  if (scale < std::numeric_limits<float>::min())
    return {1.0f, 0};
  double zeroPoint = std::nearbyint(qmin - rmin / scale);
  zeroPoint = std::clamp(zeroPoint, static_cast<double>(qmin),
                         static_cast<double>(qmax));
  return {static_cast<float>(scale), static_cast<int32_t>(zeroPoint)};
}

QuantParams chooseAffineParams(float rmin, float rmax, QuantizedType type) {
  assert(rmin <= rmax && "range must not be inverted");
  return scaleAndZeroPoint(std::min(rmin, 0.0f), std::max(rmax, 0.0f),
                           quantizedMin(type), quantizedMax(type));
}

QuantParams chooseSymmetricParams(float absMax, QuantizedType type) {
  int32_t qmin = type == QuantizedType::Int8 ? -127 : 0;
  int32_t qmax = quantizedMax(type);
  double scale = 2.0 * std::fabs(static_cast<double>(absMax)) /
                 (static_cast<double>(qmax) - qmin);
  if (scale < std::numeric_limits<float>::min())
    return {1.0f, 0};
  // With rmin = -absMax the affine zero point is (qmin + qmax) / 2 up to the
  // rounding of rmin / scale; onnxruntime writes it exactly, so UInt8 gets
  // round_half_even(127.5) = 128 however the division rounds.
  return {static_cast<float>(scale),
          static_cast<int32_t>(
              std::nearbyint((static_cast<double>(qmin) + qmax) / 2.0))};
}

int32_t quantizeValue(float x, QuantParams params, QuantizedType type) {
  if (std::isnan(x))
    return params.zeroPoint;
  // Clamp in double before converting: x / scale may be far outside int32.
  double value =
      static_cast<double>(std::nearbyint(x / params.scale)) + params.zeroPoint;
  value = std::clamp(value, static_cast<double>(quantizedMin(type)),
                     static_cast<double>(quantizedMax(type)));
  return static_cast<int32_t>(value);
}

} // namespace modelc
