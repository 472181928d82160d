/* Generation jobs (issue 4): the cosine schedule against docs/math.md's numbers,
 * the strided timesteps, and every Part A algorithm checked on synthetic
 * predictors whose right answer is known. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "models/cosine-schedule.h"
#include "models/eps-model.h"
#include "diffusion/gaussian-blur.h"
#include "diffusion/job.h"
#include "diffusion/job-settings.h"
#include "models/prompt-classes.h"
#include "base/rng.h"
#include "train/recipe.h"
#include "models/unet.h"

/* ------------------------------------------------------ synthetic models */

/* eps = tanh(x) (1 + c0 + c1/2) (1 + t/T): pointwise and odd, so it is
 * equivariant under every view (flip, rotation, negation) */
static void
pointwise_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
                   float *var)
{
  const int img = m->channels * m->height * m->width;
  for (int i = 0; i < N; i++)
    {
      const float *c = cond + (size_t) i * m->cond_dim;
      float s = (1.0f + c[0] + 0.5f * c[1]) * (1.0f + (float) t / m->T);
      for (int j = 0; j < img; j++)
        eps[(size_t) i * img + j] = tanhf (x[(size_t) i * img + j]) * s;
    }
}

static gboolean
ab_encode (SwEpsModel *m, const char *prompt, float *cond, GError **error)
{
  cond[0] = cond[1] = 0.0f;
  if (g_strcmp0 (prompt, "a") == 0)
    cond[0] = 1.0f;
  else if (g_strcmp0 (prompt, "b") == 0)
    cond[1] = 1.0f;
  else if (*prompt)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "unknown prompt “%s”", prompt);
      return FALSE;
    }
  return TRUE;
}

static SwEpsModel *
synthetic_new (int C, int size)
{
  SwEpsModel *m = g_new0 (SwEpsModel, 1);
  *m = (SwEpsModel) { .channels = C, .height = size, .width = size, .cond_dim = 2,
                      .T = SW_COSINE_T, .predict = pointwise_predict, .encode = ab_encode };
  return m;
}

/* an oracle that knows the clean image: eps = (x_t - sqrt(ab) x0) / sqrt(1 - ab),
 * so its predicted x0 is exactly x0; with_var: it also predicts the constant
 * learned-range variance v */
typedef struct {
  const float *x0;
  double       ab[SW_COSINE_T];
  float        v;
} Oracle;

static void
oracle_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
                float *var)
{
  Oracle *o = m->impl;
  const int img = m->channels * m->height * m->width;
  const double a = sqrt (o->ab[t]), b = sqrt (1.0 - o->ab[t]);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < img; j++)
      {
        size_t k = (size_t) i * img + j;
        eps[k] = (float) ((x[k] - a * o->x0[j]) / b);
        if (var)
          var[k] = o->v;
      }
}

static SwEpsModel *
oracle_new (Oracle *o, const float *x0, int C, int size, gboolean with_var, float v)
{
  SwEpsModel *m = synthetic_new (C, size);
  o->x0 = x0;
  o->v = v;
  sw_cosine_alpha_bar (SW_COSINE_T, o->ab);
  m->predict = oracle_predict;
  m->predicts_variance = with_var;
  m->impl = o;
  return m;
}

static float *
random_image (int n, uint64_t seed)
{
  SwRng rng;
  float *x = g_new (float, n);
  sw_rng_init (&rng, seed, 0);
  for (int j = 0; j < n; j++)
    x[j] = 2.0f * sw_rng_uniform (&rng) - 1.0f;
  return x;
}

/* --------------------------------------------------------------- frames */

typedef struct {
  GPtrArray *x_t;   /* one (n, C, H, W) copy per frame */
  GArray    *t;
  size_t     floats;
  int        stop_after;   /* cancel once this many frames came, or 0 */
  GCancellable *cancel;
} Frames;

static gboolean
keep_frame (const SwJobFrame *f, gpointer data)
{
  Frames *fr = data;
  g_ptr_array_add (fr->x_t, g_memdup2 (f->x_t, sizeof (float) * fr->floats));
  g_array_append_val (fr->t, f->t);
  if (fr->stop_after && (int) fr->t->len == fr->stop_after)
    g_cancellable_cancel (fr->cancel);
  return TRUE;
}

static void
frames_init (Frames *fr, size_t floats)
{
  memset (fr, 0, sizeof *fr);
  fr->x_t = g_ptr_array_new_with_free_func (g_free);
  fr->t = g_array_new (FALSE, FALSE, sizeof (int));
  fr->floats = floats;
}

