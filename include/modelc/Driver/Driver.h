//===- Driver.h - modelc's compile, run and bench jobs ----------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// What the `modelc` command does, as a library: the CLI parses flags into
// these requests, and tests call them directly.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DRIVER_DRIVER_H
#define MODELC_DRIVER_DRIVER_H

#include "modelc/Frontend/ONNX/Importer.h"
#include "modelc/Pipelines/CompileOptions.h"
#include "modelc/Support/Toolchain.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace modelc {

/// What `modelc compile --emit` writes.
enum class EmitKind {
  MlirGraph,   ///< graph dialect after the graph pipeline
  MlirKernel,  ///< after fusion into dispatches
  MlirLowered, ///< dispatch bodies in the kernel vocabulary
  MlirPlanned, ///< after memory planning
  Source,      ///< header, C source, weights (the default)
  Obj,         ///< header and one object with code and weights
};

struct CompileRequest {
  std::string modelPath;
  std::string outputDir;
  EmitKind emit = EmitKind::Source;
  CompileOptions options;
  onnx_frontend::ImportOptions import;
  /// Write the JSON report here when non-empty.
  std::string reportPath;
  bool printIrAfterAll = false;
  /// Phase progress on stderr (the CLI turns it on for terminals).
  bool showProgress = false;
};

struct PhaseTime {
  std::string phase;
  double seconds = 0;
};

/// The facts `--report` writes.
struct CompileReport {
  int64_t onnxNodes = 0;
  int64_t dispatches = 0;
  int64_t arenaBytes = 0;
  /// Most bytes live at once under the chosen schedule: no plan does better.
  int64_t arenaLowerBound = 0;
  /// Every intermediate tensor's size, summed: the cost of no reuse.
  int64_t intermediateBytes = 0;
  int64_t constantBytes = 0;
  std::vector<PhaseTime> phases;
};

struct CompileResult {
  /// Paths of the files written.
  std::vector<std::string> files;
  CompileReport report;
};

/// Runs the whole pipeline and writes the artifact into request.outputDir.
llvm::Expected<CompileResult> compileModel(const CompileRequest &request);

/// The report as JSON.
std::string formatReportJson(const CompileReport &report,
                             const CompileRequest &request);

/// FNV-1a of the model bytes followed by `flags`.
uint64_t hashModel(llvm::StringRef modelBytes, llvm::StringRef flags);

} // namespace modelc

#endif // MODELC_DRIVER_DRIVER_H
