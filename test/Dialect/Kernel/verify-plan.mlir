// RUN: modelc-opt %s --split-input-file --kernel-verify-plan --verify-diagnostics

// Two results live at once (%a is read by the last dispatch) planned on the
// same bytes.
func.func @overlapping_live_buffers(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 8192 : i64} {
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  // expected-error @+1 {{dispatch 'exp_1' result 0 at bytes [2048, 6144) overlaps dispatch 'exp_0' result 0 at [0, 4096) while both are live}}
  %b = kernel.dispatch "exp_1"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 2048>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %c = kernel.dispatch "add_2"(%a, %b) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%l: tensor<1024xf32>, %r: tensor<1024xf32>):
    %s = graph.add %l, %r : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32>
    kernel.yield %s : tensor<1024xf32>
  }
  return %c : tensor<1024xf32>
}

// -----

// The same bytes are fine once the first buffer is dead.
func.func @sequential_reuse(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 4096 : i64} {
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %b = kernel.dispatch "exp_1"(%a) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %c = kernel.dispatch "exp_2"(%b) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %d = kernel.dispatch "exp_3"(%c) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  return %d : tensor<1024xf32>
}

// -----

// A buffer that runs past the end of the arena.
func.func @outside_the_arena(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 4096 : i64} {
  // expected-error @+1 {{dispatch 'exp_0' result 0 at bytes [64, 4160) is not an aligned range inside the 4096-byte arena}}
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 64>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %b = kernel.dispatch "exp_1"(%a) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  return %b : tensor<1024xf32>
}

// -----

// Scratch space overlapping an operand that its own dispatch reads.
func.func @scratch_over_operand(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 8192 : i64} {
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  // expected-error @+1 {{dispatch 'softmax_1' scratch at bytes [0, 128) overlaps dispatch 'exp_0' result 0 at [0, 4096) while both are live}}
  %b = kernel.dispatch "softmax_1"(%a) {in_place = array<i64: -1>, result_offsets = array<i64: -1>, scratch_offset = 0 : i64, scratch_bytes = 128 : i64} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.softmax %arg {axis = 0 : i64} : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  return %b : tensor<1024xf32>
}

// -----

// In place must mean the operand's own bytes.
func.func @in_place_elsewhere(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 8192 : i64} {
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  // expected-error @+1 {{dispatch 'exp_1' result 0 is planned in place over operand 0, which does not own the same bytes}}
  %b = kernel.dispatch "exp_1"(%a) {in_place = array<i64: 0>, result_offsets = array<i64: 4096>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %c = kernel.dispatch "exp_2"(%b) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  return %c : tensor<1024xf32>
}

// -----

// Resident space (weights packed by init) lives at every step: a result
// planned on its bytes, even after the dispatch that reads it, is an error.
func.func @resident_space_overlaps_later_result(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {kernel.arena_bytes = 8192 : i64} {
  %a = kernel.dispatch "exp_0"(%x) {in_place = array<i64: -1>, result_offsets = array<i64: -1>, resident_bytes = 4096 : i64, resident_offset = 0 : i64} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  // expected-error @+1 {{dispatch 'exp_1' result 0 at bytes [0, 4096) overlaps dispatch 'exp_0' resident space at [0, 4096) while both are live}}
  %b = kernel.dispatch "exp_1"(%a) {in_place = array<i64: -1>, result_offsets = array<i64: 0>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  %c = kernel.dispatch "exp_2"(%b) {in_place = array<i64: -1>, result_offsets = array<i64: -1>} : (tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%arg: tensor<1024xf32>):
    %e = graph.exp %arg : tensor<1024xf32>
    kernel.yield %e : tensor<1024xf32>
  }
  return %c : tensor<1024xf32>
}
