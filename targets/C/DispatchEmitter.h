//===- DispatchEmitter.h - One C function per kernel.dispatch ---*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_DISPATCHEMITTER_H
#define MODELC_TARGETS_C_DISPATCHEMITTER_H

#include "dialects/Kernel/IR/KernelOps.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

namespace modelc::c_target {

/// The runtime kernel files (targets/C/runtime/kernels) a model needs.
enum class RuntimeKernel {
  Gemm,
  Conv,
  Pool,
  Norm,
  Half,
  QuantizedGemm,
  QuantizedConv,
  HalfGemm,
  HalfConv
};

/// What the function of one dispatch needs from its caller.
struct DispatchSignature {
  bool usesExec = false;
  bool usesScratch = false;
  /// A C expression of the scratch bytes the runtime kernel will ask for,
  /// evaluated by the init function against the plan (empty: no scratch).
  std::string scratchNeed;
  /// Weights pre-packed by init (the dispatch has resident space): the
  /// function takes `const void *packed` after its outputs, and init calls
  /// `<name>_pack(ex, weight, packed)` once with dispatch input
  /// `packedInput`, after checking the C expression `packedNeed` (the bytes
  /// the kernels compiled in pack) against the plan. -1: none.
  int packedInput = -1;
  std::string packedNeed;
};

/// Writes `static void <name>(...)` computing `dispatch`: the anchor through a
/// runtime kernel (conv, gemm, pooling, softmax, layer norm) or a generated
/// copy loop, then its elementwise epilogue in place; or, for an elementwise
/// chain, one loop nest. Records the runtime kernels it calls.
llvm::Expected<DispatchSignature>
emitDispatchFunction(mlir::modelc::kernel::DispatchOp dispatch,
                     llvm::raw_ostream &os, std::set<RuntimeKernel> &kernels);

} // namespace modelc::c_target

#endif // MODELC_TARGETS_C_DISPATCHEMITTER_H
