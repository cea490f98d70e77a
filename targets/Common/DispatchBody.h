//===- DispatchBody.h - The anchor and epilogue of a dispatch ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_DISPATCHBODY_H
#define MODELC_TARGETS_COMMON_DISPATCHBODY_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace modelc::codegen {

/// What a lowered dispatch holds: at most one anchor (conv, matmul, a
/// reduction, a data movement...) and at most one elementwise loop nest that
/// follows it or forms the whole dispatch. Constants and tensor.empty are not
/// listed.
struct DispatchBody {
  mlir::Operation *anchor = nullptr;
  mlir::linalg::GenericOp elementwise;
};

/// True for a loop nest of parallel iterators only (an elementwise loop);
/// a generic with reduction iterators is an anchor.
bool isParallelLoopNest(mlir::linalg::GenericOp generic);

/// Splits `dispatch`'s body; fails when it holds two anchors or two loop
/// nests.
llvm::Expected<DispatchBody> splitDispatchBody(mlir::modelc::kernel::DispatchOp dispatch);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_DISPATCHBODY_H