static void
frames_clear (Frames *fr)
{
  g_ptr_array_unref (fr->x_t);
  g_array_unref (fr->t);
}

/* ---------------------------------------------------------------- tests */

static void
test_alpha_bar (void)
{
  double ab[SW_COSINE_T];
  sw_cosine_alpha_bar (SW_COSINE_T, ab);
  /* docs/math.md 1.1.5's reference values, to the digits it gives */
  g_assert_cmpfloat_with_epsilon (ab[250], 0.846, 5e-4);
  g_assert_cmpfloat_with_epsilon (ab[500], 0.492, 5e-4);
  g_assert_cmpfloat_with_epsilon (ab[750], 0.143, 5e-4);
  g_assert_cmpfloat_with_epsilon (ab[690], 0.215, 5e-4);
  g_assert_cmpfloat_with_epsilon (ab[990], 1.97e-4, 5e-6);
  g_assert_cmpfloat_with_epsilon (ab[0], 0.99996, 5e-6);
  for (int t = 1; t < SW_COSINE_T; t++)
    g_assert_cmpfloat (ab[t], <, ab[t - 1]);
}

static void
test_strided (void)
{
  int ts[34];
  sw_strided_timesteps (SW_COSINE_T, 33, ts);
  for (int k = 0; k < 34; k++)
    g_assert_cmpint (ts[k], ==, 990 - 30 * k);
  /* docs/math.md 1.2.4's index -> timestep pairs */
  g_assert_cmpint (ts[1], ==, 960);
  g_assert_cmpint (ts[3], ==, 900);
  g_assert_cmpint (ts[5], ==, 840);
  g_assert_cmpint (ts[7], ==, 780);
  g_assert_cmpint (ts[10], ==, 690);
  g_assert_cmpint (ts[20], ==, 390);
  int one[2];
  sw_strided_timesteps (SW_COSINE_T, 1, one);
  g_assert_cmpint (one[0], ==, 999);
  g_assert_cmpint (one[1], ==, 0);
  int five_hundred[501];
  sw_strided_timesteps (SW_COSINE_T, 500, five_hundred);
  g_assert_cmpint (five_hundred[0], ==, 999);
  g_assert_cmpint (five_hundred[1], ==, 997);

  /* every step count starts within one step's gap of the top (500 steps
   * once started at t = 500, from noise that was not noise there: issue
   * 23), goes strictly down and ends at 0 */
  int all[SW_COSINE_T];
  for (int n = 1; n < SW_COSINE_T; n++)
    {
      sw_strided_timesteps (SW_COSINE_T, n, all);
      if (!(all[0] <= SW_COSINE_T - 1 && all[0] > (SW_COSINE_T - 1) - (double) (SW_COSINE_T - 1) / n))
        g_error ("%d steps start at t = %d, below the top", n, all[0]);
      for (int k = 1; k <= n; k++)
        if (all[k] >= all[k - 1])
          g_error ("%d steps: t = %d after %d", n, all[k], all[k - 1]);
      g_assert_cmpint (all[n], ==, 0);
    }

  /* a start keeps its timestep as the step count changes: i = 1 of 33 is
   * t = 960, which is i = 2 of 66 (t = 960), i = 19 of 500 (t = 961 is
   * nearest), and i = 0 of 1 (the only start) */
  g_assert_cmpint (sw_strided_index (SW_COSINE_T, 33, 960), ==, 1);
  g_assert_cmpint (sw_strided_index (SW_COSINE_T, 66, 960), ==, 2);
  sw_strided_timesteps (SW_COSINE_T, 500, five_hundred);
  g_assert_cmpint (five_hundred[19], ==, 961);
  g_assert_cmpint (sw_strided_index (SW_COSINE_T, 500, 960), ==, 19);
  g_assert_cmpint (sw_strided_index (SW_COSINE_T, 1, 500), ==, 0);
  g_assert_cmpint (sw_strided_index (SW_COSINE_T, 33, 0), ==, 32);
}

/* forward(x0, t) with a known eps, then the one-step estimate with that
 * same eps, gives x0 back */
static float *fixed_eps;

static void
fixed_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
               float *var)
{
  memcpy (eps, fixed_eps, sizeof (float) * N * m->channels * m->height * m->width);
}

