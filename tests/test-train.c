/* Training recipes and sampling on the real digits (set-up imports them):
 * every recipe's loss falls in a tiny run, the same seed gives the same
 * bytes, and a run stopped and resumed continues exactly the run that was
 * never stopped. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "base/blas.h"
#include "models/checkpoint.h"
#include "data/dataset.h"
#include "base/rng.h"
#include "diffusion/sampler.h"
#include "train/trainer.h"

static SwDataset *digits;
static char *tmpdir;

static gboolean
require_digits (void)
{
  if (digits)
    return TRUE;
  g_test_skip ("the digits are not imported (build-aux/dev does it)");
  return FALSE;
}

typedef struct {
  GArray *losses;
} Log;

static gboolean
log_step (int epoch, int step, int steps, float loss, gpointer data)
{
  Log *log = data;
  g_array_append_val (log->losses, loss);
  return TRUE;
}

/* the recipe, shrunk to run in a second: D 8, batch 32, 256 images */
static SwRecipe
tiny (const char *name)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup (name, &r, NULL));
  r.model.D = 8;
  r.batch = 32;
  r.seed = 3;
  return r;
}

static void
test_loss_falls (gconstpointer data)
{
  const char *name = data;
  if (!require_digits ())
    return;
  SwRecipe r = tiny (name);
  /* the denoisers' lr 1e-4 is tuned for 5 epochs of D=128; in a handful
   * of steps at D=8 only a larger step shows learning */
  if (r.model.objective == SW_OBJECTIVE_DENOISE || r.model.objective == SW_OBJECTIVE_PURE_NOISE)
    r.lr = 3e-3f;
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, digits, &error);
  g_assert_no_error (error);
  Log log = { g_array_new (FALSE, FALSE, sizeof (float)) };
  float mean;
  for (int e = 0; e < 2; e++)
    {
      g_assert_true (sw_trainer_run_epoch (tr, log_step, &log, &mean, &error));
      g_assert_no_error (error);
    }
  const float *l = (const float *) log.losses->data;
  int n = (int) log.losses->len;
  double first = (l[0] + l[1]) / 2, last = (l[n - 1] + l[n - 2]) / 2;
  g_test_message ("%s: %d steps, loss %.4f -> %.4f", name, n, first, last);
  /* stated factor: the last two steps' loss is below 0.8x the first two's */
  g_assert_cmpfloat (last, <, 0.8 * first);
  g_array_unref (log.losses);
  sw_trainer_free (tr);
}

static GBytes *
file_bytes (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static void
test_same_seed_same_bytes (void)
{
  if (!require_digits ())
    return;
  g_autoptr (GBytes) first = NULL;
  for (int run = 0; run < 2; run++)
    {
      SwRecipe r = tiny ("flow-class");
      SwTrainer *tr = sw_trainer_new (&r, digits, NULL);
      g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, NULL));
      g_autofree char *path = g_strdup_printf ("%s/same-%d.safetensors", tmpdir, run);
      g_assert_true (sw_trainer_save (tr, path, TRUE, SW_DTYPE_F32, NULL, NULL));
      g_autoptr (GBytes) bytes = file_bytes (path);
      if (run == 0)
        first = g_bytes_ref (bytes);
      else
        g_assert_true (g_bytes_equal (first, bytes));

      /* and sampling: same seed, same pixels; another seed, others */
      SwSampleOptions o = { .steps = 3, .guidance = 5.0f, .seed = 9 };
      int cls[4] = { 0, 3, -1, 9 };
      float a[4 * 784], b[4 * 784], c[4 * 784];
      g_assert_true (sw_sample (sw_trainer_net (tr), &sw_trainer_recipe (tr)->model, 4, cls, &o, a, NULL, NULL, NULL));
      g_assert_true (sw_sample (sw_trainer_net (tr), &sw_trainer_recipe (tr)->model, 4, cls, &o, b, NULL, NULL, NULL));
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      /* an image does not depend on the batch it is drawn in, beyond the
       * rounding of GEMMs of another shape */
      o.batch = 1;
      g_assert_true (sw_sample (sw_trainer_net (tr), &sw_trainer_recipe (tr)->model, 4, cls, &o, c, NULL, NULL, NULL));
      for (size_t i = 0; i < G_N_ELEMENTS (a); i++)
        g_assert_cmpfloat (fabsf (a[i] - c[i]), <, 1e-3f);
      o.seed = 10;
      g_assert_true (sw_sample (sw_trainer_net (tr), &sw_trainer_recipe (tr)->model, 4, cls, &o, c, NULL, NULL, NULL));
      g_assert_true (memcmp (a, c, sizeof a) != 0);
      sw_trainer_free (tr);
    }
}

