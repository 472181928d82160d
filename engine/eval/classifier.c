/* The quality-score classifier: two strided convs and two linear layers
 * over one activation arena, its training loop and its model file. */
#include "eval/classifier.h"
#include "nn/adam.h"
#include "nn/layers.h"
#include "base/rng.h"
#include "io/safetensors.h"

#include <math.h>
#include <string.h>

#define CONV1_CH 32
#define CONV2_CH 64

/* the tensor table's order, which sw_classifier_new builds */
enum { CONV1_W, CONV1_B, CONV2_W, CONV2_B, FC1_W, FC1_B, FC2_W, FC2_B, N_TENSORS };

struct _SwClassifier {
  SwClassifierConfig cfg;
  SwTensorTable table;
  float *params, *grads;
  SwConvGeom g1, g2;
  int H1, H2;           /* grid after conv1 and after conv2 */
  int flat;             /* CONV2_CH * H2 * H2, fc1's input width */

  /* arena for the current batch size; gradients first, so one memset
   * clears them all */
  int N;
  float *arena;
  size_t arena_floats;
  float *da1, *dc1, *da2, *dc2;   /* gradients of the values below */
  float *dflat, *df1, *dfeat;
  float *grads_end;
  float *x;                       /* (C, N, H, W) input */
  float *c1, *a1;                 /* (32, N, H1, H1) conv1, GELU */
  float *c2, *a2;                 /* (64, N, H2, H2) conv2, GELU */
  float *flatv;                   /* (N, flat) */
  float *f1, *feat;               /* (N, 128) fc1, GELU: the features */
  float *work;                    /* im2col columns */
};

/* ------------------------------------------------------------ config */

gboolean
sw_classifier_config_validate (const SwClassifierConfig *cfg, GError **error)
{
  if (cfg->channels != 1 && cfg->channels != 3)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "%d image channels are not supported; accepted: 1 (grey) or 3 (RGB)",
                   cfg->channels);
      return FALSE;
    }
  if (cfg->size < 4 || cfg->size > 128)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "image size %d is not supported; accepted: 4 to 128", cfg->size);
      return FALSE;
    }
  if (cfg->n_classes < 2 || cfg->n_classes > 256)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "%d classes are not supported; accepted: 2 to 256", cfg->n_classes);
      return FALSE;
    }
  return TRUE;
}

SwClassifier *
sw_classifier_new (const SwClassifierConfig *cfg, GError **error)
{
  if (!sw_classifier_config_validate (cfg, error))
    return NULL;

  SwClassifier *c = g_new0 (SwClassifier, 1);
  const int C = cfg->channels, K = cfg->n_classes, F = SW_CLASSIFIER_FEATURES;
  c->cfg = *cfg;
  c->g1 = (SwConvGeom) { .cin = C, .cout = CONV1_CH, .k = 3, .stride = 2, .pad = 1 };
  c->g2 = (SwConvGeom) { .cin = CONV1_CH, .cout = CONV2_CH, .k = 3, .stride = 2, .pad = 1 };
  c->H1 = sw_conv_out_size (cfg->size, 3, 2, 1);
  c->H2 = sw_conv_out_size (c->H1, 3, 2, 1);
  c->flat = CONV2_CH * c->H2 * c->H2;

  /* the order of a PyTorch state_dict */
  sw_tensor_table_add (&c->table, false, "conv1.weight", NULL, 4, CONV1_CH, C, 3, 3);
  sw_tensor_table_add (&c->table, false, "conv1.bias", NULL, 1, CONV1_CH, 0, 0, 0);
  sw_tensor_table_add (&c->table, false, "conv2.weight", NULL, 4, CONV2_CH, CONV1_CH, 3, 3);
  sw_tensor_table_add (&c->table, false, "conv2.bias", NULL, 1, CONV2_CH, 0, 0, 0);
  sw_tensor_table_add (&c->table, false, "fc1.weight", NULL, 2, F, c->flat, 0, 0);
  sw_tensor_table_add (&c->table, false, "fc1.bias", NULL, 1, F, 0, 0, 0);
  sw_tensor_table_add (&c->table, false, "fc2.weight", NULL, 2, K, F, 0, 0);
  sw_tensor_table_add (&c->table, false, "fc2.bias", NULL, 1, K, 0, 0, 0);

  c->params = g_new0 (float, c->table.n_params);
  c->grads = g_new0 (float, c->table.n_params);
  sw_classifier_init_params (c, 0);
  return c;
}

