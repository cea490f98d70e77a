//===- WeightQuantizer.h - Symmetric int8 weights ---------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Quantizes a constant weight tensor to int8 with a zero point of 0, either
// with one scale for the whole tensor or one scale per slice along a channel
// axis (a convolution's output channels, axis 0 of its OIHW weight). Weights
// need no calibration data: their range is the data itself.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_QUANTIZATION_WEIGHTQUANTIZER_H
#define MODELC_QUANTIZATION_WEIGHTQUANTIZER_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace modelc {

/// Int8 weights with zero point 0 (symmetric, range [-127, 127]); element i
/// of channel c dequantizes to scales[c] * data[i].
struct QuantizedWeights {
  /// One scale per channel; a single one for a per-tensor quantization.
  std::vector<float> scales;
  /// The quantized elements, in the float data's order.
  std::vector<int8_t> data;
};

/// One scale for all `count` elements: max |x| / 127, as
/// chooseSymmetricParams gives it. All-zero data gets scale 1 (onnxruntime's
/// choice for a degenerate range), so dequantizing stays finite and exact.
QuantizedWeights quantizeWeightsPerTensor(const float *data, size_t count);

/// One scale per index along `axis` of a row-major tensor of `shape`
/// holding product(shape) elements at `data`; each channel is quantized as
/// quantizeWeightsPerTensor would quantize it alone, so an all-zero channel
/// gets scale 1. `axis` may be negative, counting from the end as ONNX's
/// QuantizeLinear axis does. Returns std::nullopt for an axis outside
/// [-rank, rank) or a negative dimension.
std::optional<QuantizedWeights>
quantizeWeightsPerChannel(const float *data, const std::vector<int64_t> &shape,
                          int64_t axis);

} // namespace modelc

#endif // MODELC_QUANTIZATION_WEIGHTQUANTIZER_H
