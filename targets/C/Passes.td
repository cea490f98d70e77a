//===- Passes.td - C target passes -------------------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_PASSES_TD
#define MODELC_TARGETS_C_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignScratchPass : Pass<"c-assign-scratch", "func::FuncOp"> {
  let summary = "Records the scratch space each dispatch needs on the C target";
  let description = [{
    Sets `scratch_bytes` on every dispatch whose anchor calls a runtime
    kernel that needs temporary memory (GEMM panels, im2col tiles), so the
    memory planner can place it in the arena for the duration of that
    dispatch. With `prepack-weights`, the constant weights of 8-bit and
    half-precision products get `resident_bytes` instead of packing space
    in their scratch: the generated init function packs them there once,
    in the layout of the SIMD path compiled in.
  }];
  let options = [
    Option<"prepackWeights", "prepack-weights", "bool", "true",
           "Pack the constant weights of 8-bit and half-precision products "
           "once, at init, into the arena">
  ];
}

#endif // MODELC_TARGETS_C_PASSES_TD
