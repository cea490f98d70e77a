//===- ExternalData.cpp - Tensor data kept next to a model ----------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ExternalData.h"

#include "modelc/Frontend/ONNX/TensorProtoIO.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"

#include <tuple>

namespace modelc::onnx_frontend {

using onnx::TensorProto;

int64_t tensorByteSize(const TensorProto &proto) {
  int64_t bytes = onnxElementByteWidth(proto.data_type());
  if (bytes == 0)
    return -1;
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return -1;
    int64_t next = 0;
    if (llvm::MulOverflow(bytes, dim, next))
      return -1;
    bytes = next;
  }
  return bytes;
}

namespace {
/// An external data reference that passed every check: the file as resolved
/// on disk, its identity when checked, and the bytes to read from it.
struct ExternalSpan {
  std::string location;
  std::string path;
  llvm::sys::fs::UniqueID id;
  int64_t offset = 0;
  int64_t length = 0;
};
} // namespace

/// The start of every message about `location`.
static std::string quoted(llvm::StringRef location) {
  return "external data location '" + location.str() + "'";
}

/// Resolves the reference and checks it. `tensorBytes` of -1 reads the
/// length from the entry, or to the end of the file.
static llvm::Expected<ExternalSpan>
resolveExternalData(const TensorProto &proto, llvm::StringRef directory,
                    int64_t tensorBytes) {
  ExternalSpan span;
  bool hasLocation = false;
  const std::string *offsetText = nullptr, *lengthText = nullptr;
  for (const auto &entry : proto.external_data()) {
    if (entry.key() == "location") {
      span.location = entry.value();
      hasLocation = true;
    } else if (entry.key() == "offset") {
      offsetText = &entry.value();
    } else if (entry.key() == "length") {
      lengthText = &entry.value();
    }
  }
  if (!hasLocation || span.location.empty())
    return llvm::createStringError("external data without a location");
  int64_t length = -1;
  for (auto [key, text, value] :
       {std::tuple("offset", offsetText, &span.offset),
        std::tuple("length", lengthText, &length)}) {
    if (!text)
      continue;
    if (llvm::StringRef(*text).trim().getAsInteger(10, *value) || *value < 0)
      return llvm::createStringError(quoted(span.location) + ": " + key +
                                     " '" + *text + "' is not a byte count");
  }
  llvm::StringRef location = span.location;
  if (location.contains('\0'))
    return llvm::createStringError(quoted(location) + " holds a NUL byte");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::has_root_name(location) ||
      location.starts_with("/"))
    return llvm::createStringError(
        quoted(location) + " is an absolute path; external data must be a "
                           "file inside the model's folder");

  llvm::SmallString<256> realDirectory;
  llvm::StringRef folder = directory.empty() ? "." : directory;
  if (std::error_code ec = llvm::sys::fs::real_path(folder, realDirectory))
    return llvm::createStringError("cannot resolve the model's folder '" +
                                   folder.str() + "': " + ec.message());

  // Spelled out of the folder: refused before the file system is asked, so
  // the answer does not depend on what happens to exist up there.
  llvm::SmallString<256> normalized(location);
  llvm::sys::path::remove_dots(normalized, /*remove_dot_dot=*/true);
  if (normalized == ".." || llvm::StringRef(normalized).starts_with("../"))
    return llvm::createStringError(quoted(location) +
                                   " climbs out of the model's folder '" +
                                   realDirectory + "'");

  llvm::SmallString<256> joined(realDirectory);
  llvm::sys::path::append(joined, location);
  llvm::SmallString<256> resolved;
  if (std::error_code ec = llvm::sys::fs::real_path(joined, resolved)) {
    if (ec == llvm::errc::no_such_file_or_directory)
      return llvm::createStringError(quoted(location) +
                                     " does not exist in the model's folder '" +
                                     realDirectory + "'");
    return llvm::createStringError(quoted(location) + " cannot be resolved: " +
                                   ec.message());
  }
  // Links followed, the file must still lie below the folder.
  llvm::StringRef real = resolved, base = realDirectory;
  if (real == base)
    return llvm::createStringError(quoted(location) +
                                   " is the model's folder, not a file");
  bool inside = real.starts_with(base) && real.size() > base.size() &&
                (base.ends_with("/") || real[base.size()] == '/');
  if (!inside)
    return llvm::createStringError(
        quoted(location) + " resolves to '" + real.str() +
        "', outside the model's folder '" + base.str() + "'");

  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(resolved, status))
    return llvm::createStringError(quoted(location) + " cannot be read: " +
                                   ec.message());
  if (status.type() == llvm::sys::fs::file_type::directory_file)
    return llvm::createStringError(quoted(location) +
                                   " is a directory, not a file");
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return llvm::createStringError(
        quoted(location) + " is not a regular file (a device, pipe or socket)");

  int64_t fileSize = static_cast<int64_t>(status.getSize());
  if (tensorBytes >= 0 && length >= 0 && length != tensorBytes)
    return llvm::createStringError(
        quoted(location) + ": length " + llvm::Twine(length) +
        " differs from the tensor's " + llvm::Twine(tensorBytes) + " bytes");
  span.length = tensorBytes >= 0 ? tensorBytes
                : length >= 0    ? length
                                 : std::max<int64_t>(0, fileSize - span.offset);
  int64_t end = 0;
  if (llvm::AddOverflow(span.offset, span.length, end) || end > fileSize)
    return llvm::createStringError(
        quoted(location) + " holds " + llvm::Twine(fileSize) +
        " bytes; offset " + llvm::Twine(span.offset) + " + length " +
        llvm::Twine(span.length) + " runs past its end");
  span.path = resolved.str().str();
  span.id = status.getUniqueID();
  return span;
}

