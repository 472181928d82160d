#include "diffusion/sample-grid.h"

#include <string.h>

#include "diffusion/cascade.h"
#include "diffusion/job.h"
#include "diffusion/sampler.h"

typedef struct {
  SwGridProgress progress;
  gpointer       user_data;
  double         done, total;
} Progress;

static gboolean
on_sample_step (int step, int steps, int first, int n, const float *x, const float *estimate,
                gpointer user_data)
{
  Progress *p = user_data;
  return p->progress ((double) first * steps + (double) n * (step + 1), p->total, p->user_data);
}

static gboolean
on_job_step (const SwJobFrame *f, gpointer user_data)
{
  Progress *p = user_data;
  if (f->i < f->steps)
    p->done += f->n;
  return p->progress (p->done, p->total, p->user_data);
}

static void
to_unit (float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = CLAMP (x[i], 0.0f, 1.0f);
}

/* a job's images (n floats) from the model's [-1, 1] to the datasets' [0, 1] */
static void
from_model (float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = 0.5f * x[i] + 0.5f;
  to_unit (x, n);
}

gboolean
sw_sample_class_grid (SwUnet *net, const SwModelConfig *model, int rows, int cols, uint64_t seed,
                      float *out, SwGridProgress progress, gpointer user_data, GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  const gboolean classes = cfg->variant == SW_UNET_CLASS;
  const int n = rows * cols;
  g_autofree int *cls = g_new (int, n);
  for (int i = 0; i < n; i++)
    cls[i] = i / cols;
  SwSampleOptions opts = {
    .steps = sw_model_config_sample_steps (model),
    .guidance = classes ? model->guidance : 1.0f, .seed = seed,
  };
  Progress p = { progress, user_data, 0, (double) n * opts.steps };
  if (!sw_sample (net, model, n, classes ? cls : NULL, &opts, out, progress ? on_sample_step : NULL,
                  &p, error))
    return FALSE;
  to_unit (out, (size_t) n * cfg->channels * cfg->size * cfg->size);
  return TRUE;
}

const char **
sw_grid_prompts (SwEpsModel *m, int max)
{
  g_autoptr (GPtrArray) prompts = g_ptr_array_new ();
  g_autofree float *scratch = g_new (float, m->cond_dim);
  for (const char * const *p = sw_quality_prompts; *p && (int) prompts->len < max; p++)
    if (m->encode (m, *p, scratch, NULL))
      g_ptr_array_add (prompts, (gpointer) *p);
  const SwPromptEncoder *vocab = sw_eps_model_vocabulary (m);
  for (int w = 0; vocab && prompts->len == 0 && w < MIN (max, sw_prompt_encoder_size (vocab)); w++)
    g_ptr_array_add (prompts, (gpointer) sw_prompt_encoder_word (vocab, w));
  g_ptr_array_add (prompts, NULL);
  return (const char **) g_ptr_array_free (g_steal_pointer (&prompts), FALSE);
}

/* CONDS (n_prompts * PER, M's cond_dim): each prompt's vector PER times;
 * NULL after an error naming an unknown prompt */
static float *
prompt_conds (SwEpsModel *m, const char * const *prompts, int per, GError **error)
{
  const int n_prompts = (int) g_strv_length ((char **) prompts), K = m->cond_dim;
  g_autofree float *cond = g_new (float, (size_t) MAX (n_prompts, 1) * per * K);
  for (int p = 0; p < n_prompts; p++)
    {
      float *row = cond + (size_t) p * per * K;
      if (!m->encode (m, prompts[p], row, error))
        return NULL;
      for (int i = 1; i < per; i++)
        memcpy (row + (size_t) i * K, row, sizeof (float) * K);
    }
  return g_steal_pointer (&cond);
}

/* JOB (initialised) draws PER images of each prompt, their vectors COND */
static void
prompt_job (SwJob *job, const char * const *prompts, int per, int steps, float guidance,
            uint64_t seed, const float *cond)
{
  job->count = (int) g_strv_length ((char **) prompts) * per;
  job->steps = steps;
  job->guidance = guidance;
  job->seed = seed;
  job->cond = cond;
  job->cond_per_image = TRUE;
}

gboolean
sw_sample_prompts (SwEpsModel *m, const char * const *prompts, int per, int steps,
                   float guidance, uint64_t seed, float *out, SwGridProgress progress,
                   gpointer user_data, GError **error)
{
  g_autofree float *cond = prompt_conds (m, prompts, per, error);
  if (!cond)
    return FALSE;
  SwJob job;
  sw_job_init (&job);
  prompt_job (&job, prompts, per, steps, guidance, seed, cond);
  Progress p = { progress, user_data, 0, (double) job.count * steps };
  if (!sw_job_validate (&job, m, error)
      || !sw_job_run (m, &job, out, progress ? on_job_step : NULL, &p, NULL, error))
    return FALSE;
  from_model (out, (size_t) job.count * m->channels * m->height * m->width);
  return TRUE;
}

gboolean
sw_sample_prompts_cascade (SwCascade *c, const char * const *prompts, int per, int steps,
                           float guidance, const SwCascadeJob *sr, uint64_t seed, float *out,
                           SwGridProgress progress, gpointer user_data, GError **error)
{
  g_autofree float *cond = prompt_conds (c->stage1, prompts, per, error);
  g_autofree float *sr_cond = NULL;
  if (!cond || (sw_cascade_stage2_reads_prompt (c)
                && !(sr_cond = prompt_conds (c->stage2, prompts, per, error))))
    return FALSE;
  SwCascadeJob job = *sr;
  prompt_job (&job.job, prompts, per, steps, guidance, seed, cond);
  job.sr_cond = sr_cond;
  Progress p = { progress, user_data, 0, (double) sw_cascade_total_steps (c, &job) };
  if (!sw_cascade_job_validate (c, &job, error)
      || !sw_cascade_run (c, &job, out, progress ? on_job_step : NULL, &p, NULL, error))
    return FALSE;
  const SwEpsModel *o = sw_cascade_output (c, &job);
  from_model (out, (size_t) job.job.count * o->channels * o->height * o->width);
  return TRUE;
}
