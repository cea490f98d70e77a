//===- KernelDialect.td - The kernel dialect ---------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_TD
#define MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_TD

include "mlir/IR/OpBase.td"

def Kernel_Dialect : Dialect {
  let name = "kernel";
  let cppNamespace = "::mlir::modelc::kernel";
  let summary = "Dispatch regions: the unit of code generation";
  let description = [{
    The `kernel` dialect is the IR contract of the fuse and plan phases. A
    `kernel.dispatch` holds the `graph` ops that one generated kernel computes:
    an anchor (convolution, matrix product, pooling, reduction, normalization,
    data movement) with the elementwise producers and epilogues fused into it,
    or a chain of elementwise ops that becomes one loop nest. Values that cross
    dispatch boundaries are the only tensors that need memory; the memory
    planner gives each of them an offset in one arena.
  }];
}

#endif // MODELC_DIALECTS_KERNEL_IR_KERNELDIALECT_TD
