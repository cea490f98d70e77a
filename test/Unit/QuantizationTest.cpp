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

#include "modelc/Quantization/Observers.h"
#include "modelc/Quantization/QuantParams.h"
#include "modelc/Quantization/WeightQuantizer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>
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

//===----------------------------------------------------------------------===//
// Observers
//===----------------------------------------------------------------------===//

TEST_CASE("calibration methods parse by name", "[quantization]") {
  CHECK(parseCalibrationMethod("minmax") == CalibrationMethod::MinMax);
  CHECK(parseCalibrationMethod("percentile") == CalibrationMethod::Percentile);
  CHECK(parseCalibrationMethod("entropy") == CalibrationMethod::Entropy);
  CHECK_FALSE(parseCalibrationMethod("MinMax"));
  CHECK_FALSE(parseCalibrationMethod("kl"));
  CHECK_FALSE(parseCalibrationMethod(""));
  for (CalibrationMethod method : {CalibrationMethod::MinMax,
                                   CalibrationMethod::Percentile,
                                   CalibrationMethod::Entropy})
    CHECK(parseCalibrationMethod(calibrationMethodName(method)) == method);
}

TEST_CASE("findNonFinite names the first NaN or infinity", "[quantization]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> withNaN = {1.0f, 2.0f, nan, inf};
  CHECK(findNonFinite(withNaN.data(), withNaN.size()) == 2);
  std::vector<float> withInf = {0.0f, -inf};
  CHECK(findNonFinite(withInf.data(), withInf.size()) == 1);
  std::vector<float> finite = {0.0f, -1e30f, 1e30f,
                               std::numeric_limits<float>::denorm_min()};
  CHECK(findNonFinite(finite.data(), finite.size()) == finite.size());
  CHECK(findNonFinite(nullptr, 0) == 0);
}

TEST_CASE("min-max observes extremes across batches", "[quantization]") {
  MinMaxObserver observer;
  CHECK(observer.empty());
  CHECK(observer.min() == 0.0f);
  CHECK(observer.max() == 0.0f);

  // Batches {1, 2, 3}, {-4, 0}, {2.5, 10}: min -4 from the second, max 10
  // from the third; an empty batch changes nothing.
  std::vector<std::vector<float>> batches = {
      {1.0f, 2.0f, 3.0f}, {-4.0f, 0.0f}, {}, {2.5f, 10.0f}};
  observer.observe(batches[0].data(), batches[0].size());
  CHECK_FALSE(observer.empty());
  CHECK(observer.min() == 1.0f);
  CHECK(observer.max() == 3.0f);
  for (size_t b = 1; b < batches.size(); ++b)
    observer.observe(batches[b].data(), batches[b].size());
  CHECK(observer.min() == -4.0f);
  CHECK(observer.max() == 10.0f);

  // A positive-only tensor keeps a positive min: widening to zero is
  // chooseAffineParams' business, not the observer's.
  MinMaxObserver positive;
  positive.observe(batches[3].data(), batches[3].size());
  CHECK(positive.min() == 2.5f);
}

/// The values 0, 1, ..., count - 1.
static std::vector<float> iota(int count, float step = 1.0f) {
  std::vector<float> values(count);
  for (int i = 0; i < count; ++i)
    values[i] = static_cast<float>(i) * step;
  return values;
}

TEST_CASE("percentile clips the top of a uniform distribution",
          "[quantization]") {
  // 0..999 into 2048 bins of width 999 / 2048 = 0.488. 99% of 1000 values
  // is 990 values, 0..989, so T is the upper edge of the bin holding 989:
  // within one bin width above 989.
  HistogramObserver observer;
  std::vector<float> values = iota(1000);
  observer.observe(values.data(), values.size());
  CHECK(observer.upper() == 999.0);
  double width = 999.0 / 2048.0;
  CHECK(observer.binWidth() == Approx(width));

  CalibrationRange range = observer.percentileRange(99.0);
  CHECK(range.min == 0.0f); // no negative values: clamped to the observed min
  CHECK(range.max >= 989.0f);
  CHECK(range.max <= 990.0 + width);

  // 50%: 500 values, 0..499, so T is within a bin above 499.
  CalibrationRange half = observer.percentileRange(50.0);
  CHECK(half.max >= 499.0f);
  CHECK(half.max <= 499.0 + width);

  // 100% keeps everything, and never goes past the largest value.
  CHECK(observer.percentileRange(100.0).max == 999.0f);
}

