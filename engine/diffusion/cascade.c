/* The cascade: stage I, then stage II on its noised, upsampled images. */
#include "diffusion/cascade.h"

#include <string.h>

#include "data/sr-pairs.h"
#include "diffusion/noise-augment.h"
#include "models/cosine-schedule.h"

SwCascade *
sw_cascade_new (SwEpsModel *stage1, SwEpsModel *stage2, GError **error)
{
  g_autoptr (SwEpsModel) one = stage1, two = stage2;
  if (one->cond_channels > 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "stage I is a super-resolution model; accepted: a model that draws from noise");
      return NULL;
    }
  if (two && (two->cond_channels != one->channels || two->channels != one->channels
              || two->sr_factor < 1 || two->height != one->height * two->sr_factor
              || two->width != one->width * two->sr_factor || two->T != one->T))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "stage II (%d channels, %dx%d, reading a %d-channel image at 1/%d, T %d) does "
                   "not fit stage I (%d channels, %dx%d, T %d); accepted: stage I's channels, "
                   "its side times the factor, the same T",
                   two->channels, two->height, two->width, two->cond_channels, two->sr_factor,
                   two->T, one->channels, one->height, one->width, one->T);
      return NULL;
    }
  SwCascade *c = g_new0 (SwCascade, 1);
  c->stage1 = g_steal_pointer (&one);
  c->stage2 = g_steal_pointer (&two);
  return c;
}

SwCascade *
sw_cascade_load (const char *stage1_path, const char *stage2_path, GError **error)
{
  SwEpsModel *one = sw_eps_model_load (stage1_path, error);
  if (!one)
    return NULL;
  SwEpsModel *two = NULL;
  if (stage2_path && !(two = sw_eps_model_load_stage2 (stage2_path, one->height, error)))
    {
      sw_eps_model_free (one);
      return NULL;
    }
  return sw_cascade_new (one, two, error);
}

char *
sw_cascade_stage2_beside (const char *stage1_path)
{
  static const char one[] = "-stage1.safetensors", two[] = "-stage2.safetensors";
  if (!g_str_has_suffix (stage1_path, one))
    return NULL;
  const size_t stem = strlen (stage1_path) - strlen (one);
  g_autofree char *path = g_strdup_printf ("%.*s%s", (int) stem, stage1_path, two);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

void
sw_cascade_free (SwCascade *c)
{
  if (!c)
    return;
  sw_eps_model_free (c->stage1);
  sw_eps_model_free (c->stage2);
  g_free (c);
}

gboolean
sw_cascade_stage2_reads_prompt (const SwCascade *c)
{
  return c->stage2 && sw_eps_model_vocabulary (c->stage2) != NULL;
}

void
sw_cascade_job_init (SwCascadeJob *job)
{
  *job = (SwCascadeJob) { .sr_steps = SW_CASCADE_SR_STEPS, .sr_guidance = SW_CASCADE_SR_GUIDANCE,
                          .sr_level = SW_CASCADE_SR_LEVEL, .sr_from = SW_CASCADE_SR_FROM };
  sw_job_init (&job->job);
}

static gboolean
two_stages (const SwCascade *c, const SwCascadeJob *job)
{
  return c->stage2 && !job->stage1_only;
}

SwEpsModel *
sw_cascade_output (const SwCascade *c, const SwCascadeJob *job)
{
  return two_stages (c, job) ? c->stage2 : c->stage1;
}

int
sw_cascade_sr_i_start (const SwCascade *c, const SwCascadeJob *job)
{
  if (!c->stage2 || job->sr_steps < 1 || job->sr_steps > c->stage2->T - 1 || job->sr_from < 0
      || job->sr_from >= c->stage2->T)
    return 0;
  return sw_strided_index (c->stage2->T, job->sr_steps, job->sr_from);
}

int
sw_cascade_total_steps (const SwCascade *c, const SwCascadeJob *job)
{
  int per_image = job->job.steps - job->job.i_start;
  if (two_stages (c, job))
    per_image += job->sr_steps - sw_cascade_sr_i_start (c, job);
  return job->job.count * per_image;
}

/* stage II's job: JOB's mask, prompt and noise, plainly composed, from
 * update I_START of START (count, C, H2, W2; per image), reading
 * COND_IMAGE */
static void
stage2_job (const SwCascadeJob *job, int i_start, const float *start, const float *cond_image,
            SwJob *j2)
{
  const SwJob *j1 = &job->job;
  sw_job_init (j2);
  j2->count = j1->count;
  j2->steps = job->sr_steps;
  j2->i_start = i_start;
  j2->seed = j1->seed + SW_CASCADE_SEED_STEP;
  /* without the prompt both passes of CFG would be the same one */
  j2->guidance = job->sr_cond ? job->sr_guidance : 1.0f;
  j2->cond = job->sr_cond;
  j2->cond_per_image = j1->cond_per_image;
  j2->image = start;
  j2->image_per_image = TRUE;
  j2->mask = j1->mask;
  j2->variance = j1->variance;
  j2->clip_x0 = j1->clip_x0;
  j2->batch = j1->batch;
  j2->cond_image = cond_image;
  j2->cond_level = job->sr_level;
}

gboolean
sw_cascade_job_validate (const SwCascade *c, const SwCascadeJob *job, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!sw_job_validate (&job->job, c->stage1, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "stage I: ");
      return FALSE;
    }
  if (!two_stages (c, job))
    return TRUE;
  SW_CHECK (job->sr_steps >= 1 && job->sr_steps <= c->stage2->T - 1,
            "stage II: %d steps asked for; accepted: 1 to %d", job->sr_steps, c->stage2->T - 1);
  SW_CHECK (job->sr_guidance >= 0.0f && job->sr_guidance <= 100.0f,
            "stage II: guidance %g is out of range; accepted: 0 to 100", job->sr_guidance);
  SW_CHECK (job->sr_level >= 0 && job->sr_level < c->stage2->T,
            "stage II: the noise level %d of stage I's image is out of range; accepted: 0 to %d",
            job->sr_level, c->stage2->T - 1);
  SW_CHECK (job->sr_from >= 0 && job->sr_from < c->stage2->T,
            "stage II: its start, timestep %d, is out of range; accepted: 0 to %d",
            job->sr_from, c->stage2->T - 1);
  SW_CHECK (!job->sr_cond || sw_cascade_stage2_reads_prompt (c),
            "stage II reads no prompt, and the job gives it one");
  /* stage II's job checked whole: dummy start and conditioning images
   * stand in */
  SwJob j2;
  stage2_job (job, sw_cascade_sr_i_start (c, job), (const float *) job, (const float *) job, &j2);
  if (!sw_job_validate (&j2, c->stage2, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "stage II: ");
      return FALSE;
    }
  return TRUE;
}

