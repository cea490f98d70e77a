// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-loop-nests | FileCheck %s

// An anchor's epilogue is one linalg.generic over the anchor's result; the
// bias broadcasts through its indexing map and the relu is a compare and a
// select (NaN passes through).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @epilogue(
//       CHECK:   kernel.dispatch "matmul_0_add_relu"
//       CHECK:     %[[M:.+]] = graph.matmul
//       CHECK:     %[[E:.+]] = tensor.empty() : tensor<4x8xf32>
//       CHECK:     linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[M]], %{{.+}} : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>)
//       CHECK:     ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
//   CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:       %[[S:.+]] = arith.addf %[[A]], %[[B]] : f32
//       CHECK:       %[[LT:.+]] = arith.cmpf olt, %[[S]], %[[ZERO]] : f32
//       CHECK:       %[[R:.+]] = arith.select %[[LT]], %[[ZERO]], %[[S]] : f32
//       CHECK:       linalg.yield %[[R]] : f32
//   CHECK-NOT:     graph.add
//   CHECK-NOT:     graph.relu
func.func @epilogue(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %m = graph.matmul %x, %w : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %a = graph.add %m, %b : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>
  %r = graph.relu %a : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Integer division: signedness picks the op, and a zero divisor gives 0
// instead of a trap. Unsigned tensors enter the body as signless scalars.
// CHECK-LABEL: func.func @unsigned_division(
//       CHECK:   ^bb0(%[[A:.+]]: ui8, %[[B:.+]]: ui8, %{{.+}}: ui8):
//       CHECK:     %[[SA:.+]] = builtin.unrealized_conversion_cast %[[A]] : ui8 to i8
//       CHECK:     %[[SB:.+]] = builtin.unrealized_conversion_cast %[[B]] : ui8 to i8
//       CHECK:     %[[Z:.+]] = arith.cmpi eq, %[[SB]], %{{.+}} : i8
//       CHECK:     %[[D:.+]] = arith.select %[[Z]], %{{.+}}, %[[SB]] : i8
//       CHECK:     %[[Q:.+]] = arith.divui %[[SA]], %[[D]] : i8
//       CHECK:     %[[R:.+]] = arith.select %[[Z]], %{{.+}}, %[[Q]] : i8
//       CHECK:     %[[U:.+]] = builtin.unrealized_conversion_cast %[[R]] : i8 to ui8
//       CHECK:     linalg.yield %[[U]] : ui8
func.func @unsigned_division(%x: tensor<6xui8>, %y: tensor<6xui8>) -> tensor<6xui8> {
  %d = graph.div %x, %y : tensor<6xui8>, tensor<6xui8> -> tensor<6xui8>
  return %d : tensor<6xui8>
}

// -----

// 16-bit floats compute in f32 and round once at each op's result.
// CHECK-LABEL: func.func @half_arithmetic(
//       CHECK:   ^bb0(%[[A:.+]]: f16, %[[B:.+]]: f16, %{{.+}}: f16):
//       CHECK:     %[[WA:.+]] = arith.extf %[[A]] : f16 to f32
//       CHECK:     %[[WB:.+]] = arith.extf %[[B]] : f16 to f32
//       CHECK:     %[[M:.+]] = arith.mulf %[[WA]], %[[WB]] : f32
//       CHECK:     %[[R:.+]] = arith.truncf %[[M]] : f32 to f16
//       CHECK:     linalg.yield %[[R]] : f16
func.func @half_arithmetic(%x: tensor<6xf16>, %y: tensor<6xf16>) -> tensor<6xf16> {
  %m = graph.mul %x, %y : tensor<6xf16>, tensor<6xf16> -> tensor<6xf16>
  return %m : tensor<6xf16>
}

// -----

// Casts follow ONNX: float to int truncates (fptosi), anything to bool
// tests for non-zero, and Python-style Mod adjusts the remainder's sign.
// CHECK-LABEL: func.func @casts_and_mod(
//       CHECK:     arith.fptosi %{{.+}} : f32 to i32
//       CHECK:     arith.remsi
//       CHECK:     arith.cmpi ne, %{{.+}}, %{{.+}} : i1
//       CHECK:     arith.andi
//       CHECK:     arith.addi
//       CHECK:     arith.cmpi ne, %{{.+}}, %{{.+}} : i32
//       CHECK:     linalg.yield %{{.+}} : i1
func.func @casts_and_mod(%x: tensor<6xf32>, %y: tensor<6xi32>) -> tensor<6xi1> {
  %c = graph.cast %x : tensor<6xf32> -> tensor<6xi32>
  %m = graph.mod %c, %y {fmod = false} : tensor<6xi32>, tensor<6xi32> -> tensor<6xi32>
  %b = graph.cast %m : tensor<6xi32> -> tensor<6xi1>
  return %b : tensor<6xi1>
}

// -----

// Clip's default bounds on an integer type clip nothing.
// CHECK-LABEL: func.func @clip_default_int8(
//       CHECK:     ^bb0(%[[A:.+]]: i8, %{{.+}}: i8):
//  CHECK-NEXT:       linalg.yield %[[A]] : i8
func.func @clip_default_int8(%x: tensor<3xi8>) -> tensor<3xi8> {
  %c = graph.clip %x {min = -3.4028234663852886E+38 : f64, max = 3.4028234663852886E+38 : f64} : tensor<3xi8>
  return %c : tensor<3xi8>
}

// -----

// A transpose and its epilogue are one loop nest: the input is read through
// the inverse permutation, and no copy is left.
// CHECK-DAG: #[[PERM:.+]] = affine_map<(d0, d1, d2) -> (d1, d2, d0)>
// CHECK-LABEL: func.func @transpose_epilogue(
//       CHECK:   kernel.dispatch "transpose_0_relu"
//   CHECK-NOT:     graph.transpose
//       CHECK:     linalg.generic {indexing_maps = [#[[PERM]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<2x3x4xf32>)
//       CHECK:       arith.cmpf olt
func.func @transpose_epilogue(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %t = graph.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %r = graph.relu %t : tensor<4x2x3xf32>
  return %r : tensor<4x2x3xf32>
}

// -----

// A slice is a strided window, so it becomes a tensor.extract_slice view
// (starts as offsets, steps as strides, walking backwards where negative)
// that one loop nest reads: a map alone cannot read a smaller window of a
// larger input, since linalg sizes a loop by any operand dimension a plain
// loop index addresses. Its epilogue joins the same loop nest.
// CHECK-LABEL: func.func @slice_is_a_view(
//       CHECK:     %[[VIEW:.+]] = tensor.extract_slice %{{.+}}[1, 7] [2, 4] [2, -1] : tensor<6x8xf32> to tensor<2x4xf32>
//       CHECK:     linalg.generic {{.+}} ins(%[[VIEW]] : tensor<2x4xf32>)
//       CHECK:       math.exp
//   CHECK-NOT:     graph.slice
func.func @slice_is_a_view(%x: tensor<6x8xf32>) -> tensor<2x4xf32> {
  %s = graph.slice %x {starts = array<i64: 1, 7>, ends = array<i64: 5, 3>, steps = array<i64: 2, -1>} : tensor<6x8xf32> -> tensor<2x4xf32>
  %e = graph.exp %s : tensor<2x4xf32>
  return %e : tensor<2x4xf32>
}

// -----

// A slice alone is copied by a loop nest over its view.
// CHECK-LABEL: func.func @slice_alone(
//       CHECK:     %[[VIEW:.+]] = tensor.extract_slice %{{.+}}[0, 2] [3, 4] [1, 1] : tensor<6x8xf32> to tensor<3x4xf32>
//       CHECK:     %[[COPY:.+]] = linalg.generic {{.+}} ins(%[[VIEW]] : tensor<3x4xf32>)
//  CHECK-NEXT:     ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
//  CHECK-NEXT:       linalg.yield %[[IN]] : f32
//       CHECK:     kernel.yield %[[COPY]]
func.func @slice_alone(%x: tensor<6x8xf32>) -> tensor<3x4xf32> {
  %s = graph.slice %x {starts = array<i64: 0, 2>, ends = array<i64: 3, 6>, steps = array<i64: 1, 1>} : tensor<6x8xf32> -> tensor<3x4xf32>
  return %s : tensor<3x4xf32>
}