typedef struct {
  const char *name, *recipe;
  SwCondPoints cond;
} ResumeCase;

/* the conditioning points, too, come back from the checkpoint */
static void
test_resume_continues (gconstpointer data)
{
  const ResumeCase *rc = data;
  if (!require_digits ())
    return;
  SwRecipe r = tiny (rc->recipe);
  r.epochs = 3;
  r.model.cond = rc->cond;
  g_autoptr (GError) error = NULL;

  /* never stopped: 3 epochs */
  SwTrainer *straight = sw_trainer_new (&r, digits, &error);
  Log a = { g_array_new (FALSE, FALSE, sizeof (float)) };
  for (int e = 0; e < 3; e++)
    g_assert_true (sw_trainer_run_epoch (straight, log_step, &a, NULL, &error));

  /* stopped after 1 epoch: checkpoint, a new process's worth of state, resume */
  SwTrainer *first = sw_trainer_new (&r, digits, &error);
  Log b = { g_array_new (FALSE, FALSE, sizeof (float)) };
  g_assert_true (sw_trainer_run_epoch (first, log_step, &b, NULL, &error));
  g_autofree char *path = g_strdup_printf ("%s/resume-%s-%s.safetensors", tmpdir, rc->recipe,
                                           sw_cond_points_name (rc->cond));
  g_assert_true (sw_trainer_save (first, path, TRUE, SW_DTYPE_F32, NULL, &error));
  g_assert_no_error (error);
  sw_trainer_free (first);
  SwTrainer *resumed = sw_trainer_resume (path, digits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_trainer_epoch (resumed), ==, 1);
  g_assert_cmpint (sw_trainer_recipe (resumed)->model.cond, ==, rc->cond);
  for (int e = 1; e < 3; e++)
    g_assert_true (sw_trainer_run_epoch (resumed, log_step, &b, NULL, &error));

  g_assert_cmpuint (a.losses->len, ==, b.losses->len);
  g_assert_cmpmem (a.losses->data, a.losses->len * sizeof (float),
                   b.losses->data, b.losses->len * sizeof (float));
  SwUnet *n1 = sw_trainer_net (straight), *n2 = sw_trainer_net (resumed);
  g_assert_cmpmem (sw_unet_params (n1), sw_unet_num_params (n1) * sizeof (float),
                   sw_unet_params (n2), sw_unet_num_params (n2) * sizeof (float));
  g_assert_cmpmem (sw_unet_buffers (n1), sw_unet_num_buffers (n1) * sizeof (float),
                   sw_unet_buffers (n2), sw_unet_num_buffers (n2) * sizeof (float));
  g_array_unref (a.losses);
  g_array_unref (b.losses);
  sw_trainer_free (straight);
  sw_trainer_free (resumed);
}

typedef struct {
  int at;          /* the step to keep */
  float x[2 * 784];
} KeepStep;

static gboolean
keep_step (int step, int steps, int first, int n, const float *x, const float *estimate, gpointer data)
{
  KeepStep *k = data;
  if (step == k->at)
    memcpy (k->x, x, sizeof k->x);
  return TRUE;
}