void
sw_classifier_free (SwClassifier *c)
{
  if (!c)
    return;
  g_free (c->params);
  g_free (c->grads);
  g_free (c->arena);
  g_free (c);
}

const SwClassifierConfig *sw_classifier_config (const SwClassifier *c) { return &c->cfg; }
size_t sw_classifier_num_params (const SwClassifier *c) { return c->table.n_params; }
size_t sw_classifier_n_tensors (const SwClassifier *c) { return c->table.n; }
float *sw_classifier_params (SwClassifier *c) { return c->params; }
float *sw_classifier_grads (SwClassifier *c) { return c->grads; }

const SwTensorInfo *
sw_classifier_tensor (const SwClassifier *c, size_t i)
{
  return i < c->table.n ? &c->table.items[i] : NULL;
}

const SwTensorInfo *
sw_classifier_find_tensor (const SwClassifier *c, const char *name)
{
  return sw_tensor_table_find (&c->table, name);
}

void
sw_classifier_init_params (SwClassifier *c, uint64_t seed)
{
  sw_tensor_table_init (&c->table, c->params, NULL, seed);
}

/* ------------------------------------------------------------ arena */

/* Lays out every activation for batch N; with measure set, only counts. */
static size_t
layout (SwClassifier *c, int N, float *base, bool measure)
{
  SwCarver cv = { .base = base, .measure = measure };
  const int H = c->cfg.size;
  const size_t n1 = (size_t) CONV1_CH * N * c->H1 * c->H1;
  const size_t n2 = (size_t) CONV2_CH * N * c->H2 * c->H2;
  const size_t nf = (size_t) N * SW_CLASSIFIER_FEATURES;

  c->da1 = sw_carve (&cv, n1);
  c->dc1 = sw_carve (&cv, n1);
  c->da2 = sw_carve (&cv, n2);
  c->dc2 = sw_carve (&cv, n2);
  c->dflat = sw_carve (&cv, (size_t) N * c->flat);
  c->df1 = sw_carve (&cv, nf);
  c->dfeat = sw_carve (&cv, nf);
  c->grads_end = measure ? NULL : base + cv.used;

  c->x = sw_carve (&cv, (size_t) c->cfg.channels * N * H * H);
  c->c1 = sw_carve (&cv, n1);
  c->a1 = sw_carve (&cv, n1);
  c->c2 = sw_carve (&cv, n2);
  c->a2 = sw_carve (&cv, n2);
  c->flatv = sw_carve (&cv, (size_t) N * c->flat);
  c->f1 = sw_carve (&cv, nf);
  c->feat = sw_carve (&cv, nf);
  c->work = sw_carve (&cv, MAX (sw_conv2d_work_floats (&c->g1, N, H, H),
                             sw_conv2d_work_floats (&c->g2, N, c->H1, c->H1)));
  return cv.used;
}

static void
ensure_batch (SwClassifier *c, int N)
{
  if (N == c->N)
    return;
  size_t need = layout (c, N, NULL, true);
  if (need > c->arena_floats)
    {
      g_free (c->arena);
      c->arena = g_new (float, need);
      c->arena_floats = need;
    }
  layout (c, N, c->arena, false);
  c->N = N;
}

/* ------------------------------------------------- forward, backward */

/* Flatten: feature maps (C, N, HW) -> vectors (N, C*HW), PyTorch's
 * channel-major order, which is the (N, C, HW) layout. */
static void
flatten_forward (int C, int N, int HW, const float *inp, float *out)
{
  sw_cnhw_to_nchw (N, C, HW, inp, out);
}