/* a stage's frames, told which stage they are of */
typedef struct {
  SwJobStep step;
  gpointer  user_data;
  int       stage;
} Relay;

static gboolean
relay_frame (const SwJobFrame *frame, gpointer data)
{
  const Relay *r = data;
  SwJobFrame f = *frame;
  f.stage = r->stage;
  return r->step (&f, r->user_data);
}

/* stage II's conditioning images (count, C, H2, W2) from the low-res
 * LO (count, C, H2 / f, W2 / f): each clamped to the range the net
 * trained on, noised at the job's level from its own stream, then
 * upsampled */
static float *
conditioning (const SwEpsModel *two, const SwCascadeJob *job, const float *lo)
{
  const int side = two->height / two->sr_factor;
  const size_t img1 = (size_t) two->cond_channels * side * side;
  const size_t img2 = (size_t) two->cond_channels * two->height * two->width;
  float *cond = g_new (float, (size_t) job->job.count * img2);
  g_autofree float *y = g_new (float, img1);
  g_autofree double *ab = g_new (double, two->T);
  sw_cosine_alpha_bar (two->T, ab);
  for (int i = 0; i < job->job.count; i++)
    {
      SwRng rng;
      for (size_t j = 0; j < img1; j++)
        y[j] = CLAMP (lo[i * img1 + j], -1.0f, 1.0f);
      sw_rng_init (&rng, job->job.seed + 2 * SW_CASCADE_SEED_STEP, (uint64_t) i);
      sw_noise_augment (img1, y, ab, job->sr_level, &rng, y);
      sw_sr_upsample (two->cond_channels, side, two->sr_factor, y, cond + i * img2);
    }
  return cond;
}

/* stage II's start images (count, C, H2, W2) from LO (count, C, H2 / f,
 * W2 / f): each clamped and nearest-upsampled, and where JOB inpaints, the
 * job's 64 px image outside its mask (which stage II then keeps) */
