// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-loop-nests | FileCheck %s

// Reflect padding mirrors the source position in the padded dimension only;
// the unpadded one reads where the point is. A position that is still
// outside takes the fill, and the read itself is always clamped in range.
// CHECK-LABEL: func.func @reflect(
//       CHECK:     linalg.generic {{.+}} outs(%{{.+}} : tensor<2x10xf32>)
//       CHECK:       %[[ROW:.+]] = linalg.index 0 : index
//       CHECK:       %[[ROW64:.+]] = arith.index_cast %[[ROW]] : index to i64
//       CHECK:       %[[COL:.+]] = linalg.index 1 : index
//       CHECK:       %[[COL64:.+]] = arith.index_cast %[[COL]] : index to i64
//       CHECK:       %[[SHIFTED:.+]] = arith.subi %[[COL64]], %{{.+}} : i64
//       CHECK:       arith.subi %{{.+}}, %[[SHIFTED]] : i64
//       CHECK:       %[[ROWI:.+]] = arith.index_cast %[[ROW64]] : i64 to index
//       CHECK:       %[[X:.+]] = tensor.extract %{{.+}}[%[[ROWI]], %{{.+}}] : tensor<2x8xf32>
//       CHECK:       %[[OUT:.+]] = arith.select %{{.+}}, %{{.+}}, %[[X]] : f32
//       CHECK:       linalg.yield %[[OUT]] : f32
//   CHECK-NOT:   graph.pad
func.func @reflect(%x: tensor<2x8xf32>) -> tensor<2x10xf32> {
  %p = graph.pad %x {mode = "reflect", pads = array<i64: 0, 1, 0, 1>} : (tensor<2x8xf32>) -> tensor<2x10xf32>
  return %p : tensor<2x10xf32>
}

// -----

// Constant padding reads its fill value through a map to element 0.
// CHECK-DAG: #[[FILL:.+]] = affine_map<(d0, d1) -> (0)>
// CHECK-LABEL: func.func @constant(
//       CHECK:     linalg.generic {indexing_maps = [#[[FILL]], #{{.+}}]
//       CHECK:     ^bb0(%[[V:.+]]: f32, %{{.+}}: f32):
//       CHECK:       arith.select %{{.+}}, %[[V]], %{{.+}} : f32
func.func @constant(%x: tensor<3x4xf32>, %v: tensor<1xf32>) -> tensor<5x4xf32> {
  %p = graph.pad %x, %v {mode = "constant", pads = array<i64: 1, 0, 1, 0>} : (tensor<3x4xf32>, tensor<1xf32>) -> tensor<5x4xf32>
  return %p : tensor<5x4xf32>
}

// -----

// Trilu keeps the element where column - row is on the kept side of k and
// writes zero elsewhere: a plain loop nest over linalg.index, no reads at
// computed positions.
// CHECK-LABEL: func.func @triu(
//       CHECK:     linalg.generic {{.+}} ins(%{{.+}} : tensor<2x3x4xf32>)
//       CHECK:     ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
//       CHECK:       %[[R:.+]] = linalg.index 1 : index
//       CHECK:       %[[C:.+]] = linalg.index 2 : index
//       CHECK:       %[[DIAG:.+]] = arith.subi %{{.+}}, %{{.+}} : i64
//       CHECK:       %[[DROP:.+]] = arith.cmpi slt, %[[DIAG]], %{{.+}} : i64
//       CHECK:       arith.select %[[DROP]], %{{.+}}, %[[IN]] : f32
//   CHECK-NOT:     tensor.extract
func.func @triu(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %t = graph.trilu %x {upper = true, k = 1 : i64} : tensor<2x3x4xf32>
  return %t : tensor<2x3x4xf32>
}

// -----

// A run-time k is one more operand, read at a constant position (the same
// scalar at every point) and compared in place of the constant bound.
// CHECK-LABEL: func.func @tril_runtime_k(
//       CHECK:     linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<3x5xf32>, tensor<i64>)
//       CHECK:     ^bb0(%[[IN:.+]]: f32, %[[K:.+]]: i64, %{{.+}}: f32):
//       CHECK:       %[[DIAG:.+]] = arith.subi %{{.+}}, %{{.+}} : i64
//       CHECK:       %[[DROP:.+]] = arith.cmpi slt, %[[K]], %[[DIAG]] : i64
//       CHECK:       arith.select %[[DROP]], %{{.+}}, %[[IN]] : f32
func.func @tril_runtime_k(%x: tensor<3x5xf32>, %k: tensor<i64>) -> tensor<3x5xf32> {
  %t = graph.trilu %x, %k : tensor<i64> {upper = false, k = 0 : i64} : tensor<3x5xf32>
  return %t : tensor<3x5xf32>
}