/* guidance from part of the way: the steps before are the conditional model
 * alone, bit for bit, the steps from there are guided */
static void
test_guide_after (void)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup ("flow-class", &r, NULL));
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = r.model.time_mod, .D = 8, .channels = 1,
                       .size = 28, .class_dim = 10 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 5);
  int cls[2] = { 2, 7 };
  float out[2 * 784];
  SwSampleOptions late = { .steps = 8, .guidance = 5.0f, .guide_after = 0.5f, .seed = 1 };
  SwSampleOptions cond = { .steps = 8, .guidance = 1.0f, .seed = 1 };
  SwSampleOptions all = { .steps = 8, .guidance = 5.0f, .seed = 1 };
  static KeepStep a, b, c;
  for (int at = 3; at <= 4; at++)   /* step 3 is the last unguided one (3/8 < 0.5) */
    {
      a.at = b.at = c.at = at;
      g_assert_true (sw_sample (net, &r.model, 2, cls, &late, out, keep_step, &a, NULL));
      g_assert_true (sw_sample (net, &r.model, 2, cls, &cond, out, keep_step, &b, NULL));
      g_assert_true (sw_sample (net, &r.model, 2, cls, &all, out, keep_step, &c, NULL));
      if (at == 3)
        g_assert_cmpmem (a.x, sizeof a.x, b.x, sizeof b.x);
      else
        g_assert_true (memcmp (a.x, b.x, sizeof a.x) != 0);
      g_assert_true (memcmp (a.x, c.x, sizeof a.x) != 0);
    }

  g_autoptr (GError) error = NULL;
  late.guide_after = 1.0f;
  g_assert_false (sw_sample (net, &r.model, 2, cls, &late, out, NULL, NULL, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "accepted: 0 (all the way) to less than 1"));
  sw_unet_free (net);
}

/* resuming with a new factor per epoch goes on from the rate reached, and
 * the re-set schedule survives the next checkpoint */
static void
test_resume_new_rate (void)
{
  if (!require_digits ())
    return;
  SwRecipe r = tiny ("flow-time");
  r.epochs = 4;
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, digits, &error);
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  float at1 = sw_recipe_lr (sw_trainer_recipe (tr), 1);
  g_assert_cmpfloat (at1, <, r.lr);
  g_autofree char *path = g_strdup_printf ("%s/resume-rate.safetensors", tmpdir);
  g_assert_true (sw_trainer_save (tr, path, TRUE, SW_DTYPE_F32, NULL, &error));
  sw_trainer_free (tr);

  tr = sw_trainer_resume (path, digits, &(SwResumeChanges) { .epochs = 6, .gamma = 1.0f }, &error);
  g_assert_no_error (error);
  const SwRecipe *held = sw_trainer_recipe (tr);
  g_assert_cmpint (held->epochs, ==, 6);
  g_assert_cmpfloat (sw_recipe_lr (held, 1), ==, at1);
  g_assert_cmpfloat (sw_recipe_lr (held, 5), ==, at1);
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_save (tr, path, TRUE, SW_DTYPE_F32, NULL, &error));
  sw_trainer_free (tr);

  tr = sw_trainer_resume (path, digits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_trainer_epoch (tr), ==, 2);
  g_assert_cmpfloat (sw_recipe_lr (sw_trainer_recipe (tr), 4), ==, at1);
  sw_trainer_free (tr);

  /* a new rate from epoch 2 on, kept by the held factor 1, then one that
   * falls from there by the factor given with it */
  tr = sw_trainer_resume (path, digits, &(SwResumeChanges) { .lr = 5e-3f }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_recipe_lr (sw_trainer_recipe (tr), 2), ==, 5e-3f);
  g_assert_cmpfloat (sw_recipe_lr (sw_trainer_recipe (tr), 5), ==, 5e-3f);
  sw_trainer_free (tr);
  tr = sw_trainer_resume (path, digits, &(SwResumeChanges) { .lr = 5e-3f, .gamma = 0.5f }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_recipe_lr (sw_trainer_recipe (tr), 2), ==, 5e-3f);
  g_assert_cmpfloat (sw_recipe_lr (sw_trainer_recipe (tr), 4), ==, 1.25e-3f);
  sw_trainer_free (tr);
  /* a run cannot shrink below what it has done */
  g_assert_null (sw_trainer_resume (path, digits, &(SwResumeChanges) { .epochs = 1 }, &error));
  g_assert_nonnull (strstr (error->message, "has 2 epochs done, more than the 1 asked for"));
}

static void
assert_same_params (SwUnet *a, SwUnet *b)
{
  g_assert_cmpmem (sw_unet_params (a), sw_unet_num_params (a) * sizeof (float),
                   sw_unet_params (b), sw_unet_num_params (b) * sizeof (float));
}

/* Adam's moving average of the weights: the recurrence itself, then a run
 * that keeps one samples and ships it, resumes it exactly, and a run
 * without one can start it on resume */
static void
test_ema (void)
{
  SwAdam opt;
  float p[2] = { 1.0f, -2.0f }, g[2] = { 0.5f, 0.25f };
  sw_adam_init (&opt, 2, 0.1f);
  sw_adam_enable_ema (&opt, 0.75f, p);
  float want[2] = { p[0], p[1] };
  for (int step = 1; step <= 40; step++)
    {
      sw_adam_step (&opt, p, g);
      /* warmed up: 2/11, 3/12, ... until (1 + step) / (10 + step) passes 0.75 at step 27 */
      const float d = MIN (0.75f, (1.0f + step) / (10.0f + step));
      for (int i = 0; i < 2; i++)
        want[i] = d * want[i] + (1.0f - d) * p[i];
    }
  g_assert_cmpfloat (p[0], <, 1.0f);
  for (int i = 0; i < 2; i++)
    g_assert_cmpfloat_with_epsilon (opt.ema[i], want[i], 1e-6f);
  sw_adam_clear (&opt);

  if (!require_digits ())
    return;
  SwRecipe r = tiny ("flow-class");
  r.epochs = 2;
  r.ema = 0.5f;
  g_autoptr (GError) error = NULL;
  SwTrainer *straight = sw_trainer_new (&r, digits, &error);
  assert_same_params (sw_trainer_sampling_net (straight), sw_trainer_net (straight));
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));
  SwUnet *avg = sw_trainer_sampling_net (straight);
  g_assert_true (avg != sw_trainer_net (straight));
  g_assert_true (memcmp (sw_unet_params (avg), sw_unet_params (sw_trainer_net (straight)),
                         sw_unet_num_params (avg) * sizeof (float)) != 0);
  g_autofree char *ckpt = g_strdup_printf ("%s/ema-ckpt.safetensors", tmpdir);
  g_autofree char *model = g_strdup_printf ("%s/ema-model.safetensors", tmpdir);
  g_assert_true (sw_trainer_save (straight, ckpt, TRUE, SW_DTYPE_F32, NULL, &error));
  g_assert_true (sw_trainer_save (straight, model, FALSE, SW_DTYPE_F32, NULL, &error));
  SwUnet *shipped = sw_checkpoint_load (model, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_params (shipped, avg);
  sw_unet_free (shipped);

  SwTrainer *resumed = sw_trainer_resume (ckpt, digits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_trainer_recipe (resumed)->ema, ==, 0.5f);
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_run_epoch (resumed, NULL, NULL, NULL, &error));
  assert_same_params (sw_trainer_sampling_net (resumed), sw_trainer_sampling_net (straight));
  /* and recomputes the same BatchNorm statistics for them */
  g_assert_cmpmem (sw_unet_buffers (sw_trainer_sampling_net (resumed)),
                   sw_unet_num_buffers (avg) * sizeof (float),
                   sw_unet_buffers (sw_trainer_sampling_net (straight)),
                   sw_unet_num_buffers (avg) * sizeof (float));
  sw_trainer_free (straight);
  sw_trainer_free (resumed);

  /* a run without an average starts one from its weights when resumed */
  r.ema = 0.0f;
  SwTrainer *plain = sw_trainer_new (&r, digits, &error);
  g_assert_true (sw_trainer_run_epoch (plain, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_sampling_net (plain) == sw_trainer_net (plain));
  g_assert_true (sw_trainer_save (plain, ckpt, TRUE, SW_DTYPE_F32, NULL, &error));
  sw_trainer_free (plain);
  plain = sw_trainer_resume (ckpt, digits, &(SwResumeChanges) { .ema = 0.9f }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_trainer_recipe (plain)->ema, ==, 0.9f);
  assert_same_params (sw_trainer_sampling_net (plain), sw_trainer_net (plain));
  sw_trainer_free (plain);
}