static void
test_forward_inverts (void)
{
  const int n = 3 * 32 * 32;
  g_autoptr (SwEpsModel) m = synthetic_new (3, 32);
  m->predict = fixed_predict;
  g_autofree float *x0 = random_image (n, 1), *xt = g_new (float, n), *back = g_new (float, n);
  fixed_eps = g_new (float, n);
  SwRng rng;
  sw_rng_init (&rng, 2, 0);
  sw_rng_fill_normal (&rng, fixed_eps, n);
  const int ts[] = { 0, 250, 500, 750, 900 };
  for (guint k = 0; k < G_N_ELEMENTS (ts); k++)
    {
      sw_forward_noise (m, ts[k], n, x0, fixed_eps, xt);
      sw_one_step (m, ts[k], xt, NULL, 1.0f, back);
      for (int j = 0; j < n; j++)
        g_assert_cmpfloat_with_epsilon (back[j], x0[j], 1e-4);
    }
  g_clear_pointer (&fixed_eps, g_free);
}

/* one update with the true x0 and no noise lands on the posterior mean;
 * with the posterior variance, the spread around it is that variance */
static void
test_posterior_mean (void)
{
  const int size = 32, n = size * size, count = 16;
  g_autofree float *x0 = random_image (n, 3);
  Oracle o;
  g_autoptr (SwEpsModel) m = oracle_new (&o, x0, 1, size, FALSE, 0.0f);
  int ts[34];
  sw_strided_timesteps (SW_COSINE_T, 33, ts);
  SwJob job;
  sw_job_init (&job);
  job.image = x0;
  job.i_start = 10;
  job.count = count;
  job.clip_x0 = FALSE;
  g_autofree float *out = g_new (float, (size_t) count * n);

  const double abt = o.ab[ts[10]], abp = o.ab[ts[11]], alpha = abt / abp, beta = 1.0 - alpha;
  const double c0 = sqrt (abp) * beta / (1.0 - abt), ct = sqrt (alpha) * (1.0 - abp) / (1.0 - abt);
  const double post = (1.0 - abp) / (1.0 - abt) * beta;
  const SwVarianceMode modes[] = { SW_VARIANCE_NONE, SW_VARIANCE_POSTERIOR };
  for (int k = 0; k < 2; k++)
    {
      Frames fr;
      frames_init (&fr, (size_t) count * n);
      job.variance = modes[k];
      g_assert_true (sw_job_run (m, &job, out, keep_frame, &fr, NULL, NULL));
      g_assert_cmpuint (fr.t->len, ==, 33 - 10 + 1);
      g_assert_cmpint (g_array_index (fr.t, int, 0), ==, 690);
      const float *xt = fr.x_t->pdata[0], *xp = fr.x_t->pdata[1];
      double sum2 = 0.0;
      for (int i = 0; i < count; i++)
        for (int j = 0; j < n; j++)
          {
            double mean = c0 * x0[j] + ct * xt[(size_t) i * n + j];
            double d = xp[(size_t) i * n + j] - mean;
            if (modes[k] == SW_VARIANCE_NONE)
              g_assert_cmpfloat_with_epsilon (d, 0.0, 1e-5);
            sum2 += d * d;
          }
      if (modes[k] == SW_VARIANCE_POSTERIOR)
        g_assert_cmpfloat_with_epsilon (sum2 / (count * n) / post, 1.0, 0.05);
      frames_clear (&fr);
    }
}

/* learned range: v = -1 is the posterior variance (the same bytes), v = +1
 * is beta_t */
