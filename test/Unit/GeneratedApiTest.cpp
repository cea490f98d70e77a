//===- GeneratedApiTest.cpp - The generated C API, compiled and run -------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Compiles two models with the driver, links both into one C program
// (Inputs/api_test.c) and runs it: argument checks, external weights, numbers,
// and no symbol clashes between the two artifacts.
//
//===----------------------------------------------------------------------===//

#include "modelc/Driver/Driver.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <catch2/catch.hpp>

using namespace modelc;

namespace {
std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string();
}

std::string input(const char *name) {
  return std::string(MODELC_TEST_INPUTS) + "/" + name;
}

void compile(const std::string &model, const std::string &dir,
             const std::string &name, WeightsFormat weights) {
  CompileRequest request;
  request.modelPath = model;
  request.outputDir = dir;
  request.options.name = name;
  request.options.weights = weights;
  llvm::Expected<CompileResult> result = compileModel(request);
  if (!result)
    FAIL(llvm::toString(result.takeError()));
}
} // namespace

TEST_CASE("two models link into one program and honour the API contract",
          "[api]") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("modelc-api", dir));
  std::string d = dir.str().str();
  compile(input("affine.onnxtext"), d, "affine", WeightsFormat::Object);
  compile(input("dense.onnxtext"), d, "dense", WeightsFormat::External);

  std::string exe = d + "/api_test";
  std::vector<std::string> args = {
      "-std=c99", "-Wall", "-Wextra", "-Werror", "-I" + d, d + "/affine.c",
      d + "/dense.c", input("api_test.c"), "-o", exe, "-lm"};
  if (llvm::sys::fs::exists(d + "/affine_weights.o"))
    args.insert(args.end() - 3, d + "/affine_weights.o");
  std::string buildError = errorText(runProgram(MODELC_C_COMPILER, args));
  INFO(buildError);
  REQUIRE(buildError.empty());
  std::string output;
  std::string runError =
      errorText(runProgram(exe, {d + "/dense.weights.bin"}, &output));
  INFO(output);
  INFO(runError);
  CHECK(runError.empty());
  CHECK(output.find(", 0 failed") != std::string::npos);
  llvm::sys::fs::remove_directories(d);
}

TEST_CASE("only the documented API is external", "[api]") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("modelc-sym", dir));
  std::string d = dir.str().str();
  compile(input("dense.onnxtext"), d, "dense", WeightsFormat::Object);
  std::string object = d + "/dense.code.o";
  REQUIRE(errorText(runProgram(MODELC_C_COMPILER,
                               {"-std=c99", "-O2", "-c", d + "/dense.c", "-o",
                                object}))
              .empty());
  std::string symbols;
  REQUIRE(errorText(runProgram("nm", {"-g", "--defined-only", object,
                                      d + "/dense_weights.o"},
                               &symbols))
              .empty());
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(symbols).split(lines, '\n', -1, false);
  int external = 0;
  for (llvm::StringRef line : lines) {
    llvm::StringRef name = line.rsplit(' ').second;
    if (name.empty() || line.ends_with(":"))
      continue;
    ++external;
    INFO(name.str());
    CHECK(name.starts_with("dense_"));
  }
  // init, run, run_shaped, set_parallel_for, status_string, inputs, outputs,
  // weights.
  CHECK(external == 8);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("artifacts are byte-identical across compiles", "[api]") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("modelc-det", dir));
  std::string a = dir.str().str() + "/a", b = dir.str().str() + "/b";
  for (const std::string &out : {a, b})
    compile(input("dense.onnxtext"), out, "dense", WeightsFormat::Object);
  for (const char *file : {"/dense.h", "/dense.c", "/dense_weights.o"}) {
    auto left = llvm::MemoryBuffer::getFile(a + file);
    auto right = llvm::MemoryBuffer::getFile(b + file);
    REQUIRE(left);
    REQUIRE(right);
    CHECK((*left)->getBuffer() == (*right)->getBuffer());
  }
  llvm::sys::fs::remove_directories(dir);
}
