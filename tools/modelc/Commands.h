//===- Commands.h - The actions behind modelc's subcommands -----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TOOLS_MODELC_COMMANDS_H
#define MODELC_TOOLS_MODELC_COMMANDS_H

#include "CommandLine.h"

#include "llvm/Support/Error.h"

namespace modelc::cli {

llvm::Error runCompile(const Invocation &invocation);
llvm::Error runRun(const Invocation &invocation);
llvm::Error runBench(const Invocation &invocation);
llvm::Error runInspect(const Invocation &invocation);
llvm::Error runQuantize(const Invocation &invocation);

} // namespace modelc::cli

#endif // MODELC_TOOLS_MODELC_COMMANDS_H