llvm::Error checkExternalData(const TensorProto &proto,
                              llvm::StringRef directory, int64_t tensorBytes) {
  return resolveExternalData(proto, directory, tensorBytes).takeError();
}

llvm::Error readExternalData(const TensorProto &proto,
                             llvm::StringRef directory, std::vector<char> &out) {
  llvm::Expected<ExternalSpan> span =
      resolveExternalData(proto, directory, static_cast<int64_t>(out.size()));
  if (!span)
    return span.takeError();
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(span->path);
  if (!file)
    return llvm::createStringError(quoted(span->location) +
                                   " cannot be opened: " +
                                   llvm::toString(file.takeError()));
  llvm::scope_exit close([&] { llvm::sys::fs::closeFile(*file); });
  // The file opened must be the one checked: a link swapped in between
  // would otherwise redirect the read.
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(*file, status) ||
      status.type() != llvm::sys::fs::file_type::regular_file ||
      status.getUniqueID() != span->id)
    return llvm::createStringError(quoted(span->location) +
                                   " changed while it was read");
  size_t done = 0;
  while (done < out.size()) {
    llvm::Expected<size_t> got = llvm::sys::fs::readNativeFileSlice(
        *file, llvm::MutableArrayRef<char>(out).drop_front(done),
        span->offset + done);
    if (!got)
      return llvm::createStringError(quoted(span->location) +
                                     " cannot be read: " +
                                     llvm::toString(got.takeError()));
    if (*got == 0)
      return llvm::createStringError(quoted(span->location) +
                                     " ended early while it was read");
    done += *got;
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Every external tensor of a model
//===----------------------------------------------------------------------===//

namespace {
/// Walks a model's graphs, checking each external tensor once.
class ExternalDataScan {
public:
  ExternalDataScan(llvm::StringRef directory) : directory_(directory) {}

  llvm::Error graph(const onnx::GraphProto &graph);
  llvm::Error nodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto> &);
  bool found() const { return found_; }

private:
  llvm::Error tensor(const TensorProto &proto, const llvm::Twine &what);
  llvm::Error sparse(const onnx::SparseTensorProto &proto,
                     const llvm::Twine &what);

  llvm::StringRef directory_;
  bool found_ = false;
};
} // namespace

llvm::Error ExternalDataScan::tensor(const TensorProto &proto,
                                     const llvm::Twine &what) {
  if (proto.data_location() != TensorProto::EXTERNAL)
    return llvm::Error::success();
  found_ = true;
  if (llvm::Error err =
          checkExternalData(proto, directory_, tensorByteSize(proto)))
    return llvm::createStringError(what + ": " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

llvm::Error ExternalDataScan::sparse(const onnx::SparseTensorProto &proto,
                                     const llvm::Twine &what) {
  if (llvm::Error err = tensor(proto.values(), what + " values"))
    return err;
  return tensor(proto.indices(), what + " indices");
}

llvm::Error ExternalDataScan::nodes(
    const google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes) {
  for (int index = 0; index < nodes.size(); ++index) {
    const onnx::NodeProto &node = nodes.Get(index);
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(index)
                           : node.name();
    for (const onnx::AttributeProto &attr : node.attribute()) {
      std::string what = "node '" + name + "' (" + node.op_type() +
                         ") attribute '" + attr.name() + "'";
      if (attr.has_t())
        if (llvm::Error err = tensor(attr.t(), what))
          return err;
      for (const TensorProto &t : attr.tensors())
        if (llvm::Error err = tensor(t, what))
          return err;
      if (attr.has_sparse_tensor())
        if (llvm::Error err = sparse(attr.sparse_tensor(), what))
          return err;
      for (const onnx::SparseTensorProto &t : attr.sparse_tensors())
        if (llvm::Error err = sparse(t, what))
          return err;
      if (attr.has_g())
        if (llvm::Error err = graph(attr.g()))
          return err;
      for (const onnx::GraphProto &sub : attr.graphs())
        if (llvm::Error err = graph(sub))
          return err;
    }
  }
  return llvm::Error::success();
}

llvm::Error ExternalDataScan::graph(const onnx::GraphProto &graph) {
  for (const TensorProto &init : graph.initializer())
    if (llvm::Error err = tensor(init, "initializer '" + init.name() + "'"))
      return err;
  for (const onnx::SparseTensorProto &init : graph.sparse_initializer())
    if (llvm::Error err = sparse(init, "sparse initializer '" +
                                           init.values().name() + "'"))
      return err;
  return nodes(graph.node());
}

llvm::Error checkModelExternalData(const onnx::ModelProto &model,
                                   llvm::StringRef directory, bool &found) {
  ExternalDataScan scan(directory);
  llvm::Error err = scan.graph(model.graph());
  for (const onnx::FunctionProto &function : model.functions())
    if (!err)
      err = scan.nodes(function.node());
  for (const onnx::TrainingInfoProto &info : model.training_info()) {
    if (!err)
      err = scan.graph(info.initialization());
    if (!err)
      err = scan.graph(info.algorithm());
  }
  found = scan.found();
  return err;
}

} // namespace modelc::onnx_frontend
