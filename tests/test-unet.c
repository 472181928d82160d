/* The whole UNet: forward output, parameter gradients and BatchNorm running
 * statistics against fixtures dumped once from an independent PyTorch
 * implementation (tests/reference/unet_reference.py); parameter gradients
 * against finite differences; parameter counts, FLOPs and shapes of every
 * variant; a short training run whose loss must fall. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "nn/adam.h"
#include "base/blas.h"
#include "nn/layers.h"
#include "base/rng.h"
#include "io/safetensors.h"
#include "models/unet.h"
#include "test-fd.h"
#include "test-reference.h"
#include "test-squares.h"

static void
load_params (SwUnet *net, SwStFile *f)
{
  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      g_autofree char *key = g_strconcat ("param.", info->name, NULL);
      g_autoptr (GError) error = NULL;
      if (!sw_safetensors_read_f32 (f, key, info->ndim, info->shape,
                                    sw_unet_tensor_data (net, info), &error))
        g_error ("%s", error->message);
    }
}

static int
meta_int (SwStFile *f, const char *key)
{
  return atoi (sw_safetensors_meta (f, key));
}

static void
check_fixture (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = data_path (file);
  g_autoptr (GError) error = NULL;
  SwStFile *f = sw_safetensors_open (path, &error);
  g_assert_no_error (error);

  SwUnetConfig cfg = {
    .D = meta_int (f, "D"), .channels = meta_int (f, "in_channels"),
    .size = meta_int (f, "size"), .class_dim = meta_int (f, "class_dim"),
  };
  g_assert_true (sw_unet_variant_from_name (sw_safetensors_meta (f, "variant"), &cfg.variant));
  g_assert_true (sw_time_mod_from_name (sw_safetensors_meta (f, "time_mod"), &cfg.time_mod));
  const char *cond = sw_safetensors_meta (f, "cond");
  g_assert_true (sw_cond_points_from_name (cond ? cond : "course", &cfg.cond));
  int N = meta_int (f, "batch");
  SwUnet *net = sw_unet_new (&cfg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sw_unet_num_params (net), ==, (guint) meta_int (f, "param_count"));
  load_params (net, f);

  size_t nx;
  g_autofree float *x = read_whole (f, "input.x", &nx);
  g_autofree float *target = read_whole (f, "target", NULL);
  g_autofree float *want = read_whole (f, "output", NULL);
  g_autofree float *want_eval = read_whole (f, "output_eval", NULL);
  g_autofree float *loss = read_whole (f, "loss", NULL);
  g_autofree float *t = cfg.variant != SW_UNET_UNCOND ? read_whole (f, "input.t", NULL) : NULL;
  g_autofree float *c = cfg.variant == SW_UNET_CLASS ? read_whole (f, "input.c", NULL) : NULL;
  g_autofree float *out = g_new (float, nx), *dout = g_new0 (float, nx);

  /* eval first: it must not move the running statistics */
  sw_unet_forward (net, N, x, t, c, false, out);
  double e_eval = compare ("eval output", out, want_eval, nx, 1e-4);

  sw_unet_forward (net, N, x, t, c, true, out);
  double e_out = compare ("train output", out, want, nx, 1e-4);
  float my_loss = sw_mse_forward (nx, out, target);
  g_assert_cmpfloat_with_epsilon (my_loss, loss[0], 1e-5 * loss[0]);

  sw_unet_zero_grad (net);
  sw_mse_backward (nx, out, target, 1.0f, dout);
  sw_unet_backward (net, dout);

  double e_grad = 0.0, e_run = 0.0;
  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      g_autofree char *key = g_strconcat (info->is_buffer ? "running." : "grad.", info->name, NULL);
      g_autofree float *ref = read_whole (f, key, NULL);
      const float *mine = info->is_buffer ? sw_unet_buffers (net) + info->offset
                                          : sw_unet_grads (net) + info->offset;
      double e = compare (key, mine, ref, info->numel, info->is_buffer ? 1e-5 : 1e-3);
      if (info->is_buffer)
        e_run = MAX (e_run, e);
      else
        e_grad = MAX (e_grad, e);
    }
  g_test_message ("%s: worst error (relative to each tensor's max): eval output %.1e, "
                  "train output %.1e, gradients %.1e, running stats %.1e",
                  file, e_eval, e_out, e_grad, e_run);
  sw_unet_free (net);
  sw_safetensors_close (f);
}

