/* tensor-table.h: a model's named tensors and its activation arena.
 *
 * A table lays the tensors out in one parameter allocation (and one for
 * buffers such as BatchNorm running statistics), in state_dict order, so
 * gradients and optimizer moments reuse the offsets.  The carver lays
 * activations out in one arena; run once with measure set to size it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_TENSOR_TABLE_MAX 1024

typedef struct {
  char     name[48];   /* state_dict key, e.g. "down1.block.c2.bn.weight" */
  int      ndim;
  int64_t  shape[4];
  size_t   offset;     /* into params/grads, or into buffers when is_buffer */
  size_t   numel;
  bool     is_buffer;  /* BatchNorm running statistics: saved, not trained */
} SwTensorInfo;

typedef struct {
  SwTensorInfo items[SW_TENSOR_TABLE_MAX];
  size_t n;
  size_t n_params, n_buffers;   /* floats in each allocation */
} SwTensorTable;

/* appends PREFIX.SUFFIX (or PREFIX alone when SUFFIX is NULL) and returns
 * its offset */
size_t sw_tensor_table_add (SwTensorTable *t, bool buffer, const char *prefix, const char *suffix,
                            int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3);
const SwTensorInfo *sw_tensor_table_find (const SwTensorTable *t, const char *name);

/* PyTorch's default initialisation, seeded: a weight and the bias after it
 * uniform in +-1/sqrt(fan_in) of the weight; BatchNorm ("*.bn.*") gamma and
 * running_var 1, beta and running_mean 0; a word embedding ("embed.weight")
 * N(0, 0.02) as DiT's label embedding. */
void   sw_tensor_table_init (const SwTensorTable *t, float *params, float *buffers, uint64_t seed);

typedef struct {
  float *base;
  size_t used;
  bool   measure;   /* only count */
} SwCarver;

/* the next N floats, 64-byte aligned (NULL while measuring) */
float *sw_carve (SwCarver *cv, size_t n);