/* Parameter groups: the first step of Adam moves every weight by about
 * lr (g / |g|), so a group at 10x the rate moves exactly 10x as far, on
 * the same moments */
static void
test_adam_groups (void)
{
  float p[5] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f }, g[5] = { 1.0f, -2.0f, 3.0f, 0.5f, -1.0f };
  float q[5], m[5];
  SwAdam opt;
  sw_adam_init (&opt, 5, 0.01f);
  sw_adam_add_group (&opt, 1, 3, 10.0f);
  sw_adam_step (&opt, p, g);
  memcpy (m, opt.m, sizeof m);
  sw_adam_clear (&opt);
  for (int i = 0; i < 5; i++)
    q[i] = 0.5f;
  sw_adam_init (&opt, 5, 0.01f);
  sw_adam_step (&opt, q, g);
  g_assert_cmpmem (m, sizeof m, opt.m, sizeof m);
  sw_adam_clear (&opt);
  for (int i = 0; i < 5; i++)
    {
      float want = (i == 1 || i == 2 ? 10.0f : 1.0f) * (q[i] - 0.5f);
      g_assert_cmpfloat_with_epsilon (p[i] - 0.5f, want, 1e-6f);
      g_assert_cmpfloat_with_epsilon (fabsf (q[i] - 0.5f), 0.01f, 1e-6f);
    }
}

/* mean |a - b| over the tensors that hold words (WORDS) or the rest */
static double
mean_move (SwUnet *net, const float *before, gboolean words)
{
  const float *p = sw_unet_params (net);
  double sum = 0.0;
  size_t n = 0;
  for (size_t i = 0; i < sw_unet_n_tensors (net); i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      if (info->is_buffer || sw_unet_tensor_holds_words (net, info) != words)
        continue;
      for (size_t j = info->offset; j < info->offset + info->numel; j++)
        sum += fabsf (p[j] - before[j]);
      n += info->numel;
    }
  return sum / n;
}

/* --word-lr: the class vectors move about that much further in an epoch,
 * the rest of the net about as far; a resume keeps the factor or takes a
 * new one */