static float *
start_images (const SwEpsModel *two, const SwCascadeJob *job, const float *lo)
{
  const int side = two->height / two->sr_factor, HW = two->height * two->width;
  const size_t img1 = (size_t) two->channels * side * side, img2 = (size_t) two->channels * HW;
  float *start = g_new (float, (size_t) job->job.count * img2);
  g_autofree float *y = g_new (float, img1);
  for (int i = 0; i < job->job.count; i++)
    {
      float *s = start + i * img2;
      for (size_t j = 0; j < img1; j++)
        y[j] = CLAMP (lo[i * img1 + j], -1.0f, 1.0f);
      sw_sr_upsample (two->channels, side, two->sr_factor, y, s);
      for (size_t j = 0; job->job.mask && j < img2; j++)
        {
          const float m = job->job.mask[j % HW];
          s[j] = m * s[j] + (1.0f - m) * job->job.image[j];
        }
    }
  return start;
}

/* stage II of JOB (validated) on LO, stage I's images, from update
 * I_START into OUT: what follows stage I in a cascade, and the whole of
 * sw_cascade_super_resolve.  It starts from LO upsampled, noised to
 * I_START's timestep (docs/math.md 3.3): from pure noise an ε-predicting
 * stage II sets wrong colours in its first, noisiest steps and never
 * mends them. */
static gboolean
run_stage2 (SwEpsModel *two, const SwCascadeJob *job, int i_start, const float *lo, float *out,
            SwJobStep step, gpointer user_data, GCancellable *cancel, GError **error)
{
  g_autofree float *cond_image = conditioning (two, job, lo);
  g_autofree float *start = start_images (two, job, lo);
  SwJob j2;
  stage2_job (job, i_start, start, cond_image, &j2);
  return sw_job_run (two, &j2, out, step, user_data, cancel, error);
}

gboolean
sw_cascade_run (SwCascade *c, const SwCascadeJob *job, float *out, SwJobStep step,
                gpointer user_data, GCancellable *cancel, GError **error)
{
  if (!sw_cascade_job_validate (c, job, error))
    return FALSE;
  Relay r1 = { step, user_data, 1 }, r2 = { step, user_data, 2 };
  SwJobStep relay = step ? relay_frame : NULL;
  if (!two_stages (c, job))
    return sw_job_run (c->stage1, &job->job, out, relay, &r1, cancel, error);

  const SwEpsModel *one = c->stage1, *two = c->stage2;
  const int f = two->sr_factor;
  const size_t img1 = (size_t) one->channels * one->height * one->width;
  SwJob j1 = job->job;
  g_autofree float *image = NULL, *mask = NULL;
  if (j1.image)
    {
      image = g_new (float, img1);
      sw_sr_area_downsample (one->channels, two->height, f, j1.image, image);
      j1.image = image;
    }
  if (j1.mask)
    {
      mask = g_new (float, (size_t) one->height * one->width);
      sw_sr_block_max (1, two->height, f, j1.mask, mask);
      j1.mask = mask;
    }
  g_autofree float *lo = g_new (float, (size_t) j1.count * img1);
  if (!sw_job_run (c->stage1, &j1, lo, relay, &r1, cancel, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancel))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED, "the job was stopped");
      return FALSE;
    }
  return run_stage2 (c->stage2, job, sw_cascade_sr_i_start (c, job), lo, out, relay, &r2, cancel,
                     error);
}

gboolean
sw_cascade_super_resolve (SwEpsModel *stage2, const float *low, int count, int steps, int level,
                          int from, uint64_t seed, float *out, SwJobStep step, gpointer user_data,
                          GCancellable *cancel, GError **error)
{
  SW_CHECK (stage2->cond_channels > 0 && stage2->sr_factor >= 1,
            "the model is not a super-resolution model (stage II)");
  SW_CHECK (level >= 0 && level < stage2->T,
            "the noise level %d of the low-res images is out of range; accepted: 0 to %d", level,
            stage2->T - 1);
  SW_CHECK (from >= 0 && from < stage2->T,
            "the start, timestep %d, is out of range; accepted: 0 to %d", from, stage2->T - 1);
  SwCascadeJob job;
  sw_cascade_job_init (&job);
  job.job.count = count;
  job.job.seed = seed;
  job.sr_steps = steps;
  job.sr_level = level;
  job.sr_from = from;
  const int i_start = sw_strided_index (stage2->T, steps, from);
  SwJob j2;
  stage2_job (&job, i_start, low, low, &j2);   /* LOW stands in for the start and conditioning */
  if (!sw_job_validate (&j2, stage2, error))
    return FALSE;
  Relay r2 = { step, user_data, 2 };
  return run_stage2 (stage2, &job, i_start, low, out, step ? relay_frame : NULL, &r2, cancel, error);
}
