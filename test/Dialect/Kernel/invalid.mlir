// RUN: modelc-opt %s --split-input-file --verify-diagnostics

func.func @yield_type_mismatch(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yielded types differ from the result types}}
  %r = kernel.dispatch "bad_0"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %s = graph.shape %a : tensor<4xf32> -> tensor<1xi64>
    kernel.yield %s : tensor<1xi64>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @in_place_out_of_range(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{in_place names operand 3 of 1}}
  %r = kernel.dispatch "bad_1"(%x) {in_place = array<i64: 3>} : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %e = graph.exp %a : tensor<4xf32>
    kernel.yield %e : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// A dynamic dimension cannot be planned: the dispatch says which one.
func.func @dynamic_result(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'bad_2' input 0 has a dynamic dimension ('tensor<?x4xf32>'); pin it with --dim NAME=VALUE}}
  %r = kernel.dispatch "bad_2"(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%a: tensor<?x4xf32>):
    %e = graph.exp %a : tensor<?x4xf32>
    kernel.yield %e : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}
