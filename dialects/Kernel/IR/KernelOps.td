//===- KernelOps.td - Kernel dialect operations ------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD
#define MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD

include "dialects/Kernel/IR/KernelDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Kernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kernel_Dialect, mnemonic, traits>;

def Kernel_DispatchOp : Kernel_Op<"dispatch", [IsolatedFromAbove,
    SingleBlock, RecursiveMemoryEffects]> {
  let summary = "A region of graph ops computed by one generated kernel";
  let description = [{
    The body computes the results from the block arguments alone (the region
    is isolated from above), so a target can emit it as one function. `name`
    is the stable, user-visible name of that function (`conv_12_bias_relu`).

    After memory planning, `result_offsets` gives each result's byte offset in
    the arena (-1 for a result written straight into a caller's output
    buffer), `in_place` names the operand whose buffer a result reuses (-1 for
    none), and `scratch_offset`/`scratch_bytes` give the temporary space the
    kernel may use while it runs.

    ```mlir
    %y = kernel.dispatch "conv_0_relu" (%x, %w) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
    ^bb0(%a: tensor<1x3x8x8xf32>, %b: tensor<4x3x3x3xf32>):
      %c = graph.conv %a, %b {...} : (...) -> tensor<1x4x8x8xf32>
      %r = graph.relu %c : tensor<1x4x8x8xf32>
      kernel.yield %r : tensor<1x4x8x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, StrAttr:$name,
                       OptionalAttr<DenseI64ArrayAttr>:$result_offsets,
                       OptionalAttr<DenseI64ArrayAttr>:$in_place,
                       OptionalAttr<I64Attr>:$scratch_offset,
                       OptionalAttr<I64Attr>:$scratch_bytes);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $name `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)
    $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The body's single block.
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The terminator of the body.
    YieldOp getYield();
  }];
}

def Kernel_YieldOp : Kernel_Op<"yield", [Pure, Terminator, ReturnLike,
                                         HasParent<"DispatchOp">]> {
  let summary = "Returns the results of a dispatch body";
  let description = [{
    ```mlir
    kernel.yield %r : tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD
