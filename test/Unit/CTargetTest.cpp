//===- CTargetTest.cpp - C artifacts of every form, built and run ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// What lit cannot show about --target=c: each form of the artifact
// (--weights=object, --weights=c-array, --emit=obj) builds without a warning,
// runs LeNet's bundled test sets to the same bits and within tolerance of
// onnxruntime's outputs; every weights format carries the same bytes; the
// --emit=obj object exports only the API; and the kernels give the same bits
// on 1, 2, 3 and 7 threads (Inputs/parallel_test.c).
//
//===----------------------------------------------------------------------===//

#include "modelc/Driver/Driver.h"
#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

using namespace modelc;
using onnx_frontend::HostTensor;

namespace {
std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string();
}

std::string input(const char *name) {
  return std::string(MODELC_TEST_INPUTS) + "/" + name;
}

const std::string kLenet = std::string(MODELC_EXAMPLES) + "/lenet.onnx";
/// onnxruntime's outputs for LeNet, next to their inputs.
const std::vector<std::string> kLenetSets = {
    std::string(MODELC_EXAMPLES) + "/lenet/test_data_set_0",
    std::string(MODELC_EXAMPLES) + "/lenet/test_data_set_1"};

/// A fresh directory, removed with everything in it at scope exit.
struct TempDir {
  std::string path;
  explicit TempDir(const char *prefix) {
    llvm::SmallString<128> dir;
    REQUIRE(!llvm::sys::fs::createUniqueDirectory(prefix, dir));
    path = dir.str().str();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string operator/(const std::string &file) const {
    return path + "/" + file;
  }
};

CompileOptions options(const std::string &name, WeightsFormat weights) {
  CompileOptions result;
  result.name = name;
  result.weights = weights;
  result.cCompiler = MODELC_C_COMPILER;
  return result;
}

void compile(const std::string &model, const std::string &dir,
             const std::string &name, WeightsFormat weights,
             EmitKind emit = EmitKind::Source) {
  CompileRequest request;
  request.modelPath = model;
  request.outputDir = dir;
  request.emit = emit;
  request.options = options(name, weights);
  llvm::Expected<CompileResult> result = compileModel(request);
  if (!result)
    FAIL(llvm::toString(result.takeError()));
}

/// Every C build here: warnings are errors, and one optimisation level, the
/// one --emit=obj compiles its object with (lib/Support/Toolchain.cpp), so
/// that comparing bits compares the artifact's forms, not code generation.
const std::vector<std::string> kStrictFlags = {"-O2", "-Wall", "-Wextra",
                                               "-Werror"};

/// The harnesses name the model through these (see Inputs/parallel_test.c).
std::vector<std::string> modelDefines(const std::string &dir,
                                      const std::string &name) {
  return {"-I" + dir, "-DMODEL_NAME=" + name,
          "-DMODEL_UPPER=" + llvm::StringRef(name).upper(),
          "-DMODEL_HEADER=\"" + name + ".h\""};
}

void buildProgram(const std::vector<std::string> &sources,
                  const std::vector<std::string> &flags,
                  const std::string &exe) {
  std::vector<std::string> args = {"-std=c99"};
  args.insert(args.end(), kStrictFlags.begin(), kStrictFlags.end());
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), sources.begin(), sources.end());
  args.insert(args.end(), {"-o", exe, "-lm", "-lpthread"});
  std::string error = errorText(runProgram(MODELC_C_COMPILER, args));
  INFO("building " << exe << ": " << error);
  REQUIRE(error.empty());
}

/// The model's source and whichever weights file the artifact in `dir` has.
std::vector<std::string> artifactSources(const std::string &dir,
                                         const std::string &name) {
  std::vector<std::string> sources = {dir + "/" + name + ".c"};
  for (const char *weights : {"_weights.c", "_weights.o"})
    if (llvm::sys::fs::exists(dir + "/" + name + weights))
      sources.push_back(dir + "/" + name + weights);
  return sources;
}

/// The generated runner, built from the artifact's sources.
std::string buildRunner(const std::string &dir, const std::string &name) {
  llvm::Expected<std::string> exe =
      buildCRunner(dir, options(name, WeightsFormat::Object), kStrictFlags);
  if (!exe)
    FAIL(llvm::toString(exe.takeError()));
  return *exe;
}

HostTensor readTensor(const std::string &path) {
  llvm::Expected<HostTensor> tensor = onnx_frontend::readTensorFile(path);
  if (!tensor)
    FAIL(path << ": " << llvm::toString(tensor.takeError()));
  return std::move(*tensor);
}

/// The names of the expected outputs of a test set: output_0.pb, ...
std::vector<std::string> outputNames(const std::string &testSet) {
  std::vector<std::string> names;
  for (int k = 0;; ++k) {
    std::string name = "output_" + std::to_string(k) + ".pb";
    if (!llvm::sys::fs::exists(testSet + "/" + name))
      break;
    names.push_back(name);
  }
  REQUIRE(!names.empty());
  return names;
}