static void
test_word_lr (void)
{
  if (!require_digits ())
    return;
  double words[2], rest[2];
  const float factor[2] = { 1.0f, 10.0f };
  g_autoptr (GError) error = NULL;
  g_autofree char *ckpt = g_strdup_printf ("%s/word-lr.safetensors", tmpdir);
  for (int k = 0; k < 2; k++)
    {
      SwRecipe r = tiny ("flow-class");
      r.word_lr = factor[k];
      SwTrainer *tr = sw_trainer_new (&r, digits, &error);
      g_assert_no_error (error);
      SwUnet *net = sw_trainer_net (tr);
      g_autofree float *before = g_memdup2 (sw_unet_params (net), sw_unet_num_params (net) * sizeof (float));
      g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
      words[k] = mean_move (net, before, TRUE);
      rest[k] = mean_move (net, before, FALSE);
      if (k == 1)
        g_assert_true (sw_trainer_save (tr, ckpt, TRUE, SW_DTYPE_F32, NULL, &error));
      sw_trainer_free (tr);
    }
  g_test_message ("mean move in an epoch, x1 / x10: class vectors %.4g / %.4g, the rest %.4g / %.4g",
                  words[0], words[1], rest[0], rest[1]);
  g_assert_cmpfloat (words[1], >, 4.0 * words[0]);
  g_assert_cmpfloat (rest[1], <, 2.0 * rest[0]);
  g_assert_cmpfloat (rest[1], >, 0.5 * rest[0]);

  SwTrainer *tr = sw_trainer_resume (ckpt, digits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_trainer_recipe (tr)->word_lr, ==, 10.0f);
  sw_trainer_free (tr);
  tr = sw_trainer_resume (ckpt, digits, &(SwResumeChanges) { .word_lr = 3.0f }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_trainer_recipe (tr)->word_lr, ==, 3.0f);
  sw_trainer_free (tr);
  g_assert_null (sw_trainer_resume (ckpt, digits, &(SwResumeChanges) { .word_lr = 5000.0f }, &error));
  g_assert_nonnull (strstr (error->message, "word rate multiplier 5000"));
}

static double
rms_diff (size_t n, const float *a, const float *b)
{
  double ss = 0.0;
  for (size_t i = 0; i < n; i++)
    ss += (double) (a[i] - b[i]) * (a[i] - b[i]);
  return sqrt (ss / n);
}

/* The averaged weights sample with BatchNorm statistics of their own
 * (update_bn's): on a batch it never saw, their eval-mode output is far
 * nearer the output under the batch's own statistics than it is with the
 * trained net's running statistics, which belong to other weights */
static void
test_ema_batchnorm (void)
{
  if (!require_digits ())
    return;
  SwRecipe r = tiny ("flow-class");
  r.epochs = 1;
  r.ema = 0.99f;
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, digits, &error);
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  SwUnet *live = sw_trainer_net (tr), *avg = sw_trainer_sampling_net (tr);
  const SwUnetConfig *cfg = sw_unet_config (avg);
  const size_t nb = sw_unet_num_buffers (avg), np = sw_unet_num_params (avg);

  /* a batch as flow-class draws one: (1 - t) noise + t image, its class */
  enum { N = 32, FIRST = 200 };
  const int K = cfg->class_dim;
  const size_t img = (size_t) cfg->channels * cfg->size * cfg->size, n = N * img;
  g_autofree float *x = g_new (float, n), *t = g_new (float, N), *c = g_new0 (float, N * K);
  SwRng rng;
  sw_rng_init (&rng, 9, 9);
  for (int i = 0; i < N; i++)
    {
      t[i] = sw_rng_uniform (&rng);
      for (size_t j = 0; j < img; j++)
        x[i * img + j] = (1.0f - t[i]) * sw_rng_normal (&rng)
                         + t[i] * digits->images[(FIRST + i) * img + j];
      c[i * K + digits->labels[FIRST + i]] = 1.0f;
    }
  /* the averaged weights under the batch's statistics and under the trained net's */
  SwUnet *batch_stats = sw_unet_new (cfg, NULL), *stale = sw_unet_new (cfg, NULL);
  memcpy (sw_unet_params (batch_stats), sw_unet_params (avg), np * sizeof (float));
  memcpy (sw_unet_params (stale), sw_unet_params (avg), np * sizeof (float));
  memcpy (sw_unet_buffers (stale), sw_unet_buffers (live), nb * sizeof (float));
  g_autofree float *want = g_new (float, n), *own = g_new (float, n), *old = g_new (float, n);
  sw_unet_forward (batch_stats, N, x, t, c, true, want);
  sw_unet_forward (avg, N, x, t, c, false, own);
  sw_unet_forward (stale, N, x, t, c, false, old);
  const double e_own = rms_diff (n, own, want), e_old = rms_diff (n, old, want);
  g_test_message ("eval vs batch statistics, RMS: recomputed %.4f, the trained net's %.4f",
                  e_own, e_old);
  g_assert_cmpfloat (e_own, <, 0.5 * e_old);
  sw_unet_free (batch_stats);
  sw_unet_free (stale);
  sw_trainer_free (tr);
}

