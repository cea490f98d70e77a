// Planted bug: the accumulator is zeroed with cudaMemset, which runs on the
// legacy default stream, and then accumulated into by a kernel on a stream
// created with cudaStreamNonBlocking, which the legacy stream does not
// order: on a GPU the kernel may run before the memset, or during it.
// EXPECT: race: kernel accumulate on non-blocking stream 0x[0-9a-f]+ writes \[0x[0-9a-f]+, 0x[0-9a-f]+\) while cudaMemset\(0x[0-9a-f]+, 0, 4096\), enqueued earlier on the legacy default stream and not yet complete, writes it
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void accumulate(const float *in, float *sum, int n, int rows) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    for (int r = 0; r < rows; ++r)
      sum[i] += in[r * n + i];
}

int main() {
  const int n = 1024, rows = 4;
  std::vector<float> values(n * rows, 0.25f), result(n);
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  float *in, *sum;
  cudaMalloc(&in, n * rows * sizeof(float));
  cudaMalloc(&sum, n * sizeof(float));
  cudaMemcpyAsync(in, values.data(), n * rows * sizeof(float), cudaMemcpyHostToDevice, stream);
  cudaMemset(sum, 0, n * sizeof(float)); /* the bug: cudaMemsetAsync(sum, 0, ..., stream) */
  accumulate<<<n / 256, 256, 0, stream>>>(in, sum, n, rows);
  cudaMemcpyAsync(result.data(), sum, n * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  for (int i = 0; i < n; ++i)
    if (result[i] != 1.0f) {
      printf("sum[%d] = %g, expected 1\n", i, result[i]);
      return 1;
    }
  printf("ok\n");
  return 0;
}
