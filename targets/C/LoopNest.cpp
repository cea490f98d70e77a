//===- LoopNest.cpp - Strided loop nests in generated C -------------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "LoopNest.h"

namespace modelc::c_target {

void emitLoopNest(
    llvm::raw_ostream &os, int indent, llvm::ArrayRef<int64_t> shape,
    llvm::ArrayRef<std::vector<int64_t>> strides,
    llvm::function_ref<void(int indent, llvm::ArrayRef<std::string> offsets)>
        body) {
  // Drop unit dimensions, then merge each dimension into the next one when
  // every operand steps over the inner one exactly (or not at all).
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> steps(strides.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1)
      continue;
    bool mergeable = !dims.empty();
    for (size_t k = 0; k < strides.size() && mergeable; ++k)
      mergeable = steps[k].back() == strides[k][d] * shape[d];
    if (mergeable) {
      dims.back() *= shape[d];
      for (size_t k = 0; k < strides.size(); ++k)
        steps[k].back() = strides[k][d];
      continue;
    }
    dims.push_back(shape[d]);
    for (size_t k = 0; k < strides.size(); ++k)
      steps[k].push_back(strides[k][d]);
  }

  std::vector<std::string> offsets(strides.size());
  for (size_t k = 0; k < strides.size(); ++k) {
    std::string expr;
    for (size_t d = 0; d < dims.size(); ++d) {
      int64_t step = steps[k][d];
      if (step == 0)
        continue;
      std::string term = "i" + std::to_string(d);
      if (step != 1)
        term += " * " + std::to_string(step);
      expr += (expr.empty() ? "" : " + ") + term;
    }
    offsets[k] = expr.empty() ? "0" : expr;
  }

  std::string pad(indent, ' ');
  for (size_t d = 0; d < dims.size(); ++d) {
    os << pad << std::string(2 * d, ' ') << "for (int64_t i" << d
       << " = 0; i" << d << " < " << dims[d] << "; ++i" << d << ") {\n";
  }
  body(indent + 2 * static_cast<int>(dims.size()), offsets);
  for (size_t d = dims.size(); d-- > 0;)
    os << pad << std::string(2 * d, ' ') << "}\n";
}

} // namespace modelc::c_target
