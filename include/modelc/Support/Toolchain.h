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
