//===- QdqRewrite.h - Writing a model in QDQ form ---------------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The QDQ form onnxruntime's quantize_static writes, so any QDQ consumer
// runs what `modelc quantize` writes:
//
// - each quantized activation t gets t -> QuantizeLinear -> DequantizeLinear,
//   uint8 with its calibrated scale and zero point, and every reader of t
//   reads the dequantized tensor;
// - each quantized weight W becomes an int8 initializer, symmetric
//   ([-127, 127], zero point 0) per output channel, read through a
//   DequantizeLinear (per tensor before opset 13, which has no per-axis
//   form);
// - a Conv's bias becomes int32 at the sums' scale x_scale * w_scale[c],
//   read through a DequantizeLinear, as QLinearConv stores it.
//
// New names are the old ones with a suffix (_quantized, _dequantized,
// _scale, _zero_point), made unique when the model already uses one.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_DRIVER_QDQREWRITE_H
#define MODELC_LIB_DRIVER_QDQREWRITE_H

#include "QdqPlan.h"

#include "modelc/Quantization/QuantParams.h"

#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace modelc {

/// Bytes of all initializers, before and after the rewrite.
struct InitializerBytes {
  int64_t before = 0;
  int64_t after = 0;
};

/// Replaces every initializer stored outside the model file by its data, so
/// the model can be written anywhere.
llvm::Error inlineExternalData(onnx::ModelProto &model,
                               const std::string &externalDataDirectory);

/// Turns Constant nodes that hold a tensor (`value`) into initializers of
/// the same name, as exporters such as Paddle2ONNX write weights, so that
/// the plan sees them as the constants they are.
void hoistConstantNodes(onnx::ModelProto &model);

/// Rewrites `model` (external data already inlined) into QDQ form.
/// `activationParams` holds the uint8 parameters of every tensor in
/// plan.activations.
llvm::Expected<InitializerBytes>
rewriteAsQdq(onnx::ModelProto &model, const QuantizationPlan &plan,
             const std::map<std::string, QuantParams> &activationParams);

} // namespace modelc

#endif // MODELC_LIB_DRIVER_QDQREWRITE_H
