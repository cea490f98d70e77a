//===- ShapeOperands.h - Graph inputs that decide output shapes -*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// An ahead-of-time compiler plans every tensor's size before the model runs,
// so an operand whose value decides an output's shape (Reshape's shape,
// Slice's bounds, TopK's K, ...) must be known when compiling. `compile`
// asks for such inputs with --bind. `modelc run` has their values in its
// input files, so it freezes them itself: this names the inputs it may freeze.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_FRONTEND_ONNX_SHAPEOPERANDS_H
#define MODELC_FRONTEND_ONNX_SHAPEOPERANDS_H

#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace modelc::onnx_frontend {

/// A graph input that only shape operands read.
struct ShapeOperandInput {
  std::string name;
  /// Its position among the graph inputs that are not initializers: the K of
  /// the backend test data's input_K.pb.
  int fileIndex = 0;
  /// The first operand it feeds, as "Reshape's shape".
  std::string use;
};

/// The graph inputs of `model` whose every reader uses them as a shape
/// operand, by the ONNX operator specs: the position's value decides the
/// size of an output. An input that any other operand, a subgraph or a graph
/// output also reads is not one: freezing it would change what the artifact
/// computes, not only how big its tensors are.
std::vector<ShapeOperandInput>
findShapeOperandInputs(const onnx::ModelProto &model);

} // namespace modelc::onnx_frontend

#endif // MODELC_FRONTEND_ONNX_SHAPEOPERANDS_H