/* Parameter counts of docs/math.md 2.2, counted independently of the engine's
 * tensor table: conv weights + biases, BatchNorm gamma + beta, linear
 * weights + biases. */
static size_t
expected_params (SwUnetVariant v, SwCondPoints cond, int D, int C, int size, int K)
{
  size_t h = size / 4;
#define CONV(ci, co, k) ((size_t) (ci) * (co) * (k) * (k) + (co) + 2 * (size_t) (co))
#define BLOCK(ci, co) (CONV (ci, co, 3) + CONV (co, co, 3))
#define FC(fi, fo) ((size_t) (fi) * (fo) + (fo) + (size_t) (fo) * (fo) + (fo))
  /* film's class FCBlocks end in Linear(fo -> 2 fo): a scale and a shift */
#define FC2(fi, fo) ((size_t) (fi) * (fo) + (fo) + (size_t) (fo) * 2 * (fo) + 2 * (fo))
  size_t n = BLOCK (C, D)
             + CONV (D, D, 3) + BLOCK (D, D)
             + CONV (D, 2 * D, 3) + BLOCK (2 * D, 2 * D)
             + CONV (2 * D, 2 * D, h)
             + CONV (4 * D, D, 4) + BLOCK (D, D)
             + CONV (2 * D, D, 4) + BLOCK (D, D)
             + BLOCK (2 * D, D)
             + (size_t) D * C * 9 + C;
  if (v != SW_UNET_UNCOND)
    n += FC (1, 2 * D) + FC (1, D);
  if (v == SW_UNET_CLASS && cond == SW_COND_FILM)
    n += FC2 (K, 2 * D) + FC2 (K, D);
  else if (v == SW_UNET_CLASS)
    n += FC (K, 2 * D) + FC (K, D);
  /* d1, d2, d3, up2 and the out_block's output */
  if (cond == SW_COND_EVERY)
    n += FC (1, D) + FC (1, D) + FC (1, 2 * D) + FC (1, D) + FC (1, D)
         + FC (K, D) + FC (K, D) + FC (K, 2 * D) + FC (K, D) + FC (K, D);
  if (cond == SW_COND_FILM)
    n += FC (1, D) + FC (1, D) + FC (1, 2 * D) + FC (1, D) + FC (1, D)
         + FC2 (K, D) + FC2 (K, D) + FC2 (K, 2 * D) + FC2 (K, D) + FC2 (K, D);
  return n;
#undef CONV
#undef BLOCK
#undef FC
#undef FC2
}

static void
test_param_counts (void)
{
  /* counted by PyTorch (tests/reference/param_counts.txt) */
  static const struct { SwUnetVariant v; int D, C, size; size_t n; SwCondPoints cond; } torch_counts[] = {
    { SW_UNET_UNCOND, 128, 1, 28, 7891073 }, { SW_UNET_UNCOND, 64, 1, 28, 1975361 },
    { SW_UNET_TIME, 64, 1, 28, 1996417 },    { SW_UNET_CLASS, 64, 1, 28, 2019201 },
    { SW_UNET_UNCOND, 128, 3, 32, 8878723 }, { SW_UNET_UNCOND, 64, 3, 32, 2223427 },
    { SW_UNET_TIME, 64, 3, 32, 2244483 },    { SW_UNET_CLASS, 64, 3, 32, 2267267 },
    { SW_UNET_CLASS, 64, 3, 32, 2338563, SW_COND_EVERY },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (torch_counts); i++)
    {
      SwUnetConfig cfg = { .variant = torch_counts[i].v, .cond = torch_counts[i].cond,
                           .D = torch_counts[i].D, .channels = torch_counts[i].C,
                           .size = torch_counts[i].size, .class_dim = 10 };
      SwUnet *net = sw_unet_new (&cfg, NULL);
      g_assert_cmpuint (sw_unet_num_params (net), ==, torch_counts[i].n);
      g_test_message ("%s (%s) D=%d %dx%dx%d: %zu parameters (%.2f M)",
                      sw_unet_variant_name (cfg.variant), sw_cond_points_name (cfg.cond),
                      cfg.D, cfg.channels, cfg.size, cfg.size,
                      sw_unet_num_params (net), sw_unet_num_params (net) / 1e6);
      sw_unet_free (net);
    }
}

/* the tensors that hold a vector per class or word: the class FCBlocks'
 * first Linear (one per conditioning point), or the shared embedding */
