/* The cascade (issue 24, diffusion/cascade.h) on synthetic stages whose
 * inputs are recorded: its frames (count, sizes, order, stage), the
 * conditioning stage II reads (stage I's image noised at the job's level
 * from its stream, upsampled), inpainting's exactness at both stages, the
 * same bytes for the same seed, cancel during stage II, and, on tiny
 * model files, each stage's file refused as the other. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "test-model-util.h"
#include "data/sr-pairs.h"
#include "diffusion/cascade.h"
#include "diffusion/noise-augment.h"
#include "models/cosine-schedule.h"

enum { C = 3, S1 = 8, F = 4, S2 = S1 * F, IMG1 = C * S1 * S1, IMG2 = C * S2 * S2 };

static char *tmpdir;

/* what stage II's synthetic model was given: its calls, and the last
 * call's conditioning image and level */
typedef struct {
  int    calls;
  int    rows;
  int    level;
  float  image[IMG2];
} Seen;

/* stage I: eps = tanh(x) (1 + c0), a prompt "a" or none */
static void
one_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
             float *var)
{
  (void) t, (void) var;
  const int img = m->channels * m->height * m->width;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < img; j++)
      eps[(size_t) i * img + j] = tanhf (x[(size_t) i * img + j]) * (1.0f + cond[i * m->cond_dim]);
}

static gboolean
a_encode (SwEpsModel *m, const char *prompt, float *cond, GError **error)
{
  (void) m;
  cond[0] = g_strcmp0 (prompt, "a") == 0;
  SW_CHECK (cond[0] || !*prompt, "unknown prompt “%s”", prompt);
  return TRUE;
}

/* stage II: eps = tanh(x - image) (1 + level / T), so its result follows
 * the image it reads */
static void
two_predict_cond (SwEpsModel *m, int N, const float *x, int t, const float *cond,
                  const float *image, int level, float *eps, float *var)
{
  (void) t, (void) cond, (void) var;
  Seen *seen = m->impl;
  const int img = m->channels * m->height * m->width;
  seen->calls++;
  seen->rows = N;
  seen->level = level;
  memcpy (seen->image, image, sizeof seen->image);
  for (size_t j = 0; j < (size_t) N * img; j++)
    eps[j] = tanhf (x[j] - image[j]) * (1.0f + (float) level / m->T);
}

static SwCascade *
synthetic_cascade (Seen *seen)
{
  SwEpsModel *one = g_new0 (SwEpsModel, 1), *two = g_new0 (SwEpsModel, 1);
  *one = (SwEpsModel) { .channels = C, .height = S1, .width = S1, .cond_dim = 1, .T = SW_COSINE_T,
                        .predict = one_predict, .encode = a_encode };
  *two = (SwEpsModel) { .channels = C, .height = S2, .width = S2, .cond_dim = 1, .T = SW_COSINE_T,
                        .encode = a_encode, .impl = seen, .cond_channels = C, .sr_factor = F,
                        .predict_cond = two_predict_cond };
  memset (seen, 0, sizeof *seen);
  g_autoptr (GError) error = NULL;
  SwCascade *c = sw_cascade_new (one, two, &error);
  g_assert_no_error (error);
  return c;
}

/* the defaults but COUNT images, STEPS and SR_STEPS, stage II from its
 * first update (the top timestep), so that it makes all of them */
static SwCascadeJob
job_of (int count, int steps, int sr_steps)
{
  SwCascadeJob job;
  sw_cascade_job_init (&job);
  job.job.count = count;
  job.job.steps = steps;
  job.sr_steps = sr_steps;
  job.sr_from = SW_COSINE_T - 1;
  return job;
}

static float *
random_image (int n, uint64_t seed)
{
  SwRng rng;
  float *x = g_new (float, n);
  sw_rng_init (&rng, seed, 0);
  sw_rng_fill_uniform (&rng, x, n, -1.0f, 1.0f);
  return x;
}

