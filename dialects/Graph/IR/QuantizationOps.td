//===- QuantizationOps.td - Graph quantization operations --*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Quantized values stay quantized in the graph. QuantizeLinear and
// DequantizeLinear keep their ONNX meaning as ops rather than float
// arithmetic, so a pass can see a dequantize -> product -> quantize chain and
// fold it into an 8-bit product that sums in int32 and a requantize that
// rounds once (graph-fold-quantized-products). Targets without 8-bit
// kernels get the same values from graph-expand-quantization, which spells
// every op here out exactly in float and int32 arithmetic.
//
// Included by GraphOps.td, so the ops share its generated files.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_QUANTIZATIONOPS_TD
#define MODELC_DIALECTS_GRAPH_IR_QUANTIZATIONOPS_TD

/// The 8-bit integers ONNX quantizes to: int8 (signless i8) and uint8.
def Graph_QuantizedTensor : RankedTensorOf<[I8, UI8]>;
/// What DequantizeLinear reads: 8-bit values, or the int32 of a quantized
/// bias (whose zero point is 0).
def Graph_DequantizableTensor : RankedTensorOf<[I8, UI8, I32]>;

def Graph_QuantizeLinearOp : Graph_Op<"quantize_linear", [Pure]> {
  let summary = "Affine quantization of floats to 8-bit integers";
  let description = [{
    Mirrors ONNX `QuantizeLinear`:
    `saturate(round_half_to_even(x / scale) + zero_point)`, the division in
    the input's float type. `scale` and `zero_point` are scalars (per
    tensor) or 1-D along `axis` (per axis); the result has the zero point's
    element type.

    ```mlir
    %q = graph.quantize_linear %x, %s, %z {axis = 1 : i64}
        : (tensor<1x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x8xui8>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_QuantizedTensor:$zero_point, I64Attr:$axis);
  let results = (outs Graph_QuantizedTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` `(` type($input) `,`
    type($scale) `,` type($zero_point) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_DequantizeLinearOp : Graph_Op<"dequantize_linear", [Pure]> {
  let summary = "Affine dequantization of integers to floats";
  let description = [{
    Mirrors ONNX `DequantizeLinear`: `(x - zero_point) * scale`, the
    difference exact and the product rounded once in the scale's float
    type. `scale` and `zero_point` are scalars or 1-D along `axis`.

    ```mlir
    %x = graph.dequantize_linear %q, %s, %z {axis = 0 : i64}
        : (tensor<16x8xi8>, tensor<16xf32>, tensor<16xi8>) -> tensor<16x8xf32>
    ```
  }];
  let arguments = (ins Graph_DequantizableTensor:$input,
                       Graph_FloatTensor:$scale,
                       Graph_DequantizableTensor:$zero_point, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` `(` type($input) `,`
    type($scale) `,` type($zero_point) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_RequantizeOp : Graph_Op<"requantize", [Pure]> {
  let summary = "Rescales int32 sums to 8-bit integers, rounding once";
  let description = [{
    The epilogue of an 8-bit product: `saturate(round(f32(acc) *
    multiplier) + zero_point)`. The sum converts to f32 (to nearest, ties to
    even), multiplies by `multiplier` (a scalar, or 1-D along `axis`: one per
    output channel) in f32, and is rounded to an integer as `rounding` says;
    then the zero point is added and the result saturates to the zero
    point's type. The multiplier is input scale x weight scale / output
    scale, folded at compile time. Only `half_to_even`, ONNX's rounding, is
    defined, and every target computes it so: the same sums give the same
    bytes everywhere.

    ```mlir
    %y = graph.requantize %acc, %m, %z {axis = 1 : i64, rounding = "half_to_even"}
        : (tensor<1x16x8x8xi32>, tensor<16xf32>, tensor<ui8>) -> tensor<1x16x8x8xui8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32]>:$input,
                       RankedTensorOf<[F32]>:$multiplier,
                       Graph_QuantizedTensor:$zero_point, I64Attr:$axis,
                       StrAttr:$rounding);
  let results = (outs Graph_QuantizedTensor:$result);
  let assemblyFormat = [{
    $input `,` $multiplier `,` $zero_point attr-dict `:` `(` type($input) `,`
    type($multiplier) `,` type($zero_point) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ConvIntegerOp : Graph_Op<"conv_integer", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution of 8-bit values, summed in int32";
  let description = [{
    Mirrors ONNX `ConvInteger` (NCHW, `pads` as `[top, left, bottom,
    right]`), plus QLinearConv's int32 bias: each output is
    `bias[m] + sum (x - input_zero_point) * (w - weight_zero_point[m])`,
    summed in int32, wrapping, so it is exact whenever the true sum fits.
    The input zero point is a scalar; the weight's a scalar or one per
    output channel.

    ```mlir
    %acc = graph.conv_integer %x, %w, %xz, %wz, %b {strides = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x3x8x8xui8>, tensor<4x3x3x3xi8>, tensor<ui8>, tensor<4xi8>, tensor<4xi32>)
        -> tensor<1x4x8x8xi32>
    ```
  }];
  let arguments = (ins Graph_QuantizedTensor:$input,
                       Graph_QuantizedTensor:$weight,
                       Graph_QuantizedTensor:$input_zero_point,
                       Graph_QuantizedTensor:$weight_zero_point,
                       Optional<RankedTensorOf<[I32]>>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $input_zero_point `,` $weight_zero_point
    (`,` $bias^)? attr-dict `:` `(` type($input) `,` type($weight) `,`
    type($input_zero_point) `,` type($weight_zero_point) (`,` type($bias)^)?
    `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_MatMulIntegerOp : Graph_Op<"matmul_integer", [Pure, InferTypeOpAdaptor]> {
  let summary = "Matrix product of 8-bit values, summed in int32";
  let description = [{
    Mirrors ONNX `MatMulInteger`: `graph.matmul` of `(lhs - lhs_zero_point)`
    and `(rhs - rhs_zero_point)`, summed in int32, wrapping. The lhs zero
    point is a scalar or one per row (M); the rhs's a scalar or one per
    column (N).

    ```mlir
    %acc = graph.matmul_integer %a, %b, %az, %bz
        : (tensor<128x768xui8>, tensor<768x3072xi8>, tensor<ui8>, tensor<i8>) -> tensor<128x3072xi32>
    ```
  }];
  let arguments = (ins Graph_QuantizedTensor:$lhs, Graph_QuantizedTensor:$rhs,
                       Graph_QuantizedTensor:$lhs_zero_point,
                       Graph_QuantizedTensor:$rhs_zero_point);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point attr-dict `:` `(`
    type($lhs) `,` type($rhs) `,` type($lhs_zero_point) `,`
    type($rhs_zero_point) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // MODELC_DIALECTS_GRAPH_IR_QUANTIZATIONOPS_TD
