//===- Toolchain.cpp - Building and running C artifacts -------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "modelc/Support/Toolchain.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace modelc {

std::string joinPath(const std::string &dir, const std::string &file) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, file);
  return path.str().str();
}

/// The last non-empty line of a file, for one-line error messages.
static std::string lastLine(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return "";
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (!it->trim().empty())
      return it->trim().str();
  return "";
}

llvm::Error runProgram(const std::string &program,
                       const std::vector<std::string> &args,
                       std::string *stdoutText) {
  llvm::ErrorOr<std::string> path =
      program.find('/') == std::string::npos
          ? llvm::sys::findProgramByName(program)
          : llvm::ErrorOr<std::string>(program);
  if (!path)
    return llvm::createStringError("cannot find '" + program + "' on PATH");
  llvm::SmallString<128> errPath, outPath;
  llvm::sys::fs::createTemporaryFile("modelc-stderr", "txt", errPath);
  llvm::sys::fs::createTemporaryFile("modelc-stdout", "txt", outPath);
  std::vector<llvm::StringRef> argv = {*path};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, stdoutText ? std::optional<llvm::StringRef>(outPath.str())
                               : std::nullopt,
      errPath.str()};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*path, argv, std::nullopt, redirects,
                                         /*SecondsToWait=*/0, 0, &message);
  std::string detail = lastLine(errPath.str().str());
  if (stdoutText) {
    auto buffer = llvm::MemoryBuffer::getFile(outPath);
    *stdoutText = buffer ? (*buffer)->getBuffer().str() : "";
  }
  llvm::sys::fs::remove(errPath);
  llvm::sys::fs::remove(outPath);
  if (status != 0)
    return llvm::createStringError(
        llvm::sys::path::filename(program) + " failed (exit " +
        std::to_string(status) + ")" + (message.empty() ? "" : ": " + message) +
        (detail.empty() ? "" : ": " + detail));
  return llvm::Error::success();
}

/// Sources and objects of a C artifact that exist in `dir`.
static std::vector<std::string> artifactInputs(const std::string &dir,
                                               const std::string &name) {
  std::vector<std::string> inputs = {joinPath(dir, name + ".c")};
  for (const std::string &file : {name + "_weights.c", name + "_weights.o"})
    if (llvm::sys::fs::exists(joinPath(dir, file)))
      inputs.push_back(joinPath(dir, file));
  return inputs;
}

std::vector<std::string> hostRunnerFlags() {
  return {"-O3", "-march=native", "-fno-trapping-math"};
}

llvm::Expected<std::string> buildCRunner(const std::string &dir,
                                         const CompileOptions &options,
                                         const std::vector<std::string> &cflags) {
  std::string exe = joinPath(dir, options.name + "_runner");
  std::vector<std::string> args = {"-std=c99"};
  args.insert(args.end(), cflags.begin(), cflags.end());
  for (const std::string &input : artifactInputs(dir, options.name))
    args.push_back(input);
  args.push_back(joinPath(dir, options.name + "_runner.c"));
  args.insert(args.end(), {"-o", exe, "-lm", "-lpthread"});
  if (llvm::Error err = runProgram(options.cCompiler, args))
    return llvm::createStringError("building the runner failed: " +
                                   llvm::toString(std::move(err)));
  return exe;
}

llvm::Error buildCObject(const std::string &dir, const CompileOptions &options) {
  std::string code = joinPath(dir, options.name + ".code.o");
  if (llvm::Error err = runProgram(
          options.cCompiler, {"-std=c99", "-O2", "-c",
                              joinPath(dir, options.name + ".c"), "-o", code}))
    return llvm::createStringError("compiling the C source failed: " +
                                   llvm::toString(std::move(err)));
  return linkArtifactObject(dir, options, code);
}

llvm::Error linkArtifactObject(const std::string &dir,
                               const CompileOptions &options,
                               const std::string &code) {
  std::vector<std::string> link = {"-r", "-nostdlib", code};
  std::string weights = joinPath(dir, options.name + "_weights.o");
  if (llvm::sys::fs::exists(weights))
    link.push_back(weights);
  link.insert(link.end(), {"-o", joinPath(dir, options.name + ".o")});
  if (llvm::Error err = runProgram(options.cCompiler, link))
    return llvm::createStringError("linking the object failed: " +
                                   llvm::toString(std::move(err)));
  llvm::sys::fs::remove(code);
  return llvm::Error::success();
}

} // namespace modelc
