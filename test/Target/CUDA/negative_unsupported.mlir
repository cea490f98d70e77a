// RUN: modelc-opt %s --modelc-kernel-pipeline --modelc-lower-pipeline --modelc-plan-pipeline=target=cuda | not modelc-translate --emit-cuda 2>&1 | FileCheck %s

// Every dispatch the CUDA target cannot compile yet is named in one error,
// not just the first.
// CHECK: 2 dispatches cannot be compiled for the cuda target: top_k_0: op 'top_k' is not supported by the cuda target yet; cum_sum_1: op 'scan' is not supported by the cuda target yet
func.func @main(%x: tensor<4x16xf32>) -> (tensor<4x3xf32>, tensor<4x3xi64>, tensor<4x16xf32>) {
  %v, %i = graph.top_k %x {axis = 1 : i64, k = 3 : i64, largest = true} : tensor<4x16xf32> -> (tensor<4x3xf32>, tensor<4x3xi64>)
  %c = graph.cum_sum %x {axis = 1 : i64, exclusive = false, reverse = false} : tensor<4x16xf32>
  return %v, %i, %c : tensor<4x3xf32>, tensor<4x3xi64>, tensor<4x16xf32>
}