/* every frame: its stage, geometry, index and images */
typedef struct {
  GArray    *stage, *i, *side, *n;
  GPtrArray *x_t;          /* copies */
  int        cancel_at;    /* cancel at stage II's frame of this index, or -1 */
  int        calls_at_cancel;
  Seen      *seen;
  GCancellable *cancel;
} Frames;

static gboolean
record (const SwJobFrame *f, gpointer data)
{
  Frames *fr = data;
  g_array_append_val (fr->stage, f->stage);
  g_array_append_val (fr->i, f->i);
  g_assert_cmpint (f->height, ==, f->width);
  g_assert_cmpint (f->channels, ==, C);
  g_array_append_val (fr->side, f->height);
  g_array_append_val (fr->n, f->n);
  g_ptr_array_add (fr->x_t, g_memdup2 (f->x_t, sizeof (float) * f->n * C * f->height * f->width));
  if (f->stage == 2 && f->i == fr->cancel_at)
    {
      g_cancellable_cancel (fr->cancel);
      fr->calls_at_cancel = fr->seen->calls;
    }
  return TRUE;
}

static void
frames_init (Frames *fr, Seen *seen)
{
  *fr = (Frames) { g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)),
                   g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)),
                   g_ptr_array_new_with_free_func (g_free), -1, 0, seen, g_cancellable_new () };
}

static void
frames_clear (Frames *fr)
{
  g_array_unref (fr->stage);
  g_array_unref (fr->i);
  g_array_unref (fr->side);
  g_array_unref (fr->n);
  g_ptr_array_unref (fr->x_t);
  g_object_unref (fr->cancel);
}

#define AT(a, k) g_array_index ((a), int, (k))

/* stage I's steps + 1 frames at 8 px, then stage II's + 1 at 32 px, each
 * stage's indices in order; stage II's last frame is the result; with
 * stage1_only, stage I's alone, at 8 px */
static void
test_frames (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  SwCascadeJob job = job_of (2, 5, 4);
  g_assert_cmpint (sw_cascade_total_steps (c, &job), ==, 2 * (5 + 4));
  g_assert_true (sw_cascade_output (c, &job) == c->stage2);
  Frames fr;
  frames_init (&fr, &seen);
  g_autofree float *out = g_new (float, 2 * IMG2);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_cascade_run (c, &job, out, record, &fr, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fr.stage->len, ==, 6 + 5);
  for (guint k = 0; k < fr.stage->len; k++)
    {
      const int stage = k < 6 ? 1 : 2;
      g_assert_cmpint (AT (fr.stage, k), ==, stage);
      g_assert_cmpint (AT (fr.i, k), ==, stage == 1 ? (int) k : (int) k - 6);
      g_assert_cmpint (AT (fr.side, k), ==, stage == 1 ? S1 : S2);
      g_assert_cmpint (AT (fr.n, k), ==, 2);
    }
  g_assert_cmpmem (fr.x_t->pdata[10], sizeof (float) * 2 * IMG2, out, sizeof (float) * 2 * IMG2);
  g_assert_cmpint (seen.calls, ==, 4);
  g_assert_cmpint (seen.rows, ==, 2);   /* no prompt for stage II: one pass, no CFG */
  frames_clear (&fr);

  job.stage1_only = TRUE;
  g_assert_true (sw_cascade_output (c, &job) == c->stage1);
  g_assert_cmpint (sw_cascade_total_steps (c, &job), ==, 2 * 5);
  frames_init (&fr, &seen);
  seen.calls = 0;
  g_assert_true (sw_cascade_run (c, &job, out, record, &fr, NULL, &error));
  g_assert_cmpint (fr.stage->len, ==, 6);
  for (guint k = 0; k < fr.stage->len; k++)
    g_assert_cmpint (AT (fr.side, k), ==, S1);
  g_assert_cmpint (seen.calls, ==, 0);
  g_assert_cmpmem (fr.x_t->pdata[5], sizeof (float) * 2 * IMG1, out, sizeof (float) * 2 * IMG1);
  frames_clear (&fr);
}

