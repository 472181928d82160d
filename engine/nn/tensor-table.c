#include "nn/tensor-table.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "base/rng.h"

size_t
sw_tensor_table_add (SwTensorTable *t, bool buffer, const char *prefix, const char *suffix,
                     int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
  g_assert (t->n < SW_TENSOR_TABLE_MAX);
  SwTensorInfo *info = &t->items[t->n++];
  if (suffix)
    g_snprintf (info->name, sizeof info->name, "%s.%s", prefix, suffix);
  else
    g_strlcpy (info->name, prefix, sizeof info->name);
  const int64_t dims[4] = { d0, d1, d2, d3 };
  info->ndim = ndim;
  info->numel = 1;
  for (int i = 0; i < 4; i++)
    {
      info->shape[i] = i < ndim ? dims[i] : 0;
      if (i < ndim)
        info->numel *= (size_t) dims[i];
    }
  info->is_buffer = buffer;
  size_t *count = buffer ? &t->n_buffers : &t->n_params;
  info->offset = *count;
  *count += info->numel;
  return info->offset;
}

const SwTensorInfo *
sw_tensor_table_find (const SwTensorTable *t, const char *name)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp (t->items[i].name, name) == 0)
      return &t->items[i];
  return NULL;
}

void
sw_tensor_table_init (const SwTensorTable *t, float *params, float *buffers, uint64_t seed)
{
  SwRng rng;
  sw_rng_init (&rng, seed, 0x5eed);
  for (size_t i = 0; i < t->n; i++)
    {
      const SwTensorInfo *info = &t->items[i];
      float *p = (info->is_buffer ? buffers : params) + info->offset;
      const char *leaf = strrchr (info->name, '.');
      leaf = leaf ? leaf + 1 : info->name;
      if (strstr (info->name, ".bn."))
        {
          float v = (strcmp (leaf, "weight") == 0 || strcmp (leaf, "running_var") == 0) ? 1.0f : 0.0f;
          for (size_t j = 0; j < info->numel; j++)
            p[j] = v;
          continue;
        }
      if (strcmp (info->name, "embed.weight") == 0)
        {
          /* N(0, 0.02), DiT's label embedding, not nn.Embedding's N(0, 1):
           * under Adam (steps of about lr whatever the scale) unit-sized
           * rows hardly move and stay random codes the FCBlocks must learn
           * to read; small rows take the shape the gradient gives them */
          sw_rng_fill_normal (&rng, p, info->numel);
          for (size_t j = 0; j < info->numel; j++)
            p[j] *= 0.02f;
          continue;
        }
      /* a bias shares the fan_in of the weight before it */
      const SwTensorInfo *w = strcmp (leaf, "bias") == 0 && i > 0 ? info - 1 : info;
      size_t fan_in = (size_t) w->shape[1] * (w->ndim == 4 ? (size_t) (w->shape[2] * w->shape[3]) : 1);
      float bound = 1.0f / sqrtf ((float) fan_in);
      sw_rng_fill_uniform (&rng, p, info->numel, -bound, bound);
    }
}

float *
sw_carve (SwCarver *cv, size_t n)
{
  /* 16-float alignment keeps every buffer on a 64-byte line */
  size_t n_aligned = (n + 15) & ~(size_t) 15;
  float *p = cv->measure ? NULL : cv->base + cv->used;
  cv->used += n_aligned;
  return p;
}