static void
test_word_tensors (void)
{
  static const struct { SwUnetVariant v; SwCondPoints cond; int embed; const char *names; } cases[] = {
    { SW_UNET_TIME, SW_COND_COURSE, 0, "" },
    { SW_UNET_CLASS, SW_COND_COURSE, 0, "fc1_c.l1.weight fc2_c.l1.weight" },
    { SW_UNET_CLASS, SW_COND_EVERY, 0,
      "fc1_c.l1.weight fc2_c.l1.weight fc_in_c.l1.weight fc_down1_c.l1.weight "
      "fc_down2_c.l1.weight fc_up2_c.l1.weight fc_out_c.l1.weight" },
    { SW_UNET_CLASS, SW_COND_EVERY, 16, "embed.weight" },
    { SW_UNET_CLASS, SW_COND_FILM, 0,
      "fc1_c.l1.weight fc2_c.l1.weight fc_in_c.l1.weight fc_down1_c.l1.weight "
      "fc_down2_c.l1.weight fc_up2_c.l1.weight fc_out_c.l1.weight" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SwUnetConfig cfg = { .variant = cases[i].v, .cond = cases[i].cond, .D = 8, .channels = 1,
                           .size = 28, .class_dim = 37, .embed_dim = cases[i].embed };
      SwUnet *net = sw_unet_new (&cfg, NULL);
      g_autoptr (GString) names = g_string_new (NULL);
      for (size_t t = 0; t < sw_unet_n_tensors (net); t++)
        {
          const SwTensorInfo *info = sw_unet_tensor (net, t);
          if (!sw_unet_tensor_holds_words (net, info))
            continue;
          /* (f, class_dim) in PyTorch's layout, (class_dim, E) for the embedding */
          g_assert_cmpint (info->shape[cases[i].embed ? 0 : 1], ==, 37);
          g_string_append_printf (names, "%s%s", names->len ? " " : "", info->name);
        }
      g_assert_cmpstr (names->str, ==, cases[i].names);
      sw_unet_free (net);
    }
}

static void
test_shapes (void)
{
  const int Ds[] = { 64, 128 };
  const int sizes[][2] = { { 28, 1 }, { 32, 3 } };
  /* the three variants, then the class variant conditioned after every
   * block, by scale alone and by film's scale and shift */
  static const SwCondPoints more[] = { SW_COND_EVERY, SW_COND_FILM };
  for (int v = SW_UNET_UNCOND; v <= SW_UNET_CLASS + 2; v++)
    for (size_t di = 0; di < G_N_ELEMENTS (Ds); di++)
      for (size_t si = 0; si < G_N_ELEMENTS (sizes); si++)
        {
          SwUnetConfig cfg = { .variant = MIN (v, SW_UNET_CLASS),
                               .cond = v > SW_UNET_CLASS ? more[v - SW_UNET_CLASS - 1] : SW_COND_COURSE,
                               .D = Ds[di], .size = sizes[si][0], .channels = sizes[si][1],
                               .class_dim = 12 };
          g_autoptr (GError) error = NULL;
          SwUnet *net = sw_unet_new (&cfg, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (sw_unet_num_params (net), ==,
                            expected_params (cfg.variant, cfg.cond, cfg.D, cfg.channels,
                                             cfg.size, 12));
          /* the bottleneck is H/4 x W/4: the unflatten kernel says so */
          const SwTensorInfo *unflat = sw_unet_find_tensor (net, "unflatten.conv.weight");
          g_assert_cmpint (unflat->shape[2], ==, cfg.size / 4);
          const SwTensorInfo *outw = sw_unet_find_tensor (net, "out_conv.weight");
          g_assert_cmpint (outw->shape[0], ==, cfg.channels);

          /* forward writes exactly N x C x H x W: a canary after it survives */
          const int N = 2;
          size_t n = (size_t) N * cfg.channels * cfg.size * cfg.size;
          g_autofree float *x = g_new0 (float, n), *out = g_new (float, n + 1);
          float t[2] = { 0.3f, 0.9f };
          g_autofree float *c = g_new0 (float, N * 12);
          c[3] = 1.0f;
          for (size_t i = 0; i < n; i++)
            x[i] = (float) ((i * 37) % 11) / 11.0f;
          out[n] = 1234.5f;
          sw_unet_forward (net, N, x, t, c, false, out);
          g_assert_cmpfloat (out[n], ==, 1234.5f);
          for (size_t i = 0; i < n; i++)
            g_assert_true (isfinite (out[i]));
          sw_unet_free (net);
        }
}

static void
test_bad_config (void)
{
  const SwUnetConfig bad[] = {
    { .variant = SW_UNET_UNCOND, .D = 0, .channels = 1, .size = 28 },
    { .variant = SW_UNET_UNCOND, .D = 8, .channels = 2, .size = 28 },
    { .variant = SW_UNET_UNCOND, .D = 8, .channels = 1, .size = 30 },
    { .variant = SW_UNET_CLASS, .D = 8, .channels = 1, .size = 28, .class_dim = 0 },
    { .variant = 7, .D = 8, .channels = 1, .size = 28 },
    { .variant = SW_UNET_UNCOND, .cond = SW_COND_EVERY, .D = 8, .channels = 1, .size = 28 },
    { .variant = SW_UNET_TIME, .cond = SW_COND_EVERY, .D = 8, .channels = 1, .size = 28 },
    { .variant = SW_UNET_TIME, .cond = SW_COND_FILM, .D = 8, .channels = 1, .size = 28 },
    { .variant = SW_UNET_CLASS, .cond = 3, .D = 8, .channels = 1, .size = 28, .class_dim = 10 },
    { .variant = SW_UNET_TIME, .D = 8, .channels = 1, .size = 28, .embed_dim = 16 },
    { .variant = SW_UNET_CLASS, .D = 8, .channels = 1, .size = 28, .class_dim = 10, .embed_dim = 5000 },
  };
  const char *says[] = { "D = 0", "2 image channels", "size 30", "class vector width 0",
                         "variant 7", "“every” is for the class variant, not uncond",
                         "“every” is for the class variant, not time",
                         "“film” is for the class variant, not time",
                         "conditioning points 3", "embedding width 16 does not fit a time UNet",
                         "embedding width 5000" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_null (sw_unet_new (&bad[i], &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, says[i]));
      g_assert_nonnull (strstr (error->message, "accepted"));
    }
}

/* Conditioning after every block adds its FCBlocks' linear layers to the
 * FLOP count, and nothing else: the modulations are elementwise. */
static void
test_flops (void)
{
  const int D = 8, K = 12;
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .D = D, .channels = 3, .size = 32, .class_dim = K };
  SwUnet *course = sw_unet_new (&cfg, NULL);
  cfg.cond = SW_COND_EVERY;
  SwUnet *every = sw_unet_new (&cfg, NULL);
  /* FCBlock(1 -> w) and FCBlock(K -> w) at d1, d2, d3, up2 and out */
  const int widths[] = { D, D, 2 * D, D, D };
  double more = 0.0;
  for (size_t i = 0; i < G_N_ELEMENTS (widths); i++)
    more += 2.0 * ((1.0 + K) * widths[i] + 2.0 * widths[i] * widths[i]);
  g_assert_cmpfloat (sw_unet_forward_flops (every) - sw_unet_forward_flops (course), ==, more);
  sw_unet_free (course);
  sw_unet_free (every);
}

/* ------------------------------------------------ finite differences */

typedef struct {
  SwUnet *net;
  int N;
  const float *x, *t, *c, *R;
  size_t n;
  float *out;
} FdNet;

/* sum(out * R) in training mode: BatchNorm normalises by the batch's own
 * statistics, so the loss is a function of the parameters alone */
static double
fd_loss (void *data)
{
  FdNet *f = data;
  sw_unet_forward (f->net, f->N, f->x, f->t, f->c, true, f->out);
  double s = 0.0;
  for (size_t i = 0; i < f->n; i++)
    s += (double) f->out[i] * f->R[i];
  return s;
}

typedef struct {
  SwCondPoints cond;
  int embed;
} NetKind;

static const NetKind course = { SW_COND_COURSE, 0 }, every = { SW_COND_EVERY, 0 },
                     every_embed = { SW_COND_EVERY, 3 }, film = { SW_COND_FILM, 0 };

/* Every parameter tensor's gradient, at 4 places spread over it, against
 * central differences: the fixtures pin the course's nets to PyTorch, this
 * checks the backward of whatever the net is built of on its own (with a
 * word embedding, the sum of every class FCBlock's gradient meets in it). */
static void
test_fd_gradients (gconstpointer data)
{
  const NetKind *kind = data;
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = SW_TIME_ADD,
                       .cond = kind->cond, .D = 4, .channels = 3, .size = 8,
                       .class_dim = 5, .embed_dim = kind->embed };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 21);
  const int N = 3;
  const size_t n = (size_t) N * 3 * 8 * 8;
  g_autofree float *x = g_new (float, n), *R = g_new (float, n), *out = g_new (float, n);
  float t[3] = { 0.2f, 0.6f, 0.9f }, c[3 * 5] = { 0 };
  SwRng rng;
  sw_rng_init (&rng, 5, 0);
  sw_rng_fill_normal (&rng, x, n);
  sw_rng_fill_normal (&rng, R, n);
  /* a one-hot class, a dropped one (all zero), a normalised bag of words */
  c[1] = 1.0f;
  c[10] = c[13] = c[14] = 1.0f / sqrtf (3.0f);
  FdNet f = { net, N, x, t, c, R, n, out };
  fd_loss (&f);
  sw_unet_zero_grad (net);
  sw_unet_backward (net, R);
  g_autofree float *grads = g_memdup2 (sw_unet_grads (net), sizeof (float) * sw_unet_num_params (net));

  float *P = sw_unet_params (net);
  /* float32 throughout: a smaller step drowns in rounding, a larger one in
   * the curvature of BatchNorm over 3 images (about 3e-3 either way); a
   * wrong gradient is off by far more than the 1e-2 allowed */
  const float h = 3e-3f;
  double worst = 0.0;
  const char *worst_at = "";
  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      if (info->is_buffer)
        continue;
      double err = check_fd_tensor (info, P, grads, fd_loss, &f, h);
      if (err > worst)
        {
          worst = err;
          worst_at = info->name;
        }
    }
  g_test_message ("class UNet (%s, word embedding %d): worst relative gradient error %.2e (%s)",
                  sw_cond_points_name (cfg.cond), cfg.embed_dim, worst, worst_at);
  sw_unet_free (net);
}

