//===- KernelOps.h - Kernel dialect operations ------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_IR_KERNELOPS_H
#define MODELC_DIALECTS_KERNEL_IR_KERNELOPS_H

#include "dialects/Kernel/IR/KernelDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Kernel/IR/KernelOps.h.inc"

namespace mlir::modelc::kernel {
/// The value whose memory `value` aliases: itself, or the source of the
/// chain of views (kernel.reshape) that produced it.
Value getViewSource(Value value);
} // namespace mlir::modelc::kernel

#endif // MODELC_DIALECTS_KERNEL_IR_KERNELOPS_H
