/* SiLU (swish): x * sigmoid(x), ADM's activation.  The sigmoid goes
 * through exp of -|x| (exp-neg.h), which never overflows and vectorises:
 * sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) below, e = exp(-|x|). */
#include "nn/layers-adm.h"
#include "base/parallel.h"
#include "base/simd.h"
#include "nn/exp-neg.h"

static inline float
sigmoid (float x)
{
  const float e = exp_neg_fast (x >= 0.0f ? -x : x);
  return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

SW_VECTOR_CLONES static void
silu_forward_span (size_t n, const float *restrict inp, float *restrict out)
{
  for (size_t i = 0; i < n; i++)
    out[i] = inp[i] * sigmoid (inp[i]);
}

SW_VECTOR_CLONES static void
silu_backward_span (size_t n, const float *restrict inp, const float *restrict dout,
                    float *restrict dinp)
{
  /* d/dx x s(x) = s + x s (1 - s) */
  for (size_t i = 0; i < n; i++)
    {
      const float s = sigmoid (inp[i]);
      dinp[i] += dout[i] * s * (1.0f + inp[i] * (1.0f - s));
    }
}

void
sw_silu_forward (size_t n, const float *inp, float *out)
{
#pragma omp parallel if (sw_parallel_pays_values (n))
  {
    size_t begin, end;
    sw_split (n, sw_team_member (), sw_team_size (), &begin, &end);
    silu_forward_span (end - begin, inp + begin, out + begin);
  }
}

void
sw_silu_backward (size_t n, const float *inp, const float *dout, float *dinp)
{
#pragma omp parallel if (sw_parallel_pays_values (n))
  {
    size_t begin, end;
    sw_split (n, sw_team_member (), sw_team_size (), &begin, &end);
    silu_backward_span (end - begin, inp + begin, dout + begin, dinp + begin);
  }
}
