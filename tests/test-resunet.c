/* The residual attention UNet (models/resunet.h): forward output and every
 * parameter gradient against fixtures dumped from an independent PyTorch
 * implementation (tests/reference/resunet_reference.py); the same seed
 * giving the same bytes; its config refused field by field. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "base/blas.h"
#include "base/rng.h"
#include "nn/adam.h"
#include "nn/layers.h"
#include "io/safetensors.h"
#include "models/resunet.h"
#include "models/resunet-file.h"
#include "test-fd.h"
#include "test-reference.h"
#include "test-squares.h"
#include "test-util.h"
#include "test-model-util.h"
#include "diffusion/job.h"
#include "models/checkpoint.h"
#include "models/eps-model.h"

static void
check_fixture (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = data_path (file);
  g_autoptr (GError) error = NULL;
  SwStFile *f = sw_safetensors_open (path, &error);
  g_assert_no_error (error);
  SwResunetConfig cfg;
  g_assert_true (sw_resunet_config_from_file (f, path, &cfg, &error));
  g_assert_no_error (error);
  SwResunet *net = sw_resunet_new (&cfg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sw_resunet_num_params (net), ==, (guint) atoi (sw_safetensors_meta (f, "param_count")));
  for (size_t i = 0; i < sw_resunet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_resunet_tensor (net, i);
      g_autofree char *key = g_strconcat ("param.", info->name, NULL);
      if (!sw_safetensors_read_f32 (f, key, info->ndim, info->shape,
                                    sw_resunet_params (net) + info->offset, &error))
        g_error ("%s", error->message);
    }
  const int N = atoi (sw_safetensors_meta (f, "batch"));
  size_t nx;
  g_autofree float *x = read_whole (f, "input.x", &nx);
  g_autofree float *t = read_whole (f, "input.t", NULL);
  g_autofree float *c = cfg.vocab > 0 ? read_whole (f, "input.c", NULL) : NULL;
  g_autofree float *cond = cfg.cond_channels > 0 ? read_whole (f, "input.cond", NULL) : NULL;
  g_autofree float *s = cfg.aug ? read_whole (f, "input.s", NULL) : NULL;
  g_autofree float *target = read_whole (f, "target", NULL);
  g_autofree float *want = read_whole (f, "output", NULL);
  g_autofree float *loss = read_whole (f, "loss", NULL);
  g_autofree float *out = g_new (float, nx), *dout = g_new0 (float, nx);

  sw_resunet_forward_cond (net, N, x, t, c, cond, s, true, out);
  double e_out = compare ("output", out, want, nx, 1e-4);
  float my_loss = sw_mse_forward (nx, out, target);
  g_assert_cmpfloat_with_epsilon (my_loss, loss[0], 1e-5 * loss[0]);
  sw_resunet_zero_grad (net);
  sw_mse_backward (nx, out, target, 1.0f, dout);
  sw_resunet_backward (net, dout);

  double e_grad = 0.0;
  for (size_t i = 0; i < sw_resunet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_resunet_tensor (net, i);
      g_autofree char *key = g_strconcat ("grad.", info->name, NULL);
      g_autofree float *ref = read_whole (f, key, NULL);
      e_grad = MAX (e_grad, compare (key, sw_resunet_grads (net) + info->offset, ref,
                                     info->numel, 1e-3));
    }
  /* every tensor of the file is one of the net's */
  g_assert_cmpuint (sw_safetensors_n_tensors (f), ==,
                    2 * sw_resunet_n_tensors (net) + 5 + !!c + !!cond + !!s);
  g_test_message ("%s: %zu parameters in %zu tensors; worst error (relative to each "
                  "tensor's max): output %.1e, gradients %.1e", file,
                  sw_resunet_num_params (net), sw_resunet_n_tensors (net), e_out, e_grad);
  sw_resunet_free (net);
  sw_safetensors_close (f);
}

/* the stage I candidate of issue 22: 16x16x3, width 64, mult 1,2,2, two
 * blocks, attention at 8 and 4 px, 4 heads, pooled words */
