/* Writes the embedded weights of a model compiled by modelc (--target=c,
 * --weights=object or c-array) to a file, so that a test can compare the
 * bytes each weights format carries. Linked with the weights alone
 * (<name>_weights.o or <name>_weights.c), not with the model's code.
 *
 * Built with -DMODEL_NAME=lenet -DMODEL_UPPER=LENET '-DMODEL_HEADER="lenet.h"'.
 * usage: weights_dump FILE     prints <NAME>_WEIGHTS_BYTES; exits 1 when
 * the symbol is not 64-byte aligned (targets/Common/WeightsWriter.h
 * promises it). */
#include MODEL_HEADER

#include <stdio.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODEL_FN(sym) CAT(MODEL_NAME, CAT(_, sym))
#define MODEL_MACRO(sym) CAT(MODEL_UPPER, CAT(_, sym))

/* Defined by the weights file; the model's code declares it the same way. */
extern const unsigned char MODEL_FN(weights_data)[];

int main(int argc, char **argv) {
  const unsigned char *data = MODEL_FN(weights_data);
  const size_t bytes = MODEL_MACRO(WEIGHTS_BYTES);
  FILE *f;
  if (argc != 2) {
    fprintf(stderr, "usage: weights_dump FILE\n");
    return 2;
  }
  if ((uintptr_t)data % 64 != 0) {
    fprintf(stderr, "weights_dump: the weights are not 64-byte aligned\n");
    return 1;
  }
  f = fopen(argv[1], "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
    fprintf(stderr, "weights_dump: cannot write %s\n", argv[1]);
    return 1;
  }
  printf("%lu\n", (unsigned long)bytes);
  return 0;
}