static void
test_learned_variance (void)
{
  const int size = 32, n = size * size, count = 16;
  g_autofree float *x0 = random_image (n, 4);
  g_autofree float *a = g_new (float, (size_t) count * n), *b = g_new (float, (size_t) count * n);
  Oracle o1, o2;
  g_autoptr (SwEpsModel) plain = oracle_new (&o1, x0, 1, size, FALSE, 0.0f);
  g_autoptr (SwEpsModel) learned = oracle_new (&o2, x0, 1, size, TRUE, -1.0f);
  SwJob job;
  sw_job_init (&job);
  job.count = count;
  job.steps = 10;
  job.variance = SW_VARIANCE_POSTERIOR;
  g_assert_true (sw_job_run (plain, &job, a, NULL, NULL, NULL, NULL));
  job.variance = SW_VARIANCE_AUTO;
  g_assert_true (sw_job_run (learned, &job, b, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * count * n, b, sizeof (float) * count * n);

  /* v = +1: one update from i_start 5 spreads by beta around the mean */
  o2.v = 1.0f;
  int ts[11];
  sw_strided_timesteps (SW_COSINE_T, 10, ts);
  Frames fr;
  frames_init (&fr, (size_t) count * n);
  job.image = x0;
  job.i_start = 5;
  job.clip_x0 = FALSE;
  g_assert_true (sw_job_run (learned, &job, b, keep_frame, &fr, NULL, NULL));
  const double abt = o2.ab[ts[5]], abp = o2.ab[ts[6]], alpha = abt / abp, beta = 1.0 - alpha;
  const double c0 = sqrt (abp) * beta / (1.0 - abt), ct = sqrt (alpha) * (1.0 - abp) / (1.0 - abt);
  const float *xt = fr.x_t->pdata[0], *xp = fr.x_t->pdata[1];
  double sum2 = 0.0;
  for (int i = 0; i < count * n; i++)
    {
      double d = xp[i] - (c0 * x0[i % n] + ct * xt[i]);
      sum2 += d * d;
    }
  g_assert_cmpfloat_with_epsilon (sum2 / (count * n) / beta, 1.0, 0.05);
  frames_clear (&fr);
}

static void
test_inpaint_keeps_outside (void)
{
  const int C = 3, size = 28, n = C * size * size;
  g_autoptr (SwEpsModel) m = synthetic_new (C, size);
  g_autofree float *image = random_image (n, 5), *mask = g_new0 (float, size * size);
  g_autofree float *out = g_new (float, (size_t) 2 * n);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size / 2; x++)
      mask[y * size + x] = 1.0f;
  float cond[2];
  g_assert_true (m->encode (m, "a", cond, NULL));
  SwJob job;
  sw_job_init (&job);
  job.count = 2;
  job.image = image;
  job.mask = mask;
  job.cond = cond;
  g_assert_true (sw_job_run (m, &job, out, NULL, NULL, NULL, NULL));
  int changed = 0;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < n; j++)
      {
        float o = out[(size_t) i * n + j];
        if (mask[j % (size * size)] == 0.0f)
          g_assert_cmpfloat (o, ==, image[j]);
        else
          changed += o != image[j];
      }
  g_assert_cmpint (changed, >, size * size);
}

static void
run_plain (SwEpsModel *m, const SwJob *base, float *out)
{
  SwJob job = *base;
  job.compose = SW_COMPOSE_PLAIN;
  job.cond2 = NULL;
  g_assert_true (sw_job_run (m, &job, out, NULL, NULL, NULL, NULL));
}

/* anagram with equal prompts and a self-inverse view of an equivariant
 * model is plain CFG; hybrid of an estimate with itself is that estimate */
static void
test_compositions_reduce (void)
{
  const int C = 3, size = 32, n = C * size * size, count = 2;
  g_autoptr (SwEpsModel) m = synthetic_new (C, size);
  g_autofree float *plain = g_new (float, (size_t) count * n), *out = g_new (float, (size_t) count * n);
  float cond[2];
  g_assert_true (m->encode (m, "b", cond, NULL));
  SwJob job;
  sw_job_init (&job);
  job.count = count;
  job.seed = 7;
  job.cond = cond;
  job.cond2 = cond;
  run_plain (m, &job, plain);

  const SwView views[] = { SW_VIEW_FLIP, SW_VIEW_ROTATE180, SW_VIEW_NEGATE };
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      job.compose = SW_COMPOSE_ANAGRAM;
      job.view = views[v];
      g_assert_true (sw_job_run (m, &job, out, NULL, NULL, NULL, NULL));
      for (int j = 0; j < count * n; j++)
        g_assert_cmpfloat_with_epsilon (out[j], plain[j], 1e-5);
    }
  job.compose = SW_COMPOSE_HYBRID;
  g_assert_true (sw_job_run (m, &job, out, NULL, NULL, NULL, NULL));
  for (int j = 0; j < count * n; j++)
    g_assert_cmpfloat_with_epsilon (out[j], plain[j], 1e-4);

  /* with different prompts both compositions do change the result */
  float other[2];
  g_assert_true (m->encode (m, "a", other, NULL));
  job.cond2 = other;
  g_assert_true (sw_job_run (m, &job, out, NULL, NULL, NULL, NULL));
  g_assert_true (memcmp (out, plain, sizeof (float) * count * n) != 0);
}

/* per-image conditioning, all equal, is the single conditioning (with CFG,
 * so the unconditional pass is checked too) */
