//===- WeightsWriter.cpp - The constant section of a C artifact -----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "WeightsWriter.h"

#include "modelc/IR/TensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cstring>
#include <mutex>

namespace modelc::codegen {

llvm::Expected<std::string> writeWeightsObject(llvm::StringRef symbol,
                                               std::vector<char> data,
                                               llvm::StringRef tripleName) {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
  llvm::Triple triple(tripleName.empty() ? llvm::sys::getDefaultTargetTriple()
                                         : tripleName.str());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no LLVM target for triple '" +
                                   triple.str() + "': " + error);
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "generic", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for '" +
                                   triple.str() + "'");

  // The weights exist up to three times at once here (the caller's blob, the
  // LLVM constant, the object); each copy is dropped as soon as the next one
  // exists, which keeps the peak near twice the weights.
  llvm::SmallVector<char, 0> object;
  {
    llvm::LLVMContext context;
    llvm::Module module("weights", context);
    module.setTargetTriple(triple);
    module.setDataLayout(machine->createDataLayout());
    llvm::Constant *init = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(data.data(), data.size()), data.size(),
        llvm::Type::getInt8Ty(context));
    std::vector<char>().swap(data);
    auto *global = new llvm::GlobalVariable(
        module, init->getType(), /*isConstant=*/true,
        llvm::GlobalValue::ExternalLinkage, init, symbol);
    global->setAlignment(llvm::Align(64));

    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager passes;
    if (machine->addPassesToEmitFile(passes, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return llvm::createStringError("LLVM cannot write objects for '" +
                                     triple.str() + "'");
    passes.run(module);
  }
  return std::string(object.begin(), object.end());
}

std::string writeWeightsCArray(llvm::StringRef symbol,
                               const std::vector<char> &data) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Weights of a modelc artifact, as a C array (--weights=c-array). "
        "Generated; do not edit. */\n"
     << "#if defined(__GNUC__)\n"
     << "__attribute__((aligned(64)))\n"
     << "#endif\n"
     << "const unsigned char " << symbol << "[" << std::max<size_t>(data.size(), 1)
     << "] = {";
  for (size_t i = 0; i < data.size(); ++i) {
    if (i % 16 == 0)
      os << "\n   ";
    os << " " << static_cast<unsigned>(static_cast<unsigned char>(data[i]))
       << ",";
  }
  if (data.empty())
    os << "0";
  os << "\n};\n";
  return text;
}

std::string writeWeightsFile(const std::vector<char> &data, uint64_t hash) {
  std::string file(kExternalWeightsHeaderBytes, '\0');
  std::memcpy(file.data(), "MODELCW1", 8);
  llvm::support::endian::write64le(file.data() + 8, hash);
  llvm::support::endian::write64le(file.data() + 16, data.size());
  file.append(data.data(), data.size());
  return file;
}

std::optional<SyntheticWeightTensor>
getSyntheticWeightTensor(mlir::ElementsAttr attr, int64_t offset) {
  mlir::Type stored = attr.getElementType();
  if (!llvm::isa<mlir::FloatType>(stored) || stored.isF64())
    return std::nullopt;
  auto type = llvm::cast<mlir::ShapedType>(attr.getType());
  SyntheticWeightTensor tensor;
  tensor.offset = offset;
  tensor.elements = type.getNumElements();
  if (type.getRank() >= 2 && type.getDimSize(0) > 0)
    tensor.fanIn = tensor.elements / type.getDimSize(0);
  tensor.onnxType = stored.isF16() ? 10 : stored.isBF16() ? 16 : 1;
  return tensor;
}

