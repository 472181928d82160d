#include "nn/adam.h"

#include <glib.h>
#include <math.h>

void
sw_adam_init (SwAdam *opt, size_t n, float lr)
{
  *opt = (SwAdam) {
    .lr = lr, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
    .n = n, .m = g_new0 (float, n), .v = g_new0 (float, n),
  };
}

void
sw_adam_clear (SwAdam *opt)
{
  g_clear_pointer (&opt->m, g_free);
  g_clear_pointer (&opt->v, g_free);
  g_clear_pointer (&opt->ema, g_free);
}

void
sw_adam_enable_ema (SwAdam *opt, float decay, const float *params)
{
  opt->ema_decay = decay;
  if (!opt->ema)
    opt->ema = g_memdup2 (params, sizeof (float) * opt->n);
}

void
sw_adam_add_group (SwAdam *opt, size_t begin, size_t end, float scale)
{
  size_t last = opt->n_groups ? opt->groups[opt->n_groups - 1].end : 0;
  g_assert (opt->n_groups < SW_ADAM_MAX_GROUPS && begin >= last && begin <= end && end <= opt->n);
  opt->groups[opt->n_groups++] = (SwAdamGroup) { begin, end, scale };
}

/* torch.optim.Adam (amsgrad off) over [begin, end):
 * p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), step_size = lr/bc1 */
static void
adam_range (SwAdam *opt, float *params, const float *grads, size_t begin, size_t end,
            float step_size, float sqrt_bc2)
{
  const float b1 = opt->beta1, b2 = opt->beta2;
#pragma omp parallel for schedule(static)
  for (size_t i = begin; i < end; i++)
    {
      float g = grads[i] + opt->weight_decay * params[i];
      opt->m[i] = b1 * opt->m[i] + (1.0f - b1) * g;
      opt->v[i] = b2 * opt->v[i] + (1.0f - b2) * g * g;
      float denom = sqrtf (opt->v[i]) / sqrt_bc2 + opt->eps;
      params[i] -= step_size * opt->m[i] / denom;
    }
}

void
sw_adam_step (SwAdam *opt, float *params, const float *grads)
{
  opt->step++;
  const double bc1 = 1.0 - pow (opt->beta1, (double) opt->step);
  const double bc2 = 1.0 - pow (opt->beta2, (double) opt->step);
  const float step_size = (float) (opt->lr / bc1);
  const float sqrt_bc2 = (float) sqrt (bc2);
  size_t at = 0;
  for (int k = 0; k < opt->n_groups; k++)
    {
      const SwAdamGroup *g = &opt->groups[k];
      adam_range (opt, params, grads, at, g->begin, step_size, sqrt_bc2);
      adam_range (opt, params, grads, g->begin, g->end, step_size * g->scale, sqrt_bc2);
      at = g->end;
    }
  adam_range (opt, params, grads, at, opt->n, step_size, sqrt_bc2);
  if (opt->ema)
    {
      /* warmed up as TensorFlow's ExponentialMovingAverage with num_updates:
       * min(decay, (1 + step) / (10 + step)), so that a short run's average
       * is of its trained weights, not mostly of the initial ones (0.999
       * keeps 0.999^500 = 61% of the start after 500 steps) */
      const float d = MIN (opt->ema_decay, (float) (1 + opt->step) / (float) (10 + opt->step));
#pragma omp parallel for schedule(static)
      for (size_t i = 0; i < opt->n; i++)
        opt->ema[i] = d * opt->ema[i] + (1.0f - d) * params[i];
    }
}

float
sw_exponential_lr (const SwExponentialLR *sched, int epoch)
{
  return (float) (sched->lr0 * pow (sched->gamma, epoch));
}
