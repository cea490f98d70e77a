/* Exercises the generated C API of two models linked into one program: the
 * argument checks of init (context, arena, external weights) and of run,
 * external weights, the numbers, and run_shaped's checks of ranks, dims and
 * output capacity. */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include "affine.h"
#include "dense.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++passed;                                                                \
    } else {                                                                   \
      ++failed;                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

static unsigned char *aligned(size_t bytes) {
  void *p = NULL;
  return posix_memalign(&p, 64, bytes) == 0 ? (unsigned char *)p : NULL;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long n;
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = aligned((size_t)n);
  if (fread(data, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(data);
    return NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

int main(int argc, char **argv) {
  affine_context a;
  dense_context d;
  unsigned char *arena = aligned(64 * 1024);
  float x[6] = {-1.0f, 0.0f, 0.25f, 0.5f, 1.0f, 3.0f};
  float y[6];
  float dx[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float dy[3];
  const void *inputs[1] = {x};
  void *outputs[1] = {y};
  size_t in_bytes[1] = {sizeof(x)}, out_bytes[1] = {sizeof(y)};
  size_t weights_size = 0;
  unsigned char *weights;
  int i;
  (void)argc;

  /* Descriptors. */
  CHECK(AFFINE_NUM_INPUTS == 1 && AFFINE_NUM_OUTPUTS == 1);
  CHECK(strcmp(affine_inputs[0].name, "x") == 0);
  CHECK(affine_inputs[0].dtype == MODELC_DTYPE_FLOAT);
  CHECK(affine_inputs[0].rank == 2 && affine_inputs[0].dims[1] == 3);
  CHECK(affine_outputs[0].bytes == sizeof(y));
  CHECK(AFFINE_ABI_VERSION == 2 && DENSE_ABI_VERSION == 2);
  CHECK(AFFINE_MODEL_HASH != DENSE_MODEL_HASH);

  /* init's argument checks. */
  CHECK(affine_init(NULL, arena, AFFINE_ARENA_BYTES, NULL, 0) ==
        MODELC_ERROR_NULL_ARGUMENT);
  /* One fused loop, no intermediate tensor: no arena, and the header lets
   * the caller pass NULL for it. */
  CHECK(AFFINE_ARENA_BYTES == 0);
  CHECK(affine_init(&a, NULL, 0, NULL, 0) == MODELC_OK);
  CHECK(affine_init(&a, arena, AFFINE_ARENA_BYTES, NULL, 0) == MODELC_OK);

  /* run's argument checks. */
  CHECK(affine_run(NULL, inputs, in_bytes, outputs, out_bytes) ==
        MODELC_ERROR_NULL_ARGUMENT);
  CHECK(affine_run(&a, NULL, in_bytes, outputs, out_bytes) ==
        MODELC_ERROR_NULL_ARGUMENT);
  {
    const void *null_input[1] = {NULL};
    CHECK(affine_run(&a, null_input, in_bytes, outputs, out_bytes) ==
          MODELC_ERROR_NULL_ARGUMENT);
  }
  {
    size_t wrong[1] = {sizeof(x) - 4};
    CHECK(affine_run(&a, inputs, wrong, outputs, out_bytes) ==
          MODELC_ERROR_SIZE_MISMATCH);
    CHECK(affine_run(&a, inputs, in_bytes, outputs, wrong) ==
          MODELC_ERROR_SIZE_MISMATCH);
  }
  {
    const void *misaligned[1] = {(const char *)x + 1};
    CHECK(affine_run(&a, misaligned, in_bytes, outputs, out_bytes) ==
          MODELC_ERROR_MISALIGNED);
  }
  CHECK(strcmp(affine_status_string(MODELC_ERROR_SIZE_MISMATCH),
               "a buffer has the wrong size") == 0);

  /* Numbers: relu(2x - 1). */
  CHECK(affine_run(&a, inputs, in_bytes, outputs, out_bytes) == MODELC_OK);
  for (i = 0; i < 6; ++i) {
    float want = 2.0f * x[i] - 1.0f;
    CHECK(y[i] == (want > 0.0f ? want : 0.0f));
  }

  /* run_shaped: the caller states each input's rank and dims and learns
   * each output's; a wrong rank, dims other than those compiled (larger or
   * smaller), a short output or a missing dims array is refused before
   * anything is written. The output buffer here has room to spare, and the
   * spare bytes must stay untouched. */
  {
    const int64_t good[2] = {2, 3}, wide[2] = {2, 4}, short_rows[2] = {1, 3};
    const int64_t *dims[1] = {good};
    const int32_t ranks[1] = {2}, rank1[1] = {1}, rank3[1] = {3};
    float roomy[8];
    void *roomy_out[1] = {roomy};
    size_t roomy_bytes[1] = {sizeof(roomy)}, tight_bytes[1] = {sizeof(y) - 1};
    int64_t got[2] = {-1, -1};
    int64_t *out_dims[1] = {got};
    int64_t *no_dims[1] = {NULL};
    for (i = 0; i < 8; ++i)
      roomy[i] = -7.0f;
    CHECK(affine_run_shaped(NULL, inputs, ranks, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_NULL_ARGUMENT);
    CHECK(affine_run_shaped(&a, inputs, NULL, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_NULL_ARGUMENT);
    CHECK(affine_run_shaped(&a, inputs, ranks, dims, roomy_out, roomy_bytes,
                            no_dims) == MODELC_ERROR_NULL_ARGUMENT);
    CHECK(affine_run_shaped(&a, inputs, rank1, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_RANK_MISMATCH);
    CHECK(affine_run_shaped(&a, inputs, rank3, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_RANK_MISMATCH);
    dims[0] = wide;
    CHECK(affine_run_shaped(&a, inputs, ranks, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_DIMS_OUT_OF_RANGE);
    dims[0] = short_rows;
    CHECK(affine_run_shaped(&a, inputs, ranks, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_ERROR_DIMS_OUT_OF_RANGE);
    dims[0] = good;
    CHECK(affine_run_shaped(&a, inputs, ranks, dims, roomy_out, tight_bytes,
                            out_dims) == MODELC_ERROR_SIZE_MISMATCH);
    for (i = 0; i < 8; ++i)
      CHECK(roomy[i] == -7.0f);
    CHECK(got[0] == -1 && got[1] == -1);
    CHECK(affine_run_shaped(&a, inputs, ranks, dims, roomy_out, roomy_bytes,
                            out_dims) == MODELC_OK);
    CHECK(got[0] == 2 && got[1] == 3);
    for (i = 0; i < 6; ++i)
      CHECK(roomy[i] == y[i]);
    CHECK(roomy[6] == -7.0f && roomy[7] == -7.0f);
  }
  CHECK(strcmp(affine_status_string(MODELC_ERROR_RANK_MISMATCH),
               "an input has the wrong rank") == 0);
  CHECK(strcmp(affine_status_string(MODELC_ERROR_DIMS_OUT_OF_RANGE),
               "an input's dims are outside those the model was compiled "
               "for") == 0);

  /* The second model, external weights: checks, then numbers. */
  weights = read_file(argv[1], &weights_size);
  CHECK(weights != NULL);
  CHECK(DENSE_WEIGHTS_EXTERNAL == 1);
  CHECK(weights_size == DENSE_WEIGHTS_FILE_BYTES);
  CHECK(dense_init(NULL, arena, DENSE_ARENA_BYTES, weights, weights_size) ==
        MODELC_ERROR_NULL_ARGUMENT);
  /* The arena (dense has one: the matrix product's scratch): NULL,
   * misaligned by one byte and by half the alignment, one byte short. */
  CHECK(DENSE_ARENA_BYTES > 0 && DENSE_ARENA_ALIGN > 2);
  CHECK(dense_init(&d, NULL, DENSE_ARENA_BYTES, weights, weights_size) ==
        MODELC_ERROR_NULL_ARGUMENT);
  CHECK(dense_init(&d, arena + 1, DENSE_ARENA_BYTES, weights, weights_size) ==
        MODELC_ERROR_MISALIGNED);
  CHECK(dense_init(&d, arena + DENSE_ARENA_ALIGN / 2, DENSE_ARENA_BYTES,
                   weights, weights_size) == MODELC_ERROR_MISALIGNED);
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES - 1, weights, weights_size) ==
        MODELC_ERROR_SIZE_MISMATCH);
  CHECK(dense_init(&d, arena, 0, weights, weights_size) ==
        MODELC_ERROR_SIZE_MISMATCH);
  /* The weights: NULL, one byte or four short, one byte long, misaligned
   * (valid contents one byte off), another model's or build's header. */
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, NULL, 0) ==
        MODELC_ERROR_NULL_ARGUMENT);
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, NULL, weights_size) ==
        MODELC_ERROR_NULL_ARGUMENT);
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, weights, weights_size - 1) ==
        MODELC_ERROR_SIZE_MISMATCH);
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, weights, weights_size - 4) ==
        MODELC_ERROR_SIZE_MISMATCH);
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, weights, 0) ==
        MODELC_ERROR_SIZE_MISMATCH);
  {
    unsigned char *copy = aligned(weights_size + 64);
    CHECK(copy != NULL);
    if (copy) {
      memcpy(copy, weights, weights_size);
      copy[weights_size] = 0;
      CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, copy, weights_size + 1) ==
            MODELC_ERROR_SIZE_MISMATCH);
      memmove(copy + 1, copy, weights_size);
      CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, copy + 1, weights_size) ==
            MODELC_ERROR_MISALIGNED);
      free(copy);
    }
  }
  /* Bytes 0-7 are the magic, 8-15 the model hash, 16-23 the payload size. */
  for (i = 0; i < 24; i += 8) {
    weights[i] ^= 0xff;
    CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, weights, weights_size) ==
          MODELC_ERROR_BAD_WEIGHTS);
    weights[i] ^= 0xff;
  }
  /* Exactly DENSE_ARENA_BYTES, aligned, is enough (parallel_test.c checks
   * that run stays inside it, on models that use all of it). */
  CHECK(dense_init(&d, arena, DENSE_ARENA_BYTES, weights, weights_size) ==
        MODELC_OK);
  {
    const void *din[1] = {dx};
    void *dout[1] = {dy};
    size_t dib[1] = {sizeof(dx)}, dob[1] = {sizeof(dy)};
    CHECK(dense_run(&d, din, dib, dout, dob) == MODELC_OK);
    CHECK(dy[0] == 1.0f + 4.0f + 0.5f);
    CHECK(dy[1] == 2.0f + 4.0f - 0.5f);
    CHECK(dy[2] == 3.0f + 4.0f + 10.0f);
  }
  printf("%d passed, %d failed\n", passed, failed);
  free(weights);
  free(arena);
  return failed ? 1 : 0;
}
