/* modelc CUDA runtime: 8-bit matrix products and convolutions
 * (targets/CUDA/runtime/qgemm.cuh, pasted into artifacts that have
 * kernel.quantized_conv or kernel.quantized_matmul).
 *
 * A product is described by three accessors that the generated kernel
 * defines with its shapes as constants:
 *   weight(m, k)    the int8 weight of output row m at depth k;
 *   input(k, n)     the uint8 activation of depth k for output column n (an
 *                   im2col read for a convolution; padding reads the input's
 *                   zero point);
 *   store(m, n, s)  writes the output stage of s, the int32 sum of
 *                   weight(m, k) * input(k, n) over k (the row offset not
 *                   yet added).
 * Sums are exact and wrap in int32, as kernel.quantized_* define them.
 *
 * mc_qgemm_tile is the dp4a schedule: one block of 256 threads computes a
 * 64 x 64 tile of rows x columns, 32 depths at a time, each thread 4 x 4
 * sums. dp4a multiplies signed bytes, so the uint8 activations are stored
 * flipped (x ^ 0x80 = x - 128, as int8) and 128 * (sum of the weight row)
 * is added back at the end; the row sums come from the same shared tiles,
 * at one dp4a per 16 of the product's. mc_qgemm_sum is the direct loop for
 * products too small or too narrow for a tile (depthwise convolutions). */

#define MC_QTILE_ROWS 64
#define MC_QTILE_COLUMNS 64
#define MC_QTILE_DEPTH 32
#define MC_QTILE_WORDS (MC_QTILE_DEPTH / 4)

/* The shared memory of one tile, declared by each kernel: words of four
 * consecutive depths, [word][row] and [word][column]. */
struct mc_qtile_shared {
  int weight[MC_QTILE_WORDS][MC_QTILE_ROWS];
  int input[MC_QTILE_WORDS][MC_QTILE_COLUMNS];
  int row_sum[MC_QTILE_ROWS];
};

/* The requantization of kernel.quantized_*: f32(acc) * multiplier, clamped
 * to [lo, hi] (the output range less the zero point; a NaN goes to lo, as
 * on the C target), rounded half to even, plus the zero point. */
static __device__ __forceinline__ int mc_requantize(int acc, float multiplier, float lo, float hi,
                                                    int zero_point)
{
  float x = (float)acc * multiplier;
  x = fminf(fmaxf(x, lo), hi);
  return (int)rintf(x) + zero_point;
}

/* Four bytes as one dp4a word, the first in the low byte. */
static __device__ __forceinline__ int mc_pack_bytes(unsigned b0, unsigned b1, unsigned b2, unsigned b3)
{
  return (int)((b0 & 0xffu) | (b1 & 0xffu) << 8 | (b2 & 0xffu) << 16 | (b3 & 0xffu) << 24);
}

/* kInputAlongDepth: consecutive depths of one column are adjacent in memory
 * (a matmul's activations), so the input tile is loaded as the weight tile
 * is; otherwise consecutive columns are (a convolution's pixels). */
template <bool kInputAlongDepth, typename Weight, typename Input, typename Store>
static __device__ __forceinline__ void mc_qgemm_tile(mc_qtile_shared &tile, int rows, int columns,
                                                     int depth, Weight weight, Input input,
                                                     Store store)
{
  const int t = threadIdx.x;
  const int row0 = blockIdx.y * MC_QTILE_ROWS, column0 = blockIdx.x * MC_QTILE_COLUMNS;
  /* What this thread loads: 8 depths of one weight row, 8 of one column,
   * so that a warp reads adjacent bytes. */
  const int load_row = t / 4, load_row_depth = (t % 4) * 8;
  const int load_column = kInputAlongDepth ? t / 4 : t % MC_QTILE_COLUMNS;
  const int load_column_depth = kInputAlongDepth ? (t % 4) * 8 : (t / MC_QTILE_COLUMNS) * 8;
  /* What it computes: rows ty + 16 i, columns tx + 16 j, so that a warp
   * reads 16 consecutive shared words and stores 16 consecutive columns. */
  const int ty = t / 16, tx = t % 16;
  int sum[4][4] = {};
  int row_sum = 0;
  for (int k0 = 0; k0 < depth; k0 += MC_QTILE_DEPTH) {
    for (int half = 0; half < 2; ++half) {
      unsigned w[4], x[4];
      for (int b = 0; b < 4; ++b) {
        const int kw = k0 + load_row_depth + half * 4 + b;
        const int m = row0 + load_row;
        w[b] = m < rows && kw < depth ? (unsigned)weight(m, kw) : 0u;
        const int kx = k0 + load_column_depth + half * 4 + b;
        const int n = column0 + load_column;
        x[b] = (n < columns && kx < depth ? (unsigned)input(kx, n) : 0u) ^ 0x80u;
      }
      tile.weight[load_row_depth / 4 + half][load_row] = mc_pack_bytes(w[0], w[1], w[2], w[3]);
      tile.input[load_column_depth / 4 + half][load_column] = mc_pack_bytes(x[0], x[1], x[2], x[3]);
    }
    __syncthreads();
    for (int word = 0; word < MC_QTILE_WORDS; ++word) {
      int a[4], b[4];
      for (int i = 0; i < 4; ++i)
        a[i] = tile.weight[word][ty + 16 * i];
      for (int j = 0; j < 4; ++j)
        b[j] = tile.input[word][tx + 16 * j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          sum[i][j] = __dp4a(a[i], b[j], sum[i][j]);
    }
    if (t < MC_QTILE_ROWS)
      for (int word = 0; word < MC_QTILE_WORDS; ++word)
        row_sum = __dp4a(tile.weight[word][t], 0x01010101, row_sum);
    __syncthreads();
  }
  if (t < MC_QTILE_ROWS)
    tile.row_sum[t] = row_sum;
  __syncthreads();
  for (int i = 0; i < 4; ++i) {
    const int m = row0 + ty + 16 * i;
    if (m >= rows)
      continue;
    /* The flipped activations lost 128 each: 128 * row sum, wrapping. */
    const unsigned restore = 128u * (unsigned)tile.row_sum[ty + 16 * i];
    for (int j = 0; j < 4; ++j) {
      const int n = column0 + tx + 16 * j;
      if (n < columns)
        store(m, n, (int)((unsigned)sum[i][j] + restore));
    }
  }
}

/* The sum of one output element, in the activations' own values. */
template <typename Weight, typename Input>
static __device__ __forceinline__ int mc_qgemm_sum(int m, int n, int depth, Weight weight, Input input)
{
  unsigned sum = 0;
  for (int k = 0; k < depth; ++k)
    sum += (unsigned)((int)weight(m, k) * (int)input(k, n));
  return (int)sum;
}
