//===- GraphOps.td - Graph dialect operations --------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Every graph op's definition, one per ONNX op family, in one ODS file as
// upstream dialects keep theirs: tablegen generates one GraphOps.h.inc from
// it, and each op is a short, self-contained record, so the file's length
// (about 800 lines) is the op count, not tangled logic.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_TD
#define MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_TD

include "dialects/Graph/IR/GraphDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

def Graph_Tensor : RankedTensorOf<[AnyType]>;
def Graph_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;
/// Operands of products that accumulate exactly: floats, or int32 (the
/// centered values of ConvInteger), whose sums wrap in int32.
def Graph_ProductTensor : RankedTensorOf<[AnyFloat, I32]>;

//===----------------------------------------------------------------------===//
// Elementwise operations
//===----------------------------------------------------------------------===//

/// One input, one result of the same type, applied to each element.
class Graph_UnaryOp<string mnemonic, string onnxName, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
                                              SameOperandsAndResultType])> {
  let summary = "Elementwise " # onnxName;
  let description = "Mirrors ONNX `" # onnxName # [{`, one element at a time.

    ```mlir
    %y = graph.}] # mnemonic # [{ %x : tensor<1x16xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_ReluOp : Graph_UnaryOp<"relu", "Relu">;
def Graph_SigmoidOp : Graph_UnaryOp<"sigmoid", "Sigmoid">;
def Graph_TanhOp : Graph_UnaryOp<"tanh", "Tanh">;
def Graph_ErfOp : Graph_UnaryOp<"erf", "Erf">;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt", "Sqrt"> { let hasFolder = 1; }
def Graph_ExpOp : Graph_UnaryOp<"exp", "Exp">;
def Graph_NegOp : Graph_UnaryOp<"neg", "Neg"> { let hasFolder = 1; }
def Graph_AbsOp : Graph_UnaryOp<"abs", "Abs">;
def Graph_CeilOp : Graph_UnaryOp<"ceil", "Ceil">;
def Graph_FloorOp : Graph_UnaryOp<"floor", "Floor">;
def Graph_RoundOp : Graph_UnaryOp<"round", "Round"> { let hasFolder = 1; }
def Graph_SignOp : Graph_UnaryOp<"sign", "Sign">;
def Graph_ReciprocalOp : Graph_UnaryOp<"reciprocal", "Reciprocal">;
def Graph_LogOp : Graph_UnaryOp<"log", "Log">;
def Graph_SinOp : Graph_UnaryOp<"sin", "Sin">;
def Graph_CosOp : Graph_UnaryOp<"cos", "Cos">;
def Graph_TanOp : Graph_UnaryOp<"tan", "Tan">;
def Graph_AsinOp : Graph_UnaryOp<"asin", "Asin">;
def Graph_AcosOp : Graph_UnaryOp<"acos", "Acos">;
def Graph_AtanOp : Graph_UnaryOp<"atan", "Atan">;
def Graph_SinhOp : Graph_UnaryOp<"sinh", "Sinh">;
def Graph_CoshOp : Graph_UnaryOp<"cosh", "Cosh">;
def Graph_AsinhOp : Graph_UnaryOp<"asinh", "Asinh">;
def Graph_AcoshOp : Graph_UnaryOp<"acosh", "Acosh">;
def Graph_AtanhOp : Graph_UnaryOp<"atanh", "Atanh">;
def Graph_SoftplusOp : Graph_UnaryOp<"softplus", "Softplus">;
def Graph_SoftsignOp : Graph_UnaryOp<"softsign", "Softsign">;
def Graph_NotOp : Graph_UnaryOp<"not", "Not">;

/// Elementwise activations with float parameters (`alpha`, `beta`, ...).
class Graph_ActivationOp<string mnemonic, string onnxName, dag params>
    : Graph_Op<mnemonic, [Pure, Elementwise, SameOperandsAndResultType]> {
  let summary = "Elementwise " # onnxName;
  let description = "Mirrors ONNX `" # onnxName # [{` with its attributes.

    ```mlir
    %y = graph.}] # mnemonic # [{ %x {...} : tensor<1x16xf32>
    ```
  }];
  let arguments = !con((ins Graph_Tensor:$input), params);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_LeakyReluOp
    : Graph_ActivationOp<"leaky_relu", "LeakyRelu", (ins F64Attr:$alpha)>;