llvm::Error appendWeightsFiles(Artifact &artifact, llvm::StringRef name,
                               std::vector<char> weights,
                               const CompileOptions &options) {
  if (weights.empty())
    return llvm::Error::success();
  std::string symbol = (name + "_weights_data").str();
  switch (options.weights) {
  case WeightsFormat::Object: {
    llvm::Expected<std::string> object =
        writeWeightsObject(symbol, std::move(weights), options.targetTriple);
    if (!object)
      return object.takeError();
    artifact.files.push_back({(name + "_weights.o").str(), *object});
    break;
  }
  case WeightsFormat::CArray:
    artifact.files.push_back(
        {(name + "_weights.c").str(), writeWeightsCArray(symbol, weights)});
    break;
  case WeightsFormat::External:
    artifact.files.push_back({(name + ".weights.bin").str(),
                              writeWeightsFile(weights, options.modelHash)});
    break;
  }
  return llvm::Error::success();
}

namespace {
/// The synthetic-weights table: RUNNER_NUM_WEIGHT_TENSORS and
/// RUNNER_WEIGHT_TENSORS.
std::string writeSyntheticWeightsTable(
    const std::vector<SyntheticWeightTensor> &tensors) {
  if (tensors.empty())
    return "";
  std::string text = "/* Float weight tensors for --synthetic-weights: offset, "
                     "elements, fan-in, ONNX type. */\n"
                     "#define RUNNER_NUM_WEIGHT_TENSORS " +
                     std::to_string(tensors.size()) +
                     "\n#define RUNNER_WEIGHT_TENSORS {";
  for (auto [i, t] : llvm::enumerate(tensors))
    text += std::string(i ? ", " : "") + (i % 4 == 0 ? "\\\n    " : "") + "{" +
            std::to_string(t.offset) + ", " + std::to_string(t.elements) + ", " +
            std::to_string(t.fanIn) + ", " + std::to_string(t.onnxType) + "}";
  return text + "}\n";
}
} // namespace

void writeWeightsFileMacros(llvm::raw_ostream &os, llvm::StringRef name,
                            llvm::StringRef upper, llvm::StringRef takesWeights,
                            int64_t weightsBytes, bool external) {
  os << "/* 1: the caller loads " << name << ".weights.bin and passes it to "
     << takesWeights << ". */\n"
     << "#define " << upper << "_WEIGHTS_EXTERNAL " << (external ? 1 : 0)
     << "\n";
  if (external)
    os << "/* Size of " << name << ".weights.bin: a 64-byte header, then the "
       << "weights. */\n"
       << "#define " << upper << "_WEIGHTS_FILE_BYTES ((size_t)"
       << kExternalWeightsHeaderBytes + weightsBytes << ")\n";
}

std::string writeRunnerPreamble(llvm::StringRef fileName, llvm::StringRef name,
                                const std::vector<SyntheticWeightTensor> &tensors) {
  return ("/* " + fileName + " - a command-line runner for " + name +
          " (generated by modelc). */\n#include \"" + name +
          ".h\"\n#define MODEL_FN(sym) " + name + "_##sym\n" +
          "#define MODEL_MACRO(sym) " + name.upper() + "_##sym\n")
             .str() +
         writeSyntheticWeightsTable(tensors);
}

WeightsLayout layOutWeights(mlir::func::FuncOp func, int64_t alignment) {
  WeightsLayout layout;
  for (auto constant : func.getBody().getOps<mlir::arith::ConstantOp>()) {
    if (constant->use_empty())
      continue;
    auto attr = llvm::dyn_cast<mlir::ElementsAttr>(constant.getValue());
    if (!attr)
      continue;
    std::vector<char> bytes = mlir::modelc::readConstantBytes(attr);
    if (bytes.empty()) {
      layout.empty.push_back(constant.getResult());
      continue;
    }
    int64_t offset = (static_cast<int64_t>(layout.bytes.size()) + alignment -
                      1) / alignment * alignment;
    layout.bytes.resize(offset);
    layout.bytes.insert(layout.bytes.end(), bytes.begin(), bytes.end());
    layout.offsets[constant.getResult()] = offset;
    if (auto tensor = getSyntheticWeightTensor(attr, offset))
      layout.synthetic.push_back(*tensor);
  }
  return layout;
}

} // namespace modelc::codegen
