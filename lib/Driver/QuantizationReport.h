//===- QuantizationReport.h - What quantization cost ------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// `modelc quantize --report`: over held-out samples (calibration never saw
// them), each output of the int8 artifact against the fp32 one. The report
// gives:
// - the SQNR (signal power over error power, over all held-out samples, in
//   dB) and the largest |error|;
// - top-1 agreement for classifier-shaped outputs ([rows, classes]);
// - the weight bytes before and after.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_DRIVER_QUANTIZATIONREPORT_H
#define MODELC_LIB_DRIVER_QUANTIZATIONREPORT_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace modelc {

/// Accumulates one output's error over samples.
class OutputAccuracy {
public:
  explicit OutputAccuracy(std::string name) : name(std::move(name)) {}

  /// One sample: the int8 artifact's values against the fp32 ones, of
  /// shape `dims`.
  void add(const std::vector<float> &quantized,
           const std::vector<float> &reference,
           const std::vector<int64_t> &dims);

  std::string name;
  double signalPower = 0, noisePower = 0, maxAbsError = 0, maxAbsReference = 0;
  int64_t samples = 0;
  /// Rows whose arg-max agrees, of rows seen; only for [rows, classes].
  int64_t rows = 0, agreeingRows = 0;

  double sqnrDb() const;
  std::optional<double> top1Agreement() const;
};

struct QuantizationReport {
  std::string method;
  int64_t calibrationSamples = 0, heldOutSamples = 0;
  std::vector<OutputAccuracy> outputs;
  int64_t initializerBytesBefore = 0, initializerBytesAfter = 0;
  /// Constant bytes of the compiled fp32 and int8 C artifacts.
  int64_t artifactWeightBytesFloat = 0, artifactWeightBytesInt8 = 0;
  std::vector<std::string> keptFloat;
};

std::string formatQuantizationReportJson(const QuantizationReport &report);

} // namespace modelc

#endif // MODELC_LIB_DRIVER_QUANTIZATIONREPORT_H
