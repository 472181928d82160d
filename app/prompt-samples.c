#include "prompt-samples.h"

#include <string.h>

#include "cli-job.h"

gboolean
sw_prompt_samples (SwEpsModel *m, const char * const *prompts, int per, int steps,
                   float guidance, uint64_t seed, float *out, GError **error)
{
  const int n_prompts = (int) g_strv_length ((char **) prompts), K = m->cond_dim;
  g_autofree float *cond = g_new (float, (size_t) n_prompts * per * K);
  for (int p = 0; p < n_prompts; p++)
    {
      float *row = cond + (size_t) p * per * K;
      if (!m->encode (m, prompts[p], row, error))
        return FALSE;
      for (int i = 1; i < per; i++)
        memcpy (row + (size_t) i * K, row, sizeof (float) * K);
    }
  SwJob job;
  sw_job_init (&job);
  job.count = n_prompts * per;
  job.steps = steps;
  job.guidance = guidance;
  job.seed = seed;
  job.cond = cond;
  job.cond_per_image = TRUE;
  return sw_job_validate (&job, m, error) && sw_cli_run_job (m, &job, out, error);
}
