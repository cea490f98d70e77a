//===- Passes.td - Graph dialect passes --------------------*- tablegen -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
#define MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FormLayerNormPass : Pass<"graph-form-layer-norm", "func::FuncOp"> {
  let summary = "Raises decomposed layer normalization to graph.layer_norm";
  let description = [{
    Exporters before opset 17 write layer normalization as
    `(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta` over
    the trailing axes. This pass recognizes that chain (after
    canonicalization has turned the square into a multiply) and replaces it
    with one `graph.layer_norm`, which becomes one dispatch.
  }];
  let dependentDialects = ["::mlir::modelc::graph::GraphDialect"];
}

def FoldQuantizedProductsPass
    : Pass<"graph-fold-quantized-products", "func::FuncOp"> {
  let summary = "Folds QDQ convolutions and matmuls into 8-bit products";
  let description = [{
    A convolution or matmul of two dequantized 8-bit operands becomes
    `graph.conv_integer` or `graph.matmul_integer`, summed exactly in int32
    (a float bias is rounded to the sums' scale), followed by one
    `graph.dequantize_linear` at the sums' scale. A quantize of such a
    dequantized sum becomes one `graph.requantize`, whose multiplier is the
    quotient of the scales. The input must be quantized per tensor; the
    weight per tensor or per output channel (per column for a matmul).
    A max pool between a dequantize and a quantize with the same scale and
    zero point becomes a max pool of the 8-bit values, which is exact.
  }];
  let dependentDialects = ["::mlir::modelc::graph::GraphDialect",
                           "::mlir::arith::ArithDialect"];
}

def ExpandQuantizationPass : Pass<"graph-expand-quantization", "func::FuncOp"> {
  let summary = "Spells quantization ops out in exact float and int32 ops";
  let description = [{
    The fallback for targets without 8-bit kernels. Quantize, dequantize and
    requantize become float arithmetic with `graph.round` (half to even),
    `graph.clip` and casts; 8-bit products become int32 products of the
    values minus their zero points. The results are the ops' own. With
    `keep-eight-bit-products`, products that fit 8-bit kernels
    (`graph::fitsEightBitKernels`) stay for the target to lower.
  }];
  let options = [
    Option<"keepEightBitProducts", "keep-eight-bit-products", "bool",
           /*default=*/"false",
           "Keep the 8-bit products that fit the target's 8-bit kernels">,
  ];
  let dependentDialects = ["::mlir::modelc::graph::GraphDialect"];
}

#endif // MODELC_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
