//===- VolumeWindows.h - 3-D convolutions and pools --------------*- C++
//-*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Conv, ConvTranspose, MaxPool and AveragePool over rank-5 [N, C, D, H, W]
// inputs, written as the 2-D graph ops (VolumeWindows.cpp says how).
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_VOLUMEWINDOWS_H
#define MODELC_LIB_FRONTEND_ONNX_VOLUMEWINDOWS_H

#include "NodeContext.h"

#include "llvm/Support/Error.h"

namespace modelc::onnx_frontend {

/// A Conv node whose input has rank 5.
llvm::Error importVolumeConv(NodeContext &ctx);

/// A ConvTranspose node whose input has rank 5.
llvm::Error importVolumeConvTranspose(NodeContext &ctx);

/// A MaxPool (`isMax`) or AveragePool node whose input has rank 5.
llvm::Error importVolumePool(NodeContext &ctx, bool isMax);

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_VOLUMEWINDOWS_H
