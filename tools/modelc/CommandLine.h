//===- CommandLine.h - Parsing modelc's command line ------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TOOLS_MODELC_COMMANDLINE_H
#define MODELC_TOOLS_MODELC_COMMANDLINE_H

#include "modelc/Driver/Driver.h"
#include "modelc/Driver/Quantize.h"

#include <string>

namespace modelc::cli {

enum class Command { Compile, Run, Bench, Inspect, Quantize };

/// Everything the command line asked for.
struct Invocation {
  Command command = Command::Compile;
  CompileRequest compile;
  /// quantize, and compile --quantize=int8: calibration and the QDQ model
  /// (compile writes it in a temporary folder).
  QuantizeRequest quantize;
  bool quantizeBeforeCompile = false;
  /// run (and bench --inputs): folders of input_K.pb and output_K.pb files.
  std::string inputsDir, outputsDir;
  /// run/bench: where to build; empty for a temporary folder.
  std::string workDir;
  int iterations = 50, warmup = 10, threads = 1;
  bool json = false;
};

/// What parsing decided: run the invocation, or exit with `exitCode` after
/// printing `message` (help text, or a usage error).
struct ParseOutcome {
  bool proceed = false;
  int exitCode = 0;
  std::string message;
};

ParseOutcome parseCommandLine(int argc, const char *const *argv,
                              Invocation &invocation);

} // namespace modelc::cli

#endif // MODELC_TOOLS_MODELC_COMMANDLINE_H
