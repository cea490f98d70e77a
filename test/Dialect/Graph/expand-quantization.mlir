// RUN: modelc-opt %s --split-input-file --graph-expand-quantization | FileCheck %s

// A per-axis dequantize along axis 1 of a rank-3 tensor: the scale and the
// zero point broadcast as [4, 1].
// CHECK-LABEL: func.func @per_axis_dequantize(
//       CHECK:   %[[X:.+]] = graph.cast %arg0 : tensor<2x4x5xi8> -> tensor<2x4x5xf32>
//       CHECK:   %[[Z:.+]] = graph.cast %arg2 : tensor<4xi8> -> tensor<4xf32>
//       CHECK:   %[[ZB:.+]] = graph.reshape %[[Z]] : tensor<4xf32> -> tensor<4x1xf32>
//       CHECK:   %[[C:.+]] = graph.sub %[[X]], %[[ZB]]
//       CHECK:   %[[SB:.+]] = graph.reshape %arg1 : tensor<4xf32> -> tensor<4x1xf32>
//       CHECK:   graph.mul %[[C]], %[[SB]] : tensor<2x4x5xf32>, tensor<4x1xf32> -> tensor<2x4x5xf32>
func.func @per_axis_dequantize(%q: tensor<2x4x5xi8>, %s: tensor<4xf32>, %z: tensor<4xi8>) -> tensor<2x4x5xf32> {
  %y = graph.dequantize_linear %q, %s, %z {axis = 1 : i64} : (tensor<2x4x5xi8>, tensor<4xf32>, tensor<4xi8>) -> tensor<2x4x5xf32>
  return %y : tensor<2x4x5xf32>
}

// -----

// Quantizing to int8 divides, rounds half to even, adds the zero point and
// saturates to [-128, 127] before the cast.
// CHECK-LABEL: func.func @quantize_int8(
//       CHECK:   %[[D:.+]] = graph.div %arg0, %arg1
//       CHECK:   %[[R:.+]] = graph.round %[[D]]
//       CHECK:   %[[A:.+]] = graph.add %[[R]]
//       CHECK:   %[[C:.+]] = graph.clip %[[A]] {max = 1.270000e+02 : f64, min = -1.280000e+02 : f64}
//       CHECK:   graph.cast %[[C]] : tensor<8xf32> -> tensor<8xi8>
func.func @quantize_int8(%x: tensor<8xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<8xi8> {
  %q = graph.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<8xf32>, tensor<f32>, tensor<i8>) -> tensor<8xi8>
  return %q : tensor<8xi8>
}
