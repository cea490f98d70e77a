//===- CommandLineTest.cpp - Parsing modelc's command line ----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include <catch2/catch.hpp>

using namespace modelc;
using namespace modelc::cli;

namespace {
ParseOutcome parse(std::vector<const char *> args, Invocation &inv) {
  args.insert(args.begin(), "modelc");
  return parseCommandLine(static_cast<int>(args.size()), args.data(), inv);
}
} // namespace

TEST_CASE("compile reads every flag", "[cli]") {
  Invocation inv;
  ParseOutcome outcome =
      parse({"compile", "m.onnx", "--target=c", "-o", "out", "--emit",
             "mlir-kernel", "--name", "net", "--dim", "batch=4", "--bind",
             "shape=s.pb", "--weights", "external", "--report", "r.json",
             "--no-prepack-weights"},
            inv);
  REQUIRE(outcome.proceed);
  CHECK(inv.command == Command::Compile);
  CHECK(inv.compile.modelPath == "m.onnx");
  CHECK(inv.compile.outputDir == "out");
  CHECK(inv.compile.emit == EmitKind::MlirKernel);
  CHECK(inv.compile.options.name == "net");
  CHECK(inv.compile.options.weights == WeightsFormat::External);
  CHECK(inv.compile.import.dimValues.at("batch") == 4);
  CHECK(inv.compile.import.inputBindings.at("shape") == "s.pb");
  CHECK(inv.compile.reportPath == "r.json");
  CHECK_FALSE(inv.compile.options.prepackWeights);
}

TEST_CASE("bad command lines exit with code 2", "[cli]") {
  Invocation inv;
  CHECK(parse({}, inv).exitCode == 2);                            // no command
  CHECK(parse({"compile", "m.onnx"}, inv).exitCode == 2);         // no -o
  CHECK(parse({"compile", "m.onnx", "-o", "d", "--emit", "exe"}, inv)
            .exitCode == 2);                                      // bad --emit
  CHECK(parse({"compile", "m.onnx", "-o", "d", "--dim", "N"}, inv).exitCode ==
        2);                                                       // no value
  CHECK(parse({"compile", "m.onnx", "-o", "d", "--dim", "N=-3"}, inv)
            .exitCode == 2);                                      // negative
  CHECK(parse({"run", "m.onnx", "--inputs", "i"}, inv).exitCode == 2);
  CHECK(parse({"bench", "m.onnx", "--threads", "0"}, inv).exitCode == 2);
  CHECK(parse({"frobnicate"}, inv).exitCode == 2);
}

TEST_CASE("--help succeeds and says what the commands are", "[cli]") {
  Invocation inv;
  ParseOutcome outcome = parse({"--help"}, inv);
  CHECK_FALSE(outcome.proceed);
  CHECK(outcome.exitCode == 0);
  CHECK(outcome.message.find("compile") != std::string::npos);
  CHECK(outcome.message.find("inspect") != std::string::npos);
}

TEST_CASE("bench and run defaults", "[cli]") {
  Invocation inv;
  REQUIRE(parse({"bench", "m.onnx", "--iterations", "7"}, inv).proceed);
  CHECK(inv.command == Command::Bench);
  CHECK(inv.iterations == 7);
  CHECK(inv.warmup == 10);
  CHECK(inv.threads == 1);
  CHECK(inv.compile.options.target == "c");
  CHECK(inv.compile.options.prepackWeights);
  CHECK(inv.inputsDir.empty());
}

TEST_CASE("bench times given inputs", "[cli]") {
  Invocation inv;
  REQUIRE(parse({"bench", "m.onnx", "--inputs", "set0", "--warmup", "3"}, inv)
              .proceed);
  CHECK(inv.inputsDir == "set0");
  CHECK(inv.warmup == 3);
}
