// RUN: modelc-opt %s --kernel-plan-memory --verify-diagnostics

// A dynamic dimension that reaches planning is one error, not a 0-byte
// arena.
// expected-error @+1 {{input 0 has a dynamic dimension ('tensor<?x4xf32>'); memory is planned for static shapes only, so pin it with --dim NAME=VALUE}}
func.func @dynamic_input(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
