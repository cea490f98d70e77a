//===- RunInputs.h - Specializing a model to one run's inputs ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// `modelc compile` builds one artifact before any input exists, so it needs
// every size (--dim) and every shape operand (--bind) from the user.
// `modelc run --inputs DIR` has the inputs in hand: it compiles for exactly
// those, taking each symbolic dimension from the files and freezing the
// inputs that only decide sizes, with a note naming each.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DRIVER_RUNINPUTS_H
#define MODELC_DRIVER_RUNINPUTS_H

#include "modelc/Frontend/ONNX/Importer.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace modelc {

/// A graph input frozen to its file because only shape operands read it.
struct FrozenInput {
  std::string name;
  std::string file;
  /// The operand that decided it, as "Reshape's shape".
  std::string use;
};

/// What a run's input files settle.
struct RunInputs {
  /// The inputs frozen to their files (not those the user bound).
  std::vector<FrozenInput> frozen;
  /// The files of the inputs the compiled model still takes, in its order.
  std::vector<std::string> runnerFiles;
};

/// Specializes `import` to the files of `inputsDir`, where input_K.pb holds
/// the K-th graph input that is not an initializer (the ONNX backend test
/// data's layout). Inputs the user bound keep their binding. Shape operand
/// inputs are bound to their files; every other input's size goes into
/// `import.inputShapes`, for the importer to check and settle dimensions
/// with. Fails naming the file when one is missing or unreadable.
llvm::Expected<RunInputs>
specializeToInputFiles(const onnx_frontend::LoadedModel &model,
                       const std::string &inputsDir,
                       onnx_frontend::ImportOptions &import);

} // namespace modelc

#endif // MODELC_DRIVER_RUNINPUTS_H
