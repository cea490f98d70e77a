//===- DispatchBody.h - The anchor and epilogue of a dispatch ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_DISPATCHBODY_H
#define MODELC_TARGETS_COMMON_DISPATCHBODY_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace modelc::codegen {

/// What fusion put in a dispatch: at most one anchor (conv, matmul, a
/// reduction, a data movement...) and the elementwise ops that follow it, or
/// form the whole dispatch; splat constants are not listed.
struct DispatchBody {
  mlir::Operation *anchor = nullptr;
  llvm::SmallVector<mlir::Operation *> elementwise;
};

/// Splits `dispatch`'s body; fails when it holds two anchors.
llvm::Expected<DispatchBody> splitDispatchBody(mlir::modelc::kernel::DispatchOp dispatch);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_DISPATCHBODY_H