/* film modulates around the identity: with every class FCBlock's last
 * Linear at zero the prompt changes nothing, and the output is the same
 * net's with the class blocks' scale 1 and shift 0 whatever the prompt;
 * one weight of one word's column back, and that word's prompt (only)
 * moves the output. */
static void
test_film_identity (void)
{
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = SW_TIME_ADD, .cond = SW_COND_FILM,
                       .D = 4, .channels = 3, .size = 8, .class_dim = 5 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 3);
  const int N = 3;
  const size_t n = (size_t) N * 3 * 8 * 8;
  g_autofree float *x = g_new (float, n), *a = g_new (float, n), *b = g_new (float, n);
  SwRng rng;
  sw_rng_init (&rng, 9, 0);
  sw_rng_fill_normal (&rng, x, n);
  float t[3] = { 0.2f, 0.2f, 0.2f }, c1[3 * 5] = { 0 }, c2[3 * 5] = { 0 };
  for (int i = 0; i < N; i++)
    {
      c1[i * 5 + 0] = 1.0f;                        /* word 0 */
      c2[i * 5 + 3] = c2[i * 5 + 4] = 0.5f;        /* words 3 and 4 */
    }
  /* BatchNorm's running statistics from one batch: with the initial ones
   * (mean 0, variance 1) the signal fades layer by layer in eval mode */
  sw_unet_set_bn_momentum (net, 1.0f);
  sw_unet_forward (net, N, x, t, NULL, true, a);
  float *P = sw_unet_params (net);
  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      if (!info->is_buffer && strstr (info->name, "_c.l2."))
        memset (P + info->offset, 0, sizeof (float) * info->numel);
    }
  sw_unet_forward (net, N, x, t, c1, false, a);
  sw_unet_forward (net, N, x, t, c2, false, b);
  g_assert_cmpmem (a, sizeof (float) * n, b, sizeof (float) * n);
  sw_unet_forward (net, N, x, t, NULL, false, b);
  g_assert_cmpmem (a, sizeof (float) * n, b, sizeof (float) * n);

  /* the u0 point's class block: its shift half reads unit 0 of the hidden
   * layer, which word 3 alone moves once its column there is changed */
  const SwTensorInfo *w2 = sw_unet_find_tensor (net, "fc1_c.l2.weight");
  const SwTensorInfo *w1 = sw_unet_find_tensor (net, "fc1_c.l1.weight");
  g_assert_cmpint (w2->shape[0], ==, 2 * w2->shape[1]);
  memset (P + w1->offset, 0, sizeof (float) * 5);                 /* unit 0 reads no word */
  P[w2->offset + (size_t) w2->shape[1] * w2->shape[1]] = 1.0f;   /* shift of channel 0 <- unit 0 */
  sw_unet_forward (net, N, x, t, c1, false, a);
  sw_unet_forward (net, N, x, t, c2, false, b);
  g_assert_cmpmem (a, sizeof (float) * n, b, sizeof (float) * n);
  P[w1->offset + 3] = 2.0f;                                        /* unit 0 <- word 3 */
  g_autofree float *a2 = g_new (float, n), *b2 = g_new (float, n);
  sw_unet_forward (net, N, x, t, c1, false, a2);
  sw_unet_forward (net, N, x, t, c2, false, b2);
  g_assert_cmpmem (a, sizeof (float) * n, a2, sizeof (float) * n);
  double moved = 0.0;
  for (size_t i = 0; i < n; i++)
    moved = MAX (moved, fabs (b2[i] - b[i]));
  g_test_message ("word 3 moved the output by up to %.3g", moved);
  g_assert_cmpfloat (moved, >, 1e-2);
  sw_unet_free (net);
}

