/* modelc CUDA runtime: what each library call computes
 * (targets/CUDA/runtime/library_shapes.cuh, pasted into each artifact that
 * makes library calls). The cuBLASLt/cuDNN calls (libraries.cuh) and modelc's
 * CPU emulation of them both read these descriptions. */

/* Element types of library operands. */
enum { MC_F32 = 0, MC_F16 = 1, MC_BF16 = 2 };

/* Row-major C[b] = A[b] (m x k) * B[b] (k x n) for b < batch; a batch stride
 * of 0 reuses one matrix for every b. */
typedef struct mc_gemm_shape {
  int batch, m, n, k;
  long long stride_a, stride_b, stride_c;
  int dtype;      /* MC_F32, MC_F16 or MC_BF16, for A, B and C */
  int allow_tf32; /* MC_F32 only: TensorFloat-32 inputs */
} mc_gemm_shape;

/* A 2-D convolution of NCHW tensors (cross-correlation, as ONNX Conv); the
 * filter is [out_channels, in_channels / groups, kernel_h, kernel_w]. */
typedef struct mc_conv_shape {
  int batch, in_channels, in_h, in_w;
  int out_channels, out_h, out_w;
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups;
  int dtype, allow_tf32;
} mc_conv_shape;
