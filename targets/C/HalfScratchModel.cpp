//===- HalfScratchModel.cpp - Scratch of the half-weight C kernels --------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// mk_hconv2d and mk_hmatmul (runtime/kernels/hconv.c, hgemm.c) pack their
// half-precision weights into scratch on every call, then run a product
// whose work space hgemm.c bounds for any shape by mk_hgemm_scratch_bound:
// max(MK_SGEMM_SCRATCH_BOUND, 8 * NR * MK_GEMM_MIN_TILES * round_up(k, A)),
// A = 32 on AMX (whole tile steps), else 2.
// This model takes that bound and the exact packed size, on the hungriest
// SIMD path. The generated init function checks the plan against the
// kernels' own answer.
//
//===----------------------------------------------------------------------===//

#include "ScratchModel.h"

#include <algorithm>
#include <initializer_list>

namespace modelc::c_target {
namespace {

int64_t roundUp(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

/// MK_SGEMM_SCRATCH_BOUND of AVX-512, the largest of gemm.c's paths.
constexpr int64_t kSgemmBound = 12632064;
constexpr int64_t kWidestPanel = 32; // MK_GEMM_NR of AVX-512
constexpr int64_t kMinTiles = 8;     // MK_GEMM_MIN_TILES
/// Values per AMX tile step (2 * MK_HGEMM_AMX_PAIRS) and rows per AMX
/// weight panel.
constexpr int64_t kAmxStep = 32, kAmxRows = 16;

int64_t productBound(int64_t k) {
  return std::max(kSgemmBound,
                  8 * kWidestPanel * kMinTiles * roundUp(k, kAmxStep));
}

/// mk_hgemm_panels_bytes, largest over the paths' panel widths.
int64_t panelsBytes(int64_t count, int64_t k,
                    std::initializer_list<int64_t> widths) {
  if (count <= 0 || k <= 0)
    return 0;
  int64_t bytes = 0;
  for (int64_t width : widths)
    bytes = std::max(bytes, roundUp(roundUp(count, width) * roundUp(k, 2) * 2, 64));
  return bytes;
}

} // namespace

int64_t halfConvPackedBytes(const ConvShape &s) {
  int64_t k = s.inChannels / s.groups * s.kernelH * s.kernelW;
  if (s.inChannels / s.groups == 1) // depthwise: the weights widened to f32
    return roundUp(s.outChannels * k, 16) * 4;
  int64_t rows = s.outChannels / s.groups;
  // mk_hgemm_pack_a_bytes: AMX's tile panels, else MR-row pair panels.
  int64_t amx = roundUp(rows, kAmxRows) * roundUp(k, kAmxStep) * 2;
  return s.groups * std::max(amx, panelsBytes(rows, k, {8, 6, 4}));
}

int64_t halfConvScratchBytes(const ConvShape &s, bool prepacked) {
  int64_t packed = prepacked ? 0 : halfConvPackedBytes(s);
  if (s.inChannels / s.groups == 1)
    return packed;
  return packed + productBound(s.inChannels / s.groups * s.kernelH * s.kernelW);
}

int64_t halfMatMulPackedBytes(int64_t n, int64_t k) {
  // mk_hmatmul_pack_w_bytes: on AMX the pair panels hold whole tile steps.
  return std::max(panelsBytes(n, roundUp(k, kAmxStep), {32}),
                  panelsBytes(n, k, {32, 16, 8, 4}));
}

int64_t halfMatMulScratchBytes(int64_t n, int64_t k, bool prepacked) {
  return (prepacked ? 0 : halfMatMulPackedBytes(n, k)) + productBound(k);
}

} // namespace modelc::c_target