def Graph_EluOp : Graph_ActivationOp<"elu", "Elu", (ins F64Attr:$alpha)>;
def Graph_CeluOp : Graph_ActivationOp<"celu", "Celu", (ins F64Attr:$alpha)>;
def Graph_SeluOp
    : Graph_ActivationOp<"selu", "Selu", (ins F64Attr:$alpha, F64Attr:$gamma)>;
def Graph_HardSigmoidOp
    : Graph_ActivationOp<"hard_sigmoid", "HardSigmoid",
                         (ins F64Attr:$alpha, F64Attr:$beta)>;
def Graph_ThresholdedReluOp
    : Graph_ActivationOp<"thresholded_relu", "ThresholdedRelu",
                         (ins F64Attr:$alpha)>;
def Graph_ShrinkOp
    : Graph_ActivationOp<"shrink", "Shrink", (ins F64Attr:$bias,
                                                  F64Attr:$lambd)>;

/// Elementwise tests that answer with booleans.
class Graph_PredicateOp<string mnemonic, string onnxName, dag params>
    : Graph_Op<mnemonic, [Pure, Elementwise, SameOperandsAndResultShape]> {
  let summary = "Elementwise " # onnxName # " as booleans";
  let description = "Mirrors ONNX `" # onnxName # [{`.

    ```mlir
    %b = graph.}] # mnemonic # [{ %x : tensor<8xf32> -> tensor<8xi1>
    ```
  }];
  let arguments = !con((ins Graph_Tensor:$input), params);
  let results = (outs RankedTensorOf<[I1]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Graph_IsNaNOp : Graph_PredicateOp<"is_nan", "IsNaN", (ins)>;
def Graph_IsInfOp
    : Graph_PredicateOp<"is_inf", "IsInf", (ins BoolAttr:$detect_positive,
                                               BoolAttr:$detect_negative)>;

def Graph_ClipOp : Graph_Op<"clip", [Pure, Elementwise,
                                     SameOperandsAndResultType]> {
  let summary = "Elementwise clamp to [min, max]";
  let description = [{
    Mirrors ONNX `Clip` with constant bounds. The importer turns absent bounds
    into the lowest and highest finite values of the element type.

    ```mlir
    %y = graph.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x32xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_CastOp : Graph_Op<"cast", [Pure, Elementwise,
                                     SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Mirrors ONNX `Cast`: floats to integers truncate toward zero, anything to
    bool tests for non-zero.

    ```mlir
    %y = graph.cast %x : tensor<1x8xi64> -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

/// Two inputs broadcast against each other as numpy does.
class Graph_BinaryOp<string mnemonic, string onnxName, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let summary = "Elementwise " # onnxName # " with numpy broadcasting";
  let description = "Mirrors ONNX `" # onnxName # [{`. The operands are
    broadcast to a common shape: trailing dimensions align and a dimension of
    size 1 stretches to match the other.

    ```mlir
    %z = graph.}] # mnemonic # [{ %x, %y : tensor<1x16x8xf32>, tensor<8xf32> -> tensor<1x16x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_AddOp : Graph_BinaryOp<"add", "Add", [Commutative]> {
  let hasFolder = 1;
}
def Graph_SubOp : Graph_BinaryOp<"sub", "Sub"> { let hasFolder = 1; }
def Graph_MulOp : Graph_BinaryOp<"mul", "Mul", [Commutative]> {
  let hasFolder = 1;
}
def Graph_DivOp : Graph_BinaryOp<"div", "Div"> { let hasFolder = 1; }
def Graph_PowOp : Graph_BinaryOp<"pow", "Pow"> {
  // ONNX lets the exponent have its own element type.
  let hasVerifier = 0;
  let hasCanonicalizer = 1;
}
def Graph_MaxOp : Graph_BinaryOp<"max", "Max", [Commutative]>;
def Graph_PReluOp : Graph_BinaryOp<"prelu", "PRelu">;
def Graph_AndOp : Graph_BinaryOp<"and", "And", [Commutative]>;
def Graph_OrOp : Graph_BinaryOp<"or", "Or", [Commutative]>;
def Graph_XorOp : Graph_BinaryOp<"xor", "Xor", [Commutative]>;
def Graph_GreaterOp : Graph_BinaryOp<"greater", "Greater">;
def Graph_GreaterEqualOp : Graph_BinaryOp<"greater_equal", "GreaterOrEqual">;
def Graph_LessOp : Graph_BinaryOp<"less", "Less">;
def Graph_LessEqualOp : Graph_BinaryOp<"less_equal", "LessOrEqual">;
def Graph_ModOp : Graph_BinaryOp<"mod", "Mod"> {
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs, BoolAttr:$fmod);
}
def Graph_BitShiftOp : Graph_BinaryOp<"bit_shift", "BitShift"> {
  let arguments = (ins Graph_Tensor:$lhs, Graph_Tensor:$rhs,
                       BoolAttr:$shift_left);
}
def Graph_MinOp : Graph_BinaryOp<"min", "Min", [Commutative]>;
def Graph_EqualOp : Graph_BinaryOp<"equal", "Equal", [Commutative]> {
  let hasFolder = 1;
}

def Graph_WhereOp : Graph_Op<"where", [Pure, InferTypeOpAdaptor]> {
  let summary = "Elementwise select with numpy broadcasting";
  let description = [{
    Mirrors ONNX `Where`: `condition ? lhs : rhs`, the three operands broadcast
    to a common shape.

    ```mlir
    %z = graph.where %c, %x, %y : tensor<1x8xi1>, tensor<1x8xf32>, tensor<f32> -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$condition, Graph_Tensor:$lhs,
                       Graph_Tensor:$rhs);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` type($condition) `,` type($lhs)
    `,` type($rhs) `->` type($result)
  }];
  let hasFolder = 1;
}

def Graph_ExpandOp : Graph_Op<"expand", [Pure]> {
  let summary = "Broadcasts a tensor to a larger static shape";
  let description = [{
    Mirrors ONNX `Expand` once its shape operand is known: the result shape is
    the numpy broadcast of the input shape and the requested shape.

    ```mlir
    %y = graph.expand %x : tensor<1x1x8xf32> -> tensor<4x2x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Anchors: convolution, products, pooling, reductions, normalizations
//===----------------------------------------------------------------------===//

def Graph_ConvOp : Graph_Op<"conv", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution in NCHW layout";
  let description = [{
    Mirrors ONNX `Conv` for 2-D inputs. `pads` is `[top, left, bottom, right]`
    after the importer resolved `auto_pad`; the weight is
    `[out_channels, in_channels / group, kernel_h, kernel_w]`. With i32
    operands (ConvInteger's centered values) the products sum in int32,
    wrapping, exact whenever the true sum fits.

    ```mlir
    %y = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                               dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Graph_ProductTensor:$input,
                       Graph_ProductTensor:$weight,
                       Optional<Graph_ProductTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Graph_ProductTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($weight) (`,` type($bias)^)? `)` `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Graph_ConvTransposeOp : Graph_Op<"conv_transpose", [Pure]> {
  let summary = "2-D transposed convolution in NCHW layout";
  let description = [{
    Mirrors ONNX `ConvTranspose` for 2-D inputs, with the output shape
    resolved by the importer (the result type) and `pads` as
    `[top, left, bottom, right]`; the weight is
    `[in_channels, out_channels / group, kernel_h, kernel_w]`.

    ```mlir
    %y = graph.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                                      dilations = array<i64: 1, 1>, group = 1 : i64}
        : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32>
    ```
  }];
  let arguments = (ins Graph_ProductTensor:$input,
                       Graph_ProductTensor:$weight,
                       Optional<Graph_ProductTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Graph_ProductTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($weight) (`,` type($bias)^)? `)` `->` type($result)
  }];
}

def Graph_MatMulOp : Graph_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Matrix product with numpy batch broadcasting";
  let description = [{
    Mirrors ONNX `MatMul`: the last two dimensions multiply, leading (batch)
    dimensions broadcast. A rank-1 operand is a vector as in numpy. With i32
    operands (MatMulInteger and QLinearMatMul, after their zero points are
    subtracted) the products accumulate in i32, wrapping, so the result is
    exact whenever the true result fits i32.

    ```mlir
    %z = graph.matmul %x, %w : (tensor<1x128x768xf32>, tensor<768x3072xf32>) -> tensor<1x128x3072xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[AnyFloat, I32]>:$lhs,
                       RankedTensorOf<[AnyFloat, I32]>:$rhs);
  let results = (outs RankedTensorOf<[AnyFloat, I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

/// Sliding-window pooling over the two trailing dimensions of NCHW.
/// What MaxPool reads: floats, or 8-bit integers. A max needs no arithmetic,
/// so a QDQ model's max pool runs on the quantized values themselves.
def Graph_MaxPoolTensor : RankedTensorOf<[AnyFloat, I8, UI8]>;

class Graph_PoolOp<string mnemonic, string onnxName, Type tensorType>
    : Graph_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = onnxName # " over the spatial dimensions of NCHW";
  let description = "Mirrors ONNX `" # onnxName # [{` in 2-D. `pads` is
    `[top, left, bottom, right]`; `ceil_mode` rounds the output size up.

    ```mlir
    %y = graph.}] # mnemonic # [{ %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
        pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false,
        count_include_pad = false} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins tensorType:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode,
                       BoolAttr:$count_include_pad);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Graph_MaxPoolOp
    : Graph_PoolOp<"max_pool", "MaxPool", Graph_MaxPoolTensor>;
def Graph_AvgPoolOp
    : Graph_PoolOp<"avg_pool", "AveragePool", Graph_FloatTensor>;

/// Reductions over a set of axes.
class Graph_ReduceOp<string mnemonic, string onnxName>
    : Graph_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = onnxName # " over a set of axes";
  let description = "Mirrors ONNX `" # onnxName # [{` with its axes resolved:
    `axes` are non-negative, sorted and unique (the importer turns "no axes"
    into every axis).

    ```mlir
    %m = graph.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keepdims = true}
        : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$axes,
                       BoolAttr:$keepdims);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

// Mean is also how the importer expresses GlobalAveragePool.
def Graph_ReduceMeanOp : Graph_ReduceOp<"reduce_mean", "ReduceMean">;
def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "ReduceSum">;
def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "ReduceMax">;
def Graph_ReduceMinOp : Graph_ReduceOp<"reduce_min", "ReduceMin">;
def Graph_ReduceProdOp : Graph_ReduceOp<"reduce_prod", "ReduceProd">;
def Graph_ReduceL1Op : Graph_ReduceOp<"reduce_l1", "ReduceL1">;
def Graph_ReduceL2Op : Graph_ReduceOp<"reduce_l2", "ReduceL2">;
def Graph_ReduceLogSumOp : Graph_ReduceOp<"reduce_log_sum", "ReduceLogSum">;
def Graph_ReduceLogSumExpOp
    : Graph_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp">;
def Graph_ReduceSumSquareOp
    : Graph_ReduceOp<"reduce_sum_square", "ReduceSumSquare">;

/// Index of the largest or smallest element along one axis.
class Graph_ArgReduceOp<string mnemonic, string onnxName>
    : Graph_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = onnxName # " along one axis";
  let description = "Mirrors ONNX `" # onnxName # [{`: int64 indices; ties
    pick the first index, or the last with `select_last_index`.

    ```mlir
    %i = graph.}] # mnemonic # [{ %x {axis = 1 : i64, keepdims = true, select_last_index = false}
        : tensor<2x8xf32> -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
                       BoolAttr:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Graph_ArgMaxOp : Graph_ArgReduceOp<"arg_max", "ArgMax">;
def Graph_ArgMinOp : Graph_ArgReduceOp<"arg_min", "ArgMin">;

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    Mirrors ONNX `Softmax` from opset 13 on: normalizes along `axis` alone.
    The importer rewrites the older flattening semantics with reshapes.

    ```mlir
    %p = graph.softmax %x {axis = 3 : i64} : tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_LogSoftmaxOp : Graph_Op<"log_softmax", [Pure,
                                                   SameOperandsAndResultType]> {
  let summary = "Log of softmax along one axis";
  let description = [{
    Mirrors ONNX `LogSoftmax` from opset 13 on (the importer rewrites the
    older flattening semantics): `x - max - log(sum(exp(x - max)))`.

    ```mlir
    %p = graph.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    Mirrors ONNX `LayerNormalization`: each slice from `axis` to the last
    dimension is normalized to zero mean and unit variance, then scaled and
    shifted. The graph pipeline also forms it from the ReduceMean/Sub/Pow/Sqrt
    chain that exporters emit before opset 17.

    ```mlir
    %y = graph.layer_norm %x, %gamma, %beta {axis = 2 : i64, epsilon = 1.0e-12 : f64}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Optional<Graph_FloatTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` `(` type($input) `,`
    type($scale) (`,` type($bias)^)? `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_BatchNormOp : Graph_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "Inference-mode batch normalization over channel 1";
  let description = [{
    Mirrors ONNX `BatchNormalization` in inference mode. Canonicalization turns
    it into a per-channel multiply and add, which then fold into a producing
    convolution's weights and bias.

    ```mlir
    %y = graph.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-5 : f64}
        : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_FloatTensor:$bias, Graph_FloatTensor:$mean,
                       Graph_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` `(`
    type($input) `,` type($scale) `,` type($bias) `,` type($mean) `,`
    type($variance) `)` `->` type($result)
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a tensor with another static shape";
  let description = [{
    Mirrors ONNX `Reshape`, `Flatten`, `Squeeze` and `Unsqueeze` once their
    shapes are known. The element order is unchanged, so a reshape moves no
    data: the memory planner lets the result alias its input.

    ```mlir
    %y = graph.reshape %x : tensor<1x512x1x1xf32> -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_TransposeOp : Graph_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Mirrors ONNX `Transpose`. Result dimension `i` is input dimension
    `permutation[i]`.

    ```mlir
    %t = graph.transpose %x [0, 2, 1, 3] : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Graph_ConcatOp : Graph_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    Mirrors ONNX `Concat`; `axis` is non-negative.

    ```mlir
    %y = graph.concat %a, %b {axis = 1 : i64} : (tensor<1x1x768xf32>, tensor<1x196x768xf32>) -> tensor<1x197x768xf32>
    ```
  }];
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` `(` type($inputs) `)` `->` type($result)
  }];
  let hasFolder = 1;
}

def Graph_GatherOp : Graph_Op<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "Picks slices of `data` along an axis by index";
  let description = [{
    Mirrors ONNX `Gather`: the result shape is `data.shape[:axis] +
    indices.shape + data.shape[axis+1:]`; negative indices count from the end.

    ```mlir
    %e = graph.gather %table, %ids {axis = 0 : i64} : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` `(` type($data) `,` type($indices) `)`
    `->` type($result)
  }];
  let hasFolder = 1;
}

def Graph_GatherElementsOp : Graph_Op<"gather_elements", [Pure]> {
  let summary = "Picks elements of `data` along an axis by an index tensor";
  let description = [{
    Mirrors ONNX `GatherElements`: the result has the shape of `indices`, and
    `result[i][j][k] = data[indices[i][j][k]][j][k]` for axis 0 (likewise for
    other axes); negative indices count from the end.

    ```mlir
    %y = graph.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` `(` type($data) `,` type($indices) `)`
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_TriluOp : Graph_Op<"trilu",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Keeps the upper or lower triangle of the last two dimensions";
  let description = [{
    Mirrors ONNX `Trilu`: elements outside the kept triangle become zero.
    The diagonal offset is the `k` attribute when it is known at compile
    time, or else the `offset` operand, a one-element integer tensor read at
    run time (`k` is then 0). It changes values only, never the shape, so it
    need not be a constant.

    ```mlir
    %y = graph.trilu %x {upper = true, k = 0 : i64} : tensor<3x4x5xf32>
    %z = graph.trilu %x, %k : tensor<i64> {upper = false, k = 0 : i64} : tensor<3x4x5xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Optional<Graph_Tensor>:$offset,
                       BoolAttr:$upper, I64Attr:$k);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $offset^ `:` type($offset))? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Graph_GridSampleOp : Graph_Op<"grid_sample", [Pure]> {
  let summary = "Samples an image at the positions a grid gives";
  let description = [{
    Mirrors ONNX `GridSample` on 4-D inputs, as PyTorch's grid_sample
    defines it: `grid[n, h, w]` holds an (x, y) position in [-1, 1] over the
    width and height of `input[n]`, and `result[n, c, h, w]` samples channel
    c there. `mode` is "bilinear", "nearest" (ties to even) or "bicubic"
    (A = -0.75); `padding_mode` "zeros", "border" or "reflection" says what
    positions outside the image read; with `align_corners`, -1 and 1 are the
    centers of the corner pixels rather than their outer edges.

    ```mlir
    %y = graph.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros", align_corners = false} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$grid,
                       StrAttr:$mode, StrAttr:$padding_mode,
                       BoolAttr:$align_corners);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` `(` type($input) `,` type($grid) `)` `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Graph_ResizeOp : Graph_Op<"resize", [Pure]> {
  let summary = "Resamples a tensor to the result's shape";
  let description = [{
    Mirrors ONNX `Resize` (and `Upsample`) with its scales or sizes known:
    the result type holds the output shape, `scales` the scale per dimension
    that the coordinate transformation uses, and `roi` the region of
    interest of `tf_crop_and_resize` (empty otherwise).

    ```mlir
    %y = graph.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel",
        nearest_mode = "round_prefer_floor", cubic_coeff_a = -7.5e-01 : f64,
        exclude_outside = false, extrapolation_value = 0.0 : f64,
        scales = array<f64: 1.0, 1.0, 2.0, 2.0>, roi = array<f64>}
        : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, StrAttr:$mode,
                       StrAttr:$coordinate_transformation_mode,
                       StrAttr:$nearest_mode, F64Attr:$cubic_coeff_a,
                       BoolAttr:$exclude_outside, F64Attr:$extrapolation_value,
                       DenseF64ArrayAttr:$scales, DenseF64ArrayAttr:$roi);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Graph_PadOp : Graph_Op<"pad", [Pure]> {
  let summary = "Pads a tensor in constant, edge or reflect mode";
  let description = [{
    Mirrors ONNX `Pad` with its pads known: `pads` is `[begin_0, ...,
    begin_n, end_0, ..., end_n]` (negative pads crop); constant mode fills
    with the scalar `value` operand (zero when absent).

    ```mlir
    %y = graph.pad %x {mode = "reflect", pads = array<i64: 0, 2, 0, 2>} : (tensor<3x4xf32>) -> tensor<3x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Optional<Graph_Tensor>:$value,
                       StrAttr:$mode, DenseI64ArrayAttr:$pads);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $value^)? attr-dict `:` `(` type($input) (`,` type($value)^)?
    `)` `->` type($result)
  }];
}

def Graph_ScatterElementsOp : Graph_Op<"scatter_elements", [Pure]> {
  let summary = "Writes updates into a copy of data at indices along an axis";
  let description = [{
    Mirrors ONNX `ScatterElements` (and the deprecated `Scatter`);
    `reduction` is `none`, `add` or `mul`.

    ```mlir
    %y = graph.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "none"}
        : (tensor<3x3xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_Tensor:$updates, I64Attr:$axis, StrAttr:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` `(` type($data) `,`
    type($indices) `,` type($updates) `)` `->` type($result)
  }];
}

def Graph_ScatterNDOp : Graph_Op<"scatter_nd", [Pure]> {
  let summary = "Writes slices of updates into a copy of data at index tuples";
  let description = [{
    Mirrors ONNX `ScatterND`; `reduction` is `none`, `add` or `mul`.

    ```mlir
    %y = graph.scatter_nd %d, %i, %u {reduction = "none"}
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_Tensor:$updates, StrAttr:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` `(` type($data) `,`
    type($indices) `,` type($updates) `)` `->` type($result)
  }];
}

def Graph_GatherNDOp : Graph_Op<"gather_nd", [Pure]> {
  let summary = "Gathers slices of data addressed by index tuples";
  let description = [{
    Mirrors ONNX `GatherND` with `batch_dims`.

    ```mlir
    %y = graph.gather_nd %d, %i {batch_dims = 0 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       I64Attr:$batch_dims);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` `(` type($data) `,` type($indices) `)`
    `->` type($result)
  }];
}

def Graph_TopKOp : Graph_Op<"top_k", [Pure]> {
  let summary = "The k largest or smallest elements along an axis, with indices";
  let description = [{
    Mirrors ONNX `TopK` with `k` known. Results are ordered (largest first, or
    smallest first); equal values keep the lower index first.

    ```mlir
    %v, %i = graph.top_k %x {axis = 1 : i64, k = 3 : i64, largest = true}
        : tensor<3x4xf32> -> (tensor<3x3xf32>, tensor<3x3xi64>)
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, I64Attr:$k,
                       BoolAttr:$largest);
  let results = (outs Graph_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($values) `,` type($indices) `)`
  }];
}

def Graph_CumSumOp : Graph_Op<"cum_sum", [Pure, SameOperandsAndResultType]> {
  let summary = "Running sum along one axis";
  let description = [{
    Mirrors ONNX `CumSum` with its axis known; `exclusive` leaves each
    element out of its own sum, `reverse` sums from the end.

    ```mlir
    %y = graph.cum_sum %x {axis = 0 : i64, exclusive = false, reverse = false} : tensor<5xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis, BoolAttr:$exclusive,
                       BoolAttr:$reverse);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_HardmaxOp : Graph_Op<"hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "One at the first largest element along an axis, zero elsewhere";
  let description = [{
    Mirrors ONNX `Hardmax` from opset 13 on.

    ```mlir
    %y = graph.hardmax %x {axis = 1 : i64} : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_OneHotOp : Graph_Op<"one_hot", [Pure]> {
  let summary = "One-hot encoding with [off, on] values";
  let description = [{
    Mirrors ONNX `OneHot` with its depth known: a new axis of size `depth` at
    `axis` holds `values[1]` where the index matches and `values[0]`
    elsewhere; negative indices count from the end of the depth.

    ```mlir
    %y = graph.one_hot %i, %v {axis = 1 : i64, depth = 10 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$indices, Graph_Tensor:$values,
                       I64Attr:$axis, I64Attr:$depth);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $indices `,` $values attr-dict `:` `(` type($indices) `,` type($values)
    `)` `->` type($result)
  }];
}

def Graph_SliceOp : Graph_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "Strided slice with one start, end and step per dimension";
  let description = [{
    Mirrors ONNX `Slice` once its parameters are constant: the importer clamps
    them and gives every dimension an entry, so `starts` are valid indices and
    dimension `i` of the result has `ceil((ends[i] - starts[i]) / steps[i])`
    elements (negative steps walk backwards).

    ```mlir
    %y = graph.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 768>,
        steps = array<i64: 1, 1>} : tensor<197x768xf32> -> tensor<1x768xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_ShapeOp : Graph_Op<"shape", [Pure, InferTypeOpAdaptor]> {
  let summary = "The shape of a tensor as a 1-D i64 tensor";
  let description = [{
    Mirrors ONNX `Shape` (with its `start`/`end` already applied by taking the
    whole shape). Shapes are static, so this always folds to a constant.

    ```mlir
    %s = graph.shape %x : tensor<1x128x768xf32> -> tensor<3xi64>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

include "dialects/Graph/IR/QuantizationOps.td"

#endif // MODELC_DIALECTS_GRAPH_IR_GRAPHOPS_TD
