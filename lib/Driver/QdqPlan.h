//===- QdqPlan.h - What modelc quantize quantizes ---------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The choice `modelc quantize` makes before it calibrates: which products
// compute in 8 bits, and which activation tensors are therefore observed
// and quantized. The rule is onnxruntime's QDQ default, narrowed to what
// modelc folds into 8-bit kernels:
//
// - a 2-D Conv with a constant weight, a MatMul with a constant 2-D rhs,
//   and a Gemm with a constant B (no transA, alpha and beta 1) are
//   quantized: activations per tensor (uint8), weights
//   symmetric int8 per output channel, a Conv's bias int32 at the sums'
//   scale;
// - a quantized product's activation inputs and its output (after a Relu
//   that is its only consumer) are quantized, each tensor once; a graph
//   output among them keeps its name and becomes the dequantized value, so
//   the model's outputs have a quantization step to be measured in;
// - everything else computes in float between dequantize and quantize, and
//   a node named in --keep-float stays float whatever its type. A MatMul
//   of two activations (attention) stays float: it has no weight to shrink.
//   Gather's tables (embeddings) stay float too.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_DRIVER_QDQPLAN_H
#define MODELC_LIB_DRIVER_QDQPLAN_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class GraphProto;
} // namespace onnx

namespace modelc {

/// A product the QDQ model computes in 8 bits.
struct QuantizedProduct {
  /// Index into graph.node().
  int node = 0;
  /// Input positions read as activations, quantized per tensor.
  std::vector<int> activationInputs;
  /// Position of the constant weight.
  int weightInput = -1;
  /// The weight's output-channel axis: 0 for Conv and Gemm with transB, 1
  /// for MatMul and Gemm without.
  int64_t weightAxis = 0;
  /// Position of a Conv's constant bias, or -1.
  int biasInput = -1;
};

/// A product that stays float, and why.
struct FloatNode {
  std::string node;
  std::string reason;
};

struct QuantizationPlan {
  std::vector<QuantizedProduct> products;
  /// Tensors calibrated and quantized once each, in the order first met.
  std::vector<std::string> activations;
  std::vector<FloatNode> keptFloat;
};

/// Chooses what to quantize. Fails when a --keep-float name matches no
/// node, or when nothing can be quantized.
llvm::Expected<QuantizationPlan>
planQuantization(const onnx::GraphProto &graph,
                 const std::vector<std::string> &keepFloat);

/// The node's name, or "OpType_K" (its position) when it has none.
std::string displayNodeName(const onnx::GraphProto &graph, int node);

} // namespace modelc

#endif // MODELC_LIB_DRIVER_QDQPLAN_H
