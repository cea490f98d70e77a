//===- WeightQuantizer.cpp - Symmetric int8 weights -----------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Quantization/WeightQuantizer.h"

#include "modelc/Quantization/QuantParams.h"

#include <algorithm>
#include <cmath>

namespace modelc {

QuantizedWeights quantizeWeightsPerTensor(const float *data, size_t count) {
  float absMax = 0.0f;
  for (size_t i = 0; i < count; ++i)
    absMax = std::max(absMax, std::fabs(data[i]));
  QuantParams params = chooseSymmetricParams(absMax, QuantizedType::Int8);
  QuantizedWeights result;
  result.scales.push_back(params.scale);
  result.data.reserve(count);
  for (size_t i = 0; i < count; ++i)
    result.data.push_back(static_cast<int8_t>(
        quantizeValue(data[i], params, QuantizedType::Int8)));
  return result;
}

std::optional<QuantizedWeights>
quantizeWeightsPerChannel(const float *data, const std::vector<int64_t> &shape,
                          int64_t axis) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  if (axis < 0)
    axis += rank;
  if (std::any_of(shape.begin(), shape.end(),
                  [](int64_t dim) { return dim < 0; }))
    return std::nullopt;

  // View the tensor as [outer, channels, inner]: element (o, c, i) lies at
  // (o * channels + c) * inner + i.
  size_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= static_cast<size_t>(shape[d]);
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= static_cast<size_t>(shape[d]);
  size_t channels = static_cast<size_t>(shape[axis]);
  auto index = [&](size_t o, size_t c, size_t i) {
    return (o * channels + c) * inner + i;
  };

  std::vector<float> absMax(channels, 0.0f);
  for (size_t o = 0; o < outer; ++o)
    for (size_t c = 0; c < channels; ++c)
      for (size_t i = 0; i < inner; ++i)
        absMax[c] = std::max(absMax[c], std::fabs(data[index(o, c, i)]));

  std::vector<QuantParams> params;
  QuantizedWeights result;
  for (float bound : absMax) {
    params.push_back(chooseSymmetricParams(bound, QuantizedType::Int8));
    result.scales.push_back(params.back().scale);
  }
  result.data.resize(outer * channels * inner);
  for (size_t o = 0; o < outer; ++o)
    for (size_t c = 0; c < channels; ++c)
      for (size_t i = 0; i < inner; ++i) {
        size_t at = index(o, c, i);
        result.data[at] = static_cast<int8_t>(
            quantizeValue(data[at], params[c], QuantizedType::Int8));
      }
  return result;
}

} // namespace modelc
