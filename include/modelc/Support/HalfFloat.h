//===- HalfFloat.h - 16-bit float bit patterns ------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Rounds float values to the IEEE binary16 and bfloat16 bit patterns that
// 16-bit storage holds. Converting a model's weights calls these once per
// element, so they are plain bit manipulation rather than APFloat.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_SUPPORT_HALFFLOAT_H
#define MODELC_SUPPORT_HALFFLOAT_H

#include <cstdint>

namespace modelc {

/// IEEE binary16 bits of `value`, rounded to nearest even.
uint16_t toHalfBits(float value);

/// bfloat16 bits of `value`, rounded to nearest even; NaN stays NaN.
uint16_t toBfloat16Bits(float value);

} // namespace modelc

#endif // MODELC_SUPPORT_HALFFLOAT_H