static void
test_per_image_cond (void)
{
  const int size = 28, n = size * size, count = 3;
  g_autoptr (SwEpsModel) m = synthetic_new (1, size);
  g_autofree float *a = g_new (float, (size_t) count * n), *b = g_new (float, (size_t) count * n);
  float cond[2], conds[3 * 2];
  g_assert_true (m->encode (m, "b", cond, NULL));
  for (int i = 0; i < count; i++)
    memcpy (conds + 2 * i, cond, sizeof cond);
  SwJob job;
  sw_job_init (&job);
  job.count = count;
  job.steps = 5;
  job.cond = cond;
  g_assert_true (sw_job_run (m, &job, a, NULL, NULL, NULL, NULL));
  job.cond = conds;
  job.cond_per_image = TRUE;
  g_assert_true (sw_job_run (m, &job, b, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * count * n, b, sizeof (float) * count * n);
}

/* the same seed gives the same bytes, whatever the batch; another seed not */
static void
test_same_seed_same_bytes (void)
{
  const int C = 1, size = 28, n = C * size * size, count = 5;
  g_autoptr (SwEpsModel) m = synthetic_new (C, size);
  g_autofree float *a = g_new (float, (size_t) count * n), *b = g_new (float, (size_t) count * n);
  SwJob job;
  sw_job_init (&job);
  job.count = count;
  job.seed = 42;
  g_assert_true (sw_job_run (m, &job, a, NULL, NULL, NULL, NULL));
  job.batch = 2;
  g_assert_true (sw_job_run (m, &job, b, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * count * n, b, sizeof (float) * count * n);
  job.seed = 43;
  g_assert_true (sw_job_run (m, &job, b, NULL, NULL, NULL, NULL));
  g_assert_true (memcmp (a, b, sizeof (float) * n) != 0);
}

/* sw_job_start is where sw_job_run starts: every image's first x_t, from
 * noise and from an image, and its t */
static void
test_job_start (void)
{
  const int size = 28, n = size * size, count = 3;
  g_autoptr (SwEpsModel) m = synthetic_new (1, size);
  g_autofree float *image = g_new (float, n), *start = g_new (float, n), *out = g_new (float, count * n);
  for (int j = 0; j < n; j++)
    image[j] = (float) (j % 11) / 5.0f - 1.0f;
  SwJob job;
  sw_job_init (&job);
  job.count = count;
  job.seed = 7;
  job.steps = 5;
  for (int with_image = 0; with_image < 2; with_image++)
    {
      job.image = with_image ? image : NULL;
      job.i_start = with_image ? 2 : 0;
      Frames fr;
      frames_init (&fr, (size_t) count * n);
      g_assert_true (sw_job_run (m, &job, out, keep_frame, &fr, NULL, NULL));
      const float *first = fr.x_t->pdata[0];
      for (int i = 0; i < count; i++)
        {
          g_assert_cmpint (sw_job_start (m, &job, i, NULL, start), ==, g_array_index (fr.t, int, 0));
          g_assert_cmpmem (start, sizeof (float) * n, first + (size_t) i * n, sizeof (float) * n);
        }
      frames_clear (&fr);
    }
}

static void
test_cancel_within_one_step (void)
{
  const int size = 28, n = size * size;
  g_autoptr (SwEpsModel) m = synthetic_new (1, size);
  g_autofree float *out = g_new (float, n);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Frames fr;
  frames_init (&fr, n);
  fr.stop_after = 6;
  fr.cancel = cancel;
  SwJob job;
  sw_job_init (&job);
  g_assert_false (sw_job_run (m, &job, out, keep_frame, &fr, cancel, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_CANCELLED);
  g_assert_cmpuint (fr.t->len, ==, 6);
  frames_clear (&fr);
}

static void
expect_invalid (SwEpsModel *m, const SwJob *job, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_job_validate (job, m, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  if (!strstr (error->message, needle))
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

static void
test_validation (void)
{
  g_autoptr (SwEpsModel) m = synthetic_new (1, 28);
  float mask[28 * 28] = { 0 };
  SwJob job;
  sw_job_init (&job);
  g_assert_true (sw_job_validate (&job, m, NULL));
  job.steps = 0;
  expect_invalid (m, &job, "accepted: 1 to 999");
  sw_job_init (&job);
  job.i_start = 33;
  expect_invalid (m, &job, "accepted: 0 to 32");
  sw_job_init (&job);
  job.guidance = 101.0f;
  expect_invalid (m, &job, "accepted: 0 to 100");
  sw_job_init (&job);
  job.count = 0;
  expect_invalid (m, &job, "accepted: 1 to 1000");
  sw_job_init (&job);
  job.mask = mask;
  expect_invalid (m, &job, "needs the image");
  sw_job_init (&job);
  job.compose = SW_COMPOSE_HYBRID;
  job.hybrid_kernel = 4;
  job.hybrid_sigma = 1.0f;
  expect_invalid (m, &job, "odd number");
}

/* the separable blur against a direct 2-D sum with reflect padding */
static void
test_blur (void)
{
  const int H = 5, W = 7, k = 5;
  const float sigma = 1.3f;
  g_autofree float *x = random_image (H * W, 9), *y = g_new (float, H * W);
  sw_gaussian_blur (1, H, W, k, sigma, x, y);
  double w[5], sum = 0.0;
  for (int i = 0; i < k; i++)
    sum += w[i] = exp (-0.5 * pow ((i - 2) / sigma, 2.0));
  for (int r = 0; r < H; r++)
    for (int c = 0; c < W; c++)
      {
        double acc = 0.0;
        for (int i = 0; i < k; i++)
          for (int j = 0; j < k; j++)
            {
              int rr = abs (r + i - 2), cc = abs (c + j - 2);
              rr = rr >= H ? 2 * (H - 1) - rr : rr;
              cc = cc >= W ? 2 * (W - 1) - cc : cc;
              acc += w[i] * w[j] / (sum * sum) * x[rr * W + cc];
            }
        g_assert_cmpfloat_with_epsilon (y[r * W + c], acc, 1e-5);
      }
  /* a kernel wider than the image still keeps a constant image */
  float flat[16], out[16];
  for (int i = 0; i < 16; i++)
    flat[i] = 0.25f;
  sw_gaussian_blur (1, 4, 4, 33, 2.0f, flat, out);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat_with_epsilon (out[i], 0.25f, 1e-6);
  int kernel;
  float s;
  sw_hybrid_kernel_for_size (64, &kernel, &s);
  g_assert_cmpint (kernel, ==, 33);
  g_assert_cmpfloat (s, ==, 2.0f);
  sw_hybrid_kernel_for_size (28, &kernel, &s);
  g_assert_cmpint (kernel, ==, 15);
  g_assert_cmpfloat_with_epsilon (s, 0.875f, 1e-6);
}

static void
test_prompt_classes (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptClasses) pc = sw_prompt_classes_for_dataset ("fashion", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_prompt_classes_count (pc), ==, 10);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "a sneaker", NULL), ==, 7);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "  A Sneaker. ", NULL), ==, 7);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "an ankle boot", NULL), ==, 9);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "a photo of a bag", NULL), ==, 8);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "trousers", NULL), ==, 1);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "", NULL), ==, -1);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, " . ", NULL), ==, -1);
  g_assert_cmpint (sw_prompt_classes_lookup (pc, "a unicorn", &error), ==, -2);
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“a unicorn”"));
  g_assert_nonnull (strstr (error->message, "an ankle boot"));
  g_clear_error (&error);

  g_autofree char *meta = sw_prompt_classes_to_meta (pc);
  g_autoptr (SwPromptClasses) back = sw_prompt_classes_parse (meta, 10, &error);
  g_assert_no_error (error);
  g_autofree char *again = sw_prompt_classes_to_meta (back);
  g_assert_cmpstr (meta, ==, again);
  g_assert_cmpstr (sw_prompt_classes_name (back, 9), ==, "an ankle boot");

  g_assert_null (sw_prompt_classes_parse (meta, 9, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (sw_prompt_classes_parse ("a|;b", 2, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (sw_prompt_classes_for_dataset ("cats", &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
}

/* the UNet behind the interface: prompts select classes, jobs run */
static void
test_unet_model (void)
{
  SwRecipe recipe;
  g_assert_true (sw_recipe_lookup ("ddpm-prompt", &recipe, NULL));
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = SW_TIME_ADD, .D = 4,
                       .channels = 1, .size = 28, .class_dim = 10 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 1);
  g_autoptr (SwPromptClasses) pc = sw_prompt_classes_for_dataset ("fashion", NULL);
  g_autofree char *meta = sw_prompt_classes_to_meta (pc);
  g_autoptr (GError) error = NULL;
  g_autoptr (SwEpsModel) m = sw_eps_model_new_unet (net, &recipe.model, meta, &error);
  g_assert_no_error (error);
  float cond[10];
  g_assert_true (m->encode (m, "a sneaker", cond, NULL));
  for (int k = 0; k < 10; k++)
    g_assert_cmpfloat (cond[k], ==, k == 7 ? 1.0f : 0.0f);
  g_assert_false (m->encode (m, "a cat", cond, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_clear_error (&error);
  g_auto (GStrv) prompts = m->prompts (m);
  g_assert_true (g_strv_contains ((const char * const *) prompts, "a sneaker"));

  g_assert_true (m->encode (m, "a bag", cond, NULL));
  const int n = 28 * 28;
  g_autofree float *a = g_new (float, 2 * n), *b = g_new (float, 2 * n);
  SwJob job;
  sw_job_init (&job);
  job.count = 2;
  job.steps = 4;
  job.cond = cond;
  g_assert_true (sw_job_run (m, &job, a, NULL, NULL, NULL, NULL));
  g_assert_true (sw_job_run (m, &job, b, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * 2 * n, b, sizeof (float) * 2 * n);
  for (int j = 0; j < 2 * n; j++)
    g_assert_true (isfinite (a[j]));

  /* a flow model is not an eps model, and says so */
  SwRecipe flow;
  g_assert_true (sw_recipe_lookup ("flow-class", &flow, NULL));
  g_assert_null (sw_eps_model_new_unet (net, &flow.model, meta, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "ddpm-prompt"));
  sw_unet_free (net);
}

/* a job's settings go into text pairs under the keys the window has
 * always written and come back the same */
static void
test_settings_round_trip (void)
{
  SwJob job;
  sw_job_init (&job);
  job.seed = G_MAXUINT64;
  job.steps = 12;
  job.guidance = 2.5f;
  job.i_start = 4;
  job.view = SW_VIEW_NEGATE;
  SwJobSettings settings;
  sw_job_settings_init (&settings, SW_JOB_MODE_ANAGRAM, &job, "/models/tiny.safetensors", 3);
  settings.prompt = "a sneaker";
  settings.prompt2 = "une chaussure à talon";
  g_autoptr (GDateTime) created = g_date_time_new_utc (2026, 12, 6, 14, 30, 0);
  g_autoptr (GHashTable) text = sw_job_settings_to_text (&settings, "Stepwise test", created);
  g_assert_cmpstr (g_hash_table_lookup (text, "Software"), ==, "Stepwise test");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.model"), ==, "tiny.safetensors");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.mode"), ==, "anagram");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.prompt"), ==, "a sneaker");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.prompt2"), ==, "une chaussure à talon");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.view"), ==, "negate");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.seed"), ==, "18446744073709551615");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.steps"), ==, "12");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.guidance"), ==, "2.5");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.i_start"), ==, "4");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.channels"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.created"), ==, "2026-12-06T14:30:00Z");

  SwJobSettings back = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_job_settings_from_text (text, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.mode, ==, SW_JOB_MODE_ANAGRAM);
  g_assert_cmpstr (back.model, ==, "tiny.safetensors");
  g_assert_cmpstr (back.prompt, ==, "a sneaker");
  g_assert_cmpstr (back.prompt2, ==, "une chaussure à talon");
  g_assert_cmpint (back.view, ==, SW_VIEW_NEGATE);
  g_assert_cmpuint (back.seed, ==, G_MAXUINT64);
  g_assert_cmpint (back.steps, ==, 12);
  g_assert_cmpfloat (back.guidance, ==, 2.5f);
  g_assert_cmpint (back.i_start, ==, 4);
  g_assert_cmpint (back.channels, ==, 3);

  g_assert_null (back.sr_model);

  /* generate keeps no second prompt or view, nor stage II's without one;
   * what the text lacks stays */
  settings.mode = SW_JOB_MODE_GENERATE;
  g_autoptr (GHashTable) plain = sw_job_settings_to_text (&settings, "Stepwise test", NULL);
  g_assert_false (g_hash_table_contains (plain, "stepwise.prompt2"));
  g_assert_false (g_hash_table_contains (plain, "stepwise.view"));
  g_assert_false (g_hash_table_contains (plain, "stepwise.created"));
  g_assert_false (g_hash_table_contains (plain, "stepwise.sr-model"));
  g_assert_false (g_hash_table_contains (plain, "stepwise.sr-steps"));

  /* an image the cascade's stage II made carries its settings too */
  settings.sr_model = "/models/tiny-sr.safetensors";
  settings.sr_steps = 25;
  settings.sr_guidance = 4.5f;
  settings.sr_level = 120;
  settings.sr_from = 400;
  g_autoptr (GHashTable) sr = sw_job_settings_to_text (&settings, "Stepwise test", NULL);
  g_assert_cmpstr (g_hash_table_lookup (sr, "stepwise.sr-model"), ==, "tiny-sr.safetensors");
  g_assert_cmpstr (g_hash_table_lookup (sr, "stepwise.sr-steps"), ==, "25");
  g_assert_cmpstr (g_hash_table_lookup (sr, "stepwise.sr-guidance"), ==, "4.5");
  g_assert_cmpstr (g_hash_table_lookup (sr, "stepwise.sr-noise"), ==, "120");
  g_assert_cmpstr (g_hash_table_lookup (sr, "stepwise.sr-from"), ==, "400");
  g_assert_true (sw_job_settings_from_text (sr, &back, &error));
  g_assert_cmpstr (back.sr_model, ==, "tiny-sr.safetensors");
  g_assert_cmpint (back.sr_steps, ==, 25);
  g_assert_cmpfloat (back.sr_guidance, ==, 4.5f);
  g_assert_cmpint (back.sr_level, ==, 120);
  g_assert_cmpint (back.sr_from, ==, 400);
  g_autoptr (GHashTable) few = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (few, "stepwise.mode", "sdedit");
  g_assert_true (sw_job_settings_from_text (few, &back, &error));
  g_assert_cmpint (back.mode, ==, SW_JOB_MODE_SDEDIT);
  g_assert_cmpint (back.steps, ==, 12);
  g_assert_cmpstr (back.prompt, ==, "a sneaker");
}