static void
flatten_backward (int C, int N, int HW, const float *dout, float *dinp)
{
  for (int ch = 0; ch < C; ch++)
    for (int n = 0; n < N; n++)
      {
        const float *src = dout + ((size_t) n * C + ch) * HW;
        float *dst = dinp + ((size_t) ch * N + n) * HW;
        for (int i = 0; i < HW; i++)
          dst[i] += src[i];
      }
}

#define PARAM(c, id) ((c)->params + (c)->table.items[id].offset)
#define GRAD(c, id) ((c)->grads + (c)->table.items[id].offset)

void
sw_classifier_forward (SwClassifier *c, int N, const float *x, float *logits, float *features)
{
  g_return_if_fail (N >= 1);
  ensure_batch (c, N);
  const int H = c->cfg.size, F = SW_CLASSIFIER_FEATURES;
  const size_t n1 = (size_t) CONV1_CH * N * c->H1 * c->H1;
  const size_t n2 = (size_t) CONV2_CH * N * c->H2 * c->H2;

  sw_nchw_to_cnhw (N, c->cfg.channels, H * H, x, c->x);
  sw_conv2d_forward (&c->g1, N, H, H, c->x, PARAM (c, CONV1_W), PARAM (c, CONV1_B), c->c1, c->work);
  sw_gelu_forward (n1, c->c1, c->a1);
  sw_conv2d_forward (&c->g2, N, c->H1, c->H1, c->a1, PARAM (c, CONV2_W), PARAM (c, CONV2_B),
                     c->c2, c->work);
  sw_gelu_forward (n2, c->c2, c->a2);
  flatten_forward (CONV2_CH, N, c->H2 * c->H2, c->a2, c->flatv);
  sw_linear_forward (N, c->flat, F, c->flatv, PARAM (c, FC1_W), PARAM (c, FC1_B), c->f1);
  sw_gelu_forward ((size_t) N * F, c->f1, c->feat);
  sw_linear_forward (N, F, c->cfg.n_classes, c->feat, PARAM (c, FC2_W), PARAM (c, FC2_B), logits);
  if (features)
    memcpy (features, c->feat, sizeof (float) * N * F);
}

void
sw_classifier_zero_grad (SwClassifier *c)
{
  memset (c->grads, 0, sizeof (float) * c->table.n_params);
}

void
sw_classifier_backward (SwClassifier *c, const float *dlogits)
{
  const int N = c->N, H = c->cfg.size, F = SW_CLASSIFIER_FEATURES;
  g_return_if_fail (N >= 1);
  const size_t n1 = (size_t) CONV1_CH * N * c->H1 * c->H1;
  const size_t n2 = (size_t) CONV2_CH * N * c->H2 * c->H2;

  memset (c->arena, 0, sizeof (float) * (size_t) (c->grads_end - c->arena));
  sw_linear_backward (N, F, c->cfg.n_classes, c->feat, PARAM (c, FC2_W), dlogits,
                      c->dfeat, GRAD (c, FC2_W), GRAD (c, FC2_B));
  sw_gelu_backward ((size_t) N * F, c->f1, c->dfeat, c->df1);
  sw_linear_backward (N, c->flat, F, c->flatv, PARAM (c, FC1_W), c->df1,
                      c->dflat, GRAD (c, FC1_W), GRAD (c, FC1_B));
  flatten_backward (CONV2_CH, N, c->H2 * c->H2, c->dflat, c->da2);
  sw_gelu_backward (n2, c->c2, c->da2, c->dc2);
  sw_conv2d_backward (&c->g2, N, c->H1, c->H1, c->a1, PARAM (c, CONV2_W), c->dc2,
                      c->da1, GRAD (c, CONV2_W), GRAD (c, CONV2_B), c->work);
  sw_gelu_backward (n1, c->c1, c->da1, c->dc1);
  /* the images are data: no gradient flows into them */
  sw_conv2d_backward (&c->g1, N, H, H, c->x, PARAM (c, CONV1_W), c->dc1,
                      NULL, GRAD (c, CONV1_W), GRAD (c, CONV1_B), c->work);
}

/* ---------------------------------------------------------- inference */