static void
unet_train_forward (void *net, int N, const float *z, float *out)
{
  sw_unet_forward (net, N, z, NULL, NULL, true, out);
}

static void
unet_backward (void *net, const float *dout)
{
  sw_unet_backward (net, dout);
}

static void
test_training_loss_falls (void)
{
  SwUnetConfig cfg = { .variant = SW_UNET_UNCOND, .D = 8, .channels = 1, .size = 16 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 7);
  SwTestNet t = { unet_train_forward, unet_backward, sw_unet_params (net), sw_unet_grads (net),
                  sw_unet_num_params (net), net };
  /* a stated factor: the loss must fall at least 5x in 120 steps */
  g_assert_cmpfloat (sw_test_squares_run (&t, 16, 16, 120), >=, 5.0);
  sw_unet_free (net);
}

static void
test_deterministic (void)
{
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .D = 8, .channels = 1, .size = 28, .class_dim = 10 };
  SwUnet *a = sw_unet_new (&cfg, NULL), *b = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (a, 99);
  sw_unet_init_params (b, 99);
  g_assert_cmpmem (sw_unet_params (a), sw_unet_num_params (a) * sizeof (float),
                   sw_unet_params (b), sw_unet_num_params (b) * sizeof (float));
  sw_unet_init_params (b, 100);
  g_assert_true (memcmp (sw_unet_params (a), sw_unet_params (b),
                         sw_unet_num_params (a) * sizeof (float)) != 0);
  sw_unet_free (a);
  sw_unet_free (b);
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/unet/pytorch/class-28", "unet-class-28.safetensors", check_fixture);
  g_test_add_data_func ("/unet/pytorch/time-mul-32", "unet-time-mul-32.safetensors", check_fixture);
  g_test_add_data_func ("/unet/pytorch/time-add-28", "unet-time-add-28.safetensors", check_fixture);
  g_test_add_data_func ("/unet/pytorch/uncond-28", "unet-uncond-28.safetensors", check_fixture);
  g_test_add_data_func ("/unet/pytorch/class-every-32", "unet-class-every-32.safetensors",
                        check_fixture);
  g_test_add_data_func ("/unet/fd-gradients/class-course", &course, test_fd_gradients);
  g_test_add_data_func ("/unet/fd-gradients/class-every", &every, test_fd_gradients);
  g_test_add_data_func ("/unet/fd-gradients/class-every-embed", &every_embed, test_fd_gradients);
  g_test_add_data_func ("/unet/fd-gradients/class-film", &film, test_fd_gradients);
  g_test_add_func ("/unet/film-identity", test_film_identity);
  g_test_add_func ("/unet/param-counts", test_param_counts);
  g_test_add_func ("/unet/word-tensors", test_word_tensors);
  g_test_add_func ("/unet/shapes", test_shapes);
  g_test_add_func ("/unet/bad-config", test_bad_config);
  g_test_add_func ("/unet/flops", test_flops);
  g_test_add_func ("/unet/training-loss-falls", test_training_loss_falls);
  g_test_add_func ("/unet/deterministic-init", test_deterministic);
  return g_test_run ();
}