/* a bad value is refused by name and the settings are left as they were */
static void
test_settings_bad_values (void)
{
  static const char * const bad[][3] = {
    { "stepwise.mode", "paint", "stepwise.mode “paint” is unknown; accepted: generate, sdedit, inpaint, "
      "anagram, hybrid, denoise-lab" },
    { "stepwise.view", "sideways", "stepwise.view “sideways” is unknown; accepted: flip, rotate180, negate" },
    { "stepwise.seed", "-1", "stepwise.seed “-1” is not a whole number, 0 or more" },
    { "stepwise.steps", "0", "stepwise.steps “0” is not a whole number from 1 to 999" },
    { "stepwise.steps", "12 steps", "stepwise.steps “12 steps” is not a whole number from 1 to 999" },
    { "stepwise.i_start", "999", "stepwise.i_start “999” is not a whole number from 0 to 998" },
    { "stepwise.guidance", "7,5", "stepwise.guidance “7,5” is not a number from 0 to 100" },
    { "stepwise.guidance", "nan", "stepwise.guidance “nan” is not a number from 0 to 100" },
    { "stepwise.channels", "2", "stepwise.channels “2” is unknown; accepted: 1, 3" },
    { "stepwise.sr-steps", "1000", "stepwise.sr-steps “1000” is not a whole number from 1 to 999" },
    { "stepwise.sr-guidance", "-1", "stepwise.sr-guidance “-1” is not a number from 0 to 100" },
    { "stepwise.sr-noise", "1000", "stepwise.sr-noise “1000” is not a whole number from 0 to 999" },
    { "stepwise.sr-from", "-5", "stepwise.sr-from “-5” is not a whole number from 0 to 999" },
  };
  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr (GHashTable) text = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (text, "stepwise.mode", "generate");
      g_hash_table_insert (text, "stepwise.steps", "20");
      g_hash_table_insert (text, (gpointer) bad[k][0], (gpointer) bad[k][1]);
      SwJobSettings s = { .mode = SW_JOB_MODE_HYBRID, .steps = 5 };
      g_autoptr (GError) error = NULL;
      g_assert_false (sw_job_settings_from_text (text, &s, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
      g_assert_cmpstr (error->message, ==, bad[k][2]);
      g_assert_cmpint (s.mode, ==, SW_JOB_MODE_HYBRID);
      g_assert_cmpint (s.steps, ==, 5);
    }
  g_autoptr (GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
  SwJobSettings s = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_job_settings_from_text (none, &s, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schedule/alpha-bar", test_alpha_bar);
  g_test_add_func ("/schedule/strided", test_strided);
  g_test_add_func ("/job/forward-inverts", test_forward_inverts);
  g_test_add_func ("/job/posterior-mean", test_posterior_mean);
  g_test_add_func ("/job/learned-variance", test_learned_variance);
  g_test_add_func ("/job/inpaint-keeps-outside", test_inpaint_keeps_outside);
  g_test_add_func ("/job/compositions-reduce", test_compositions_reduce);
  g_test_add_func ("/job/same-seed-same-bytes", test_same_seed_same_bytes);
  g_test_add_func ("/job/per-image-cond", test_per_image_cond);
  g_test_add_func ("/job/start", test_job_start);
  g_test_add_func ("/job/cancel", test_cancel_within_one_step);
  g_test_add_func ("/job/validation", test_validation);
  g_test_add_func ("/job/settings-round-trip", test_settings_round_trip);
  g_test_add_func ("/job/settings-bad-values", test_settings_bad_values);
  g_test_add_func ("/blur", test_blur);
  g_test_add_func ("/prompt-classes", test_prompt_classes);
  g_test_add_func ("/unet-model", test_unet_model);
  return g_test_run ();
}
