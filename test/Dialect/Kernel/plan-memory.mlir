// RUN: modelc-opt %s --split-input-file --kernel-form-dispatches --kernel-lower-library-calls --kernel-lower-loop-nests --kernel-plan-memory --kernel-verify-plan | FileCheck %s

// The exp has its own dispatch (the softmax result has two users); the add
// joins it, and since the softmax result dies there, the chain writes over
// it in place. The last softmax writes straight into the caller's output
// (offset -1), so the arena holds one 4 KiB buffer.
// CHECK-LABEL: func.func @chain_reuses_memory(
//  CHECK-SAME:     kernel.arena_bytes = 4096 : i64, kernel.arena_lower_bound = 4096 : i64, kernel.intermediate_bytes = 8192 : i64
//       CHECK:   kernel.dispatch "softmax_0"(%arg0) {in_place = array<i64: -1>, result_offsets = array<i64: 0>}
//       CHECK:   kernel.dispatch "exp_1_add"({{.*}}) {in_place = array<i64: 0>, result_offsets = array<i64: 0>}
//       CHECK:   kernel.dispatch "softmax_2"({{.*}}) {in_place = array<i64: -1>, result_offsets = array<i64: -1>}
func.func @chain_reuses_memory(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = graph.softmax %x {axis = 0 : i64} : tensor<1024xf32>
  %b = graph.exp %a : tensor<1024xf32>
  %c = graph.add %a, %b : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32>
  %d = graph.softmax %c {axis = 0 : i64} : tensor<1024xf32>
  return %d : tensor<1024xf32>
}

// -----

// A view keeps its source alive: %a is read through %v at the last step,
// so it cannot share memory with %b.
// CHECK-LABEL: func.func @view_extends_lifetime(
//  CHECK-SAME:     kernel.arena_bytes = 8192 : i64, kernel.arena_lower_bound = 8192 : i64
//       CHECK:   kernel.dispatch "softmax_0"(%arg0) {in_place = array<i64: -1>, result_offsets = array<i64: [[A:[0-9]+]]>}
//       CHECK:   kernel.dispatch "softmax_1"(%arg0) {in_place = array<i64: -1>, result_offsets = array<i64: [[B:[0-9]+]]>}
//       CHECK:   kernel.dispatch "softmax_2_add"
func.func @view_extends_lifetime(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = graph.softmax %x {axis = 0 : i64} : tensor<1024xf32>
  %v = graph.reshape %a : tensor<1024xf32> -> tensor<32x32xf32>
  %b = graph.softmax %x {axis = 0 : i64} : tensor<1024xf32>
  %c = graph.softmax %b {axis = 0 : i64} : tensor<1024xf32>
  %w = graph.reshape %v : tensor<32x32xf32> -> tensor<1024xf32>
  %d = graph.add %c, %w : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32>
  return %d : tensor<1024xf32>
}

// -----

// A dispatch that broadcasts an operand cannot overwrite it.
// CHECK-LABEL: func.func @negative_broadcast_not_in_place(
//       CHECK:   kernel.dispatch "add_1"{{.*}}in_place = array<i64: -1>
func.func @negative_broadcast_not_in_place(%x: tensor<4xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %a = graph.softmax %x {axis = 0 : i64} : tensor<4xf32>
  %b = graph.add %y, %a : tensor<8x4xf32>, tensor<4xf32> -> tensor<8x4xf32>
  return %b : tensor<8x4xf32>
}


// -----

// A transposed operand cannot be overwritten in place, even when the types
// match: the loop reads it elsewhere than it writes.
// CHECK-LABEL: func.func @negative_transpose_not_in_place(
//       CHECK:   kernel.dispatch "transpose_1"{{.*}}in_place = array<i64: -1>
func.func @negative_transpose_not_in_place(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = graph.softmax %x {axis = 1 : i64} : tensor<4x4xf32>
  %t = graph.transpose %a [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %t : tensor<4x4xf32>
}
