//===- KernelDialect.h - The kernel dialect ---------------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_H
#define MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Kernel/IR/KernelDialect.h.inc"

#endif // MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_H