static void
test_bad_resume (void)
{
  if (!require_digits ())
    return;
  SwRecipe r = tiny ("flow-time");
  SwTrainer *tr = sw_trainer_new (&r, digits, NULL);
  g_autofree char *weights = g_strdup_printf ("%s/weights-only.safetensors", tmpdir);
  g_assert_true (sw_trainer_save (tr, weights, FALSE, SW_DTYPE_F16, NULL, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (sw_trainer_resume (weights, digits, NULL, &error));
  g_assert_nonnull (strstr (error->message, "holds weights only"));
  sw_trainer_free (tr);
}

static void
test_recipe_errors (void)
{
  g_autoptr (GError) error = NULL;
  SwRecipe r;
  g_assert_false (sw_recipe_lookup ("diffusion", &r, &error));
  g_assert_nonnull (strstr (error->message, "known recipes: denoiser, denoiser-pure-noise, flow-time"));
  g_clear_error (&error);
  g_assert_true (sw_recipe_lookup ("flow-class", &r, NULL));
  r.batch = 1;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "batch size 1 is out of range"));
  g_clear_error (&error);
  /* conditioning after every block is for the class variant */
  g_assert_true (sw_recipe_lookup ("flow-time", &r, NULL));
  r.model.cond = SW_COND_EVERY;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "conditioning points “every” do not fit the recipe “flow-time”"));
  g_clear_error (&error);
  r.model.cond = SW_COND_FILM;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "conditioning points “film” do not fit the recipe “flow-time”"));
  g_clear_error (&error);
  /* a word rate needs classes or words, and a positive factor */
  g_assert_true (sw_recipe_lookup ("flow-time", &r, NULL));
  r.word_lr = 10.0f;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "word rate multiplier 10 does not fit the recipe “flow-time”"));
  g_clear_error (&error);
  g_assert_true (sw_recipe_lookup ("emoji-ddpm", &r, NULL));
  r.word_lr = 0.0f;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "accepted: more than 0, at most 1000"));
  /* ExponentialLR: 0.1^(1/10) per epoch, 10x down over the run */
  g_assert_true (sw_recipe_lookup ("flow-class", &r, NULL));
  g_assert_cmpfloat_with_epsilon (sw_recipe_lr (&r, 10), 1e-3, 1e-8);
  r.scheduler = false;
  g_assert_cmpfloat (sw_recipe_lr (&r, 7), ==, r.lr);
}

/* a model file's configuration is read from the same "recipe.<field>"
 * keys a checkpoint has always had, and needs none of the training ones */
