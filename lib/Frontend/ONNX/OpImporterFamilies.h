//===- OpImporterFamilies.h - One registration per op family ----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The op importers live one file per op family. Each family adds its ops to
// the table that getOpImporters returns, so adding an op touches only the
// file of its family.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_OPIMPORTERFAMILIES_H
#define MODELC_LIB_FRONTEND_ONNX_OPIMPORTERFAMILIES_H

#include "NodeContext.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <utility>

namespace modelc::onnx_frontend {

/// The table getOpImporters returns: importers by ONNX op type.
using OpImporterTable = llvm::StringMap<OpImporter>;

/// Adds `entries` to `table`. Each op type belongs to one family, so a name
/// already present is a bug (asserted).
void addImporters(
    OpImporterTable &table,
    llvm::ArrayRef<std::pair<llvm::StringRef, OpImporter>> entries);

/// Arithmetic, comparisons, logic, activations, Clip, Cast, Where, Identity,
/// Dropout.
void registerElementwiseImporters(OpImporterTable &table);
/// Conv, ConvTranspose, MatMul, Gemm, the pools, the norms, LRN, Softmax,
/// LogSoftmax, Hardmax.
void registerNNImporters(OpImporterTable &table);
/// The Reduce ops, ArgMax, ArgMin, CumSum, TopK.
void registerReductionImporters(OpImporterTable &table);
/// Reshape, Transpose, Concat, Slice, Squeeze, Split, Pad, Resize, ...
void registerShapeImporters(OpImporterTable &table);
/// Gather, GatherElements, GatherND, the Scatters, Compress, OneHot,
/// GridSample, ReverseSequence, MaxUnpool, NonZero.
void registerGatherScatterImporters(OpImporterTable &table);
/// Constant, ConstantOfShape, Range, EyeLike.
void registerConstantImporters(OpImporterTable &table);
/// Einsum, as transposes, sums and batched matrix products.
void registerEinsumImporter(OpImporterTable &table);
/// RNN, GRU, LSTM, unrolled over their time steps.
void registerRecurrentImporters(OpImporterTable &table);
/// Det, as a sum of products of its elements (matrices up to 4 x 4).
void registerDeterminantImporter(OpImporterTable &table);
void registerRoiAlignImporter(OpImporterTable &table);
void registerSelectionImporters(OpImporterTable &table);
void registerSpectralImporters(OpImporterTable &table);
void registerTfIdfImporter(OpImporterTable &table);
/// QuantizeLinear, DequantizeLinear, MatMulInteger, ConvInteger,
/// QLinearMatMul.
void registerQuantizationImporters(OpImporterTable &table);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_OPIMPORTERFAMILIES_H
