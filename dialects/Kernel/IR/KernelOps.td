//===- KernelOps.td - Kernel dialect operations ------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD
#define MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD

include "dialects/Kernel/IR/KernelDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
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
    kernel may use while it runs. `resident_offset`/`resident_bytes` give
    arena space that lives as long as the arena: the target's init function
    fills it once (pre-packed constant weights) and every run reads it.

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
                       OptionalAttr<I64Attr>:$scratch_bytes,
                       OptionalAttr<I64Attr>:$resident_offset,
                       OptionalAttr<I64Attr>:$resident_bytes);
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


def Kernel_ReshapeOp : Kernel_Op<"reshape", [Pure]> {
  let summary = "The same elements in the same order under a new static shape";
  let description = [{
    A view: the result aliases its input's memory, so it costs nothing and
    keeps the input alive as long as the result is read. Lowered from
    `graph.reshape` outside dispatches.

    ```mlir
    %v = kernel.reshape %x : tensor<1x4x4xf32> -> tensor<1x16xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Library calls
//===----------------------------------------------------------------------===//
//
// Anchors that every target computes with a tuned routine (its own
// microkernels, cuBLASLt, cuDNN...) rather than a printed loop nest. Each op
// is a typed descriptor: shapes come from the operand types, the rest from
// attributes a printer can read without knowing where the op came from. The
// descriptor grows by attributes with defaults, so printers that do not know
// a new one keep working: `accumulator` (the type products are summed in),
// `layout` (of the operands in memory; pre-packed and blocked layouts come
// later) and `algorithm` (a variant such as Winograd), which a target's
// configuration pipeline may set to its own choice.

def Kernel_MatMulOp : Kernel_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product, as a library call";
  let description = [{
    `result[b, m, n] = sum_k lhs[b, m, k] * rhs[b, k, n]` with numpy batch
    broadcasting and a rank-1 operand read as a vector. Products accumulate
    in `accumulator`: f32 for float operands; i32 for i32 operands, wrapping,
    so the result is exact whenever the true result fits i32 (no
    implementation may saturate in between).

    ```mlir
    %y = kernel.matmul %a, %b {accumulator = f32}
        : (tensor<128x768xf32>, tensor<768x3072xf32>) -> tensor<128x3072xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                       TypeAttr:$accumulator,
                       DefaultValuedStrAttr<StrAttr, "row_major">:$layout,
                       DefaultValuedStrAttr<StrAttr, "default">:$algorithm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kernel_ConvOp : Kernel_Op<"conv", [Pure]> {
  let summary = "2-D convolution with an optional bias, as a library call";
  let description = [{
    NCHW input, `[out_channels, in_channels / group, kh, kw]` weight, `pads`
    as `[top, left, bottom, right]`; the bias (one value per output channel)
    is added to each accumulated sum.

    ```mlir
    %y = kernel.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                                dilations = array<i64: 1, 1>, group = 1 : i64, accumulator = f32}
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group,
                       TypeAttr:$accumulator,
                       DefaultValuedStrAttr<StrAttr, "nchw">:$layout,
                       DefaultValuedStrAttr<StrAttr, "direct">:$algorithm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($weight) (`,` type($bias)^)? `)` `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// 8-bit products
//===----------------------------------------------------------------------===//
//
// The contract of a target's int8 routines, separate ops so that a printer
// that does not know them fails loudly instead of reading an 8-bit conv as
// a float one. Weights are int8 and symmetric (zero point 0); the input's
// zero point is folded at compile time into `row_offset`, one int32 per
// output channel: bias[m] - input_zero_point * sum of weight row m. The
// sums are exact in int32 (wrapping), and the output stage is part of the
// op, chosen by the result type:
//
//   i32        acc
//   ui8 / i8   saturate(round_half_to_even(f32(acc) * multiplier[m])
//                       + output_zero_point)
//   f32        f32(acc) * multiplier[m]
//
// `multiplier` is one value or one per output channel (absent for i32).

def Kernel_QuantizedConvOp : Kernel_Op<"quantized_conv", [Pure]> {
  let summary = "2-D convolution of 8-bit values with its output stage";
  let description = [{
    NCHW; `weight` is `[out_channels, in_channels / group, kh, kw]` int8,
    `pads` `[top, left, bottom, right]`. With `acc[n, m, y, x] =
    row_offset[m] + sum weight[m, c, i, j] * input[n, g(m) * C + c,
    y * s + i * d - pad, ...]`, where an input element outside the image
    reads `input_zero_point` (so, with the row offset, it contributes
    nothing). The result is the output stage of `acc` (see above).

    ```mlir
    %y = kernel.quantized_conv %x, %w, %off, %m {strides = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64,
        input_zero_point = 128 : i64, output_zero_point = 0 : i64}
        : (tensor<1x16x8x8xui8>, tensor<32x16x3x3xi8>, tensor<32xi32>, tensor<32xf32>)
        -> tensor<1x32x8x8xui8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       AnyRankedTensor:$row_offset,
                       Optional<AnyRankedTensor>:$multiplier,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group,
                       I64Attr:$input_zero_point, I64Attr:$output_zero_point);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $row_offset (`,` $multiplier^)? attr-dict `:` `(`
    type($input) `,` type($weight) `,` type($row_offset)
    (`,` type($multiplier)^)? `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kernel_QuantizedMatMulOp : Kernel_Op<"quantized_matmul", [Pure]> {
  let summary = "Matrix product of 8-bit activations and int8 weights";
  let description = [{
    `acc[r, n] = row_offset[n] + sum_k weight[n, k] * input[r, k]` for every
    row r of the input's leading dimensions (`input` is `[..., K]`), with
    the weight stored transposed, `[N, K]`, as the routines read it; the
    result `[..., N]` is the output stage of `acc` (see above), one
    multiplier per column n or one for all.

    ```mlir
    %y = kernel.quantized_matmul %x, %wt, %off, %m {output_zero_point = 0 : i64}
        : (tensor<1x128x768xui8>, tensor<3072x768xi8>, tensor<3072xi32>, tensor<3072xf32>)
        -> tensor<1x128x3072xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       AnyRankedTensor:$row_offset,
                       Optional<AnyRankedTensor>:$multiplier,
                       I64Attr:$output_zero_point);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $row_offset (`,` $multiplier^)? attr-dict `:` `(`
    type($input) `,` type($weight) `,` type($row_offset)
    (`,` type($multiplier)^)? `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kernel_PoolOp : Kernel_Op<"pool", [Pure]> {
  let summary = "2-D max or average pooling over NCHW, as a library call";
  let description = [{
    `kind` is `max` or `avg`. Windows are `kernel_shape` with `strides`,
    `dilations` and `pads` (`[top, left, bottom, right]`); an average counts
    padding only with `count_include_pad`. The output shape is the result
    type's (ceil mode was resolved when it was inferred).

    ```mlir
    %y = kernel.pool %x {kind = "max", kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                         pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>,
                         count_include_pad = false} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$kind,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$count_include_pad);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Row reductions
//===----------------------------------------------------------------------===//
//
// Ops that reduce each row and then rewrite it, in their numerically stable
// forms: the contract is part of the op, so every target's routine computes
// the same thing.

def Kernel_SoftmaxOp : Kernel_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax or log-softmax along one axis, with the row maximum subtracted";
  let description = [{
    For each row along `axis`: `exp(x - max) / sum(exp(x - max))`, or with
    `log`, `x - max - log(sum(exp(x - max)))`. Subtracting the maximum keeps
    every exponent at most 0, so no row overflows.

    ```mlir
    %y = kernel.softmax %x {axis = 1 : i64, log = false} : tensor<4x300xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, BoolAttr:$log);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kernel_ArgReduceOp : Kernel_Op<"arg_reduce", [Pure]> {
  let summary = "Index of the largest (or smallest) element along one axis";
  let description = [{
    For each row along `axis`, the i64 index of its maximum (`max`) or
    minimum; ties go to the first index, or to the last with
    `select_last_index`. The result type says whether the axis is kept (as
    size 1) or dropped.

    ```mlir
    %i = kernel.arg_reduce %x {axis = 1 : i64, max = true, select_last_index = false}
        : tensor<3x4xf32> -> tensor<3x1xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, BoolAttr:$max,
                       BoolAttr:$select_last_index);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Kernel_LayerNormOp : Kernel_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing dimensions from an axis";
  let description = [{
    Each row is the elements of dimensions `[axis, rank)`: `(x - mean) /
    sqrt(variance + epsilon) * scale + bias`, with mean and variance
    accumulated in f32 over the row; `scale` and `bias` broadcast over it.

    ```mlir
    %y = kernel.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f64}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       Optional<AnyRankedTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($scale) (`,` type($bias)^)? `)` `->` type($result)
  }];
}

def Kernel_ConvTransposeOp : Kernel_Op<"conv_transpose", [Pure]> {
  let summary = "2-D transposed convolution over NCHW, as a library call";
  let description = [{
    The gradient of `kernel.conv` with respect to its input: each input
    element scatters `weight[c_in, c_out / group, kh, kw]` into the output,
    with `strides`, `dilations` and `pads` (`[top, left, bottom, right]`,
    cropped from the full output); the optional bias is added per output
    channel.

    ```mlir
    %y = kernel.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                      dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($weight) (`,` type($bias)^)? `)` `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Sequential kernels
//===----------------------------------------------------------------------===//
//
// What is not a loop nest: each element depends on those before it along an
// axis, or the output order depends on the values.

def Kernel_ScanOp : Kernel_Op<"scan", [Pure, SameOperandsAndResultType]> {
  let summary = "Running sum along one axis";
  let description = [{
    `result[..., i, ...] = sum of input[..., j, ...]` for `j <= i` (`j < i`
    with `exclusive`), walking from the end with `reverse`. Integer sums
    wrap; float sums are taken in order.

    ```mlir
    %y = kernel.scan %x {axis = 1 : i64, exclusive = false, reverse = false} : tensor<2x5xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                       BoolAttr:$exclusive, BoolAttr:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kernel_TopKOp : Kernel_Op<"top_k", [Pure]> {
  let summary = "The k largest (or smallest) elements along one axis, sorted";
  let description = [{
    Values and their i64 indices along `axis`, sorted from the largest
    (`largest`) or the smallest; equal values keep the lower index first.

    ```mlir
    %v, %i = kernel.top_k %x {axis = 1 : i64, k = 3 : i64, largest = true}
        : tensor<3x4xf32> -> tensor<3x3xf32>, tensor<3x3xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, I64Attr:$k,
                       BoolAttr:$largest);
  let results = (outs AnyRankedTensor:$values, AnyRankedTensor:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
}

def Kernel_ScatterElementsOp : Kernel_Op<"scatter_elements", [Pure]> {
  let summary = "A copy of data with updates written at indices along one axis";
  let description = [{
    `result = data`, then for each element of `updates`, the element of
    `result` at the same position except along `axis`, where `indices` says
    where, is replaced or combined by `reduction` (`none`, `add`, `mul`,
    `max`, `min`), in the order of `updates`. Negative indices count from
    the end.

    ```mlir
    %y = kernel.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "none"}
        : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                       AnyRankedTensor:$updates, I64Attr:$axis,
                       StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` `(` type($data) `,`
    type($indices) `,` type($updates) `)` `->` type($result)
  }];
}

def Kernel_ScatterNDOp : Kernel_Op<"scatter_nd", [Pure]> {
  let summary = "A copy of data with slices replaced at index tuples";
  let description = [{
    `result = data`, then each index tuple (the last dimension of `indices`)
    addresses a slice of `result` that the matching slice of `updates`
    replaces or is combined into by `reduction`, in order.

    ```mlir
    %y = kernel.scatter_nd %d, %i, %u {reduction = "none"}
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                       AnyRankedTensor:$updates, StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` `(` type($data) `,`
    type($indices) `,` type($updates) `)` `->` type($result)
  }];
}

def Kernel_HardmaxOp : Kernel_Op<"hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "One-hot of each row's first maximum along one axis";
  let description = [{
    1 where an element is the first maximum of its row along `axis`, 0
    elsewhere.

    ```mlir
    %y = kernel.hardmax %x {axis = 1 : i64} : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

#endif // MODELC_DIALECTS_KERNEL_IR_KERNELOPS_TD