TEST_CASE("percentile is symmetric on magnitudes", "[quantization]") {
  // -999..999: the magnitudes 0..999 each appear twice (0 once), 1999
  // values. 99% of 1999 is 1979.01, so 1980 values: |x| <= 989 is
  // 1 + 2 * 989 = 1979 values, |x| <= 990 is 1981. T lies within a bin
  // above 990, and both ends are clipped at it.
  std::vector<float> values;
  for (int i = -999; i <= 999; ++i)
    values.push_back(static_cast<float>(i));
  HistogramObserver observer;
  observer.observe(values.data(), values.size());
  double width = 999.0 / 2048.0;
  CalibrationRange range = observer.percentileRange(99.0);
  CHECK(range.max >= 990.0f);
  CHECK(range.max <= 990.0 + width);
  CHECK(range.min == -range.max);
}

TEST_CASE("the histogram merges bins when a batch exceeds its range",
          "[quantization]") {
  // Batch 1: 1001 values k / 1000 in [0, 1]; batch 2: 1001 values k / 100 in
  // [0, 10]. The range grows from 1 by the factor ceil(10 / 1) = 10, so each
  // 10 old bins become one; 1001 + 1001 = 2002 values are all still counted.
  std::vector<float> small = iota(1001, 0.001f);
  std::vector<float> large = iota(1001, 0.01f);
  HistogramObserver grown;
  grown.observe(small.data(), small.size());
  CHECK(grown.upper() == Approx(1.0));
  grown.observe(large.data(), large.size());
  CHECK(grown.upper() == Approx(10.0));
  CHECK(grown.total() == 2002);
  const std::vector<uint64_t> &counts = grown.binCounts();
  CHECK(std::accumulate(counts.begin(), counts.end(), uint64_t(0)) == 2002);

  // Merging whole bins is exact: the histogram is the one an observer gets
  // when it sees the wide batch first and never has to grow.
  HistogramObserver direct;
  direct.observe(large.data(), large.size());
  direct.observe(small.data(), small.size());
  CHECK(direct.upper() == grown.upper());
  CHECK(direct.binCounts() == grown.binCounts());

  // 90% of 2002 values is 1801.8, so 1802: all 1001 small values plus the
  // large ones k / 100 for k <= 800, so the 90th percentile is 8.00, and T
  // is within one bin width (10 / 2048) above it.
  CalibrationRange range = grown.percentileRange(90.0);
  CHECK(range.max >= 8.0f);
  CHECK(range.max <= 8.0 + 10.0 / 2048.0);
}

TEST_CASE("the histogram grows by a whole factor", "[quantization]") {
  // From 1 to 2.5: the smallest whole factor covering it is 3, so the range
  // becomes 3, not 2.5, and every 3 old bins merge into one.
  std::vector<float> first = {1.0f, 0.25f};
  std::vector<float> second = {2.5f};
  HistogramObserver observer;
  observer.observe(first.data(), first.size());
  observer.observe(second.data(), second.size());
  CHECK(observer.upper() == Approx(3.0));
  // 1 was in the old last bin 2047, now 2047 / 3 = 682; 0.25 was in old bin
  // 512, now 512 / 3 = 170; 2.5 is new bin floor(2.5 / 3 * 2048) = 1706.
  CHECK(observer.binCounts()[682] == 1);
  CHECK(observer.binCounts()[170] == 1);
  CHECK(observer.binCounts()[1706] == 1);
  CHECK(observer.total() == 3);
}

