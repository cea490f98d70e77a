//===- Passes.h - Kernel dialect passes -------------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_H
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::modelc::kernel {

#define GEN_PASS_DECL
#include "dialects/Kernel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Kernel/Transforms/Passes.h.inc"

/// Function attributes that PlanMemory writes for emitters and reports.
constexpr llvm::StringLiteral kArenaBytesAttr = "kernel.arena_bytes";
constexpr llvm::StringLiteral kArenaLowerBoundAttr = "kernel.arena_lower_bound";
constexpr llvm::StringLiteral kIntermediateBytesAttr =
    "kernel.intermediate_bytes";

} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_H
