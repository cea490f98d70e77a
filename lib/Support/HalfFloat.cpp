//===- HalfFloat.cpp - 16-bit float bit patterns --------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Support/HalfFloat.h"

#include <cstring>

namespace modelc {

uint16_t toHalfBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) // inf or nan
    return sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0);
  if (magnitude >= 0x477ff000u) // rounds past the largest half
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) { // subnormal half or zero
    float scaled;
    uint32_t m = magnitude;
    std::memcpy(&scaled, &m, 4);
    scaled *= 16777216.0f; // 2^24: one unit is the smallest subnormal
    uint32_t units = static_cast<uint32_t>(scaled);
    float remainder = scaled - static_cast<float>(units);
    if (remainder > 0.5f || (remainder == 0.5f && (units & 1u)))
      ++units;
    return sign | units;
  }
  uint32_t exponent = ((magnitude >> 23) - 112) << 10;
  uint32_t mantissa = (magnitude >> 13) & 0x3ffu;
  uint32_t rest = magnitude & 0x1fffu;
  uint32_t half = exponent | mantissa;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half;
  return sign | half;
}

uint16_t toBfloat16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

} // namespace modelc
