#include "models/cosine-schedule.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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
  const int stride = (T - 1) / steps;
  /* the course's list where it starts within one stride of the top */
  if ((T - 1) % steps < stride)
    {
      for (int k = 0; k <= steps; k++)
        ts[k] = (steps - k) * stride;
      return;
    }
  /* else the floored stride would start far below the top (500 steps at
   * t = 500, from what is not noise there): spread evenly from T - 1 */
  for (int k = 0; k <= steps; k++)
    ts[k] = (int) (((int64_t) (steps - k) * (T - 1) * 2 + steps) / (2 * steps));
}

int
sw_strided_index (int T, int steps, int t_start)
{
  g_return_val_if_fail (steps >= 1 && steps <= T - 1, 0);
  g_autofree int *ts = g_new (int, steps + 1);
  sw_strided_timesteps (T, steps, ts);
  int best = 0;
  for (int k = 1; k < steps; k++)
    if (abs (ts[k] - t_start) < abs (ts[best] - t_start))
      best = k;
  return best;
}
