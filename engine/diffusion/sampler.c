#include "diffusion/sampler.h"

#include <math.h>
#include <string.h>

#include "diffusion/ddpm-linear.h"
#include "models/eps-model.h"
#include "diffusion/job.h"
#include "base/rng.h"

typedef struct {
  SwUnet *net;
  const SwModelConfig *model;
  const SwSampleOptions *opts;
  int n, img, K;
  bool cfg;
  float *xx, *tt, *cc, *uu;   /* (2n) inputs and outputs: cond then uncond */
} Pass;

/* the model's output for x at time t (one value for the batch), guided
 * when GUIDE and the model is (else the conditional pass alone) */
static void
predict (Pass *p, const float *x, float t, const int *classes, bool guide, float *u)
{
  const size_t n = (size_t) p->n * p->img;
  const bool two = p->cfg && guide;
  int rows = two ? 2 * p->n : p->n;
  memcpy (p->xx, x, sizeof (float) * n);
  if (two)
    memcpy (p->xx + n, x, sizeof (float) * n);
  for (int i = 0; i < rows; i++)
    p->tt[i] = t;
  if (p->K > 0)
    {
      memset (p->cc, 0, sizeof (float) * rows * p->K);
      for (int i = 0; classes && i < p->n; i++)
        if (classes[i] >= 0)
          p->cc[i * p->K + classes[i]] = 1.0f;
    }
  sw_unet_forward (p->net, rows, p->xx, p->tt, p->K > 0 ? p->cc : NULL, false, p->uu);
  if (!two)
    {
      memcpy (u, p->uu, sizeof (float) * n);
      return;
    }
  const float g = p->opts->guidance;
  for (size_t j = 0; j < n; j++)
    u[j] = p->uu[n + j] + g * (p->uu[j] - p->uu[n + j]);
}

typedef struct {
  SwSampleStep step;
  gpointer     user_data;
} JobStep;

static gboolean
job_step (const SwJobFrame *f, gpointer data)
{
  JobStep *js = data;
  return f->i == f->steps || js->step (f->i, f->steps, f->first, f->n, f->x_t, f->x0, js->user_data);
}

/* eps-cosine models sample through a generation job (strided, with CFG);
 * the result is mapped back to the [0, 1] pixels of the other recipes */
static gboolean
sample_job (SwUnet *net, const SwModelConfig *model, int N, const int *classes,
            const SwSampleOptions *opts, float *out, SwSampleStep step, gpointer user_data,
            GError **error)
{
  g_autoptr (SwEpsModel) m = sw_eps_model_new_unet (net, model, NULL, error);
  if (!m)
    return FALSE;
  const int K = m->cond_dim, img = m->channels * m->height * m->width;
  g_autofree float *cond = g_new0 (float, (size_t) N * K);
  for (int i = 0; classes && i < N; i++)
    if (classes[i] >= 0)
      cond[(size_t) i * K + classes[i]] = 1.0f;
  SwJob job;
  sw_job_init (&job);
  job.count = N;
  job.steps = opts->steps;
  job.guidance = opts->guidance;
  job.seed = opts->seed;
  job.cond = cond;
  job.cond_per_image = TRUE;
  job.batch = opts->batch;
  JobStep js = { step, user_data };
  if (!sw_job_run (m, &job, out, step ? job_step : NULL, &js, NULL, error))
    return FALSE;
  for (size_t j = 0; j < (size_t) N * img; j++)
    out[j] = 0.5f * out[j] + 0.5f;
  return TRUE;
}

