// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --kernel-lower-reductions --kernel-lower-loop-nests '--kernel-convert-float-storage=storage=f16' | FileCheck %s
// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --kernel-lower-reductions --kernel-lower-loop-nests '--kernel-convert-float-storage=storage=bf16 io=f16' | FileCheck %s --check-prefix=IO
// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --kernel-lower-reductions --kernel-lower-loop-nests --kernel-convert-float-storage | FileCheck %s --check-prefix=F32

// Storage is a type: the weights become f16 data, the matrix product reads
// and writes f16 while it accumulates in f32, and the epilogue loop nest
// widens what it loads and rounds what it stores. The caller's buffers stay
// f32, so its input and output each get a converting dispatch.
// CHECK-LABEL: func.func @dense(
//  CHECK-SAME:     %[[X:.+]]: tensor<4x8xf32>) -> tensor<4x2xf32>
//       CHECK:   %[[XS:.+]] = kernel.dispatch "convert_input_0"(%[[X]]) : (tensor<4x8xf32>) -> tensor<4x8xf16>
//       CHECK:       arith.truncf %{{.+}} : f32 to f16
//       CHECK:   %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<8x2xf16>
//       CHECK:   %[[Y:.+]] = kernel.dispatch "matmul_0_add"(%[[XS]], %[[W]]) : (tensor<4x8xf16>, tensor<8x2xf16>) -> tensor<4x2xf16>
//       CHECK:     kernel.matmul %{{.+}}, %{{.+}} {accumulator = f32} : (tensor<4x8xf16>, tensor<8x2xf16>) -> tensor<4x2xf16>
//       CHECK:     ^bb0(%[[IN:.+]]: f16, %{{.+}}: f16):
//  CHECK-NEXT:       %[[WIDE:.+]] = arith.extf %[[IN]] : f16 to f32
//  CHECK-NEXT:       arith.constant 5.000000e-01 : f32
//  CHECK-NEXT:       %[[SUM:.+]] = arith.addf %[[WIDE]], %{{.+}} : f32
//  CHECK-NEXT:       %[[ROUNDED:.+]] = arith.truncf %[[SUM]] : f32 to f16
//  CHECK-NEXT:       linalg.yield %[[ROUNDED]] : f16
//       CHECK:   %[[OUT:.+]] = kernel.dispatch "convert_output_0"(%[[Y]]) : (tensor<4x2xf16>) -> tensor<4x2xf32>
//       CHECK:       arith.extf %{{.+}} : f16 to f32
//       CHECK:   return %[[OUT]] : tensor<4x2xf32>

// With io=f16 the caller passes halves: nothing converts them into bf16
// storage but a dispatch (through f32).
// IO-LABEL: func.func @dense(
//  IO-SAME:     %{{.+}}: tensor<4x8xf16>) -> tensor<4x2xf16>
//       IO:   kernel.dispatch "convert_input_0"(%{{.+}}) : (tensor<4x8xf16>) -> tensor<4x8xbf16>
//       IO:       %[[W32:.+]] = arith.extf %{{.+}} : f16 to f32
//  IO-NEXT:       arith.truncf %[[W32]] : f32 to bf16
//       IO:   arith.constant dense<{{.+}}> : tensor<8x2xbf16>
//       IO:   kernel.dispatch "convert_output_0"(%{{.+}}) : (tensor<4x2xbf16>) -> tensor<4x2xf16>

// storage=f32 io=model changes nothing.
// F32-LABEL: func.func @dense(
//   F32-NOT:   convert_
//   F32-NOT:   f16
//       F32:   return
func.func @dense(%x: tensor<4x8xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [65520.0, 0.1]]> : tensor<8x2xf32>
  %b = arith.constant dense<0.5> : tensor<2xf32>
  %m = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %a = graph.add %m, %b : tensor<4x2xf32>, tensor<2xf32> -> tensor<4x2xf32>
  return %a : tensor<4x2xf32>
}

// -----

// A sum accumulates in f32 even though its operand and result are stored in
// f16: the fill and the reduction nest keep f32, and a rounding loop nest
// stores the result.
// CHECK-LABEL: func.func @sum(
//       CHECK:   kernel.dispatch "reduce_sum_0"(%{{.+}}) : (tensor<2x3xf16>) -> tensor<2x1xf16>
//       CHECK:     %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x1xf32>) -> tensor<2x1xf32>
//       CHECK:     %[[ACC:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<2x3xf16>) outs(%[[INIT]] : tensor<2x1xf32>)
//       CHECK:       ^bb0(%[[E:.+]]: f16, %[[RUNNING:.+]]: f32):
//  CHECK-NEXT:         %[[EW:.+]] = arith.extf %[[E]] : f16 to f32
//  CHECK-NEXT:         arith.addf %[[RUNNING]], %[[EW]] : f32
//       CHECK:     %[[STORED:.+]] = linalg.generic {{.+}} ins(%[[ACC]] : tensor<2x1xf32>) outs(%{{.+}} : tensor<2x1xf16>)
//       CHECK:         arith.truncf %{{.+}} : f32 to f16
//       CHECK:     kernel.yield %[[STORED]] : tensor<2x1xf16>
func.func @sum(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %s = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  return %s : tensor<2x1xf32>
}

// -----

// Integer tensors are not float storage: nothing about them changes.
// CHECK-LABEL: func.func @integers(
//  CHECK-SAME:     tensor<6xi64>) -> tensor<6xi64>
//   CHECK-NOT:   convert_
func.func @integers(%x: tensor<6xi64>) -> tensor<6xi64> {
  %y = graph.add %x, %x : tensor<6xi64>, tensor<6xi64> -> tensor<6xi64>
  return %y : tensor<6xi64>
}
