// RUN: modelc-opt %s --split-input-file --kernel-plan-memory --verify-diagnostics

// A dynamic dimension that reaches planning is one error, not a 0-byte
// arena.
// expected-error @+1 {{input 0 has a dynamic dimension ('tensor<?x4xf32>'); memory is planned for static shapes only, so pin it with --dim NAME=VALUE}}
func.func @dynamic_input(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

// -----

// A view the planner cannot see through is refused, not planned around.
func.func @unlowered_view(%x: tensor<4x4xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'graph.reshape' between dispatches cannot be planned; lower it first (modelc-lower-pipeline)}}
  %v = graph.reshape %x : tensor<4x4xf32> -> tensor<16xf32>
  return %v : tensor<16xf32>
}
