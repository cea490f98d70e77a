// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-reductions --kernel-lower-loop-nests | FileCheck %s

// ReduceMean: a fill of 0, a reduction over the reduced axis into the kept
// ones, and the division as the epilogue loop nest.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-LABEL: func.func @mean(
//       CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x1x4xf32>)
//       CHECK:   %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}} : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x1x4xf32>)
//       CHECK:     ^bb0(%[[X:.+]]: f32, %[[ACC:.+]]: f32):
//       CHECK:       %[[S:.+]] = arith.addf %[[ACC]], %[[X]] : f32
//       CHECK:       linalg.yield %[[S]] : f32
//       CHECK:   linalg.generic {{.+}} ins(%[[SUM]] : tensor<2x1x4xf32>)
//       CHECK:       arith.divf %{{.+}}, %{{.+}} : f32
//   CHECK-NOT:   graph.
func.func @mean(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %m = graph.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %m : tensor<2x1x4xf32>
}

// -----

// LogSumExp starts at -inf and keeps a running log-sum-exp: the larger side
// plus log1p(exp(-|acc - x|)), so nothing overflows and no second pass
// subtracts a maximum; equal infinities give a zero difference, not NaN.
// CHECK-LABEL: func.func @log_sum_exp(
//       CHECK:   arith.constant 0xFF800000 : f32
//       CHECK:   linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
//       CHECK:     ^bb0(%[[X:.+]]: f32, %[[ACC:.+]]: f32):
//       CHECK:       %[[GT:.+]] = arith.cmpf ogt, %[[ACC]], %[[X]] : f32
//       CHECK:       %[[TOP:.+]] = arith.select %[[GT]], %[[ACC]], %[[X]] : f32
//       CHECK:       %[[EQ:.+]] = arith.cmpf oeq, %[[ACC]], %[[X]] : f32
//       CHECK:       %[[D:.+]] = arith.subf %[[ACC]], %[[X]] : f32
//       CHECK:       %[[A:.+]] = math.absf %[[D]] : f32
//       CHECK:       %[[N:.+]] = arith.negf %[[A]] : f32
//       CHECK:       %[[G:.+]] = arith.select %[[EQ]], %{{.+}}, %[[N]] : f32
//       CHECK:       %[[E:.+]] = math.exp %[[G]] : f32
//       CHECK:       %[[L:.+]] = math.log1p %[[E]] : f32
//       CHECK:       %[[R:.+]] = arith.addf %[[TOP]], %[[L]] : f32
//       CHECK:       linalg.yield %[[R]] : f32
func.func @log_sum_exp(%x: tensor<8x1000xf32>) -> tensor<8xf32> {
  %r = graph.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = false} : tensor<8x1000xf32> -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Unsigned Max starts at 0 and compares unsigned; float16 sums accumulate in
// f32 and are rounded once, after the loop.
// CHECK-LABEL: func.func @unsigned_max(
//       CHECK:   arith.constant 0 : i8
//       CHECK:   arith.cmpi ugt
// CHECK-LABEL: func.func @half_sum(
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     ^bb0(%[[X:.+]]: f16, %{{.+}}: f32):
//       CHECK:       arith.extf %[[X]] : f16 to f32
//       CHECK:   linalg.generic {{.+}} ins(%{{.+}} : tensor<4xf32>) outs(%{{.+}} : tensor<4xf16>)
//       CHECK:       arith.truncf %{{.+}} : f32 to f16
func.func @unsigned_max(%x: tensor<4x6xui8>) -> tensor<4xui8> {
  %r = graph.reduce_max %x {axes = array<i64: 1>, keepdims = false} : tensor<4x6xui8> -> tensor<4xui8>
  return %r : tensor<4xui8>
}
func.func @half_sum(%x: tensor<4x6xf16>) -> tensor<4xf16> {
  %r = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : tensor<4x6xf16> -> tensor<4xf16>
  return %r : tensor<4xf16>
}