/// Runs `runner` on the inputs of `testSet` and returns its outputs.
std::vector<HostTensor> runTestSet(const std::string &runner,
                                   const std::string &testSet,
                                   const std::string &outDir,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--inputs", testSet, "--outputs", outDir};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error = errorText(runProgram(runner, args));
  INFO(runner << " on " << testSet << ": " << error);
  REQUIRE(error.empty());
  std::vector<HostTensor> outputs;
  for (const std::string &name : outputNames(testSet))
    outputs.push_back(readTensor(outDir + "/" + name));
  return outputs;
}

/// Same shape, type and bytes: the same bits.
bool sameBits(const std::vector<HostTensor> &a,
              const std::vector<HostTensor> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].dataType != b[i].dataType || a[i].dims != b[i].dims ||
        a[i].bytes != b[i].bytes)
      return false;
  return true;
}

/// check_models.py's bound against onnxruntime:
/// max |actual - expected| <= 1e-4 * max |expected| + 1e-5.
void checkNearExpected(const std::vector<HostTensor> &actual,
                       const std::string &testSet) {
  std::vector<std::string> names = outputNames(testSet);
  REQUIRE(actual.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    HostTensor expected = readTensor(testSet + "/" + names[i]);
    INFO(testSet << "/" << names[i]);
    REQUIRE(expected.dataType == 1); // float
    REQUIRE(actual[i].dims == expected.dims);
    REQUIRE(actual[i].bytes.size() == expected.bytes.size());
    size_t n = expected.bytes.size() / sizeof(float);
    std::vector<float> got(n), want(n);
    std::memcpy(got.data(), actual[i].bytes.data(), n * sizeof(float));
    std::memcpy(want.data(), expected.bytes.data(), n * sizeof(float));
    double scale = 0, diff = 0;
    for (size_t j = 0; j < n; ++j) {
      scale = std::max(scale, std::fabs(double(want[j])));
      diff = std::max(diff, std::fabs(double(got[j]) - double(want[j])));
    }
    INFO("max |diff| " << diff << ", max |expected| " << scale);
    CHECK(diff <= 1e-4 * scale + 1e-5); // false for NaN too
  }
}

std::string readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    FAIL("cannot read " << path);
  return (*buffer)->getBuffer().str();
}

/// The bytes `<name>_weights_data` holds when linked from `weightsFile`
/// alone (Inputs/weights_dump.c), and the <NAME>_WEIGHTS_BYTES it was built
/// against.
std::string dumpWeights(const std::string &dir, const std::string &name,
                        const std::string &weightsFile, uint64_t &declared) {
  std::string exe = dir + "/weights_dump", dump = dir + "/weights.bin";
  buildProgram({input("weights_dump.c"), weightsFile}, modelDefines(dir, name),
               exe);
  std::string printed;
  std::string error = errorText(runProgram(exe, {dump}, &printed));
  INFO(error);
  REQUIRE(error.empty());
  REQUIRE(!llvm::StringRef(printed).trim().getAsInteger(10, declared));
  return readFile(dump);
}
} // namespace

TEST_CASE("C target: --weights=c-array holds the object's weights and runs "
          "bit-identical to it",
          "[c-target]") {
  TempDir dir("modelc-carray");
  compile(kLenet, dir / "object", "lenet", WeightsFormat::Object);
  compile(kLenet, dir / "carray", "lenet", WeightsFormat::CArray);
  compile(kLenet, dir / "external", "lenet", WeightsFormat::External);
  REQUIRE(llvm::sys::fs::exists(dir / "object/lenet_weights.o"));
  REQUIRE(llvm::sys::fs::exists(dir / "carray/lenet_weights.c"));
  CHECK(!llvm::sys::fs::exists(dir / "carray/lenet_weights.o"));

  // The same bytes in all three formats; the external file has a 64-byte
  // header (magic, model hash, payload size) before them.
  uint64_t objectBytes = 0, arrayBytes = 0;
  std::string fromObject = dumpWeights(
      dir / "object", "lenet", dir / "object/lenet_weights.o", objectBytes);
  std::string fromArray = dumpWeights(
      dir / "carray", "lenet", dir / "carray/lenet_weights.c", arrayBytes);
  std::string file = readFile(dir / "external/lenet.weights.bin");
  INFO("object: " << objectBytes << " bytes, FNV-1a "
                  << llvm::utohexstr(hashModel(fromObject, "")));
  INFO("c-array: " << arrayBytes << " bytes, FNV-1a "
                   << llvm::utohexstr(hashModel(fromArray, "")));
  CHECK(objectBytes > 0);
  CHECK(arrayBytes == objectBytes);
  CHECK(fromObject.size() == objectBytes);
  CHECK(fromArray.size() == arrayBytes);
  CHECK(hashModel(fromArray, "") == hashModel(fromObject, ""));
  bool arrayMatchesObject = fromArray == fromObject;
  CHECK(arrayMatchesObject);
  REQUIRE(file.size() == 64 + objectBytes);
  bool fileMatchesObject = file.compare(64, std::string::npos, fromObject) == 0;
  CHECK(fileMatchesObject);

  // Built with warnings as errors, both run the bundled test sets to the
  // same bits, within tolerance of onnxruntime.
  std::string objectRunner = buildRunner(dir / "object", "lenet");
  std::string arrayRunner = buildRunner(dir / "carray", "lenet");
  for (const std::string &testSet : kLenetSets) {
    std::vector<HostTensor> viaObject =
        runTestSet(objectRunner, testSet, dir / "out-object");
    std::vector<HostTensor> viaArray =
        runTestSet(arrayRunner, testSet, dir / "out-carray");
    INFO(testSet);
    CHECK(sameBits(viaArray, viaObject));
    checkNearExpected(viaArray, testSet);
  }
}

