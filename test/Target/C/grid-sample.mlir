// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline | modelc-translate --emit-c --name net | FileCheck %s

// GridSample is one loop nest: each element reads its (x, y) from the grid,
// folds it into the image (reflection: odd folds mirror, taken from the low
// bit of the fold count, then a clip), and sums four taps read at clamped
// positions, zero outside.
// CHECK-LABEL: static void grid_sample_0(const float *in0, const float *in1, float *out0)
//       CHECK:   const float [[X:v[0-9]+]] = in1[i1 * 2];
//       CHECK:   const float [[Y:v[0-9]+]] = in1[1 + i1 * 2];
//       CHECK:   fmodf(
//       CHECK:   const uint8_t [[ODD:v[0-9]+]] = (uint8_t)(v{{[0-9]+}} & 1);
//       CHECK:   [[ODD]] ?
//       CHECK:   const float v{{[0-9]+}} = (4.0f < v{{[0-9]+}}) ? 4.0f : v{{[0-9]+}};
//       CHECK:   floorf(
// CHECK-COUNT-4:   in0[
//   CHECK-NOT:   in0[
//       CHECK:   out0[
func.func @main(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  %y = graph.grid_sample %x, %g {mode = "bilinear", padding_mode = "reflection", align_corners = false} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