static SwResunetConfig
candidate (void)
{
  return (SwResunetConfig) {
    .channels = 3, .size = 16, .width = 64, .levels = 3, .mult = { 1, 2, 2 }, .blocks = 2,
    .attn = 0x6, .heads = 4, .groups = 32, .dropout = 0.1f, .time_dim = 256,
    .vocab = 50, .embed_dim = 32, .pool = true, .cross = true, .max_words = 4,
  };
}

/* Two nets from one seed, trained one step with dropout on the same
 * prompts, hold the same bytes; another seed does not. */
static void
test_same_seed (void)
{
  SwResunetConfig cfg = candidate ();
  cfg.width = 8, cfg.groups = 4, cfg.time_dim = 32, cfg.size = 8, cfg.mult[2] = 1;
  const int N = 2, n = N * 3 * 8 * 8;
  g_autofree float *x = g_new (float, n), *out = g_new (float, n), *c = g_new0 (float, N * 50);
  const float t[2] = { 10.0f, 900.0f };
  for (int i = 0; i < n; i++)
    x[i] = sinf (0.37f * i);
  c[3] = c[17] = 0.5f;
  c[50 + 9] = 1.0f;
  float *grads[3], *outs[3];
  const uint64_t seeds[3] = { 7, 7, 8 };
  SwResunet *net = NULL;
  for (int k = 0; k < 3; k++)
    {
      net = sw_resunet_new (&cfg, NULL);
      sw_resunet_init_params (net, seeds[k]);
      sw_resunet_seed_dropout (net, seeds[k]);
      sw_resunet_forward (net, N, x, t, c, true, out);
      sw_resunet_zero_grad (net);
      sw_resunet_backward (net, x);
      outs[k] = g_memdup2 (out, sizeof (float) * n);
      grads[k] = g_memdup2 (sw_resunet_grads (net), sizeof (float) * sw_resunet_num_params (net));
      if (k < 2)
        sw_resunet_free (net);
    }
  const size_t np = sw_resunet_num_params (net);
  g_assert_cmpmem (outs[0], sizeof (float) * n, outs[1], sizeof (float) * n);
  g_assert_cmpmem (grads[0], sizeof (float) * np, grads[1], sizeof (float) * np);
  g_assert_true (memcmp (grads[0], grads[2], sizeof (float) * np) != 0);
  sw_resunet_free (net);
  for (int k = 0; k < 3; k++)
    g_free (outs[k]), g_free (grads[k]);
}

static const char * const captions[] = {
  "dog face: dog, face, pet", "old man: adult, man, old", "red apple: apple, fruit", NULL,
};

/* CADS's word noise (sw_resunet_set_word_noise): nothing at or below its
 * start, without keys, in training, or on the empty prompt; above it a
 * prompt's sample changes, the same bytes from the same keys, another
 * with another key, and a row keyed alone as in its batch.  The eps-model
 * takes it only for a net with cross-attention and in range, and a job
 * keys each sample by its seed and place, so a sample is the same drawn
 * alone or in a batch. */
