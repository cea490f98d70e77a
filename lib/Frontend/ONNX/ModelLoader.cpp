//===- ModelLoader.cpp - Read and validate ONNX model files ---------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// onnx's checker and text parser report through exceptions; this file is
// built with them enabled and turns each into a one-line llvm::Error.
//
//===----------------------------------------------------------------------===//

#include "modelc/Frontend/ONNX/Importer.h"

#include "ExternalData.h"
#include "ModelOpset.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_map>

namespace modelc::onnx_frontend {

/// True when the file is ONNX text rather than protobuf: by extension, or by
/// its first character past blanks and `#` comment lines (text models open
/// with `<`). A ModelProto never starts with `#`, a group tag, so comments
/// cannot make a protobuf look like text; they let a chunk of a lit test
/// split with `--split-input-file='# -----'` be recognized.
static bool looksLikeText(llvm::StringRef path, llvm::StringRef contents) {
  if (path.ends_with(".onnxtext") || path.ends_with(".txt"))
    return true;
  llvm::StringRef rest = contents.ltrim();
  while (rest.starts_with("#"))
    rest = rest.split('\n').second.ltrim();
  return rest.starts_with("<");
}

/// Keeps only the first line of a multi-line library message.
static std::string firstLine(const std::string &message) {
  llvm::StringRef text(message);
  return text.trim().split('\n').first.str();
}

/// The newest IR version and default-domain opset that the onnx library
/// modelc links knows (Debian's 1.12: IR 8, opset 17). Its checker refuses
/// anything newer outright.
static int64_t checkerIrVersion() { return onnx::Version::IR_VERSION; }
static int64_t checkerOpset() {
  return onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
      .Map()
      .at(onnx::ONNX_DOMAIN)
      .second;
}

static bool isNewerThanChecker(const onnx::ModelProto &model) {
  return model.ir_version() > checkerIrVersion() ||
         defaultDomainOpset(model) > checkerOpset();
}

/// Checks what onnx's checker can check of a newer model, and says so
/// once per file. A newer IR version alone is checked in full as the newest
/// the checker knows (a feature that version lacks still fails). Nodes of a
/// newer opset cannot be held to older schemas, so only the graph's inputs,
/// outputs and initializers are; modelc's importer then checks each node
/// against the opsets it implements (findUnsupportedNodes).
static void checkNewerModel(const onnx::ModelProto &model,
                            const std::string &path,
                            const std::string &directory) {
  static std::set<std::string> warned;
  int64_t opset = defaultDomainOpset(model);
  bool newerOpset = opset > checkerOpset();
  if (warned.insert(path).second)
    spdlog::warn(
        "warning: '{}' has IR version {} and opset {}, newer than "
        "onnx's checker knows (IR {}, opset {}); {}",
        path, model.ir_version(), opset, checkerIrVersion(), checkerOpset(),
        newerOpset ? "its nodes are checked by modelc's importer only"
                   : "checked as IR " + std::to_string(checkerIrVersion()));
  onnx::checker::CheckerContext ctx;
  ctx.set_ir_version(
      static_cast<int>(std::min(model.ir_version(), checkerIrVersion())));
  std::unordered_map<std::string, int> imports;
  for (const auto &import : model.opset_import())
    imports[import.domain()] = static_cast<int>(import.version());
  ctx.set_opset_imports(imports);
  ctx.set_model_dir(directory);
  if (!newerOpset) {
    onnx::checker::LexicalScopeContext scope;
    onnx::checker::check_graph(model.graph(), ctx, scope);
    return;
  }
  const onnx::GraphProto &graph = model.graph();
  for (const onnx::TensorProto &init : graph.initializer())
    onnx::checker::check_tensor(init, ctx);
  for (const onnx::ValueInfoProto &info : graph.input())
    onnx::checker::check_value_info(info, ctx);
  for (const onnx::ValueInfoProto &info : graph.output())
    onnx::checker::check_value_info(info, ctx);
}

llvm::Expected<LoadedModel> loadModel(const std::string &path) {
  if (llvm::sys::fs::is_directory(path))
    return llvm::createStringError("'" + path + "' is a directory, not a model");
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/true);
  if (!buffer)
    return llvm::createStringError("cannot read '" + path +
                                   "': " + buffer.getError().message());
  return loadModelFromBuffer((*buffer)->getBuffer(), path);
}

llvm::Expected<LoadedModel> loadModelFromBuffer(llvm::StringRef contents,
                                                const std::string &path) {
  auto model = std::make_shared<onnx::ModelProto>();
  if (looksLikeText(path, contents)) {
    std::string text = contents.str(); // the parser wants a C string
    onnx::OnnxParser parser(text.c_str());
    onnx::Status status = parser.Parse(*model);
    if (!status.IsOK())
      return llvm::createStringError("'" + path + "' is not valid ONNX text: " +
                                     firstLine(status.ErrorMessage()));
  } else if (contents.empty() ||
             !model->ParseFromArray(contents.data(),
                                    static_cast<int>(contents.size()))) {
    return llvm::createStringError("'" + path +
                                   "' is not an ONNX model (protobuf parse "
                                   "failed; truncated or another format?)");
  }
  if (!model->has_graph() || model->opset_import_size() == 0)
    return llvm::createStringError("'" + path +
                                   "' is not an ONNX model (no graph or no "
                                   "opset_import)");
  // External data is checked here, before onnx's checker: the checker's
  // rules depend on its version (1.12 lets `..` and links through) and its
  // words differ, and no output exists yet, so a model whose data lies
  // outside its folder fails alike in compile, run and inspect.
  std::string directory = llvm::sys::path::parent_path(path).str();
  bool hasExternalData = false;
  if (llvm::Error err =
          checkModelExternalData(*model, directory, hasExternalData))
    return std::move(err);
  try {
    if (isNewerThanChecker(*model))
      checkNewerModel(*model, path, directory);
    // The checker verifies that external data files exist, relative to the
    // model's folder, which only its file-path form knows; such a model file
    // holds no weights, so reading it again costs little.
    else if (hasExternalData)
      onnx::checker::check_model(path);
    else
      onnx::checker::check_model(*model);
  } catch (const std::exception &e) {
    return llvm::createStringError("'" + path + "' failed onnx's checker: " +
                                   firstLine(e.what()));
  }
  LoadedModel loaded;
  loaded.proto = std::move(model);
  loaded.path = path;
  loaded.directory = std::move(directory);
  return loaded;
}

} // namespace modelc::onnx_frontend