void
sw_classifier_predict (SwClassifier *c, int n, const float *images, int batch,
                       float *logits, float *features)
{
  g_return_if_fail (n >= 0 && batch >= 1);
  const int K = c->cfg.n_classes, F = SW_CLASSIFIER_FEATURES;
  const size_t img = (size_t) c->cfg.channels * c->cfg.size * c->cfg.size;
  /* forward always writes logits; without a caller's buffer they go here */
  g_autofree float *scratch = logits ? NULL : g_new (float, (size_t) MIN (batch, n) * K);
  for (int i0 = 0; i0 < n; i0 += batch)
    {
      int B = MIN (batch, n - i0);
      sw_classifier_forward (c, B, images + i0 * img,
                             logits ? logits + (size_t) i0 * K : scratch,
                             features ? features + (size_t) i0 * F : NULL);
    }
}

int
sw_classifier_top_class (const float *logits, int K)
{
  int best = 0;
  for (int k = 1; k < K; k++)
    if (logits[k] > logits[best])
      best = k;
  return best;
}

double
sw_classifier_accuracy (SwClassifier *c, int n, const float *images,
                        const uint8_t *labels, int batch)
{
  g_return_val_if_fail (n >= 1, 0.0);
  const int K = c->cfg.n_classes;
  g_autofree float *logits = g_new (float, (size_t) n * K);
  sw_classifier_predict (c, n, images, batch, logits, NULL);
  int right = 0;
  for (int i = 0; i < n; i++)
    right += sw_classifier_top_class (logits + (size_t) i * K, K) == labels[i];
  return (double) right / n;
}

double
sw_classifier_confident_share (const float *logits, int n, int K, double p_min, int *top)
{
  g_return_val_if_fail (n >= 1 && K >= 1, 0.0);
  if (top)
    memset (top, 0, sizeof (int) * K);
  int confident = 0;
  for (int i = 0; i < n; i++)
    {
      const float *z = logits + (size_t) i * K;
      int best = sw_classifier_top_class (z, K);
      /* p(best) = 1 / sum_k exp(z_k - z_best), no overflow */
      double sum = 0;
      for (int k = 0; k < K; k++)
        sum += exp ((double) z[k] - z[best]);
      confident += 1.0 / sum >= p_min;
      if (top)
        top[best]++;
    }
  return (double) confident / n;
}

/* ----------------------------------------------------------- training */

gboolean
sw_classifier_train (SwClassifier *c, const float *images, const uint8_t *labels,
                     int n, int epochs, int batch, float lr, uint64_t seed,
                     SwClassifierProgress cb, gpointer user_data, GError **error)
{
  const int K = c->cfg.n_classes;
  if (n < 1 || epochs < 1 || batch < 1 || !(lr > 0.0f && lr <= 1.0f))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "training with %d images, %d epochs, batch %d, learning rate %g; "
                   "accepted: at least 1 image, epoch and image per batch, a rate above 0 and at most 1",
                   n, epochs, batch, lr);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    if (labels[i] >= K)
      {
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                     "image %d has label %d; the classifier has %d classes (0 to %d)",
                     i, labels[i], K, K - 1);
        return FALSE;
      }

  batch = MIN (batch, n);
  const size_t img = (size_t) c->cfg.channels * c->cfg.size * c->cfg.size;
  const int steps = (n + batch - 1) / batch;
  g_autofree int *order = g_new (int, n);
  g_autofree float *xb = g_new (float, batch * img);
  g_autofree uint8_t *yb = g_new (uint8_t, batch);
  g_autofree float *logits = g_new (float, (size_t) batch * K);
  g_autofree float *probs = g_new (float, (size_t) batch * K);
  g_autofree float *dlogits = g_new (float, (size_t) batch * K);
  for (int i = 0; i < n; i++)
    order[i] = i;
  SwRng rng;
  sw_rng_init (&rng, seed, 0xc1a55);
  SwAdam opt;
  sw_adam_init (&opt, c->table.n_params, lr);

  for (int epoch = 0; epoch < epochs; epoch++)
    {
      sw_rng_shuffle (&rng, order, n);
      for (int step = 0; step < steps; step++)
        {
          const int i0 = step * batch, B = MIN (batch, n - i0);
          for (int b = 0; b < B; b++)
            {
              memcpy (xb + b * img, images + order[i0 + b] * img, sizeof (float) * img);
              yb[b] = labels[order[i0 + b]];
            }
          sw_classifier_forward (c, B, xb, logits, NULL);
          float loss = sw_softmax_xent_forward (B, K, logits, yb, probs);
          sw_classifier_zero_grad (c);
          memset (dlogits, 0, sizeof (float) * B * K);
          sw_softmax_xent_backward (B, K, probs, yb, dlogits);
          sw_classifier_backward (c, dlogits);
          sw_adam_step (&opt, c->params, c->grads);
          if (cb && !cb (epoch, epochs, step, steps, loss, user_data))
            {
              sw_adam_clear (&opt);
              g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED,
                           "classifier training stopped in epoch %d, step %d of %d",
                           epoch + 1, step + 1, steps);
              return FALSE;
            }
        }
    }
  sw_adam_clear (&opt);
  return TRUE;
}