/* stage II reads stage I's result, clamped, noised at sr_level from the
 * stream (seed + 2K, i), nearest-upsampled; level 0 is the clean image */
static void
test_noise_augmentation (void)
{
  double ab[SW_COSINE_T];
  sw_cosine_alpha_bar (SW_COSINE_T, ab);
  for (int level = 0; level <= 250; level += 125)
    {
      Seen seen;
      g_autoptr (SwCascade) c = synthetic_cascade (&seen);
      SwCascadeJob job = job_of (1, 3, 1);
      job.job.seed = 11;
      job.job.clip_x0 = FALSE;   /* so that stage I's result leaves [-1, 1] to be clamped */
      job.sr_level = level;
      Frames fr;
      frames_init (&fr, &seen);
      float out[IMG2];
      g_autoptr (GError) error = NULL;
      g_assert_true (sw_cascade_run (c, &job, out, record, &fr, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (seen.level, ==, level);
      float y[IMG1], up[IMG2];
      const float *lo = fr.x_t->pdata[3];   /* stage I's result */
      for (int j = 0; j < IMG1; j++)
        y[j] = CLAMP (lo[j], -1.0f, 1.0f);
      SwRng rng;
      sw_rng_init (&rng, 11 + 2 * SW_CASCADE_SEED_STEP, 0);
      sw_noise_augment (IMG1, y, ab, level, &rng, y);
      sw_sr_upsample (C, S1, F, y, up);
      g_assert_cmpmem (seen.image, sizeof up, up, sizeof up);
      /* it differs from the clean image by about sqrt(1 - ab) */
      double sq = 0.0;
      const double a = level ? sqrt (ab[level]) : 1.0;
      for (int j = 0; j < IMG1; j++)
        {
          const double d = y[j] - a * CLAMP (lo[j], -1.0f, 1.0f);
          sq += d * d;
        }
      g_test_message ("level %d: rms noise %.3f, sqrt(1 - ab) %.3f", level, sqrt (sq / IMG1),
                      level ? sqrt (1.0 - ab[level]) : 0.0);
      if (level == 0)
        g_assert_cmpfloat (sq, ==, 0.0);
      else
        g_assert_cmpfloat (fabs (sqrt (sq / IMG1) / sqrt (1.0 - ab[level]) - 1.0), <, 0.25);
      frames_clear (&fr);
    }
}

/* a 32 px image, its mask 1 on the columns x < 10 (block 2 of the 8 px
 * grid half masked): stage I keeps the downsampled image where its mask
 * is 0, and the result is the input, bit for bit, where the mask is 0 */
static void
test_inpaint_exact (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  g_autofree float *image = random_image (IMG2, 5);
  float mask[S2 * S2], small[S1 * S1], down[IMG1];
  for (int j = 0; j < S2 * S2; j++)
    mask[j] = j % S2 < 10 ? 1.0f : 0.0f;
  sw_sr_block_max (1, S2, F, mask, small);
  sw_sr_area_downsample (C, S2, F, image, down);
  g_assert_cmpfloat (small[2], ==, 1.0f);   /* a block half masked is regenerated */
  SwCascadeJob job = job_of (2, 4, 3);
  job.job.image = image;
  job.job.mask = mask;
  Frames fr;
  frames_init (&fr, &seen);
  g_autofree float *out = g_new (float, 2 * IMG2);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_cascade_run (c, &job, out, record, &fr, NULL, &error));
  g_assert_no_error (error);
  const float *lo = fr.x_t->pdata[4];
  g_assert_cmpint (AT (fr.stage, 4), ==, 1);
  g_assert_cmpint (AT (fr.i, 4), ==, 4);
  int kept = 0, changed = 0;
  for (int i = 0; i < 2; i++)
    {
      for (int j = 0; j < IMG1; j++)
        if (small[j % (S1 * S1)] == 0.0f)
          {
            g_assert_cmpfloat (lo[i * IMG1 + j], ==, down[j]);
            kept++;
          }
      for (int j = 0; j < IMG2; j++)
        if (mask[j % (S2 * S2)] == 0.0f)
          g_assert_cmpfloat (out[i * IMG2 + j], ==, image[j]);
        else
          changed += out[i * IMG2 + j] != image[j];
    }
  g_test_message ("%d stage I pixels kept; %d stage II pixels regenerated", kept, changed);
  g_assert_cmpint (kept, ==, 2 * C * S1 * 5);
  g_assert_cmpint (changed, >, 2 * C * S2 * 10 * 9 / 10);
  frames_clear (&fr);
}

/* stage I reads the mask's block maxima: masks that differ only inside
 * blocks they both touch give stage I the same mask, so the same result
 * (with block means, a stroke one pixel wide would weigh 1/16 there) */
static void
test_inpaint_block_max (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  g_autofree float *image = random_image (IMG2, 5);
  float thin[S2 * S2], wide[S2 * S2];
  for (int j = 0; j < S2 * S2; j++)
    {
      thin[j] = j % S2 == 9 ? 1.0f : 0.0f;   /* one column of block 2 */
      wide[j] = j % S2 >= 8 && j % S2 < 12 ? 1.0f : 0.0f;   /* all of block 2 */
    }
  float *masks[2] = { thin, wide };
  float lo[2][IMG1];
  for (int m = 0; m < 2; m++)
    {
      SwCascadeJob job = job_of (1, 4, 3);
      job.job.image = image;
      job.job.mask = masks[m];
      Frames fr;
      frames_init (&fr, &seen);
      g_autofree float *out = g_new (float, IMG2);
      g_autoptr (GError) error = NULL;
      g_assert_true (sw_cascade_run (c, &job, out, record, &fr, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (AT (fr.stage, 4), ==, 1);   /* stage I's result */
      g_assert_cmpint (AT (fr.i, 4), ==, 4);
      memcpy (lo[m], fr.x_t->pdata[4], sizeof lo[m]);
      frames_clear (&fr);
    }
  g_assert_cmpmem (lo[0], sizeof lo[0], lo[1], sizeof lo[1]);
}

/* the same seed gives the same bytes, in any count and batch, and
 * stage II alone on stage I's images (sw_cascade_super_resolve) the
 * cascade's; another seed does not; an SDEdit's stage II starts at stage
 * I's timestep */
static void
test_same_seed_same_bytes (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  SwCascadeJob job = job_of (3, 4, 3);
  job.job.seed = 7;
  g_autofree float *a = g_new (float, 3 * IMG2), *b = g_new (float, 3 * IMG2);
  g_autofree float *one = g_new (float, IMG2);
  g_assert_true (sw_cascade_run (c, &job, a, NULL, NULL, NULL, NULL));
  job.job.batch = 2;
  g_assert_true (sw_cascade_run (c, &job, b, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * 3 * IMG2, b, sizeof (float) * 3 * IMG2);
  job.job.count = 1;
  g_assert_true (sw_cascade_run (c, &job, one, NULL, NULL, NULL, NULL));
  g_assert_cmpmem (a, sizeof (float) * IMG2, one, sizeof (float) * IMG2);
  job.job.seed = 8;
  g_assert_true (sw_cascade_run (c, &job, one, NULL, NULL, NULL, NULL));
  g_assert_true (memcmp (a, one, sizeof (float) * IMG2) != 0);

  /* stage II alone on stage I's images gives the cascade's bytes */
  job.job.count = 3;
  job.job.seed = 7;
  job.stage1_only = TRUE;
  g_autofree float *lo = g_new (float, 3 * IMG1);
  g_assert_true (sw_cascade_run (c, &job, lo, NULL, NULL, NULL, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_cascade_super_resolve (c->stage2, lo, 3, 3, job.sr_level, job.sr_from, 7, b, NULL, NULL,
                                           NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, sizeof (float) * 3 * IMG2, b, sizeof (float) * 3 * IMG2);
  /* a model that draws from noise, a level out of range */
  g_assert_false (sw_cascade_super_resolve (c->stage1, lo, 3, 3, 0, 500, 7, b, NULL, NULL, NULL,
                                            &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sw_cascade_super_resolve (c->stage2, lo, 3, 3, SW_COSINE_T, 500, 7, b, NULL, NULL,
                                            NULL, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  job = job_of (1, 4, 3);

  g_autofree float *image = random_image (IMG2, 3);
  job.job.image = image;
  job.job.steps = 10;
  job.job.i_start = 5;
  job.sr_steps = 7;
  /* stage II from the nearest of its 7 steps of 142 to sr_from = 495:
   * 426 (4), not 568 (3) */
  job.sr_from = 495;
  g_assert_cmpint (sw_cascade_sr_i_start (c, &job), ==, 4);
  g_assert_cmpint (sw_cascade_total_steps (c, &job), ==, 5 + 3);
  seen.calls = 0;
  g_assert_true (sw_cascade_run (c, &job, one, NULL, NULL, NULL, NULL));
  g_assert_cmpint (seen.calls, ==, 3);
}

/* stage II starts from stage I's result, upsampled and noised to about
 * sr_from: from the update nearest t = 0 (t = 5 of 200 steps) its one
 * update leaves it nearly as it was (the synthetic eps is at most 2, times
 * sqrt(1 - ab_5) = 0.02), whereas from the top it is drawn from noise */
static void
test_starts_from_stage1 (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  SwCascadeJob job = job_of (2, 4, 200);
  g_autofree float *lo = g_new (float, 2 * IMG1), *up = g_new (float, 2 * IMG2);
  g_autofree float *late = g_new (float, 2 * IMG2), *top = g_new (float, 2 * IMG2);
  job.stage1_only = TRUE;
  g_assert_true (sw_cascade_run (c, &job, lo, NULL, NULL, NULL, NULL));
  for (int j = 0; j < 2 * IMG1; j++)
    lo[j] = CLAMP (lo[j], -1.0f, 1.0f);
  sw_sr_upsample (2 * C, S1, F, lo, up);
  job.stage1_only = FALSE;
  job.sr_from = 0;
  g_assert_cmpint (sw_cascade_sr_i_start (c, &job), ==, 199);
  g_assert_cmpint (sw_cascade_total_steps (c, &job), ==, 2 * (4 + 1));
  g_assert_true (sw_cascade_run (c, &job, late, NULL, NULL, NULL, NULL));
  job.sr_from = SW_COSINE_T - 1;
  g_assert_true (sw_cascade_run (c, &job, top, NULL, NULL, NULL, NULL));
  double late_err = 0.0, top_err = 0.0;
  for (int j = 0; j < 2 * IMG2; j++)
    {
      late_err = MAX (late_err, fabsf (late[j] - up[j]));
      top_err = MAX (top_err, fabsf (top[j] - up[j]));
    }
  g_test_message ("largest difference from stage I's image: %.4f from t = 0, %.4f from the top",
                  late_err, top_err);
  g_assert_cmpfloat (late_err, <, 0.1);
  g_assert_cmpfloat (top_err, >, 0.2);
}

/* cancelled at stage II's frame 1, the job stops before the next model
 * call with SW_ERROR_CANCELLED; cancelled before it starts, it never
 * reaches stage II */
static void
test_cancel_in_stage2 (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  SwCascadeJob job = job_of (1, 4, 6);
  Frames fr;
  frames_init (&fr, &seen);
  fr.cancel_at = 1;
  float out[IMG2];
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_cascade_run (c, &job, out, record, &fr, fr.cancel, &error));
  sw_test_assert_error (error, SW_ERROR_CANCELLED, "stopped");
  g_assert_cmpint (fr.calls_at_cancel, ==, 2);
  g_assert_cmpint (seen.calls, ==, 2);
  g_assert_cmpint (AT (fr.stage, fr.stage->len - 1), ==, 2);
  g_assert_cmpint (AT (fr.i, fr.i->len - 1), ==, 1);
  frames_clear (&fr);
  g_clear_error (&error);

  seen.calls = 0;
  g_autoptr (GCancellable) before = g_cancellable_new ();
  g_cancellable_cancel (before);
  g_assert_false (sw_cascade_run (c, &job, out, NULL, NULL, before, &error));
  sw_test_assert_error (error, SW_ERROR_CANCELLED, "stopped");
  g_assert_cmpint (seen.calls, ==, 0);
}

/* a job's stage II fields checked with the stage they belong to */
static void
test_validation (void)
{
  Seen seen;
  g_autoptr (SwCascade) c = synthetic_cascade (&seen);
  SwCascadeJob job;
  float cond = 1.0f;
  g_autoptr (GError) error = NULL;
  const struct { int field; int value; const char *says; } cases[] = {
    { 0, 0, "stage II: 0 steps asked for; accepted: 1 to 999" },
    { 1, 101, "stage II: guidance 101 is out of range" },
    { 2, 1000, "stage II: the noise level 1000 of stage I's image is out of range; accepted: 0 to 999" },
    { 3, 1, "stage II reads no prompt" },
    { 4, 10, "stage I: 1000 steps asked for" },
  };
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      sw_cascade_job_init (&job);
      switch (cases[k].field)
        {
        case 0: job.sr_steps = cases[k].value; break;
        case 1: job.sr_guidance = (float) cases[k].value; break;
        case 2: job.sr_level = cases[k].value; break;
        case 3: job.sr_cond = &cond; break;
        case 4: job.job.steps = cases[k].value * 100; break;
        }
      g_assert_false (sw_cascade_job_validate (c, &job, &error));
      sw_test_assert_error (error, SW_ERROR_INVALID, cases[k].says);
      g_clear_error (&error);
    }
  /* out-of-range stage II fields do not matter when stage II does not run */
  sw_cascade_job_init (&job);
  job.sr_steps = 0;
  job.stage1_only = TRUE;
  g_assert_true (sw_cascade_job_validate (c, &job, NULL));
  /* a stage II model run alone, as a plain job, is refused */
  SwJob plain;
  sw_job_init (&plain);
  g_assert_false (sw_job_validate (&plain, c->stage2, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "needs the low-res image it upsamples");
}

static const char * const captions[] = { "dog face: dog", "fire: flame", NULL };

/* tiny files: the stage I and stage II loaders each refuse the other's
 * file, saying which it is; together they run at 16 then 64 px, a stage
 * II with words reading the prompt through CFG */
static void
test_files (void)
{
  g_autofree char *one = g_build_filename (tmpdir, "stage1.safetensors", NULL);
  g_autofree char *two = g_build_filename (tmpdir, "stage2.safetensors", NULL);
  g_autofree char *worded = g_build_filename (tmpdir, "stage2-words.safetensors", NULL);
  sw_test_write_tiny_stage1 (one, captions);
  sw_test_write_tiny_stage2 (two, NULL);
  sw_test_write_tiny_stage2 (worded, captions);
  g_assert_false (sw_eps_model_file_is_stage2 (one));
  g_assert_true (sw_eps_model_file_is_stage2 (two));
  g_assert_false (sw_eps_model_file_is_stage2 ("/nonexistent.safetensors"));

  g_autoptr (GError) error = NULL;
  g_assert_null (sw_eps_model_load (two, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "a super-resolution model (the cascade's stage II");
  g_clear_error (&error);
  g_assert_null (sw_cascade_load (two, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "runs only as a cascade's second stage");
  g_clear_error (&error);
  g_assert_null (sw_cascade_load (one, one, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "not a super-resolution model");
  g_clear_error (&error);

  g_autoptr (SwCascade) c = sw_cascade_load (one, two, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->stage2->height, ==, 64);
  g_assert_cmpint (c->stage2->sr_factor, ==, 4);
  g_assert_false (sw_cascade_stage2_reads_prompt (c));
  SwCascadeJob job = job_of (1, 2, 2);
  float cond[8], out[3 * 64 * 64], again[3 * 64 * 64];
  g_assert_cmpint (c->stage1->cond_dim, <=, 8);
  g_assert_true (c->stage1->encode (c->stage1, "dog", cond, &error));
  job.job.cond = cond;
  g_assert_true (sw_cascade_run (c, &job, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sw_cascade_run (c, &job, again, NULL, NULL, NULL, &error));
  g_assert_cmpmem (out, sizeof out, again, sizeof again);
  /* another level, another image: the net reads it */
  job.sr_level = 200;
  g_assert_true (sw_cascade_run (c, &job, again, NULL, NULL, NULL, &error));
  g_assert_true (memcmp (out, again, sizeof out) != 0);

  g_autoptr (SwCascade) w = sw_cascade_load (one, worded, &error);
  g_assert_no_error (error);
  g_assert_true (sw_cascade_stage2_reads_prompt (w));
  float cond2[8];
  g_assert_cmpint (w->stage2->cond_dim, <=, 8);
  g_assert_true (w->stage2->encode (w->stage2, "fire", cond2, &error));
  job.sr_cond = cond2;
  g_assert_true (sw_cascade_run (w, &job, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  job.sr_guidance = 1.0f;
  g_assert_true (sw_cascade_run (w, &job, again, NULL, NULL, NULL, &error));
  g_assert_true (memcmp (out, again, sizeof out) != 0);
}

/* the stage II file that goes with a stage I file: NAME-stage2 beside
 * NAME-stage1, a regular file (stepwise-cli's default, the window's list) */
static void
test_stage2_beside (void)
{
  g_autofree char *one = g_build_filename (tmpdir, "beside-stage1.safetensors", NULL);
  g_autofree char *two = g_build_filename (tmpdir, "beside-stage2.safetensors", NULL);
  g_autofree char *other = g_build_filename (tmpdir, "beside.safetensors", NULL);
  g_assert_null (sw_cascade_stage2_beside (one));
  g_assert_cmpint (g_mkdir (two, 0755), ==, 0);   /* a folder is no model file */
  g_assert_null (sw_cascade_stage2_beside (one));
  g_rmdir (two);
  g_assert_true (g_file_set_contents (two, "x", 1, NULL));
  g_autofree char *found = sw_cascade_stage2_beside (one);
  g_assert_cmpstr (found, ==, two);
  g_assert_null (sw_cascade_stage2_beside (other));
  g_assert_null (sw_cascade_stage2_beside (two));
  g_unlink (two);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-cascade-XXXXXX", NULL);
  g_test_add_func ("/cascade/frames", test_frames);
  g_test_add_func ("/cascade/noise-augmentation", test_noise_augmentation);
  g_test_add_func ("/cascade/inpaint-exact", test_inpaint_exact);
  g_test_add_func ("/cascade/inpaint-block-max", test_inpaint_block_max);
  g_test_add_func ("/cascade/same-seed-same-bytes", test_same_seed_same_bytes);
  g_test_add_func ("/cascade/cancel-in-stage2", test_cancel_in_stage2);
  g_test_add_func ("/cascade/starts-from-stage1", test_starts_from_stage1);
  g_test_add_func ("/cascade/validation", test_validation);
  g_test_add_func ("/cascade/files", test_files);
  g_test_add_func ("/cascade/stage2-beside", test_stage2_beside);
  int rc = g_test_run ();
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return rc;
}
