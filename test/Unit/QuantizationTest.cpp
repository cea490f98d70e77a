//===- QuantizationTest.cpp - Calibration statistics by hand --------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Every expected number here is derived in the comment beside it, from the
// definitions (onnxruntime's compute_scale_zp, ONNX QuantizeLinear, the
// TensorRT entropy method), not read back from the implementation.
//
//===----------------------------------------------------------------------===//

#include "modelc/Quantization/QuantParams.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace modelc;

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

TEST_CASE("quantized types span their integer ranges", "[quantization]") {
  CHECK(quantizedMin(QuantizedType::Int8) == -128);
  CHECK(quantizedMax(QuantizedType::Int8) == 127);
  CHECK(quantizedMin(QuantizedType::UInt8) == 0);
  CHECK(quantizedMax(QuantizedType::UInt8) == 255);
}

TEST_CASE("affine parameters spread the range over the type",
          "[quantization]") {
  // [-1, 3] on uint8: scale = 4 / 255; zero point = 0 - round(-1 / (4/255))
  // = round(63.75) = 64.
  QuantParams u8 = chooseAffineParams(-1.0f, 3.0f, QuantizedType::UInt8);
  CHECK(u8.scale == Approx(4.0 / 255.0));
  CHECK(u8.zeroPoint == 64);
  // The ends land on the ends of the type: round(-63.75) + 64 = 0 and
  // round(191.25) + 64 = 255; zero is exactly the zero point.
  CHECK(quantizeValue(-1.0f, u8, QuantizedType::UInt8) == 0);
  CHECK(quantizeValue(3.0f, u8, QuantizedType::UInt8) == 255);
  CHECK(quantizeValue(0.0f, u8, QuantizedType::UInt8) == 64);

  // The same range on int8: same scale, zero point round(-128 + 63.75) = -64.
  QuantParams s8 = chooseAffineParams(-1.0f, 3.0f, QuantizedType::Int8);
  CHECK(s8.scale == Approx(4.0 / 255.0));
  CHECK(s8.zeroPoint == -64);
}

TEST_CASE("affine parameters widen the range to include zero",
          "[quantization]") {
  // [0.5, 2] becomes [0, 2]: scale 2 / 255, and rmin = 0 gives zero point
  // qmin: 0 for uint8, -128 for int8.
  QuantParams u8 = chooseAffineParams(0.5f, 2.0f, QuantizedType::UInt8);
  CHECK(u8.scale == Approx(2.0 / 255.0));
  CHECK(u8.zeroPoint == 0);
  QuantParams s8 = chooseAffineParams(0.5f, 2.0f, QuantizedType::Int8);
  CHECK(s8.scale == Approx(2.0 / 255.0));
  CHECK(s8.zeroPoint == -128);

  // [-2, -0.5] becomes [-2, 0]: zero point qmin + 2 / (2/255) = qmin + 255,
  // the top of the type.
  CHECK(chooseAffineParams(-2.0f, -0.5f, QuantizedType::UInt8).zeroPoint ==
        255);
  CHECK(chooseAffineParams(-2.0f, -0.5f, QuantizedType::Int8).zeroPoint == 127);
}

TEST_CASE("affine zero points round half to even", "[quantization]") {
  // [-126.5, 128.5] spans 255, so scale is exactly 1 and the zero point is
  // round(126.5): 126 half to even (half away from zero would give 127).
  QuantParams p = chooseAffineParams(-126.5f, 128.5f, QuantizedType::UInt8);
  CHECK(p.scale == 1.0f);
  CHECK(p.zeroPoint == 126);
}

