//===- CalibrationData.h - The inputs modelc quantize calibrates on -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// A calibration folder holds one sample per `test_data_set_*`-style
// subfolder (any subfolder with an input_0.pb, taken in name order), or is
// itself one sample of input_K.pb files. Input K is the K-th graph input that
// is not an initializer, as in the ONNX backend test data. Every file is read
// and checked before anything runs: a missing or unreadable file, a wrong
// element type or shape, or a NaN or infinity is an error that names the
// sample, the input and the file.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_DRIVER_CALIBRATIONDATA_H
#define MODELC_LIB_DRIVER_CALIBRATIONDATA_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onnx {
class GraphProto;
} // namespace onnx

namespace modelc {

/// One calibration sample: a folder of input_K.pb files the runner reads.
struct CalibrationSample {
  std::string folder;
};

/// Finds and checks the samples in `folder` against the graph's inputs.
/// `dimValues` pins symbolic dimensions as --dim does; those it leaves open
/// take the first sample's sizes and are added to it.
llvm::Expected<std::vector<CalibrationSample>>
readCalibrationSamples(const std::string &folder, const onnx::GraphProto &graph,
                       std::map<std::string, int64_t> &dimValues);

} // namespace modelc

#endif // MODELC_LIB_DRIVER_CALIBRATIONDATA_H
