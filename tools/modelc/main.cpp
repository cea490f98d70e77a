//===- main.cpp - The modelc command --------------------------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Exit codes: 0 success; 1 a user-facing error, printed as one line; 2 a bad
// command line.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"
#include "Commands.h"

#include "llvm/Support/raw_ostream.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

int main(int argc, char **argv) {
  using namespace modelc::cli;
  Invocation invocation;
  ParseOutcome outcome = parseCommandLine(argc, argv, invocation);
  if (!outcome.proceed) {
    std::fputs(outcome.message.c_str(), outcome.exitCode ? stderr : stdout);
    return outcome.exitCode;
  }
  // Progress and phase logs go to stderr, prefixed like errors.
  auto logger = spdlog::stderr_color_mt("modelc");
  logger->set_pattern("modelc: %v");
  spdlog::set_default_logger(logger);
  llvm::Error err = llvm::Error::success();
  switch (invocation.command) {
  case Command::Compile:
    err = runCompile(invocation);
    break;
  case Command::Run:
    err = runRun(invocation);
    break;
  case Command::Bench:
    err = runBench(invocation);
    break;
  case Command::Inspect:
    err = runInspect(invocation);
    break;
  case Command::Quantize:
    err = runQuantize(invocation);
    break;
  }
  if (err) {
    std::string message = llvm::toString(std::move(err));
    // One line: the first line of whatever went wrong.
    message = message.substr(0, message.find('\n'));
    llvm::errs() << "modelc: error: " << message << "\n";
    return 1;
  }
  return 0;
}
