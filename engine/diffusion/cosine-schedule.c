#include "diffusion/cosine-schedule.h"

#include <math.h>

static double
cosine_alpha_bar (double s)
{
  double c = cos ((s + 0.008) / 1.008 * G_PI / 2.0);
  return c * c;
}

void
sw_cosine_alpha_bar (int T, double *alpha_bar)
{
  double prod = 1.0;
  for (int i = 0; i < T; i++)
    {
      double beta = MIN (1.0 - cosine_alpha_bar ((double) (i + 1) / T) / cosine_alpha_bar ((double) i / T),
                         0.999);
      prod *= 1.0 - beta;
      alpha_bar[i] = prod;
    }
}

void
sw_strided_timesteps (int T, int steps, int *ts)
{
  g_return_if_fail (steps >= 1 && steps <= T - 1);
  int stride = (T - 1) / steps;
  for (int k = 0; k <= steps; k++)
    ts[k] = (steps - k) * stride;
}