TEST_CASE("C target: the --emit=obj object links alone into the runner and "
          "exports only the API",
          "[c-target]") {
  TempDir dir("modelc-obj");
  compile(kLenet, dir / "obj", "lenet", WeightsFormat::Object, EmitKind::Obj);
  compile(kLenet, dir / "source", "lenet", WeightsFormat::Object);
  std::string object = dir / "obj/lenet.o";
  REQUIRE(llvm::sys::fs::exists(object));

  // The object alone, without lenet.c or lenet_weights.o, makes a program.
  std::string objRunner = dir / "obj/runner_from_object";
  buildProgram({dir / "obj/lenet_runner.c", object}, {"-I" + (dir / "obj")},
               objRunner);
  std::string sourceRunner = buildRunner(dir / "source", "lenet");
  for (const std::string &testSet : kLenetSets) {
    std::vector<HostTensor> viaObject =
        runTestSet(objRunner, testSet, dir / "out-obj");
    std::vector<HostTensor> viaSource =
        runTestSet(sourceRunner, testSet, dir / "out-source");
    INFO(testSet);
    CHECK(sameBits(viaObject, viaSource));
    checkNearExpected(viaObject, testSet);
  }

  // Exactly the API: the four functions, the two descriptor tables and the
  // embedded weights (targets/Common/WeightsWriter.h); every kernel static.
  std::string symbols;
  REQUIRE(
      errorText(runProgram("nm", {"-g", "--defined-only", object}, &symbols))
          .empty());
  std::map<std::string, char> defined;
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(symbols).split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef, 3> fields;
    line.split(fields, ' ', -1, false);
    if (fields.size() == 3)
      defined[fields[2].str()] = fields[1].front();
  }
  INFO(symbols);
  CHECK(defined.size() == 8);
  for (const char *function :
       {"lenet_init", "lenet_run", "lenet_run_shaped", "lenet_set_parallel_for",
        "lenet_status_string"}) {
    INFO(function);
    CHECK(defined.count(function) == 1);
    CHECK(defined[function] == 'T');
  }
  for (const char *data :
       {"lenet_inputs", "lenet_outputs", "lenet_weights_data"}) {
    INFO(data);
    CHECK(defined.count(data) == 1);
    CHECK(llvm::StringRef("DR").contains(defined[data]));
  }

  // What it still needs comes from the C library, not from the artifact.
  std::string undefined;
  REQUIRE(errorText(runProgram("nm", {"-u", object}, &undefined)).empty());
  INFO(undefined);
  CHECK(undefined.find("lenet_") == std::string::npos);
  CHECK(undefined.find("mk_") == std::string::npos);
}

TEST_CASE("C target: outputs are bit-identical on any number of threads",
          "[c-target]") {
  TempDir dir("modelc-threads");

  // On 1, 2, 3 and 7 threads of a parallel-for that deals the tasks out
  // round-robin, last first (Inputs/parallel_test.c): LeNet (direct and
  // im2col convolutions, pooling) and a matrix product, softmax on two axes
  // and a layer norm (Inputs/mixer.onnxtext).
  for (auto [model, name] :
       {std::pair<std::string, std::string>{kLenet, "lenet"},
        std::pair<std::string, std::string>{input("mixer.onnxtext"),
                                            "mixer"}}) {
    std::string artifact = dir / name;
    compile(model, artifact, name, WeightsFormat::Object);
    std::vector<std::string> sources = artifactSources(artifact, name);
    sources.push_back(input("parallel_test.c"));
    std::string exe = artifact + "/parallel_test";
    buildProgram(sources, modelDefines(artifact, name), exe);
    std::string output;
    std::string error =
        errorText(runProgram(exe, {"1", "2", "3", "7"}, &output));
    INFO(name << ":\n" << output << error);
    CHECK(error.empty());
    CHECK(output.find(", 0 failed") != std::string::npos);
  }

  // Through the generated runner's thread pool, on a bundled test set.
  std::string runner = buildRunner(dir / "lenet", "lenet");
  const std::string &testSet = kLenetSets.front();
  std::vector<HostTensor> serial =
      runTestSet(runner, testSet, dir / "out-1", {"--threads", "1"});
  checkNearExpected(serial, testSet);
  for (int threads : {2, 3, 7}) {
    std::string n = std::to_string(threads);
    INFO("--threads " << n);
    CHECK(sameBits(
        runTestSet(runner, testSet, dir / ("out-" + n), {"--threads", n}),
        serial));
  }
}
