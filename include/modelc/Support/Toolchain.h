//===- Toolchain.h - Running compilers and programs -------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_SUPPORT_TOOLCHAIN_H
#define MODELC_SUPPORT_TOOLCHAIN_H

#include "modelc/Pipelines/CompileOptions.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace modelc {

/// The flags modelc builds a C artifact's runner with for this machine
/// (`modelc bench`, the calibration runs): -O3 -march=native, and
/// -fno-trapping-math, which changes no value (the generated code never
/// reads floating-point exception flags) but lets GCC vectorize an
/// elementwise chain's selects without masking the operations before them
/// (QDQ ResNet-50's residual adds: 8.1% -> 6.1% of its time).
std::vector<std::string> hostRunnerFlags();

/// Builds the runner of a C artifact in `dir` with the C compiler `cc`.
llvm::Expected<std::string> buildCRunner(const std::string &dir,
                                         const CompileOptions &options,
                                         const std::vector<std::string> &cflags);

/// Compiles the C artifact in `dir` into one relocatable `<name>.o` holding
/// code and weights (--emit=obj).
llvm::Error buildCObject(const std::string &dir, const CompileOptions &options);

/// Links the compiled code `code` and `<name>_weights.o` (when `dir` has
/// one) into the relocatable `<name>.o` with the C compiler, then removes
/// `code`: the last step of every target's --emit=obj.
llvm::Error linkArtifactObject(const std::string &dir,
                               const CompileOptions &options,
                               const std::string &code);

/// `dir`/`file`.
std::string joinPath(const std::string &dir, const std::string &file);

/// Runs `program` with `args`; fails with its exit status and the last line
/// it wrote to stderr.
llvm::Error runProgram(const std::string &program,
                       const std::vector<std::string> &args,
                       std::string *stdoutText = nullptr);

} // namespace modelc

#endif // MODELC_SUPPORT_TOOLCHAIN_H
