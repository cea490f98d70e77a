//===- OpImporters.cpp - One importer per supported ONNX op ---------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Each importer resolves what ONNX leaves to run time in an ahead-of-time
// setting (optional inputs, shape operands, auto_pad, negative axes, opset
// differences) and emits normalized graph ops. Shape operands must be
// compile-time constants; the graph ops' folders make them so for the
// Shape/Gather/Concat chains that exporters write.
//
// The importers live one file per op family (see OpImporterFamilies.h); this
// file assembles the families' registrations into one table.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"
#include "OpImporterFamilies.h"

#include <cassert>

namespace modelc::onnx_frontend {

void addImporters(
    OpImporterTable &table,
    llvm::ArrayRef<std::pair<llvm::StringRef, OpImporter>> entries) {
  for (const auto &[name, importer] : entries) {
    [[maybe_unused]] bool inserted = table.try_emplace(name, importer).second;
    assert(inserted && "an op type is registered by two families");
  }
}

const llvm::StringMap<OpImporter> &getOpImporters() {
  static const OpImporterTable importers = [] {
    OpImporterTable table;
    registerElementwiseImporters(table);
    registerNNImporters(table);
    registerReductionImporters(table);
    registerShapeImporters(table);
    registerGatherScatterImporters(table);
    registerConstantImporters(table);
    registerEinsumImporter(table);
    registerRecurrentImporters(table);
    registerDeterminantImporter(table);
    registerRoiAlignImporter(table);
    registerSelectionImporters(table);
    registerSpectralImporters(table);
    registerTfIdfImporter(table);
    registerQuantizationImporters(table);
    return table;
  }();
  return importers;
}

} // namespace modelc::onnx_frontend
