// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-loop-nests | FileCheck %s

// Gather is one loop nest over its result: the index is read through an
// affine map (the result's index dimensions), made non-negative and clamped
// into range, and the gathered element is a tensor.extract at the point
// with the axis coordinate replaced. The epilogue joins the same body.
// CHECK-DAG: #[[IDS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gather(
//       CHECK:   ^bb0(%[[TABLE:.+]]: tensor<10x4xf32>, %[[IDS_T:.+]]: tensor<2x3xi64>):
//       CHECK:     linalg.generic {indexing_maps = [#[[IDS]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS_T]] : tensor<2x3xi64>)
//       CHECK:     ^bb0(%[[ID:.+]]: i64, %{{.+}}: f32):
//       CHECK:       %[[COL:.+]] = linalg.index 2 : index
//       CHECK:       %[[WRAPPED:.+]] = arith.addi %[[ID]], %{{.+}} : i64
//       CHECK:       arith.select %{{.+}}, %[[WRAPPED]], %[[ID]] : i64
//       CHECK:       %[[LOW:.+]] = arith.select
//       CHECK:       %[[ROW:.+]] = arith.select %{{.+}}, %{{.+}}, %[[LOW]] : i64
//       CHECK:       %[[ROWI:.+]] = arith.index_cast %[[ROW]] : i64 to index
//       CHECK:       %[[X:.+]] = tensor.extract %[[TABLE]][%[[ROWI]], %{{.+}}] : tensor<10x4xf32>
//       CHECK:       arith.cmpf olt, %[[X]]
//   CHECK-NOT:   graph.gather
func.func @gather(%table: tensor<10x4xf32>, %ids: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %g = graph.gather %table, %ids {axis = 0 : i64} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %r = graph.relu %g : tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// -----

// GatherElements reads its index at the point itself and the data at the
// point with the axis coordinate replaced.
// CHECK-LABEL: func.func @gather_elements(
//       CHECK:     linalg.generic {{.+}} ins(%{{.+}} : tensor<2x3xi64>)
//       CHECK:       %[[ROW:.+]] = linalg.index 0 : index
//       CHECK:       tensor.extract %{{.+}}[%{{.+}}, %{{.+}}] : tensor<2x8xf32>
//   CHECK-NOT:   graph.gather_elements
func.func @gather_elements(%x: tensor<2x8xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %g = graph.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}

// -----

// GatherND reads each tuple component through its own map (the tuple's
// dimensions, then the component as a constant).
// CHECK-DAG: #[[FIRST:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[SECOND:.+]] = affine_map<(d0, d1) -> (d0, 1)>
// CHECK-LABEL: func.func @gather_nd(
//       CHECK:     linalg.generic {indexing_maps = [#[[FIRST]], #[[SECOND]], #{{.+}}]
//       CHECK:       tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : tensor<2x2x3xf32>
func.func @gather_nd(%x: tensor<2x2x3xf32>, %i: tensor<4x2xi64>) -> tensor<4x3xf32> {
  %g = graph.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x2x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
  return %g : tensor<4x3xf32>
}

// -----

// OneHot compares the axis coordinate with the index (plus depth when
// negative) and picks one of the two values, each read through a constant
// map.
// CHECK-DAG: #[[OFF:.+]] = affine_map<(d0, d1) -> (0)>
// CHECK-DAG: #[[ON:.+]] = affine_map<(d0, d1) -> (1)>
// CHECK-LABEL: func.func @one_hot(
//       CHECK:     linalg.generic {indexing_maps = [#{{.+}}, #[[OFF]], #[[ON]], #{{.+}}]
//       CHECK:     ^bb0(%[[HOT:.+]]: i64, %[[V0:.+]]: f32, %[[V1:.+]]: f32, %{{.+}}: f32):
//       CHECK:       %[[IS:.+]] = arith.cmpi eq, %{{.+}}, %{{.+}} : i64
//       CHECK:       arith.select %[[IS]], %[[V1]], %[[V0]] : f32
func.func @one_hot(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x5xf32> {
  %o = graph.one_hot %i, %v {axis = 1 : i64, depth = 5 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x5xf32>
  return %o : tensor<3x5xf32>
}