/* ---------------------------------------------------------- model file */

/* Names the field of REC that is wrong, with CODE: SW_ERROR_INVALID for a
 * caller's record, SW_ERROR_FORMAT for one read from a file. */
static gboolean
record_validate (const SwClassifierRecord *rec, int n_classes, int code, GError **error)
{
  guint n = rec->class_names ? g_strv_length (rec->class_names) : 0;
  if (!rec->dataset || !*rec->dataset)
    {
      g_set_error (error, SW_ERROR, code, "“dataset” is empty");
      return FALSE;
    }
  if (n != (guint) n_classes)
    {
      g_set_error (error, SW_ERROR, code, "“class_names” has %u names for %d classes",
                   n, n_classes);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    /* the names are stored comma-joined */
    if (!*rec->class_names[i] || strchr (rec->class_names[i], ','))
      {
        g_set_error (error, SW_ERROR, code,
                     "“class_names”: name %u (“%s”) is empty or has a comma; "
                     "accepted: a non-empty name without commas", i, rec->class_names[i]);
        return FALSE;
      }
  if (rec->epochs < 0)
    {
      g_set_error (error, SW_ERROR, code, "“epochs” is %d; accepted: 0 or more", rec->epochs);
      return FALSE;
    }
  if (!(rec->test_accuracy >= 0.0 && rec->test_accuracy <= 1.0))
    {
      g_set_error (error, SW_ERROR, code, "“test_accuracy” is %g; accepted: 0 to 1",
                   rec->test_accuracy);
      return FALSE;
    }
  return TRUE;
}

gboolean
sw_classifier_save (SwClassifier *c, const char *path, const SwClassifierRecord *rec,
                    SwDtype dtype, GError **error)
{
  if (!record_validate (rec, c->cfg.n_classes, SW_ERROR_INVALID, error))
    {
      g_prefix_error (error, "classifier record: ");
      return FALSE;
    }
  SwStTensorIn tensors[N_TENSORS];
  for (int i = 0; i < N_TENSORS; i++)
    {
      const SwTensorInfo *info = &c->table.items[i];
      tensors[i] = (SwStTensorIn) { .name = info->name, .ndim = info->ndim,
                                    .data = c->params + info->offset };
      memcpy (tensors[i].shape, info->shape, sizeof info->shape);
    }
  g_autofree char *ch = g_strdup_printf ("%d", c->cfg.channels);
  g_autofree char *size = g_strdup_printf ("%d", c->cfg.size);
  g_autofree char *nc = g_strdup_printf ("%d", c->cfg.n_classes);
  g_autofree char *names = g_strjoinv (",", rec->class_names);
  g_autofree char *epochs = g_strdup_printf ("%d", rec->epochs);
  char acc[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (acc, sizeof acc, "%.6f", rec->test_accuracy);
  const char *meta[] = {
    "format", SW_CLASSIFIER_FORMAT, "format_version", SW_CLASSIFIER_VERSION,
    "channels", ch, "size", size, "n_classes", nc,
    "dataset", rec->dataset, "class_names", names,
    "epochs", epochs, "test_accuracy", acc, NULL,
  };
  return sw_safetensors_save (path, tensors, N_TENSORS, meta, dtype, error);
}

/* the record as the file states it, or an error naming the bad field */
static gboolean
read_record (const SwStFile *f, const char *path, int n_classes, SwClassifierRecord *rec,
             GError **error)
{
  const char *keys[] = { "dataset", "class_names", "test_accuracy" };
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!sw_safetensors_meta (f, keys[i]))
      {
        g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                     "“%s”: metadata field “%s” is missing", path, keys[i]);
        return FALSE;
      }
  const char *acc = sw_safetensors_meta (f, "test_accuracy");
  char *end = NULL;
  *rec = (SwClassifierRecord) {
    .dataset = g_strdup (sw_safetensors_meta (f, "dataset")),
    .class_names = g_strsplit (sw_safetensors_meta (f, "class_names"), ",", -1),
    .test_accuracy = g_ascii_strtod (acc, &end),
  };
  if (end == acc || *end)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "“%s”: metadata field “test_accuracy” is “%s”; accepted: a number from 0 to 1",
                   path, acc);
      sw_classifier_record_clear (rec);
      return FALSE;
    }
  if (!sw_safetensors_meta_int (f, "epochs", 0, G_MAXINT, &rec->epochs, error))
    {
      sw_classifier_record_clear (rec);
      return FALSE;
    }
  if (!record_validate (rec, n_classes, SW_ERROR_FORMAT, error))
    {
      g_prefix_error (error, "“%s”: metadata field ", path);
      sw_classifier_record_clear (rec);
      return FALSE;
    }
  return TRUE;
}

