//===- QuantizationReport.cpp - What quantization cost --------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "QuantizationReport.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace modelc {

void OutputAccuracy::add(const std::vector<float> &quantized,
                         const std::vector<float> &reference,
                         const std::vector<int64_t> &dims) {
  ++samples;
  for (size_t i = 0; i < reference.size() && i < quantized.size(); ++i) {
    double r = reference[i], e = static_cast<double>(quantized[i]) - r;
    signalPower += r * r;
    noisePower += e * e;
    maxAbsError = std::max(maxAbsError, std::abs(e));
    maxAbsReference = std::max(maxAbsReference, std::abs(r));
  }
  if (dims.size() != 2 || dims[1] < 2)
    return;
  int64_t classes = dims[1];
  for (int64_t row = 0; row < dims[0]; ++row) {
    auto begin = [&](const std::vector<float> &v) { return v.begin() + row * classes; };
    auto argmax = [&](const std::vector<float> &v) {
      return std::max_element(begin(v), begin(v) + classes) - begin(v);
    };
    ++rows;
    agreeingRows += argmax(quantized) == argmax(reference);
  }
}

double OutputAccuracy::sqnrDb() const {
  if (noisePower == 0)
    return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signalPower / noisePower);
}

std::optional<double> OutputAccuracy::top1Agreement() const {
  if (rows == 0)
    return std::nullopt;
  return static_cast<double>(agreeingRows) / static_cast<double>(rows);
}

std::string formatQuantizationReportJson(const QuantizationReport &report) {
  llvm::json::Array outputs;
  for (const OutputAccuracy &output : report.outputs) {
    llvm::json::Object entry{
        {"name", output.name},
        {"held_out_samples", output.samples},
        {"max_abs_error", output.maxAbsError},
        {"max_abs_fp32", output.maxAbsReference},
    };
    double sqnr = output.sqnrDb();
    // JSON has no infinity: an exact output's SQNR is null.
    entry["sqnr_db"] = std::isfinite(sqnr) ? llvm::json::Value(sqnr)
                                           : llvm::json::Value(nullptr);
    if (std::optional<double> top1 = output.top1Agreement())
      entry["top1_agreement"] = *top1;
    outputs.push_back(std::move(entry));
  }
  llvm::json::Array kept;
  for (const std::string &node : report.keptFloat)
    kept.push_back(node);
  llvm::json::Object root{
      {"method", report.method},
      {"calibration_samples", report.calibrationSamples},
      {"held_out_samples", report.heldOutSamples},
      {"outputs", std::move(outputs)},
      {"initializer_bytes", llvm::json::Object{
                                {"fp32", report.initializerBytesBefore},
                                {"qdq", report.initializerBytesAfter}}},
      {"artifact_weight_bytes",
       llvm::json::Object{{"fp32", report.artifactWeightBytesFloat},
                          {"int8", report.artifactWeightBytesInt8}}},
      {"kept_float", std::move(kept)},
  };
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}

} // namespace modelc
