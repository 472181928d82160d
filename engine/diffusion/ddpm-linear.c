#include "diffusion/ddpm-linear.h"

#include <glib.h>

void
sw_ddpm_linear_init (SwDdpmLinear *s, int T, double beta1, double beta2)
{
  s->T = T;
  s->beta = g_new0 (double, T + 1);
  s->alpha_bar = g_new0 (double, T + 1);
  s->alpha_bar[0] = 1.0;
  for (int t = 1; t <= T; t++)
    {
      s->beta[t] = T > 1 ? beta1 + (beta2 - beta1) * (t - 1) / (T - 1) : beta1;
      s->alpha_bar[t] = s->alpha_bar[t - 1] * (1.0 - s->beta[t]);
    }
}

void
sw_ddpm_linear_clear (SwDdpmLinear *s)
{
  g_clear_pointer (&s->beta, g_free);
  g_clear_pointer (&s->alpha_bar, g_free);
}
