//===- Passes.td - Kernel dialect passes -------------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD
#define MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FormDispatchesPass : Pass<"kernel-form-dispatches", "func::FuncOp"> {
  let summary = "Groups fusable graph ops into kernel.dispatch regions";
  let description = [{
    Every op that is not elementwise, a view or a constant anchors a dispatch.
    An elementwise op joins the dispatch of an operand's producer when that
    operand has no other user and the op keeps the dispatch's result shape
    (an epilogue computed in place on the anchor's output), or when the
    producer's dispatch is itself an elementwise chain (which becomes one loop
    nest). Ops that fit no group get a dispatch of their own. Splat constants
    are cloned into the dispatches that use them; other constants and views
    stay outside.
  }];
  let options = [
    Option<"maxGroupSize", "max-group-size", "unsigned", /*default=*/"32",
           "Largest number of ops placed in one dispatch">,
  ];
  let dependentDialects = ["::mlir::modelc::kernel::KernelDialect"];
}

def LowerQuantizedProductsPass
    : Pass<"kernel-lower-quantized-products", "func::FuncOp"> {
  let summary = "Rewrites 8-bit products and their output stages into kernel.quantized_*";
  let description = [{
    A dispatch of `graph.conv_integer` or `graph.matmul_integer` (which fit
    the 8-bit kernels, `graph::fitsEightBitKernels`) and the requantize or
    dequantize that finishes it becomes one `kernel.quantized_conv` or
    `kernel.quantized_matmul`. What the kernels take is computed here, once,
    as new constant inputs of the dispatch: the row offsets
    `bias - input_zero_point * sum(weight row)` and a matmul's transposed
    weight. Inputs the dispatch no longer reads are dropped.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def LowerLibraryCallsPass : Pass<"kernel-lower-library-calls", "func::FuncOp"> {
  let summary = "Rewrites matmul, conv, pooling and row-op anchors into kernel descriptors";
  let description = [{
    `graph.matmul` becomes `kernel.matmul`, `graph.conv` `kernel.conv`,
    `graph.max_pool` and `graph.avg_pool` `kernel.pool`, each with its
    accumulator type (f32 for float products, i32 for integer ones) and the
    default layout and algorithm, for a target's configuration to refine.
    Softmax and log-softmax become `kernel.softmax`, layer norm
    `kernel.layer_norm`, whose contracts fix the stable forms.
  }];
}

def LowerReductionsPass : Pass<"kernel-lower-reductions", "func::FuncOp"> {
  let summary = "Rewrites the reduce family into reduction loop nests";
  let description = [{
    Each `graph.reduce_*` op of a dispatch becomes a `linalg.fill` of the
    reduction's identity and a `linalg.generic` with reduction iterators whose
    `arith`/`math` body folds one element into the accumulator. Mean's
    division, L2's root and LogSum's logarithm follow as elementwise graph
    ops, which `kernel-lower-loop-nests` turns into the epilogue. LogSumExp
    keeps a running log-sum-exp that cannot overflow; 16-bit floats
    accumulate in f32.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def LowerLoopNestsPass : Pass<"kernel-lower-loop-nests", "func::FuncOp"> {
  let summary = "Rewrites the elementwise ops and strided reads of each dispatch into one linalg.generic";
  let description = [{
    The elementwise graph ops of a dispatch body (a pure chain, or the
    epilogue after its anchor) become one `linalg.generic` over the result's
    shape. A transpose anchor joins it as the map its input is read
    through, so data movement and its epilogue are one loop nest. Broadcasts
    are indexing maps; each op's meaning at one element is
    written in `arith` and `math`, with signedness chosen by the op and
    16-bit floats computed in f32 and rounded at each op's result; splat
    constants become scalar constants. Integer tensors enter and leave the
    body through `builtin.unrealized_conversion_cast` to signless types.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def NarrowProductWeightsPass
    : Pass<"kernel-narrow-product-weights", "func::FuncOp"> {
  let summary = "Stores the constant weights of float convolutions and matmuls as bf16 or f16";
  let description = [{
    For CPU targets' `--precision`: the weight operand of a float
    `kernel.conv`, and the constant 2-D right operand of a float
    `kernel.matmul`, become `storage` constants (round to nearest even),
    half the bytes. Activations, results and everything else stay f32, and
    products accumulate in f32: the target's routines widen the weights, or
    multiply them with bf16 dot products.
  }];
  let options = [
    Option<"storageName", "storage", "std::string", /*default=*/"\"bf16\"",
           "Storage of the weights: bf16 or f16">,
  ];
}

def ConvertFloatStoragePass : Pass<"kernel-convert-float-storage", "func::FuncOp"> {
  let summary = "Stores float32 tensors as float16 or bfloat16 in the IR's types, before memory is planned";
  let description = [{
    Every float32 tensor that lives in a buffer (weights, dispatch results
    and the views over them) takes the `storage` type, so the planner sizes
    it at its real width. Loop nests widen what they read with `arith.extf`
    and round what they store with `arith.truncf`; matrix products and
    convolutions keep their f32 accumulator; reduction sums stay f32 and are
    rounded where a dispatch stores one. Float inputs and outputs of the
    function take `io` ("model": as the model declares them); where `io`
    differs from `storage`, a `convert_input_K`/`convert_output_K` dispatch
    converts between the caller's buffer and the arena. GPU targets add this
    pass to their configuration pipeline for `--precision` and
    `--io-precision`.
  }];
  let options = [
    Option<"storageName", "storage", "std::string", /*default=*/"\"f32\"",
           "Storage of float32 tensors: f32, f16 or bf16">,
    Option<"ioName", "io", "std::string", /*default=*/"\"model\"",
           "Element type of float inputs and outputs: model, f32, f16 or bf16">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PlanMemoryPass : Pass<"kernel-plan-memory", "func::FuncOp"> {
  let summary = "Gives every intermediate tensor a fixed offset in one arena";
  let description = [{
    Orders buffers by the dispatch schedule, computes each one's lifetime
    (views extend the lifetime of what they alias), lets an elementwise
    dispatch write over an operand that dies there when shapes match, sends
    results that the function returns straight to the caller's buffers, and
    places the rest with a greedy best-fit planner. Records the plan as
    `result_offsets`, `in_place` and `scratch_offset` on each dispatch and
    `kernel.arena_bytes`, `kernel.arena_lower_bound` and
    `kernel.intermediate_bytes` on the function.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment in bytes of every buffer and of the arena">,
  ];
}

def VerifyPlanPass : Pass<"kernel-verify-plan", "func::FuncOp"> {
  let summary = "Proves the memory plan sound: in the arena, aligned, no live overlap";
  let description = [{
    Rebuilds every planned buffer from `result_offsets`, `in_place` and
    `scratch_offset`/`scratch_bytes` with its lifetime over the dispatch
    schedule, and fails if one lies outside `kernel.arena_bytes` or off the
    alignment, or if two buffers that are live at one step share a byte. A
    result planned in place must sit exactly on the operand it reuses. The
    check does not trust the planner: it runs after `kernel-plan-memory` in
    every compile, and hand-written plans in lit tests go through it too.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment in bytes every offset must have">,
  ];
}

#endif // MODELC_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD
