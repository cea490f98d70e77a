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
#include "modelc/Quantization/WeightQuantizer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

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

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

TEST_CASE("per-tensor weights share one scale", "[quantization]") {
  // max |x| = 127 gives scale exactly 1, so each element is just rounded
  // half to even: 3.5 -> 4, 2.5 -> 2, 64.4 -> 64, -127 stays.
  std::vector<float> data = {-127.0f, 3.5f, 2.5f, 0.0f, 64.4f};
  QuantizedWeights q = quantizeWeightsPerTensor(data.data(), data.size());
  REQUIRE(q.scales.size() == 1);
  CHECK(q.scales[0] == 1.0f);
  CHECK(q.data == std::vector<int8_t>{-127, 4, 2, 0, 64});
}

TEST_CASE("per-channel weights take one scale per row", "[quantization]") {
  // A 2x3 tensor, axis 0. Row 0: max |x| = 63.5, scale 63.5 / 127 = 0.5;
  // 63.5 / 0.5 = 127, -31.75 / 0.5 = -63.5 -> -64 (half to even),
  // 10 / 0.5 = 20. Row 1: max |x| = 254, scale 2; -254 / 2 = -127,
  // 100 / 2 = 50, 3 / 2 = 1.5 -> 2. Powers of two keep every step exact.
  std::vector<float> data = {63.5f, -31.75f, 10.0f, -254.0f, 100.0f, 3.0f};
  std::optional<QuantizedWeights> q =
      quantizeWeightsPerChannel(data.data(), {2, 3}, 0);
  REQUIRE(q);
  REQUIRE(q->scales.size() == 2);
  CHECK(q->scales[0] == 0.5f);
  CHECK(q->scales[1] == 2.0f);
  CHECK(q->data == std::vector<int8_t>{127, -64, 20, -127, 50, 2});
}

TEST_CASE("per-channel weights along axis 1", "[quantization]") {
  // The same 2x3 tensor, channels are its columns.
  // Column 0 {63.5, -254}: scale 2; 31.75 -> 32, -127.
  // Column 1 {-31.75, 100}: scale 100 / 127; -31.75 * 1.27 = -40.3 -> -40,
  // 127.
  // Column 2 {10, 3}: scale 10 / 127; 127, 3 * 12.7 = 38.1 -> 38.
  std::vector<float> data = {63.5f, -31.75f, 10.0f, -254.0f, 100.0f, 3.0f};
  std::optional<QuantizedWeights> q =
      quantizeWeightsPerChannel(data.data(), {2, 3}, 1);
  REQUIRE(q);
  REQUIRE(q->scales.size() == 3);
  CHECK(q->scales[0] == 2.0f);
  CHECK(q->scales[1] == Approx(100.0 / 127.0));
  CHECK(q->scales[2] == Approx(10.0 / 127.0));
  CHECK(q->data == std::vector<int8_t>{32, -40, 127, -127, 127, 38});

  // ONNX's negative axis counts from the end: -1 is axis 1 here.
  std::optional<QuantizedWeights> negative =
      quantizeWeightsPerChannel(data.data(), {2, 3}, -1);
  REQUIRE(negative);
  CHECK(negative->scales == q->scales);
  CHECK(negative->data == q->data);
}

TEST_CASE("per-channel weights on an inner axis of a 3-D tensor",
          "[quantization]") {
  // Shape 2x2x2, axis 1: element (o, c, i) is at 4o + 2c + i, so channel 0
  // is elements 0, 1, 4, 5 (max |x| 127, scale 1) and channel 1 is
  // elements 2, 3, 6, 7 (max |x| 254, scale 2).
  std::vector<float> data = {1.0f, -127.0f, 254.0f, 4.0f,
                             2.5f, 3.0f,    -6.0f,  -254.0f};
  std::optional<QuantizedWeights> q =
      quantizeWeightsPerChannel(data.data(), {2, 2, 2}, 1);
  REQUIRE(q);
  CHECK(q->scales == std::vector<float>{1.0f, 2.0f});
  CHECK(q->data == std::vector<int8_t>{1, -127, 127, 2, 2, 3, -3, -127});
}

TEST_CASE("an all-zero channel gets scale 1", "[quantization]") {
  // 3x2, axis 0. Row 0 {1, -2}: scale 2 / 127; 1 / (2/127) = 63.5 in float
  // -> 64 (half to even), -127. Row 1 is all zero: scale 1, data 0, so
  // dequantization is 0 * 1, finite, instead of 0 / 0. Row 2 {0.5, 0.25}:
  // scale 0.5 / 127; 127, 63.5 -> 64.
  std::vector<float> data = {1.0f, -2.0f, 0.0f, 0.0f, 0.5f, 0.25f};
  std::optional<QuantizedWeights> q =
      quantizeWeightsPerChannel(data.data(), {3, 2}, 0);
  REQUIRE(q);
  REQUIRE(q->scales.size() == 3);
  CHECK(q->scales[0] == Approx(2.0 / 127.0));
  CHECK(q->scales[1] == 1.0f);
  CHECK(q->scales[2] == Approx(0.5 / 127.0));
  CHECK(q->data == std::vector<int8_t>{64, -127, 0, 0, 127, 64});
  for (float scale : q->scales)
    CHECK(std::isfinite(1.0f / scale));
}

TEST_CASE("per-channel weights refuse a bad axis or shape", "[quantization]") {
  std::vector<float> data(6, 1.0f);
  CHECK_FALSE(quantizeWeightsPerChannel(data.data(), {2, 3}, 2));
  CHECK_FALSE(quantizeWeightsPerChannel(data.data(), {2, 3}, -3));
  CHECK_FALSE(quantizeWeightsPerChannel(data.data(), {}, 0));
  CHECK_FALSE(quantizeWeightsPerChannel(data.data(), {-2, 3}, 0));
}