TEST_CASE("the histogram folds everything into one bin for a huge jump",
          "[quantization]") {
  // From a range of 1 to 1e6 = 1e6 / 1 >= 2048 bins: the old range lies in
  // the new first bin (width 1e6 / 2048 = 488), so both old counts go there.
  std::vector<float> first = {1.0f, 0.5f};
  std::vector<float> second = {1e6f};
  HistogramObserver observer;
  observer.observe(first.data(), first.size());
  observer.observe(second.data(), second.size());
  CHECK(observer.upper() == 1e6);
  CHECK(observer.binCounts()[0] == 2);
  CHECK(observer.binCounts().back() == 1);
  CHECK(observer.total() == 3);
}

TEST_CASE("zeros seen before any other value stay in bin 0", "[quantization]") {
  std::vector<float> zeros(5, 0.0f);
  std::vector<float> ones = {1.0f, -1.0f};
  HistogramObserver observer;
  observer.observe(zeros.data(), zeros.size());
  CHECK(observer.upper() == 0.0);
  CHECK(observer.percentileRange(99.0).max == 0.0f);
  observer.observe(ones.data(), ones.size());
  CHECK(observer.binCounts()[0] == 5);
  CHECK(observer.binCounts().back() == 2);
  CHECK(observer.total() == 7);
}

TEST_CASE("an empty histogram gives an empty range", "[quantization]") {
  HistogramObserver observer;
  CHECK(observer.empty());
  CalibrationRange percentile = observer.percentileRange(99.9);
  CHECK(percentile.min == 0.0f);
  CHECK(percentile.max == 0.0f);
  CalibrationRange entropy = observer.entropyRange();
  CHECK(entropy.min == 0.0f);
  CHECK(entropy.max == 0.0f);
}

/// 10000 values (a + b) / 99 - 1 for a, b in 0..99: the triangular
/// distribution of the mean of two uniforms, on [-1, 1] and densest at 0.
static std::vector<float> triangular() {
  std::vector<float> values;
  for (int a = 0; a < 100; ++a)
    for (int b = 0; b < 100; ++b)
      values.push_back(static_cast<float>(a + b) / 99.0f - 1.0f);
  return values;
}

TEST_CASE("entropy on a four-bin histogram, by hand", "[quantization]") {
  // Four bins over [0, 4] (width 1) and two quantized levels: candidates
  // i = 2, 3, 4 clip at T = i. Values at 0.5, 1.5, 2.5 fill bins 0..2, and
  // 4.0 (the largest, so the range is exactly 4) falls in bin 3.
  auto entropyOf = [](const std::vector<int> &binCounts) {
    std::vector<float> values;
    const float where[] = {0.5f, 1.5f, 2.5f, 4.0f};
    for (size_t bin = 0; bin < 4; ++bin)
      values.insert(values.end(), binCounts[bin], where[bin]);
    HistogramObserver observer(4);
    observer.observe(values.data(), values.size());
    return observer.entropyRange(2);
  };

  // Counts {4, 4, 4, 1}:
  //  i = 2: P = {4, 4+4+1} = {4, 9}, Q = {4, 4} (one bin per group);
  //         KL = 4/13 ln((4/13)/(1/2)) + 9/13 ln((9/13)/(1/2)) = 0.0759.
  //  i = 3: groups {0} and {1, 2} (the last group takes the remainder);
  //         P = {4, 4, 4+1}, Q = {4, 8/2, 8/2} = {4, 4, 4};
  //         KL = 8/13 ln((4/13)/(1/3)) + 5/13 ln((5/13)/(1/3)) = 0.0058.
  //  i = 4: P = {4, 4, 4, 1}, Q = {8/2, 8/2, 5/2, 5/2};
  //         KL = 4/13 ln(4/2.5) + 1/13 ln(1/2.5) = 0.0741.
  // i = 3 wins: T = 3, and the range is [min 0.5, 3]. (Building Q from P,
  // outliers included, would make i = 2 free, KL 0, and pick T = 2.)
  CalibrationRange clipped = entropyOf({4, 4, 4, 1});
  CHECK(clipped.min == 0.5f);
  CHECK(clipped.max == 3.0f);

  // Counts {2, 0, 1, 1}:
  //  i = 2: P = {2, 2}, Q = {2, 0}: Q's empty group gets 1e-4 where P is
  //         not zero; KL = 1/2 ln(1/2 / (2/2.0001)) + 1/2 ln(1/2 /
  //         (1e-4/2.0001)) = 4.26.
  //  i = 3: P = {2, 0, 1+1}, Q = {2, 0, 1/1}: group {1, 2} has count 1 and
  //         one bin where P is non-zero; KL = 1/2 ln(1/2 / 2/3) +
  //         1/2 ln(1/2 / 1/3) = 0.0589.
  //  i = 4: P = {2, 0, 1, 1}, Q = {2/1, 0, 2/2, 2/2} = P: KL 0.
  // i = 4 wins: the whole range [0.5, 4]. (Spreading Q over the empty bin 1
  // too would make i = 4 cost 0.405 and pick i = 3.)
  CalibrationRange whole = entropyOf({2, 0, 1, 1});
  CHECK(whole.min == 0.5f);
  CHECK(whole.max == 4.0f);
}

