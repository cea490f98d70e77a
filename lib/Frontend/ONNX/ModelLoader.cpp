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

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

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
  // The checker verifies that external data files exist, relative to the
  // model's folder, which only its file-path form knows; such a model file
  // holds no weights, so reading it again costs little.
  try {
    if (hasExternalData)
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
