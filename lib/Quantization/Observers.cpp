//===- Observers.cpp - Activation ranges from calibration data ------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Quantization/Observers.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace modelc {

std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name) {
  if (name == "minmax")
    return CalibrationMethod::MinMax;
  if (name == "percentile")
    return CalibrationMethod::Percentile;
  if (name == "entropy")
    return CalibrationMethod::Entropy;
  return std::nullopt;
}

const char *calibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  case CalibrationMethod::MinMax:
    break;
  }
  return "minmax";
}

size_t findNonFinite(const float *data, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (!std::isfinite(data[i]))
      return i;
  return count;
}

void MinMaxObserver::observe(const float *data, size_t count) {
  assert(findNonFinite(data, count) == count && "observed a NaN or infinity");
  if (count == 0)
    return;
  if (!seen) {
    minValue = maxValue = data[0];
    seen = true;
  }
  for (size_t i = 0; i < count; ++i) {
    minValue = std::min(minValue, data[i]);
    maxValue = std::max(maxValue, data[i]);
  }
}

//===----------------------------------------------------------------------===//
// HistogramObserver
//===----------------------------------------------------------------------===//

HistogramObserver::HistogramObserver(size_t numBins)
    : counts(std::max<size_t>(numBins, 1), 0) {}

size_t HistogramObserver::binOf(float absValue) const {
  // Bin 0 holds 0 at every range, so zeros seen before any non-zero value
  // (while upperEdge is 0) are already where they belong.
  if (upperEdge == 0.0)
    return 0;
  double position = absValue / upperEdge * counts.size();
  return std::min(static_cast<size_t>(position), counts.size() - 1);
}

void HistogramObserver::growTo(double absMax) {
  assert(absMax > upperEdge && "the range only grows");
  if (upperEdge == 0.0) {
    upperEdge = absMax;
    return;
  }
  size_t numBins = counts.size();
  double ratio = absMax / upperEdge;
  if (ratio >= static_cast<double>(numBins)) {
    // The whole old range fits in the new first bin.
    std::fill(counts.begin(), counts.end(), 0);
    counts[0] = totalCount;
    upperEdge = absMax;
    return;
  }
  size_t factor = static_cast<size_t>(std::ceil(ratio));
  while (factor < numBins && upperEdge * factor < absMax)
    ++factor; // ceil of a rounded quotient can fall one short
  for (size_t newBin = 0; newBin < numBins; ++newBin) {
    uint64_t merged = 0;
    size_t begin = std::min(newBin * factor, numBins);
    size_t end = std::min(begin + factor, numBins);
    for (size_t oldBin = begin; oldBin < end; ++oldBin)
      merged += counts[oldBin];
    // In place: new bin j reads old bins from j * factor >= j on, which no
    // earlier iteration wrote.
    counts[newBin] = merged;
  }
  upperEdge *= static_cast<double>(factor);
}

void HistogramObserver::observe(const float *data, size_t count) {
  if (count == 0)
    return;
  extremes.observe(data, count);
  float batchMax = 0.0f;
  for (size_t i = 0; i < count; ++i)
    batchMax = std::max(batchMax, std::fabs(data[i]));
  if (batchMax > upperEdge)
    growTo(batchMax);
  for (size_t i = 0; i < count; ++i)
    ++counts[binOf(std::fabs(data[i]))];
  totalCount += count;
}

CalibrationRange HistogramObserver::clampToObserved(double threshold) const {
  auto clamp = [&](float value) {
    return static_cast<float>(
        std::clamp(static_cast<double>(value), -threshold, threshold));
  };
  return {clamp(min()), clamp(max())};
}

CalibrationRange HistogramObserver::percentileRange(double percentile) const {
  if (empty())
    return {};
  double target = std::clamp(percentile, 0.0, 100.0) / 100.0 * totalCount;
  size_t numBins = counts.size();
  uint64_t cumulative = 0;
  size_t bin = 0;
  for (; bin + 1 < numBins; ++bin) {
    cumulative += counts[bin];
    if (cumulative > 0 && static_cast<double>(cumulative) >= target)
      break;
  }
  return clampToObserved((bin + 1) * binWidth());
}

/// KL(P || Q) over the first `size` bins, P and Q given as counts; bins where
/// P is zero contribute nothing, and Q must be zero only where P is too or
/// already floored by the caller.
static double klDivergence(const std::vector<double> &p,
                           const std::vector<double> &q, size_t size) {
  double pTotal = 0.0, qTotal = 0.0;
  for (size_t k = 0; k < size; ++k) {
    pTotal += p[k];
    qTotal += q[k];
  }
  double divergence = 0.0;
  for (size_t k = 0; k < size; ++k) {
    if (p[k] == 0.0)
      continue;
    double pk = p[k] / pTotal, qk = q[k] / qTotal;
    divergence += pk * std::log(pk / qk);
  }
  return divergence;
}

CalibrationRange HistogramObserver::entropyRange(int quantizedBins) const {
  if (empty())
    return {};
  size_t numBins = counts.size();
  if (quantizedBins <= 0 || numBins <= static_cast<size_t>(quantizedBins))
    return {min(), max()};
  size_t levels = static_cast<size_t>(quantizedBins);
  // Q's floor where the folded outliers have no unclipped company.
  constexpr double epsilon = 1e-4;

  // outliers[i]: the count of bins i and beyond, folded into P's last bin.
  std::vector<uint64_t> outliers(numBins + 1, 0);
  for (size_t bin = numBins; bin-- > 0;)
    outliers[bin] = outliers[bin + 1] + counts[bin];

  std::vector<double> p(numBins), q(numBins);
  double bestDivergence = std::numeric_limits<double>::infinity();
  size_t bestBins = numBins;
  for (size_t i = levels; i <= numBins; ++i) {
    for (size_t k = 0; k < i; ++k)
      p[k] = static_cast<double>(counts[k]);
    p[i - 1] += static_cast<double>(outliers[i]);

    size_t groupSize = i / levels;
    for (size_t group = 0; group < levels; ++group) {
      size_t begin = group * groupSize;
      size_t end = group + 1 == levels ? i : begin + groupSize;
      double groupCount = 0.0;
      size_t nonZero = 0;
      for (size_t k = begin; k < end; ++k) {
        groupCount += static_cast<double>(counts[k]);
        nonZero += p[k] != 0.0;
      }
      for (size_t k = begin; k < end; ++k) {
        if (p[k] == 0.0)
          q[k] = 0.0;
        else
          q[k] = groupCount > 0.0 ? groupCount / nonZero : epsilon;
      }
    }

    double divergence = klDivergence(p, q, i);
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      bestBins = i;
    }
  }
  return clampToObserved(bestBins * binWidth());
}

} // namespace modelc
