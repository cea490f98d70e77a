//===- ModelOpset.h - The default-domain opset of a model -------*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_LIB_FRONTEND_ONNX_MODELOPSET_H
#define MODELC_LIB_FRONTEND_ONNX_MODELOPSET_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <string>

namespace modelc::onnx_frontend {

/// ONNX's default domain, spelled either way.
inline bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// The default-domain opset version `model` imports; 0 when none.
inline int64_t defaultDomainOpset(const onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (isDefaultDomain(opset.domain()))
      return opset.version();
  return 0;
}

} // namespace modelc::onnx_frontend

#endif // MODELC_LIB_FRONTEND_ONNX_MODELOPSET_H
