// Planted bug: ten scores are copied back asynchronously and printed before
// the stream is synchronized. The destination shares its page with other
// host data, so the emulation cannot guard it; it holds the poison
// 0xffc0ffc0 (a NaN) until the copy completes.
// EXPECT: score 0 = -?nan \(bits 0xffc0ffc0\), expected 0.5
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>
#include <vector>

__global__ void halve(const float *in, float *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = in[i] / 2;
}

int main() {
  const int n = 10;
  std::vector<float> values(n, 1.0f), scores(n);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  float *in, *out;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpyAsync(in, values.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream);
  halve<<<1, 32, 0, stream>>>(in, out, n);
  cudaMemcpyAsync(scores.data(), out, n * sizeof(float), cudaMemcpyDeviceToHost, stream);
  /* the bug: cudaStreamSynchronize(stream) belongs here */
  for (int i = 0; i < n; ++i)
    if (scores[i] != 0.5f) {
      unsigned bits;
      memcpy(&bits, &scores[i], 4);
      printf("score %d = %g (bits 0x%08x), expected 0.5\n", i, scores[i], bits);
      return 1;
    }
  cudaStreamSynchronize(stream);
  printf("ok\n");
  return 0;
}