static void
test_model_config_meta (void)
{
  g_autoptr (GError) error = NULL;
  SwRecipe r, back;
  g_assert_true (sw_recipe_lookup ("emoji-ddpm", &r, NULL));
  r.batch = 17;
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (&r, pairs);
  /* emoji-stage1's word noise travels with it */
  SwRecipe s1, s1_back;
  g_assert_true (sw_recipe_lookup ("emoji-stage1", &s1, NULL));
  g_assert_cmpfloat (s1.model.word_noise, >, 0.0f);
  g_autoptr (GPtrArray) s1_pairs = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (&s1, s1_pairs);
  g_autoptr (GHashTable) s1_meta = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < s1_pairs->len; i += 2)
    g_hash_table_insert (s1_meta, s1_pairs->pdata[i], s1_pairs->pdata[i + 1]);
  g_assert_true (sw_recipe_from_meta (s1_meta, &s1_back, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (s1_back.model.word_noise, ==, s1.model.word_noise);
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < pairs->len; i += 2)
    g_hash_table_insert (meta, pairs->pdata[i], pairs->pdata[i + 1]);
  g_assert_true (g_hash_table_contains (meta, "recipe.sample_steps"));
  g_assert_true (sw_recipe_from_meta (meta, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back.model.name, ==, "emoji-ddpm");
  g_assert_cmpint (back.model.T, ==, 1000);
  g_assert_cmpint (back.batch, ==, 17);
  g_hash_table_remove (meta, "recipe.batch");
  SwModelConfig config;
  g_assert_true (sw_model_config_from_meta (meta, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config.dataset, ==, "emoji");
  g_assert_cmpint (config.objective, ==, SW_OBJECTIVE_EPS_COSINE);
  g_assert_cmpint (config.sample_steps, ==, 33);
  g_assert_cmpfloat (config.guidance, ==, 7.0f);
  /* no word noise unless the file says so; in range when it does */
  g_assert_false (g_hash_table_contains (meta, "recipe.word_noise"));
  g_assert_cmpfloat (config.word_noise, ==, 0.0f);
  g_hash_table_insert (meta, "recipe.word_noise", "0.25");
  g_assert_true (sw_model_config_from_meta (meta, &config, &error));
  g_assert_cmpfloat (config.word_noise, ==, 0.25f);
  g_hash_table_insert (meta, "recipe.word_noise", "2");
  g_assert_false (sw_model_config_from_meta (meta, &config, &error));
  g_assert_nonnull (strstr (error->message, "word noise 2 is out of range; accepted: 0 (none) to 1"));
  g_clear_error (&error);
  g_hash_table_remove (meta, "recipe.word_noise");
  g_assert_false (sw_recipe_from_meta (meta, &back, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "“recipe.batch” is missing"));
  g_clear_error (&error);
  g_hash_table_remove (meta, "recipe.T");
  g_assert_false (sw_model_config_from_meta (meta, &config, &error));
  g_assert_nonnull (strstr (error->message, "“recipe.T” is missing"));
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-train-XXXXXX", NULL);
  digits = sw_dataset_load ("digits", SW_SPLIT_TRAIN, NULL);
  if (digits)
    digits->n = 256;   /* the 256-image subset */
  for (const char * const *r = sw_recipe_names (); *r; r++)
    {
      /* the residual attention UNet's recipes train on the emoji, not on
       * the digits: test-stage1.c and test-stage2.c run them */
      SwRecipe recipe;
      if (sw_recipe_lookup (*r, &recipe, NULL) && recipe.resunet.width > 0)
        continue;
      g_autofree char *path = g_strdup_printf ("/train/loss-falls/%s", *r);
      g_test_add_data_func (path, *r, test_loss_falls);
    }
  static const ResumeCase resume[] = {
    { "flow-class", "flow-class", SW_COND_COURSE },
    { "ddpm-class", "ddpm-class", SW_COND_COURSE },
    { "ddpm-class-every", "ddpm-class", SW_COND_EVERY },
    { "ddpm-class-film", "ddpm-class", SW_COND_FILM },
  };
  SW_TEST_ADD_CASES ("/train/resume", resume, test_resume_continues);
  g_test_add_func ("/train/same-seed-same-bytes", test_same_seed_same_bytes);
  g_test_add_func ("/train/guide-after", test_guide_after);
  g_test_add_func ("/train/resume-new-rate", test_resume_new_rate);
  g_test_add_func ("/train/ema", test_ema);
  g_test_add_func ("/train/ema-batchnorm", test_ema_batchnorm);
  g_test_add_func ("/train/adam-groups", test_adam_groups);
  g_test_add_func ("/train/word-lr", test_word_lr);
  g_test_add_func ("/train/bad-resume", test_bad_resume);
  g_test_add_func ("/train/recipe-errors", test_recipe_errors);
  g_test_add_func ("/train/model-config-meta", test_model_config_meta);
  int status = g_test_run ();
  if (digits)
    sw_dataset_free (digits);
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
