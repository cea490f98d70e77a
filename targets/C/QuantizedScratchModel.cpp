//===- QuantizedScratchModel.cpp - Scratch of the 8-bit C kernels ---------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// Mirrors mk_qgemm_scratch_bytes and mk_qconv2d_scratch_bytes of
// targets/C/runtime/kernels/qgemm.c and qconv.c for every SIMD path, as
// ScratchModel.cpp does for the float kernels. The generated init function
// checks the planned bytes against the kernels' own answer, so a model that
// falls behind a kernel change fails at init, never writes past the arena.
//
//===----------------------------------------------------------------------===//

#include "ScratchModel.h"

#include <algorithm>

namespace modelc::c_target {
namespace {

/// The blocking of one path of qgemm.c (MK_QGEMM_*) and qconv.c.
struct QuantizedPath {
  /// Rows of an A panel, columns of a B panel, and depth values per packed
  /// group of B and of A (MK_QGEMM_A_KG: 64 on AMX, whose A tile rows hold
  /// 64 depth values).
  int64_t mr, nr, kg, aKg;
  /// Bytes of one packed B element (MK_QGEMM_ES) and of one element of A in
  /// the microkernels' working form (mk_qa_t); a packing kept across calls
  /// (mk_qgemm_pack_a) takes one byte per element on every path.
  int64_t packedB, workA;
  int64_t maxTasks, bBlockBytes, colBytes;
  /// The dot-product path keeps 4 bytes of row sums per packed row.
  bool rowSums;
  /// The path packs stride-1 and stride-2 convolutions' B straight from the
  /// input or its phases (mk_qconv2d_implicit_im2col), with no im2col
  /// buffer.
  bool implicitIm2col;
  /// Bytes a kernel may read past a slot's B block (MK_QGEMM_B_SLACK).
  int64_t bSlack;
};

constexpr int64_t kMiB = int64_t(1) << 20, kKiB = int64_t(1) << 10;
constexpr QuantizedPath kPaths[] = {
    {16, 32, 4, 64, 1, 1, 32, 256 * kKiB, kMiB, false, true, 2048}, // AMX
    {8, 32, 4, 4, 1, 1, 32, 256 * kKiB, kMiB, false, true, 0},      // VNNI
    {6, 16, 2, 2, 2, 2, 32, 256 * kKiB, kMiB, false, false, 0},     // AVX2
    {8, 8, 4, 4, 1, 1, 16, 256 * kKiB, kMiB, true, false, 0},       // SDOT
    {4, 4, 1, 1, 1, 1, 4, 16 * kKiB, 16 * kKiB, false, false, 0},   // C
};
constexpr int64_t kImplicitTaps = 16; // MK_QCONV_IMPLICIT_TAPS
constexpr int64_t kPanelPad = 64; // MK_QGEMM_PANEL_PAD
constexpr int64_t kMaxWidth = 1024; // MK_QGEMM_NC
constexpr int64_t kMinTiles = 8;  // MK_QGEMM_MIN_TILES

int64_t divUp(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return divUp(a, b) * b; }

/// mk_qgemm_work_bytes: the per-slot packed B blocks.
int64_t workBytes(const QuantizedPath &path, int64_t m, int64_t n, int64_t k) {
  if (m <= 0 || n <= 0 || k <= 0)
    return 0;
  int64_t kp = roundUp(k, path.kg);
  int64_t panelBytes = kp * path.nr * path.packedB;
  int64_t cap = std::max(path.nr, std::min(kMaxWidth, path.bBlockBytes /
                                                          panelBytes * path.nr));
  int64_t blocksM = 1, blocksN = divUp(n, cap);
  while (blocksM * blocksN < kMinTiles) {
    if (divUp(n, blocksN * 2) >= 2 * path.nr)
      blocksN *= 2;
    else if (divUp(m, blocksM * 2) >= 2 * path.mr)
      blocksM *= 2;
    else
      break;
  }
  int64_t tileM = roundUp(divUp(m, blocksM), path.mr);
  int64_t tileN = roundUp(divUp(n, blocksN), path.nr);
  int64_t slots =
      std::min(divUp(m, tileM) * divUp(n, tileN), path.maxTasks);
  int64_t panelElems = kp * path.nr + kPanelPad / path.packedB;
  int64_t slotBytes =
      roundUp(tileN / path.nr * panelElems * path.packedB, 64) + path.bSlack;
  return slots * slotBytes;
}

/// mk_qgemm_packed_a_bytes (elementBytes 1) or mk_qgemm_work_a_bytes
/// (path.workA).
int64_t aBytes(const QuantizedPath &path, int64_t m, int64_t k,
               int64_t elementBytes) {
  if (m <= 0 || k <= 0)
    return 0;
  int64_t rows = roundUp(m, path.mr);
  int64_t bytes = roundUp(rows * roundUp(k, path.aKg) * elementBytes, 64);
  if (path.rowSums)
    bytes += roundUp(rows * 4, 64);
  return bytes;
}
int64_t packedABytes(const QuantizedPath &path, int64_t m, int64_t k) {
  return aBytes(path, m, k, 1);
}
int64_t workABytes(const QuantizedPath &path, int64_t m, int64_t k) {
  return aBytes(path, m, k, path.workA);
}
/// The working form's bytes that mk_qgemm and mk_qconv2d need in scratch:
/// always when they pack per call, and on a path whose packing they widen
/// (AVX2) when it comes pre-packed.
int64_t scratchABytes(const QuantizedPath &path, int64_t m, int64_t k,
                      bool prepacked) {
  return prepacked && path.workA == 1 ? 0 : workABytes(path, m, k);
}

/// mk_qconv2d_implicit_im2col, for an im2col-strategy shape.
bool takesImplicitIm2col(const QuantizedPath &path, const ConvShape &s) {
  bool stride1 = s.strideH == 1 && s.strideW == 1 && s.outW == s.inW;
  bool stride2 = s.strideH == 2 && s.strideW == 2 && s.inW == 2 * s.outW &&
                 s.inH == 2 * s.outH;
  return path.implicitIm2col && (stride1 || stride2) &&
         s.outH * s.outW >= 2 && s.kernelH <= kImplicitTaps &&
         s.kernelW <= kImplicitTaps;
}

/// mk_qconv_axis_phases: the input phases a stride-2 kernel reads along an
/// axis.
int64_t axisPhases(int64_t kernel, int64_t dilation) {
  return kernel >= 2 && dilation % 2 != 0 ? 2 : 1;
}

/// mk_qconv2d_phase_bytes: a stride-2 implicit im2col's copy of the input
/// phases it reads.
int64_t phaseBytes(const QuantizedPath &path, const ConvShape &s) {
  if (!takesImplicitIm2col(path, s) || s.strideH != 2)
    return 0;
  return roundUp(axisPhases(s.kernelH, s.dilationH) *
                     axisPhases(s.kernelW, s.dilationW) *
                     (s.inChannels / s.groups) * s.outH * s.outW,
                 64);
}

/// mk_qconv2d_packed_weight_bytes.
int64_t convPackedBytes(const QuantizedPath &path, const ConvShape &s) {
  if (s.inChannels / s.groups == 1)
    return 0; // direct (depthwise) path
  return s.groups * packedABytes(path, s.outChannels / s.groups,
                                 s.inChannels / s.groups * s.kernelH * s.kernelW);
}

/// mk_qconv2d_scratch_bytes, or mk_qconv2d_prepacked_scratch_bytes when
/// `prepacked`.
int64_t convBytes(const QuantizedPath &path, const ConvShape &s,
                  bool prepacked) {
  int64_t perGroupIn = s.inChannels / s.groups;
  int64_t perGroupOut = s.outChannels / s.groups;
  if (perGroupIn == 1)
    return 0; // direct (depthwise) path
  int64_t k = perGroupIn * s.kernelH * s.kernelW;
  int64_t weights = scratchABytes(path, perGroupOut, k, prepacked);
  if (isPointwiseConv(s))
    return workBytes(path, perGroupOut, s.inH * s.inW, perGroupIn) + weights;
  if (takesImplicitIm2col(path, s))
    return phaseBytes(path, s) +
           workBytes(path, perGroupOut, s.outH * s.outW, k) + weights;
  // uint8 im2col columns: one byte per element.
  Im2colTiles tiles = im2colTiles(s.outH * s.outW, k, path.nr, path.colBytes);
  int64_t full = workBytes(path, perGroupOut, tiles.width, k);
  int64_t last = workBytes(path, perGroupOut, tiles.lastWidth, k);
  return roundUp(k * tiles.width, 64) + std::max(full, last) + weights;
}

/// The largest of `bytes(path)` over the paths.
template <typename Fn> int64_t largestOverPaths(Fn bytes) {
  int64_t largest = 0;
  for (const QuantizedPath &path : kPaths)
    largest = std::max(largest, bytes(path));
  return largest;
}

} // namespace

int64_t quantizedGemmScratchBytes(int64_t m, int64_t n, int64_t k,
                                  bool prepacked) {
  return largestOverPaths([&](const QuantizedPath &path) {
    return workBytes(path, m, n, k) + scratchABytes(path, m, k, prepacked);
  });
}

int64_t quantizedConvScratchBytes(const ConvShape &shape, bool prepacked) {
  return largestOverPaths([&](const QuantizedPath &path) {
    return convBytes(path, shape, prepacked);
  });
}

int64_t quantizedGemmPackedBytes(int64_t m, int64_t k) {
  return largestOverPaths(
      [&](const QuantizedPath &path) { return packedABytes(path, m, k); });
}

int64_t quantizedConvPackedBytes(const ConvShape &shape) {
  return largestOverPaths(
      [&](const QuantizedPath &path) { return convPackedBytes(path, shape); });
}

} // namespace modelc::c_target
