//===- ScratchModel.cpp - Scratch space of the C runtime kernels ----------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ScratchModel.h"

#include <algorithm>

namespace modelc::c_target {
namespace {

/// Blocking constants of one SIMD path of runtime/kernels/gemm.c and conv.c.
struct SimdPath {
  int64_t mr, nr, kc, mc, nc, maxTasks, convColBytes;
};

constexpr SimdPath kPaths[] = {
    {8, 32, 256, 128, 256, 32, int64_t(2) << 20}, // AVX-512
    {6, 16, 256, 120, 256, 32, int64_t(2) << 20}, // AVX2 + FMA
    {8, 8, 256, 64, 128, 16, int64_t(2) << 20},   // NEON (AArch64)
    {4, 4, 64, 32, 64, 4, int64_t(64) << 10},     // portable C
};
constexpr int64_t kPanelPad = 16;  // MK_GEMM_PANEL_PAD
constexpr int64_t kMinTiles = 8;   // MK_GEMM_MIN_TILES

int64_t divUp(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return divUp(a, b) * b; }

int64_t gemmScratch(const SimdPath &path, int64_t m, int64_t n, int64_t k) {
  if (m <= 0 || n <= 0 || k <= 0)
    return 0;
  if (m == 1 || n == 1)
    return roundUp(k, 16) * 4;
  // mk_sgemm_make_plan: blocks of at most MC x NC, cut finer (columns
  // first) until there are enough tiles to spread over threads.
  int64_t blocksM = divUp(m, path.mc), blocksN = divUp(n, path.nc);
  while (blocksM * blocksN < kMinTiles) {
    if (divUp(n, blocksN * 2) >= 2 * path.nr)
      blocksN *= 2;
    else if (divUp(m, blocksM * 2) >= 2 * path.mr)
      blocksM *= 2;
    else
      break;
  }
  int64_t tileM = roundUp(divUp(m, blocksM), path.mr);
  int64_t tilesM = divUp(m, tileM);
  int64_t tileN = roundUp(divUp(n, blocksN), path.nr);
  int64_t tilesN = divUp(n, tileN);
  int64_t kcMax = divUp(k, divUp(k, path.kc));
  int64_t slots = std::min(tilesM * tilesN, path.maxTasks);
  int64_t aFloats = roundUp((tileM / path.mr) * (kcMax * path.mr + kPanelPad), 16);
  int64_t bFloats = roundUp((tileN / path.nr) * (kcMax * path.nr + kPanelPad), 16);
  return slots * (aFloats + bFloats) * 4;
}

int64_t convScratch(const SimdPath &path, const ConvShape &s) {
  int64_t perGroupIn = s.inChannels / s.groups;
  int64_t perGroupOut = s.outChannels / s.groups;
  if (perGroupIn == 1)
    return 0; // direct (depthwise) path
  if (isPointwiseConv(s))
    return gemmScratch(path, perGroupOut, s.inH * s.inW, perGroupIn);
  int64_t k = perGroupIn * s.kernelH * s.kernelW;
  Im2colTiles tiles =
      im2colTiles(s.outH * s.outW, 4 * k, path.nr, path.convColBytes);
  int64_t colBytes = roundUp(k * tiles.width, 16) * 4;
  int64_t full = gemmScratch(path, perGroupOut, tiles.width, k);
  int64_t last = gemmScratch(path, perGroupOut, tiles.lastWidth, k);
  return colBytes + std::max(full, last);
}

} // namespace

bool isPointwiseConv(const ConvShape &s) {
  return s.kernelH == 1 && s.kernelW == 1 && s.strideH == 1 &&
         s.strideW == 1 && s.padTop == 0 && s.padLeft == 0 &&
         s.outH == s.inH && s.outW == s.inW;
}

Im2colTiles im2colTiles(int64_t pixels, int64_t columnBytes, int64_t nr,
                        int64_t tileBytes) {
  int64_t cap = std::max(nr, tileBytes / columnBytes / nr * nr);
  int64_t count = divUp(pixels, cap);
  int64_t width = std::min(pixels, roundUp(divUp(pixels, count), nr));
  count = divUp(pixels, width);
  return {width, count, pixels - (count - 1) * width};
}

int64_t gemmScratchBytes(int64_t m, int64_t n, int64_t k) {
  int64_t bytes = 0;
  for (const SimdPath &path : kPaths)
    bytes = std::max(bytes, gemmScratch(path, m, n, k));
  return bytes;
}

int64_t convScratchBytes(const ConvShape &shape) {
  int64_t bytes = 0;
  for (const SimdPath &path : kPaths)
    bytes = std::max(bytes, convScratch(path, shape));
  return bytes;
}

} // namespace modelc::c_target
