//===- Quantize.h - modelc quantize as a library ----------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Post-training static quantization: calibrate a float model on sample
// inputs by running it, compiled for the C target, and write the QDQ model
// that `modelc compile` lowers to 8-bit kernels and that onnxruntime,
// TensorRT or any QDQ consumer runs as it is.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DRIVER_QUANTIZE_H
#define MODELC_DRIVER_QUANTIZE_H

#include "modelc/Frontend/ONNX/Importer.h"
#include "modelc/Quantization/Observers.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace modelc {

struct QuantizeRequest {
  std::string modelPath;
  /// test_data_set_* folders of input_K.pb files, or one such folder.
  std::string calibrationDir;
  /// Where the QDQ model is written; nothing is written on failure.
  std::string outputPath;
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// Share of values the percentile method keeps, in percent.
  double percentile = 99.999;
  /// Nodes that stay float, by name.
  std::vector<std::string> keepFloat;
  /// --dim values; symbolic dimensions left open take the first sample's.
  onnx_frontend::ImportOptions import;
  /// Where the calibration build goes; empty for a temporary folder.
  std::string workDir;
  std::string cCompiler = "cc";
  int threads = 1;
  /// Progress on stderr (the CLI turns it on for terminals).
  bool showProgress = false;
  /// Write the quantization report (JSON) here when non-empty.
  std::string reportPath;
  /// Samples kept out of calibration for the report: the last ones; -1 for
  /// a tenth of them (at least one when there are two or more) with a
  /// report, none without.
  int heldOut = -1;
};

/// What quantization did.
struct QuantizeSummary {
  int64_t samples = 0;
  int64_t quantizedProducts = 0;
  int64_t quantizedActivations = 0;
  /// Products that stay float, as "name: reason".
  std::vector<std::string> keptFloat;
  int64_t initializerBytesBefore = 0;
  int64_t initializerBytesAfter = 0;
  double calibrationSeconds = 0;
};

/// Calibrates and writes the QDQ model.
llvm::Expected<QuantizeSummary> quantizeModel(const QuantizeRequest &request);

} // namespace modelc

#endif // MODELC_DRIVER_QUANTIZE_H