TEST_CASE("entropy clips a far outlier that min-max keeps", "[quantization]") {
  // 10000 values in [-1, 1] and one at 100. With 2048 bins over [0, 100]
  // (width 0.049), the data fills bins 0..20 and the outlier bin 2047.
  // Clipping at a candidate i < 256 leaves groups of one bin, so Q equals
  // P except in P's last bin, which holds only the folded outlier and gets
  // Q's floor: KL ~ (1 / 10001) * ln(1 / 1e-4) ~ 8e-4. Not clipping
  // (i = 2048) merges the 21 bins of a sloping density into groups of 16,
  // which costs more. So T is one of the smallest candidates, about
  // 128 * 100 / 2048 = 6.25: nothing smaller is a candidate with 2048 bins.
  std::vector<float> values = triangular();
  values.push_back(100.0f);

  MinMaxObserver minMax;
  minMax.observe(values.data(), values.size());
  CHECK(minMax.max() == 100.0f);

  HistogramObserver observer;
  observer.observe(values.data(), values.size());
  CalibrationRange range = observer.entropyRange();
  CHECK(range.max >= 6.25f);
  CHECK(range.max < 10.0f);
  CHECK(range.min == -1.0f); // the negative side never reached T

  // With 8192 bins the smallest candidate is 128 * 100 / 8192 = 1.56.
  HistogramObserver fine(8192);
  fine.observe(values.data(), values.size());
  CalibrationRange fineRange = fine.entropyRange();
  CHECK(fineRange.max >= 1.0f);
  CHECK(fineRange.max < 5.0f);
}

TEST_CASE("entropy keeps nearly all of a uniform distribution",
          "[quantization]") {
  // 100001 evenly spaced values on [-1, 1]: about 49 per bin of |x|. Any
  // clip folds the whole tail into P's last bin, which Q (built before
  // folding) cannot follow, while not clipping merges groups of equal bins
  // and loses almost nothing. So T is (nearly) the whole range.
  std::vector<float> values(100001);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = -1.0f + 2.0f * static_cast<float>(i) / 100000.0f;
  HistogramObserver observer;
  observer.observe(values.data(), values.size());
  CalibrationRange range = observer.entropyRange();
  CHECK(range.max >= 0.99f);
  CHECK(range.min <= -0.99f);
}

TEST_CASE("entropy needs more bins than quantized levels", "[quantization]") {
  // 64 bins cannot be compared with 128 levels: the whole observed range.
  std::vector<float> values = {-3.0f, 0.5f, 2.0f};
  HistogramObserver observer(64);
  observer.observe(values.data(), values.size());
  CalibrationRange range = observer.entropyRange();
  CHECK(range.min == -3.0f);
  CHECK(range.max == 2.0f);
}