gboolean
sw_sample (SwUnet *net, const SwModelConfig *model, int N, const int *classes,
           const SwSampleOptions *opts, float *out, SwSampleStep step, gpointer user_data,
           GError **error)
{
  const SwUnetConfig *cfg = sw_unet_config (net);
  const bool flow = model->objective == SW_OBJECTIVE_FLOW;
  if (!(opts->guide_after >= 0.0f && opts->guide_after < 1.0f))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "guidance from %g of the way is out of range; accepted: 0 (all the way) "
                   "to less than 1", opts->guide_after);
      return FALSE;
    }
  if (model->objective == SW_OBJECTIVE_EPS_COSINE && opts->guide_after > 0.0f)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "guidance over part of the way is for flow and DDPM models, not “%s”",
                   sw_objective_name (model->objective));
      return FALSE;
    }
  if (model->objective == SW_OBJECTIVE_EPS_COSINE)
    return sample_job (net, model, N, classes, opts, out, step, user_data, error);
  if (!flow && model->objective != SW_OBJECTIVE_DDPM)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "a “%s” model does not generate images: it denoises one it is given "
                   "(stepwise-cli denoise)", sw_objective_name (model->objective));
      return FALSE;
    }
  if (N < 1 || N > 100000)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "%d images asked for; accepted: 1 to 100000", N);
      return FALSE;
    }
  if (opts->steps < 1 || opts->steps > 10000 || (!flow && opts->steps != model->T))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   flow ? "%d steps asked for; accepted: 1 to 10000"
                        : "%d steps asked for; this DDPM samples with exactly its T = %d steps",
                   opts->steps, model->T);
      return FALSE;
    }
  if (!(opts->guidance >= 0.0f && opts->guidance <= 100.0f))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "guidance %g is out of range; accepted: 0 to 100", opts->guidance);
      return FALSE;
    }
  const int K = cfg->variant == SW_UNET_CLASS ? cfg->class_dim : 0;
  for (int i = 0; classes && i < N; i++)
    if (classes[i] < -1 || classes[i] >= K)
      {
        g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                     K ? "class %d is out of range; accepted: 0 to %d, or -1 for none"
                       : "class %d given to a model without classes", classes[i], K - 1);
        return FALSE;
      }

  const int img = cfg->channels * cfg->size * cfg->size;
  const int B = opts->batch > 0 ? opts->batch : 64;
  const bool guided = K > 0 && opts->guidance != 1.0f && opts->guidance != 0.0f;
  const int T = opts->steps;
  SwDdpmLinear sched = { 0 };
  if (!flow)
    sw_ddpm_linear_init (&sched, model->T, model->beta1, model->beta2);

  Pass p = { .net = net, .model = model, .opts = opts, .K = K, .img = img, .cfg = guided };
  p.xx = g_new (float, (size_t) 2 * B * img);
  p.uu = g_new (float, (size_t) 2 * B * img);
  p.tt = g_new (float, 2 * B);
  p.cc = g_new0 (float, (size_t) 2 * B * (K > 0 ? K : 1));
  float *u = g_new (float, (size_t) B * img), *est = g_new (float, (size_t) B * img);
  SwRng *rngs = g_new (SwRng, B);
  gboolean ok = TRUE;

  for (int first = 0; ok && first < N; first += B)
    {
      p.n = MIN (B, N - first);
      const size_t n = (size_t) p.n * img;
      float *x = out + (size_t) first * img;
      /* guidance 0 is the unconditional model alone */
      const int *cls = classes && opts->guidance != 0.0f ? classes + first : NULL;
      for (int i = 0; i < p.n; i++)
        {
          sw_rng_init (&rngs[i], opts->seed, (uint64_t) (first + i));
          sw_rng_fill_normal (&rngs[i], x + (size_t) i * img, img);
        }
      for (int s = 0; ok && s < T; s++)
        {
          const bool guide = (float) s / T >= opts->guide_after;
          if (flow)
            {
              float t = (float) s / T;
              predict (&p, x, t, cls, guide, u);
              for (size_t j = 0; j < n; j++)
                {
                  est[j] = x[j] + (1.0f - t) * u[j];   /* where a straight path lands */
                  x[j] += u[j] / T;
                }
            }
          else
            {
              int t = T - s;
              double ab = sched.alpha_bar[t], ab_prev = sched.alpha_bar[t - 1];
              double beta = sched.beta[t], alpha = 1.0 - beta;
              float c0 = (float) (sqrt (ab_prev) * beta / (1.0 - ab));
              float ct = (float) (sqrt (alpha) * (1.0 - ab_prev) / (1.0 - ab));
              float sa = (float) sqrt (ab), sb = (float) sqrt (1.0 - ab);
              float sigma = t > 1 ? (float) sqrt (beta) : 0.0f;
              predict (&p, x, (float) t / model->T, cls, guide, u);
              for (int i = 0; i < p.n; i++)
                for (size_t j = (size_t) i * img; j < (size_t) (i + 1) * img; j++)
                  {
                    est[j] = (x[j] - sb * u[j]) / sa;
                    x[j] = c0 * est[j] + ct * x[j] + (sigma > 0 ? sigma * sw_rng_normal (&rngs[i]) : 0.0f);
                  }
            }
          if (step && !step (s, T, first, p.n, x, est, user_data))
            {
              g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED, "sampling stopped at step %d", s + 1);
              ok = FALSE;
            }
        }
    }

  sw_ddpm_linear_clear (&sched);
  g_free (p.xx);
  g_free (p.uu);
  g_free (p.tt);
  g_free (p.cc);
  g_free (u);
  g_free (est);
  g_free (rngs);
  return ok;
}