static void
test_word_noise (void)
{
  SwResunetConfig cfg = candidate ();
  cfg.width = 8, cfg.groups = 4, cfg.time_dim = 32, cfg.size = 8, cfg.mult[2] = 1, cfg.dropout = 0.0f;
  const int img = 3 * 8 * 8, V = 50;
  SwResunet *net = sw_resunet_new (&cfg, NULL);
  sw_resunet_init_params (net, 5);
  /* away from the zero modules, so the words reach the output */
  const size_t np = sw_resunet_num_params (net);
  g_autofree float *noise = g_new (float, np);
  SwRng rng;
  sw_rng_init (&rng, 9, 0);
  sw_rng_fill_normal (&rng, noise, np);
  for (size_t i = 0; i < np; i++)
    sw_resunet_params (net)[i] += 0.1f * noise[i];
  /* three rows: a prompt, the empty prompt, another prompt */
  g_autofree float *x = g_new (float, 3 * img), *c = g_new0 (float, 3 * V);
  for (int i = 0; i < 3 * img; i++)
    x[i] = sinf (0.37f * i);
  c[3] = c[17] = 0.5f;
  c[2 * V + 9] = 1.0f;
  float out[4][3 * 3 * 8 * 8], lone[3 * 8 * 8];
  const float early[3] = { 950.0f, 950.0f, 950.0f }, late[3] = { 800.0f, 800.0f, 800.0f };
  const uint64_t keys[3] = { 11, 12, 13 }, other[3] = { 11, 12, 14 };

  sw_resunet_forward (net, 3, x, early, c, false, out[0]);
  sw_resunet_set_word_noise (net, 0.5f, 800.0f, 1000.0f);
  sw_resunet_forward (net, 3, x, early, c, false, out[3]);
  g_assert_cmpmem (out[0], sizeof out[0], out[3], sizeof out[3]);   /* no keys */
  sw_resunet_key_rows (net, 3, keys);
  sw_resunet_forward (net, 3, x, early, c, false, out[1]);
  sw_resunet_key_rows (net, 3, keys);
  sw_resunet_forward (net, 3, x, early, c, false, out[2]);
  /* the prompts' samples change, twice the same; the empty prompt's not */
  g_assert_true (memcmp (out[0], out[1], sizeof (float) * img) != 0);
  g_assert_true (memcmp (out[0] + 2 * img, out[1] + 2 * img, sizeof (float) * img) != 0);
  g_assert_cmpmem (out[0] + img, sizeof (float) * img, out[1] + img, sizeof (float) * img);
  g_assert_cmpmem (out[1], sizeof out[1], out[2], sizeof out[2]);
  /* another key, another noise, on that row alone */
  sw_resunet_key_rows (net, 3, other);
  sw_resunet_forward (net, 3, x, early, c, false, out[2]);
  g_assert_cmpmem (out[1], sizeof (float) * img, out[2], sizeof (float) * img);
  g_assert_true (memcmp (out[1] + 2 * img, out[2] + 2 * img, sizeof (float) * img) != 0);
  /* the third row keyed alone has the same noise: the same output to
   * rounding (the batch's matrix products add in another order), where
   * the noise moved it far more */
  sw_resunet_key_rows (net, 1, keys + 2);
  sw_resunet_forward (net, 1, x + 2 * img, early, c + 2 * V, false, lone);
  double apart = 0.0, moved = 0.0;
  for (int i = 0; i < img; i++)
    {
      apart = MAX (apart, fabs (lone[i] - out[1][2 * img + i]));
      moved = MAX (moved, fabs (out[0][2 * img + i] - out[1][2 * img + i]));
    }
  g_assert_cmpfloat (apart, <, 1e-5);
  g_assert_cmpfloat (moved, >, 1e-3);
  /* at its start, and in training, the words are as they were */
  sw_resunet_key_rows (net, 3, keys);
  sw_resunet_forward (net, 3, x, late, c, false, out[2]);
  sw_resunet_forward (net, 3, x, late, c, false, out[3]);
  g_assert_cmpmem (out[2], sizeof out[2], out[3], sizeof out[3]);
  sw_resunet_key_rows (net, 3, keys);
  sw_resunet_forward (net, 3, x, early, c, true, out[3]);
  g_assert_cmpmem (out[0], sizeof out[0], out[3], sizeof out[3]);
  sw_resunet_free (net);

  /* through the eps-model: in range, and only with cross-attention */
  g_autofree char *dir = g_dir_make_tmp ("stepwise-resunet-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stage1.safetensors", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  sw_test_write_tiny_stage1 (path, captions);
  SwResunetConfig pooled = cfg;
  pooled.cross = false;
  sw_resunet_free (sw_test_write_resunet (plain, "emoji-ddpm", pooled, captions, SW_DTYPE_F32, 9));
  g_autoptr (SwEpsModel) m = sw_eps_model_load (path, &error);
  g_assert_no_error (error);
  /* the recipe's, from the file */
  g_assert_cmpfloat (sw_eps_model_word_noise (m), ==, 0.1f);

  /* a job's second image drawn in a batch of two and alone (as image 1
   * of a job of two in batches of one): the same to rounding, and apart
   * from the same image without word noise */
  g_autofree float *cond = g_new (float, m->cond_dim);
  g_assert_true (m->encode (m, "dog face", cond, &error));
  SwJob job;
  sw_job_init (&job);
  job.count = 2, job.steps = 6, job.seed = 4, job.cond = cond;
  float both[2 * 3 * 16 * 16], single[2 * 3 * 16 * 16], plain_out[2 * 3 * 16 * 16];
  const int im = 3 * 16 * 16;
  g_assert_true (sw_job_run (m, &job, both, NULL, NULL, NULL, &error));
  job.batch = 1;
  g_assert_true (sw_job_run (m, &job, single, NULL, NULL, NULL, &error));
  g_assert_true (sw_eps_model_set_word_noise (m, 0.0f, &error));
  g_assert_true (sw_job_run (m, &job, plain_out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  double job_apart = 0.0, job_moved = 0.0;
  for (int i = 0; i < im; i++)
    {
      job_apart = MAX (job_apart, fabs (both[im + i] - single[im + i]));
      job_moved = MAX (job_moved, fabs (both[im + i] - plain_out[im + i]));
    }
  g_test_message ("a job's image in a batch and alone: %.1e apart; without word noise: %.1e",
                  job_apart, job_moved);
  g_assert_cmpfloat (job_apart, <, 1e-3);
  g_assert_cmpfloat (job_moved, >, 10 * job_apart);
  g_assert_cmpfloat (sw_eps_model_word_noise (m), ==, 0.0f);
  g_assert_false (sw_eps_model_set_word_noise (m, 1.5f, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "word noise 1.5 is out of range; accepted: 0 (none) to 1");
  g_clear_error (&error);
  g_autoptr (SwEpsModel) p = sw_eps_model_load (plain, &error);
  g_assert_no_error (error);
  g_assert_true (sw_eps_model_set_word_noise (p, 0.0f, &error));
  g_assert_false (sw_eps_model_set_word_noise (p, 0.1f, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "reads its prompt's words by cross-attention");
  sw_test_remove_dir (dir);
}

typedef struct {
  SwResunet *net;
  int N;
  const float *x, *t, *c, *R;
  size_t n;
  float *out;
  const float *cond, *s;   /* a super-resolution net's, or NULL */
} FdNet;

/* sum(out * R) in training mode, every forward drawing the same dropout
 * masks */
static double
fd_loss (void *data)
{
  FdNet *f = data;
  sw_resunet_seed_dropout (f->net, 3);
  sw_resunet_forward_cond (f->net, f->N, f->x, f->t, f->c, f->cond, f->s, true, f->out);
  double s = 0.0;
  for (size_t i = 0; i < f->n; i++)
    s += (double) f->out[i] * f->R[i];
  return s;
}

/* F's net moved away from its zero-initialised modules by RNG's draws
 * (so every gradient is alive), then every tensor's backward gradient of
 * fd_loss against central differences: the worst relative error */
static double
check_all_fd (FdNet *f, SwRng *rng)
{
  const size_t np = sw_resunet_num_params (f->net);
  g_autofree float *noise = g_new (float, np);
  sw_rng_fill_normal (rng, noise, np);
  float *P = sw_resunet_params (f->net);
  for (size_t i = 0; i < np; i++)
    P[i] += 0.1f * noise[i];
  fd_loss (f);
  sw_resunet_zero_grad (f->net);
  sw_resunet_backward (f->net, f->R);
  g_autofree float *grads = g_memdup2 (sw_resunet_grads (f->net), sizeof (float) * np);
  double worst = 0.0;
  for (size_t i = 0; i < sw_resunet_n_tensors (f->net); i++)
    worst = MAX (worst, check_fd_tensor (sw_resunet_tensor (f->net, i), P, grads, fd_loss, f, 3e-3f));
  return worst;
}

/* Dropout is off in the fixtures (PyTorch's masks are not the engine's):
 * with it on, 4 entries of every tensor's gradient against central
 * differences */
static void
test_dropout_gradients (void)
{
  SwResunetConfig cfg = candidate ();
  cfg.width = 4, cfg.groups = 2, cfg.time_dim = 8, cfg.size = 8, cfg.levels = 2;
  cfg.mult[1] = 2, cfg.blocks = 1, cfg.attn = 0x2, cfg.heads = 2, cfg.vocab = 6;
  cfg.embed_dim = 3, cfg.max_words = 2, cfg.dropout = 0.3f;
  SwResunet *net = sw_resunet_new (&cfg, NULL);
  const int N = 2;
  const size_t n = (size_t) N * 3 * 8 * 8;
  g_autofree float *x = g_new (float, n), *R = g_new (float, n), *out = g_new (float, n);
  const float t[2] = { 30.0f, 700.0f };
  float c[2 * 6] = { 0 };
  c[1] = c[4] = 0.5f, c[6 + 2] = 1.0f;
  SwRng rng;
  sw_rng_init (&rng, 5, 0);
  sw_rng_fill_normal (&rng, x, n);
  sw_rng_fill_normal (&rng, R, n);
  FdNet f = { net, N, x, t, c, R, n, out, NULL, NULL };
  g_test_message ("dropout 0.3: worst relative gradient error %.2e", check_all_fd (&f, &rng));
  sw_resunet_free (net);
}

/* A super-resolution net (stage II): the conditioning image's channels
 * and the noise level's embedding; every tensor's gradient (the aug MLP's
 * and the widened input conv's included) against central differences,
 * with a prompt too so that emb's three sources add. */
static void
test_sr_gradients (void)
{
  SwResunetConfig cfg = { .channels = 3, .size = 8, .width = 4, .levels = 2, .mult = { 1, 2 },
                          .blocks = 1, .attn = 0x2, .heads = 2, .groups = 2, .time_dim = 8,
                          .vocab = 5, .embed_dim = 3, .pool = true, .cond_channels = 3,
                          .aug = true };
  SwResunet *net = sw_resunet_new (&cfg, NULL);
  g_assert_nonnull (sw_resunet_find_tensor (net, "aug_embed.0.weight"));
  g_assert_cmpint (sw_resunet_find_tensor (net, "input_blocks.0.0.weight")->shape[1], ==, 6);
  const int N = 2;
  const size_t n = (size_t) N * 3 * 8 * 8, np = sw_resunet_num_params (net);
  g_autofree float *x = g_new (float, n), *R = g_new (float, n), *out = g_new (float, n);
  g_autofree float *cond = g_new (float, n);
  const float t[2] = { 30.0f, 700.0f }, s[2] = { 0.0f, 180.0f };
  float c[2 * 5] = { 0 };
  c[1] = 1.0f, c[5 + 3] = 1.0f;
  SwRng rng;
  sw_rng_init (&rng, 6, 0);
  sw_rng_fill_normal (&rng, x, n);
  sw_rng_fill_normal (&rng, cond, n);
  sw_rng_fill_normal (&rng, R, n);
  FdNet f = { net, N, x, t, c, R, n, out, cond, s };
  g_test_message ("stage II net: worst relative gradient error %.2e", check_all_fd (&f, &rng));
  const float *P = sw_resunet_params (net);

  /* the same weights at another side (stage II trains on crops, samples
   * the whole image); a side the levels do not divide is refused */
  g_autoptr (GError) error = NULL;
  SwResunet *big = sw_resunet_new_at_size (net, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_resunet_config (big)->size, ==, 16);
  g_assert_cmpmem (sw_resunet_params (big), np * sizeof (float), P, np * sizeof (float));
  g_assert_null (sw_resunet_new_at_size (net, 9, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "resunet size = 9");
  sw_resunet_free (big);
  sw_resunet_free (net);
}

static void
test_config_refused (void)
{
  static const struct { const char *field; int value; const char *says; } cases[] = {
    { "channels", 2, "resunet channels = 2" },
    { "levels", 5, "resunet levels = 5" },
    { "size", 18, "resunet size = 18" },
    { "width", 63, "resunet width = 63" },
    { "mult", 9, "resunet mult[1] = 9" },
    { "blocks", 0, "resunet blocks = 0" },
    { "attn", 0x8, "past the last" },
    { "heads", 3, "resunet heads = 3 do not divide" },
    { "groups", 48, "resunet groups, level 0: GroupNorm of 64 channels in 48 groups" },
    { "time_dim", 0, "resunet time_dim = 0" },
    { "vocab", -1, "resunet vocab = -1" },
    { "embed_dim", 0, "resunet embed_dim = 0" },
    { "max_words", 65, "resunet max_words = 65" },
    { "dropout", 1, "resunet dropout = 1" },
    { "cond_channels", 9, "resunet cond_channels = 9" },
  };
  SwResunetConfig ok = candidate ();
  g_assert_true (sw_resunet_config_validate (&ok, NULL));
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SwResunetConfig cfg = candidate ();
      const char *f = cases[i].field;
      int v = cases[i].value;
      if (!strcmp (f, "channels")) cfg.channels = v;
      else if (!strcmp (f, "levels")) cfg.levels = v;
      else if (!strcmp (f, "size")) cfg.size = v;
      else if (!strcmp (f, "width")) cfg.width = v;
      else if (!strcmp (f, "mult")) cfg.mult[1] = v;
      else if (!strcmp (f, "blocks")) cfg.blocks = v;
      else if (!strcmp (f, "attn")) cfg.attn = v;
      else if (!strcmp (f, "heads")) cfg.heads = v;
      else if (!strcmp (f, "groups")) cfg.groups = v;
      else if (!strcmp (f, "time_dim")) cfg.time_dim = v;
      else if (!strcmp (f, "vocab")) cfg.vocab = v;
      else if (!strcmp (f, "embed_dim")) cfg.embed_dim = v;
      else if (!strcmp (f, "max_words")) cfg.max_words = v;
      else if (!strcmp (f, "dropout")) cfg.dropout = v;
      else if (!strcmp (f, "cond_channels")) cfg.cond_channels = v;
      g_autoptr (GError) error = NULL;
      g_assert_null (sw_resunet_new (&cfg, &error));
      sw_test_assert_error (error, SW_ERROR_INVALID, cases[i].says);
    }
  /* a vocabulary nothing reads, and a reader without a vocabulary */
  SwResunetConfig cfg = candidate ();
  cfg.pool = cfg.cross = false;
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_resunet_config_validate (&cfg, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "neither pool nor cross");
  g_clear_error (&error);
  cfg = candidate ();
  cfg.vocab = 0;
  g_assert_false (sw_resunet_config_validate (&cfg, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "need a vocabulary");
}

static void
resunet_train_forward (void *net, int N, const float *z, float *out)
{
  float t[16] = { 0 };   /* the squares run's batch */
  sw_resunet_forward (net, N, z, t, NULL, true, out);
}

static void
resunet_backward (void *net, const float *dout)
{
  sw_resunet_backward (net, dout);
}

/* What a trainer does: forward, MSE, zero the gradients, backward, an Adam
 * step on the one parameter and gradient allocation; the loss must fall. */
static void
test_training_loss_falls (void)
{
  SwResunetConfig cfg = { .channels = 1, .size = 12, .width = 8, .levels = 2, .mult = { 1, 2 },
                          .blocks = 1, .attn = 0x2, .heads = 2, .groups = 4, .dropout = 0.1f,
                          .time_dim = 32 };
  SwResunet *net = sw_resunet_new (&cfg, NULL);
  sw_resunet_init_params (net, 4);
  SwTestNet t = { resunet_train_forward, resunet_backward, sw_resunet_params (net),
                  sw_resunet_grads (net), sw_resunet_num_params (net), net };
  /* a stated factor: it fell 4.8x when written */
  g_assert_cmpfloat (sw_test_squares_run (&t, 16, 12, 100), >=, 3.0);
  sw_resunet_free (net);
}

static void
assert_same_config (const SwResunetConfig *a, const SwResunetConfig *b)
{
  g_assert_cmpint (a->channels, ==, b->channels);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->levels, ==, b->levels);
  for (int l = 0; l < a->levels; l++)
    g_assert_cmpint (a->mult[l], ==, b->mult[l]);
  g_assert_cmpint (a->blocks, ==, b->blocks);
  g_assert_cmpuint (a->attn, ==, b->attn);
  g_assert_cmpint (a->heads, ==, b->heads);
  g_assert_cmpint (a->groups, ==, b->groups);
  g_assert_cmpfloat (a->dropout, ==, b->dropout);
  g_assert_cmpint (a->time_dim, ==, b->time_dim);
  g_assert_cmpint (a->vocab, ==, b->vocab);
  g_assert_cmpint (a->embed_dim, ==, b->embed_dim);
  g_assert_cmpint (a->pool, ==, b->pool);
  g_assert_cmpint (a->cross, ==, b->cross);
  g_assert_cmpint (a->max_words, ==, b->max_words);
  g_assert_cmpint (a->cond_channels, ==, b->cond_channels);
  g_assert_cmpint (a->aug, ==, b->aug);
}

/* The config and the weights through a file: F32 exactly, F16 rounded;
 * with Adam's state, that too. */
static void
test_file_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stepwise-resunet-XXXXXX", NULL);
  g_autofree char *f32 = g_build_filename (dir, "f32.safetensors", NULL);
  g_autofree char *f16 = g_build_filename (dir, "f16.safetensors", NULL);
  g_autofree char *ckpt = g_build_filename (dir, "checkpoint.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  SwResunet *net = sw_test_write_tiny_resunet (f32, captions, SW_DTYPE_F32);
  sw_resunet_free (sw_test_write_tiny_resunet (f16, captions, SW_DTYPE_F16));   /* the same weights */
  const size_t np = sw_resunet_num_params (net);
  const float *P = sw_resunet_params (net);

  g_autoptr (GHashTable) meta = NULL;
  SwResunet *a = sw_resunet_load (f32, &meta, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_config (sw_resunet_config (net), sw_resunet_config (a));
  g_assert_cmpmem (sw_resunet_params (a), np * sizeof (float), P, np * sizeof (float));
  g_assert_cmpstr (g_hash_table_lookup (meta, "arch"), ==, "resunet");
  g_assert_cmpstr (g_hash_table_lookup (meta, "resunet.mult"), ==, "1,2");
  g_assert_cmpstr (g_hash_table_lookup (meta, "resunet.attn"), ==, "1");
  /* a net without a conditioning image writes no stage II field */
  g_assert_false (g_hash_table_contains (meta, "resunet.cond_channels"));
  g_assert_false (g_hash_table_contains (meta, "resunet.aug"));
  SwResunet *b = sw_resunet_load (f16, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_config (sw_resunet_config (net), sw_resunet_config (b));
  g_autofree float *rounded = g_memdup2 (P, np * sizeof (float));
  sw_f16_round (rounded, np);
  g_assert_cmpmem (sw_resunet_params (b), np * sizeof (float), rounded, np * sizeof (float));

  SwAdam opt;
  sw_adam_init (&opt, np, 1e-3f);
  for (size_t i = 0; i < np; i++)
    opt.m[i] = 0.5f * P[i], opt.v[i] = P[i] * P[i];
  opt.step = 12;
  sw_adam_enable_ema (&opt, 0.999f, P);
  g_assert_true (sw_resunet_save (ckpt, net, &opt, NULL, SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  g_assert_false (sw_resunet_save (ckpt, net, &opt, NULL, SW_DTYPE_F16, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "must be saved as F32");
  g_clear_error (&error);
  SwAdam back = { 0 };
  gboolean has_opt = FALSE;
  SwResunet *c = sw_resunet_load (ckpt, NULL, &back, &has_opt, &error);
  g_assert_no_error (error);
  g_assert_true (has_opt);
  g_assert_cmpint (back.step, ==, 12);
  g_assert_cmpmem (back.m, np * sizeof (float), opt.m, np * sizeof (float));
  g_assert_cmpmem (back.v, np * sizeof (float), opt.v, np * sizeof (float));
  g_assert_cmpmem (back.ema, np * sizeof (float), opt.ema, np * sizeof (float));
  /* a stage II net's fields through the file */
  SwResunetConfig sr = *sw_resunet_config (net);
  sr.cond_channels = 3, sr.aug = true;
  SwResunet *d = sw_resunet_new (&sr, &error);
  g_assert_no_error (error);
  g_autofree char *srpath = g_build_filename (dir, "sr.safetensors", NULL);
  g_assert_true (sw_resunet_save (srpath, d, NULL, NULL, SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  g_autoptr (GHashTable) srmeta = NULL;
  SwResunet *e = sw_resunet_load (srpath, &srmeta, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_config (&sr, sw_resunet_config (e));
  g_assert_cmpstr (g_hash_table_lookup (srmeta, "resunet.cond_channels"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (srmeta, "resunet.aug"), ==, "1");
  const size_t nd = sw_resunet_num_params (d);
  g_assert_cmpmem (sw_resunet_params (e), nd * sizeof (float), sw_resunet_params (d), nd * sizeof (float));
  sw_resunet_free (d);
  sw_resunet_free (e);

  sw_adam_clear (&opt);
  sw_adam_clear (&back);
  sw_resunet_free (a);
  sw_resunet_free (b);
  sw_resunet_free (c);
  sw_resunet_free (net);
  sw_test_remove_dir (dir);
}

/* A file of either architecture loads into its own net: the eps-model of
 * a resunet file is that net (and runs a generation job), a course UNet's
 * file loads as before, and each loader refuses the other's file. */
static void
test_either_architecture (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stepwise-resunet-XXXXXX", NULL);
  g_autofree char *res = g_build_filename (dir, "resunet.safetensors", NULL);
  g_autofree char *unet = g_build_filename (dir, "unet.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  SwResunet *net = sw_test_write_tiny_resunet (res, captions, SW_DTYPE_F32);
  sw_test_write_tiny_model (unet);

  g_autoptr (SwEpsModel) m = sw_eps_model_load (res, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sw_eps_model_vocabulary (m));
  g_assert_cmpint (m->cond_dim, ==, sw_resunet_config (net)->vocab);
  g_assert_cmpint (m->height, ==, 8);
  g_assert_cmpint (m->T, ==, 1000);
  /* the model's prediction is the net's at the timestep itself */
  const int n = 3 * 8 * 8;
  float x[3 * 8 * 8], eps[3 * 8 * 8], want[3 * 8 * 8], t = 500.0f;
  g_autofree float *cond = g_new (float, m->cond_dim);
  for (int i = 0; i < n; i++)
    x[i] = cosf (0.1f * i);
  g_assert_true (m->encode (m, "old apple", cond, &error));
  g_assert_no_error (error);
  m->predict (m, 1, x, 500, cond, eps, NULL);
  sw_resunet_forward (net, 1, x, &t, cond, false, want);
  g_assert_cmpmem (eps, sizeof eps, want, sizeof want);
  g_assert_false (m->encode (m, "zebra", cond, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* cross-attention reads 4 words: a fifth is refused, not dropped */
  g_assert_true (m->encode (m, "dog face old man", cond, &error));
  g_assert_false (m->encode (m, "dog face old man fruit", cond, &error));
  g_assert_nonnull (strstr (error->message, "stands for 5 words; this model reads at most 4"));
  g_clear_error (&error);

  /* a generation job, twice from one seed */
  SwJob job;
  sw_job_init (&job);
  job.count = 2, job.steps = 4, job.seed = 3, job.cond = cond;
  float out1[2 * 3 * 8 * 8], out2[2 * 3 * 8 * 8];
  g_assert_true (sw_job_validate (&job, m, &error));
  g_assert_true (sw_job_run (m, &job, out1, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sw_job_run (m, &job, out2, NULL, NULL, NULL, &error));
  g_assert_cmpmem (out1, sizeof out1, out2, sizeof out2);
  for (int i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (out1[i]));

  g_autoptr (SwEpsModel) u = sw_eps_model_load (unet, &error);
  g_assert_no_error (error);
  g_assert_cmpint (u->height, ==, 28);
  g_assert_null (sw_checkpoint_load (res, NULL, NULL, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "a model of architecture “resunet” (metadata "
                        "field “arch”); accepted: the course UNet");
  g_clear_error (&error);
  g_assert_null (sw_resunet_load (unet, NULL, NULL, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "“arch” are “stepwise-unet” and “(missing)”; "
                        "accepted: “stepwise-unet” and “resunet”");
  sw_resunet_free (net);
  sw_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  static const char *fixtures[] = {
    "resunet-pool-16.safetensors", "resunet-cross-12.safetensors", "resunet-uncond-8.safetensors",
    "resunet-sr-16.safetensors",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *name = g_strdup_printf ("/resunet/reference/%s", fixtures[i]);
      g_test_add_data_func (name, fixtures[i], check_fixture);
    }
  g_test_add_func ("/resunet/same-seed", test_same_seed);
  g_test_add_func ("/resunet/word-noise", test_word_noise);
  g_test_add_func ("/resunet/dropout-gradients", test_dropout_gradients);
  g_test_add_func ("/resunet/sr-gradients", test_sr_gradients);
  g_test_add_func ("/resunet/config-refused", test_config_refused);
  g_test_add_func ("/resunet/training-loss-falls", test_training_loss_falls);
  g_test_add_func ("/resunet/file-round-trip", test_file_round_trip);
  g_test_add_func ("/resunet/either-architecture", test_either_architecture);
  return g_test_run ();
}