SwClassifier *
sw_classifier_load (const char *path, SwClassifierRecord *rec, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (SwStFile) f = sw_safetensors_open (path, error);
  if (!f)
    return NULL;

  SwClassifierConfig cfg = { 0 };
  SwClassifierRecord got = { 0 };
  const char *format = sw_safetensors_meta (f, "format");
  SwClassifier *c = NULL;
  if (g_strcmp0 (format, SW_CLASSIFIER_FORMAT) != 0)
    g_set_error (&local, SW_ERROR, SW_ERROR_FORMAT,
                 "“%s”: metadata field “format” is %s%s%s; accepted: “%s” (a Stepwise classifier)",
                 path, format ? "“" : "", format ? format : "missing", format ? "”" : "",
                 SW_CLASSIFIER_FORMAT);
  if (local
      || !sw_safetensors_meta_int (f, "channels", 1, 3, &cfg.channels, &local)
      || !sw_safetensors_meta_int (f, "size", 4, 128, &cfg.size, &local)
      || !sw_safetensors_meta_int (f, "n_classes", 2, 256, &cfg.n_classes, &local))
    goto fail;
  if (!(c = sw_classifier_new (&cfg, &local)))
    {
      g_prefix_error (&local, "“%s”: ", path);
      goto fail;
    }
  for (int i = 0; i < N_TENSORS; i++)
    {
      const SwTensorInfo *t = &c->table.items[i];
      if (!sw_safetensors_read_finite (f, t->name, t->ndim, t->shape, c->params + t->offset, &local))
        goto fail;
    }
  /* a stray tensor means the file describes another network than this one */
  for (size_t i = 0; i < sw_safetensors_n_tensors (f); i++)
    {
      const char *name = sw_safetensors_entry (f, i)->name;
      if (!sw_classifier_find_tensor (c, name))
        {
          g_set_error (&local, SW_ERROR, SW_ERROR_SHAPE,
                       "“%s”: tensor “%s” does not belong to the classifier", path, name);
          goto fail;
        }
    }
  if (!read_record (f, path, cfg.n_classes, &got, &local))
    goto fail;
  if (rec)
    *rec = got;
  else
    sw_classifier_record_clear (&got);
  return c;

fail:
  sw_classifier_free (c);
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

void
sw_classifier_record_clear (SwClassifierRecord *rec)
{
  g_clear_pointer (&rec->dataset, g_free);
  g_clear_pointer (&rec->class_names, g_strfreev);
}
