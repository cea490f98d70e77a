//===- PlannedPointers.h - Where each tensor of a plan lives ----*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_COMMON_PLANNEDPOINTERS_H
#define MODELC_TARGETS_COMMON_PLANNEDPOINTERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>

namespace modelc::codegen {

/// Fills `pointers` with the C pointer expression of every argument
/// (`input_K`), weight (`weights + offset`, NULL when empty), dispatch result
/// (`arena + offset`, or `output_K` when the plan writes it straight into an
/// output) and view (its source's) of a planned function. Weights and arena
/// offsets are cast to their element pointer type, which `typeName` spells.
llvm::Error assignPlannedPointers(
    mlir::func::FuncOp func,
    const llvm::DenseMap<mlir::Value, int64_t> &weightOffsets,
    llvm::ArrayRef<mlir::Value> emptyConstants,
    const llvm::DenseMap<mlir::Value, unsigned> &directOutputs,
    llvm::function_ref<std::string(mlir::Type)> typeName,
    llvm::DenseMap<mlir::Value, std::string> &pointers);

} // namespace modelc::codegen

#endif // MODELC_TARGETS_COMMON_PLANNEDPOINTERS_H
