//===- ScratchModel.h - Scratch space of the C runtime kernels --*- C++ -*-===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//
//
// The arena must hold each kernel's scratch space (packed GEMM panels,
// im2col tiles) while it runs, and its size is fixed at compile time. The
// kernels choose their blocking by the SIMD path the C compiler enables, which
// modelc cannot know, so this model mirrors mk_sgemm_scratch_bytes and
// mk_conv2d_scratch_bytes of targets/C/runtime/kernels for every path and
// takes the largest. Any change to the kernels' blocking must change this
// file too; the kernel tests check the two agree.
//
//===----------------------------------------------------------------------===//

#ifndef MODELC_TARGETS_C_SCRATCHMODEL_H
#define MODELC_TARGETS_C_SCRATCHMODEL_H

#include <cstdint>

namespace modelc::c_target {

/// Scratch bytes of mk_sgemm(m, n, k) on the hungriest SIMD path.
int64_t gemmScratchBytes(int64_t m, int64_t n, int64_t k);

/// The shape of one mk_conv2d call.
struct ConvShape {
  int64_t inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW;
  int64_t strideH, strideW, padTop, padLeft, groups;
  int64_t dilationH = 1, dilationW = 1;
};

/// Whether conv.c's (and qconv.c's) 1x1 strategy takes the shape: one GEMM
/// on the input planes, no im2col.
bool isPointwiseConv(const ConvShape &shape);

/// How conv.c and qconv.c cut `pixels` output pixels into im2col tiles of
/// about `tileBytes` (MK_CONV_COL_BYTES, MK_QCONV_COL_BYTES), a column being
/// `columnBytes`: tiles `width` pixels wide, a multiple of `nr`, the last
/// `lastWidth`.
struct Im2colTiles {
  int64_t width, count, lastWidth;
};
Im2colTiles im2colTiles(int64_t pixels, int64_t columnBytes, int64_t nr,
                        int64_t tileBytes);

/// Scratch bytes of mk_conv2d on the hungriest SIMD path.
int64_t convScratchBytes(const ConvShape &shape);

/// Scratch bytes of mk_qgemm(m, n, k) and mk_qconv2d on the hungriest path:
/// with the weights packed per call, or only the work space when they come
/// pre-packed (QuantizedScratchModel.cpp).
int64_t quantizedGemmScratchBytes(int64_t m, int64_t n, int64_t k,
                                  bool prepacked);
int64_t quantizedConvScratchBytes(const ConvShape &shape, bool prepacked);

/// Bytes of the pre-packed weights of mk_qgemm_pack_a(m, k) and
/// mk_qconv2d_pack_weight on the hungriest path (0: the depthwise strategy
/// reads the weights as they are).
int64_t quantizedGemmPackedBytes(int64_t m, int64_t k);
int64_t quantizedConvPackedBytes(const ConvShape &shape);

/// Scratch bytes of mk_hconv2d and mk_hmatmul (weights [k, n]) with
/// half-precision weights packed per call, or of mk_hconv2d_packed and
/// mk_hmatmul_packed when `prepacked` (HalfScratchModel.cpp).
int64_t halfConvScratchBytes(const ConvShape &shape, bool prepacked);
int64_t halfMatMulScratchBytes(int64_t n, int64_t k, bool prepacked);

/// Bytes of mk_hconv2d_pack_weights' and mk_hmatmul_pack_w's output on the
/// hungriest path.
int64_t halfConvPackedBytes(const ConvShape &shape);
int64_t halfMatMulPackedBytes(int64_t n, int64_t k);

} // namespace modelc::c_target

#endif // MODELC_TARGETS_C_SCRATCHMODEL_H