TEST_CASE("a degenerate range gives scale 1 and keeps zero exact",
          "[quantization]") {
  for (QuantizedType type : {QuantizedType::Int8, QuantizedType::UInt8}) {
    QuantParams affine = chooseAffineParams(0.0f, 0.0f, type);
    CHECK(affine.scale == 1.0f);
    CHECK(affine.zeroPoint == 0);
    QuantParams symmetric = chooseSymmetricParams(0.0f, type);
    CHECK(symmetric.scale == 1.0f);
    CHECK(symmetric.zeroPoint == 0);
    CHECK(quantizeValue(0.0f, affine, type) == 0);
  }
}

TEST_CASE("symmetric parameters", "[quantization]") {
  // int8 uses [-127, 127]: scale = 2 / 127, zero point 0; -2 maps to -127,
  // never to -128.
  QuantParams s8 = chooseSymmetricParams(2.0f, QuantizedType::Int8);
  CHECK(s8.scale == Approx(2.0 / 127.0));
  CHECK(s8.zeroPoint == 0);
  CHECK(quantizeValue(-2.0f, s8, QuantizedType::Int8) == -127);
  CHECK(quantizeValue(2.0f, s8, QuantizedType::Int8) == 127);

  // uint8 uses [0, 255]: scale = 2 * 2 / 255 = 2 / 127.5, zero point
  // round(127.5) = 128 (half to even).
  QuantParams u8 = chooseSymmetricParams(2.0f, QuantizedType::UInt8);
  CHECK(u8.scale == Approx(2.0 / 127.5));
  CHECK(u8.zeroPoint == 128);
  CHECK(quantizeValue(0.0f, u8, QuantizedType::UInt8) == 128);
}

TEST_CASE("quantizeValue rounds half to even", "[quantization]") {
  QuantParams unit{1.0f, 0};
  CHECK(quantizeValue(2.5f, unit, QuantizedType::Int8) == 2);
  CHECK(quantizeValue(3.5f, unit, QuantizedType::Int8) == 4);
  CHECK(quantizeValue(-2.5f, unit, QuantizedType::Int8) == -2);
  CHECK(quantizeValue(0.5f, unit, QuantizedType::Int8) == 0);
  CHECK(quantizeValue(1.5f, unit, QuantizedType::Int8) == 2);
  // Rounding comes before the zero point: 1.25 / 0.5 = 2.5 -> 2, + 10 = 12.
  CHECK(quantizeValue(1.25f, {0.5f, 10}, QuantizedType::UInt8) == 12);
}

TEST_CASE("quantizeValue divides rather than multiplying by the reciprocal",
          "[quantization]") {
  // In float, 2.25f / 0.3f = 7.4999995 rounds to 7, while
  // 2.25f * (1 / 0.3f) = 7.5 would round to 8 (found with numpy float32).
  CHECK(quantizeValue(2.25f, {0.3f, 0}, QuantizedType::Int8) == 7);
}

TEST_CASE("quantizeValue saturates at both ends", "[quantization]") {
  QuantParams unit{1.0f, 0};
  CHECK(quantizeValue(1000.0f, unit, QuantizedType::Int8) == 127);
  CHECK(quantizeValue(-1000.0f, unit, QuantizedType::Int8) == -128);
  CHECK(quantizeValue(300.0f, unit, QuantizedType::UInt8) == 255);
  CHECK(quantizeValue(-1.0f, unit, QuantizedType::UInt8) == 0);
  // Far beyond int32: clamped before the conversion, not undefined.
  CHECK(quantizeValue(1e30f, unit, QuantizedType::Int8) == 127);
  CHECK(quantizeValue(-1e30f, unit, QuantizedType::UInt8) == 0);
  // The zero point shifts the saturation point: -5 + 10 = 5, -20 + 10 -> 0.
  CHECK(quantizeValue(-5.0f, {1.0f, 10}, QuantizedType::UInt8) == 5);
  CHECK(quantizeValue(-20.0f, {1.0f, 10}, QuantizedType::UInt8) == 0);
  CHECK(quantizeValue(std::numeric_limits<float>::quiet_NaN(), {1.0f, 10},
                      QuantizedType::UInt8) == 10);
}
