//===- Observers.h - Activation ranges from calibration data ----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Static quantization needs a float range for every activation, gathered by
// running the float model on calibration batches. An observer sees one
// tensor's values batch after batch and keeps just enough to choose that
// range afterwards: the extremes (min-max), or a histogram from which a
// percentile or the KL-divergence (entropy) method clips outliers.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_QUANTIZATION_OBSERVERS_H
#define MODELC_QUANTIZATION_OBSERVERS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace modelc {

/// How an activation's range is chosen from what its observer saw.
enum class CalibrationMethod { MinMax, Percentile, Entropy };

/// Parses "minmax", "percentile" or "entropy"; std::nullopt otherwise.
std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name);

/// The name parseCalibrationMethod reads back: "minmax", "percentile" or
/// "entropy" (the spelling of --calibration-method and of reports).
const char *calibrationMethodName(CalibrationMethod method);

/// Index of the first NaN or infinity among `count` floats, or `count` if all
/// are finite. Observers expect finite data: a NaN in calibration data means
/// the data (or the model) is broken, and no range chosen from it would be
/// meaningful, so the caller refuses it with an error naming the input.
size_t findNonFinite(const float *data, size_t count);

/// A float range [min, max] for chooseAffineParams.
struct CalibrationRange {
  float min = 0.0f;
  float max = 0.0f;
};

/// The smallest and largest value seen over all batches.
class MinMaxObserver {
public:
  /// Takes `count` finite values into account.
  void observe(const float *data, size_t count);
  /// True until a value has been observed.
  bool empty() const { return !seen; }
  /// The smallest value seen; 0 while empty.
  float min() const { return minValue; }
  /// The largest value seen; 0 while empty.
  float max() const { return maxValue; }

private:
  float minValue = 0.0f;
  float maxValue = 0.0f;
  bool seen = false;
};

/// A histogram of |x| over [0, upper()] with a fixed number of equal bins,
/// whose range grows as batches arrive.
///
/// It holds magnitudes rather than signed values because both methods choose
/// one threshold T and clip to [-T, T]: that is what symmetric int8
/// activations need and what TensorRT's entropy calibration is defined on,
/// and putting every bin on one side doubles the resolution for the same
/// number of bins. The observed min and max then tighten each side on its
/// own, so a ReLU output, never negative, gets [0, T]. The cost is that the
/// two tails cannot be clipped by different amounts.
///
/// The range starts at the first batch's largest magnitude. When a batch
/// exceeds it, the range grows by the smallest integer factor k that covers
/// the batch, and each group of k adjacent bins merges into one: old bin j
/// lies inside new bin j / k exactly, so no count moves to a wrong bin and
/// the total is conserved. (onnxruntime's HistogramCollector appends bins
/// instead, which keeps the bin width but lets one outlier make the
/// histogram arbitrarily long.) A batch numBins or more times beyond the
/// range sets the range to its own largest magnitude, and the whole old
/// histogram fits in the new bin 0. Either way the range stays below twice
/// the largest magnitude, so more than half of the bins stay useful.
class HistogramObserver {
public:
  explicit HistogramObserver(size_t numBins = 2048);

  /// Takes `count` values into account; they must be finite (findNonFinite).
  void observe(const float *data, size_t count);

  bool empty() const { return totalCount == 0; }
  /// The smallest and largest signed values seen; 0 while empty.
  float min() const { return extremes.min(); }
  float max() const { return extremes.max(); }
  /// The upper edge of the last bin; bin i holds |x| in
  /// [i * binWidth(), (i + 1) * binWidth()).
  double upper() const { return upperEdge; }
  double binWidth() const { return upperEdge / counts.size(); }
  const std::vector<uint64_t> &binCounts() const { return counts; }
  uint64_t total() const { return totalCount; }

  /// The range holding `percentile` percent (in (0, 100]) of the values:
  /// T is the upper edge of the first bin at which the cumulative count
  /// reaches that share, so at least that share lies in [-T, T]. The cut is
  /// symmetric, on |x|: 99 means 1% of the magnitudes are clipped, wherever
  /// they are, not 0.5% from each tail. The result is [-T, T] intersected
  /// with [min(), max()] (each end clamped to [-T, T]); {0, 0} while empty.
  CalibrationRange percentileRange(double percentile) const;

  /// The threshold T that minimizes the information lost by quantizing to
  /// `quantizedBins` levels, TensorRT's entropy calibration (Migacz, "8-bit
  /// Inference with TensorRT", GTC 2017). For each candidate i from
  /// quantizedBins to numBins, clipping at T = i * binWidth():
  ///  - the reference P is the first i bins, with the count of all bins
  ///    beyond folded into bin i - 1 (clipped values saturate there);
  ///  - the candidate Q is the same first i bins *without* the folded
  ///    outliers, merged into quantizedBins groups of i / quantizedBins bins
  ///    (the last group also takes the remainder), each group's count then
  ///    spread evenly over the bins of that group where P is non-zero (Q is
  ///    zero where P is). Building Q before folding, as TensorRT, MXNet and
  ///    onnxruntime do, is what makes clipping many values expensive;
  ///  - the cost is KL(P || Q) = sum over P > 0 of p log(p / q), with P and
  ///    Q each normalized to sum to 1.
  /// Bins where P is zero contribute nothing (0 log 0 = 0), so no smoothing
  /// is needed there. Where P > 0 but Q = 0, which happens when the folded
  /// outliers land in a group with no other counts, Q gets 1e-4 of a count
  /// (the epsilon of MXNet's and onnxruntime's smooth_distribution) before
  /// normalizing: a large but finite cost, so such a clip can still win when
  /// the outliers are few. Among equal costs the smallest T wins. The result
  /// is [-T, T] intersected with [min(), max()] as for percentileRange; the
  /// whole [min(), max()] if there are no more bins than quantizedBins;
  /// {0, 0} while empty. T is never below quantizedBins / numBins of
  /// upper(): more bins allow a tighter clip. Costs O(numBins^2), about
  /// 4 million steps at 2048 bins, once per tensor.
  CalibrationRange entropyRange(int quantizedBins = 128) const;

private:
  /// Grows the range to cover `absMax` > upper(), merging bins.
  void growTo(double absMax);
  size_t binOf(float absValue) const;
  CalibrationRange clampToObserved(double threshold) const;

  std::vector<uint64_t> counts;
  double upperEdge = 0.0;
  uint64_t totalCount = 0;
  MinMaxObserver extremes;
};

} // namespace modelc

#endif // MODELC_QUANTIZATION_OBSERVERS_H
