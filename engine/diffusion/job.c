#include "diffusion/job.h"

#include <math.h>
#include <string.h>

#include "models/cosine-schedule.h"
#include "diffusion/gaussian-blur.h"
#include "base/rng.h"

void
sw_job_init (SwJob *job)
{
  *job = (SwJob) {
    .count = 1, .steps = 33, .i_start = 0, .seed = 0, .guidance = 7.0f,
    .compose = SW_COMPOSE_PLAIN, .view = SW_VIEW_FLIP, .variance = SW_VARIANCE_AUTO,
    .clip_x0 = TRUE,
  };
}

gboolean
sw_job_validate (const SwJob *job, const SwEpsModel *m, GError **error)
{
  SW_CHECK (job->count >= 1 && job->count <= 1000,
         "%d images asked for; accepted: 1 to 1000", job->count);
  SW_CHECK (job->steps >= 1 && job->steps <= m->T - 1,
         "%d steps asked for; accepted: 1 to %d", job->steps, m->T - 1);
  SW_CHECK (job->i_start >= 0 && job->i_start < job->steps,
         "i_start %d is out of range; accepted: 0 to %d (for %d steps)",
         job->i_start, job->steps - 1, job->steps);
  SW_CHECK (job->guidance >= 0.0f && job->guidance <= 100.0f,
         "guidance %g is out of range; accepted: 0 to 100", job->guidance);
  SW_CHECK (!job->mask || job->image,
         "a mask needs the image it applies to (inpainting keeps the image where the mask is 0)");
  SW_CHECK (job->compose >= SW_COMPOSE_PLAIN && job->compose <= SW_COMPOSE_HYBRID,
         "unknown composition %d", job->compose);
  SW_CHECK (job->view >= SW_VIEW_FLIP && job->view <= SW_VIEW_NEGATE, "unknown view %d", job->view);
  SW_CHECK (job->variance >= SW_VARIANCE_AUTO && job->variance <= SW_VARIANCE_NONE,
         "unknown variance mode %d", job->variance);
  SW_CHECK (!m->cond_channels || job->cond_image,
            "a super-resolution model (the cascade's stage II) needs the low-res image it "
            "upsamples; it runs only as a cascade's second stage (diffusion/cascade.h)");
  SW_CHECK (m->cond_channels || !job->cond_image,
            "a conditioning image is for a super-resolution model; this one draws from noise alone");
  SW_CHECK (job->cond_level >= 0 && job->cond_level < m->T,
            "the conditioning image's noise level %d is out of range; accepted: 0 to %d",
            job->cond_level, m->T - 1);
  SW_CHECK (job->batch >= 0 && job->batch <= 1024, "batch %d is out of range; accepted: 1 to 1024",
         job->batch);
  if (job->compose == SW_COMPOSE_HYBRID && (job->hybrid_kernel || job->hybrid_sigma))
    return sw_gaussian_blur_check (job->hybrid_kernel, job->hybrid_sigma, error);
  return TRUE;
}

void
sw_forward_noise (const SwEpsModel *m, int t, size_t n, const float *x0, const float *eps,
                  float *out)
{
  g_autofree double *ab = g_new (double, m->T);
  sw_cosine_alpha_bar (m->T, ab);
  const float a = (float) sqrt (ab[t]), b = (float) sqrt (1.0 - ab[t]);
  for (size_t j = 0; j < n; j++)
    out[j] = a * x0[j] + b * eps[j];
}

int
sw_job_start (const SwEpsModel *m, const SwJob *job, int index, SwRng *rng, float *out)
{
  SwRng own;
  if (!rng)
    rng = &own;
  const size_t img = (size_t) m->channels * m->height * m->width;
  g_autofree int *ts = g_new (int, job->steps + 1);
  sw_strided_timesteps (m->T, job->steps, ts);
  sw_rng_init (rng, job->seed, (uint64_t) index);
  sw_rng_fill_normal (rng, out, img);
  if (job->image)
    sw_forward_noise (m, ts[job->i_start], img,
                      job->image + (job->image_per_image ? (size_t) index * img : 0), out, out);
  return ts[job->i_start];
}

/* ------------------------------------------------------------ estimates */

typedef struct {
  SwEpsModel  *m;
  const SwJob *job;
  int          img, cd, kernel;
  int          lim;           /* a super-resolution model's conditioning image: floats, or 0 */
  float        sigma;
  float       *uncond;        /* (cd) the empty prompt */
  float       *xin, *cin;     /* stacked passes: (rows n, C, H, W), (rows n, cd) */
  float       *lin;           /* with lim: (rows n, cond_channels, H, W) */
  float       *eout, *vout;   /* model outputs for the stacked passes */
  float       *low;           /* (C, H, W) scratch for the hybrid's low-pass */
  uint64_t    *keys;          /* (rows) each row's key for the model's own noise */
} Est;

/* the key of image IMAGE's pass PASS of the job of SEED: a sample's word
 * noise (eps-model.h) is its own, whatever batch it is drawn in
 * (splitmix64's finaliser over the three) */
static uint64_t
row_key (uint64_t seed, int image, int pass)
{
  uint64_t z = seed + 0x9e3779b97f4a7c15u * ((uint64_t) image * 4 + (uint64_t) pass + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static const float *
cond_of (const Est *e, const float *cond, int image)
{
  if (!cond || cond == e->uncond)
    return e->uncond;
  return e->job->cond_per_image ? cond + (size_t) image * e->cd : cond;
}

void
sw_view_apply (SwView v, int C, int H, int W, const float *in, float *out)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        {
          size_t src = ((size_t) c * H + y) * W + x;
          switch (v)
            {
            case SW_VIEW_FLIP:
              out[((size_t) c * H + (H - 1 - y)) * W + x] = in[src];
              break;
            case SW_VIEW_ROTATE180:
              out[((size_t) c * H + (H - 1 - y)) * W + (W - 1 - x)] = in[src];
              break;
            case SW_VIEW_NEGATE:
              out[src] = -in[src];
              break;
            }
        }
}

/* adds a pass of the N images X (each through VIEW when VIEWED) under
 * COND (per image); returns the pass's row offset */
static int
add_pass (Est *e, int *rows, int first, int n, const float *x, const float *cond,
          gboolean viewed)
{
  const SwEpsModel *m = e->m;
  int at = *rows;
  for (int i = 0; i < n; i++)
    {
      /* the pass is its place among the four a step may make */
      e->keys[at + i] = row_key (e->job->seed, first + i, at / n);
      float *dst = e->xin + (size_t) (at + i) * e->img;
      const float *src = x + (size_t) i * e->img;
      if (viewed)
        sw_view_apply (e->job->view, m->channels, m->height, m->width, src, dst);
      else
        memcpy (dst, src, sizeof (float) * e->img);
      memcpy (e->cin + (size_t) (at + i) * e->cd, cond_of (e, cond, first + i),
              sizeof (float) * e->cd);
      if (e->lim)
        {
          /* the conditioning image is seen as x is */
          float *ldst = e->lin + (size_t) (at + i) * e->lim;
          const float *lsrc = e->job->cond_image + (size_t) (first + i) * e->lim;
          if (viewed)
            sw_view_apply (e->job->view, m->cond_channels, m->height, m->width, lsrc, ldst);
          else
            memcpy (ldst, lsrc, sizeof (float) * e->lim);
        }
    }
  *rows += n;
  return at;
}

/* guided estimate of pass P (conditional) against U (unconditional) for image i */
static void
guided (const Est *e, int p, int u, int i, float *dst)
{
  const float g = e->job->guidance;
  const float *c = e->eout + (size_t) (p + i) * e->img;
  if (u < 0)
    {
      memcpy (dst, c, sizeof (float) * e->img);
      return;
    }
  const float *un = e->eout + (size_t) (u + i) * e->img;
  for (int j = 0; j < e->img; j++)
    dst[j] = un[j] + g * (c[j] - un[j]);
}

/* EPS (n, C, H, W) for X at timestep T, composed as the job says; VAR
 * (when the model predicts it) from the first prompt's conditional pass */
static void
estimate (Est *e, int first, int n, const float *x, int t, float *eps, float *var)
{
  const SwJob *job = e->job;
  const SwEpsModel *m = e->m;
  const gboolean cfg = job->guidance != 1.0f;
  int rows = 0;
  int p1 = add_pass (e, &rows, first, n, x, job->cond, FALSE);
  int u1 = cfg ? add_pass (e, &rows, first, n, x, e->uncond, FALSE) : -1;
  int p2 = -1, u2 = -1;
  if (job->compose == SW_COMPOSE_ANAGRAM)
    {
      p2 = add_pass (e, &rows, first, n, x, job->cond2, TRUE);
      u2 = cfg ? add_pass (e, &rows, first, n, x, e->uncond, TRUE) : -1;
    }
  else if (job->compose == SW_COMPOSE_HYBRID)
    {
      p2 = add_pass (e, &rows, first, n, x, job->cond2, FALSE);
      u2 = u1;   /* the same image without a prompt: one pass serves both */
    }
  if (m->key_rows)
    e->m->key_rows (e->m, rows, e->keys);
  if (e->lim)
    e->m->predict_cond (e->m, rows, e->xin, t, e->cin, e->lin, job->cond_level, e->eout,
                        m->predicts_variance ? e->vout : NULL);
  else
    e->m->predict (e->m, rows, e->xin, t, e->cin, e->eout, m->predicts_variance ? e->vout : NULL);

  for (int i = 0; i < n; i++)
    {
      float *dst = eps + (size_t) i * e->img;
      guided (e, p1, u1, i, dst);
      if (job->compose == SW_COMPOSE_ANAGRAM)
        {
          /* e = (e1 + V^-1 e2) / 2; xin is free again, so use the second
           * pass's input slot for e2 before undoing the view */
          float *e2 = e->xin + (size_t) (p2 + i) * e->img;
          float *back = e->low;
          guided (e, p2, u2, i, e2);
          sw_view_apply (job->view, m->channels, m->height, m->width, e2, back);
          for (int j = 0; j < e->img; j++)
            dst[j] = 0.5f * (dst[j] + back[j]);
        }
      else if (job->compose == SW_COMPOSE_HYBRID)
        {
          /* e = lowpass(e1) + e2 - lowpass(e2) */
          float *e2 = e->xin + (size_t) (p2 + i) * e->img;
          guided (e, p2, u2, i, e2);
          sw_gaussian_blur (m->channels, m->height, m->width, e->kernel, e->sigma, dst, dst);
          for (int j = 0; j < e->img; j++)
            dst[j] += e2[j];
          sw_gaussian_blur (m->channels, m->height, m->width, e->kernel, e->sigma, e2, e->low);
          for (int j = 0; j < e->img; j++)
            dst[j] -= e->low[j];
        }
      if (var && m->predicts_variance)
        memcpy (var + (size_t) i * e->img, e->vout + (size_t) (p1 + i) * e->img,
                sizeof (float) * e->img);
    }
}

static void
est_init (Est *e, SwEpsModel *m, const SwJob *job, int B, float *uncond)
{
  e->m = m;
  e->job = job;
  e->img = m->channels * m->height * m->width;
  e->cd = m->cond_dim;
  e->uncond = uncond;
  const size_t rows = (size_t) 4 * B;
  e->xin = g_new (float, rows * e->img);
  e->cin = g_new (float, rows * e->cd);
  e->lim = m->cond_channels * m->height * m->width;
  e->lin = e->lim ? g_new (float, rows * e->lim) : NULL;
  e->eout = g_new (float, rows * e->img);
  e->vout = m->predicts_variance ? g_new (float, rows * e->img) : NULL;
  e->low = g_new (float, e->img);
  e->keys = g_new (uint64_t, rows);
  e->kernel = job->hybrid_kernel;
  e->sigma = job->hybrid_sigma;
  if (!e->kernel || !e->sigma)
    sw_hybrid_kernel_for_size (m->width, &e->kernel, &e->sigma);
}

static void
est_clear (Est *e)
{
  g_free (e->xin);
  g_free (e->cin);
  g_free (e->lin);
  g_free (e->eout);
  g_free (e->vout);
  g_free (e->low);
  g_free (e->keys);
}

void
sw_one_step (SwEpsModel *m, int t, const float *x_t, const float *cond, float g, float *x0)
{
  SwJob job;
  /* a super-resolution model needs its conditioning image, which this has not */
  g_return_if_fail (!m->cond_channels);
  sw_job_init (&job);
  job.guidance = g;
  job.cond = cond;
  g_autofree float *uncond = g_new (float, m->cond_dim);
  g_autofree double *ab = g_new (double, m->T);
  Est e;
  m->encode (m, "", uncond, NULL);
  sw_cosine_alpha_bar (m->T, ab);
  est_init (&e, m, &job, 1, uncond);
  estimate (&e, 0, 1, x_t, t, x0, NULL);
  const float sa = (float) sqrt (ab[t]), sb = (float) sqrt (1.0 - ab[t]);
  for (int j = 0; j < e.img; j++)
    x0[j] = (x_t[j] - sb * x0[j]) / sa;
  est_clear (&e);
}

/* ------------------------------------------------------------ the loop */

gboolean
sw_job_run (SwEpsModel *m, const SwJob *job, float *out, SwJobStep step, gpointer user_data,
            GCancellable *cancel, GError **error)
{
  if (!sw_job_validate (job, m, error))
    return FALSE;
  const int img = m->channels * m->height * m->width, HW = m->height * m->width;
  const int B = job->batch ? job->batch : 16;
  g_autofree float *uncond = g_new (float, m->cond_dim);
  if (!m->encode (m, "", uncond, error))
    return FALSE;
  g_autofree double *ab = g_new (double, m->T);
  g_autofree int *ts = g_new (int, job->steps + 1);
  sw_cosine_alpha_bar (m->T, ab);
  sw_strided_timesteps (m->T, job->steps, ts);
  const gboolean learned = job->variance == SW_VARIANCE_AUTO && m->predicts_variance;

  Est e;
  est_init (&e, m, job, B, uncond);
  float *eps = g_new (float, (size_t) B * img), *x0 = g_new (float, (size_t) B * img);
  float *var = learned ? g_new (float, (size_t) B * img) : NULL;
  SwRng *rngs = g_new (SwRng, B);
  gboolean ok = TRUE;

  for (int first = 0; ok && first < job->count; first += B)
    {
      const int n = MIN (B, job->count - first);
      float *x = out + (size_t) first * img;
      for (int i = 0; i < n; i++)
        sw_job_start (m, job, first + i, &rngs[i], x + (size_t) i * img);

      for (int s = job->i_start; ok && s < job->steps; s++)
        {
          const int t = ts[s], tp = ts[s + 1];
          const double abt = ab[t], abp = ab[tp];
          const double alpha = abt / abp, beta = 1.0 - alpha;
          const float sa = (float) sqrt (abt), sb = (float) sqrt (1.0 - abt);
          const float c0 = (float) (sqrt (abp) * beta / (1.0 - abt));
          const float ct = (float) (sqrt (alpha) * (1.0 - abp) / (1.0 - abt));
          const double post = MAX ((1.0 - abp) / (1.0 - abt) * beta, 1e-20);
          const float fa = (float) sqrt (abp), fb = (float) sqrt (1.0 - abp);
          const gboolean last = s + 1 == job->steps;

          estimate (&e, first, n, x, t, eps, var);
          for (size_t j = 0; j < (size_t) n * img; j++)
            {
              float v = (x[j] - sb * eps[j]) / sa;
              x0[j] = job->clip_x0 ? CLAMP (v, -1.0f, 1.0f) : v;
            }
          if (step && !step (&(SwJobFrame) { s, job->steps, t, first, n, x, x0, 1, m->channels,
                                             m->height, m->width }, user_data))
            ok = FALSE;
          if (g_cancellable_is_cancelled (cancel))
            ok = FALSE;
          if (!ok)
            break;

          for (int i = 0; i < n; i++)
            {
              float *xi = x + (size_t) i * img;
              const float *x0i = x0 + (size_t) i * img;
              for (int j = 0; j < img; j++)
                {
                  double logvar = log (post);
                  if (learned)   /* docs/math.md 1.2.6: interpolate in log space */
                    {
                      double frac = (var[(size_t) i * img + j] + 1.0) / 2.0;
                      logvar = frac * log (beta) + (1.0 - frac) * log (post);
                    }
                  float z = sw_rng_normal (&rngs[i]);
                  float sd = job->variance == SW_VARIANCE_NONE ? 0.0f : (float) exp (0.5 * logvar);
                  xi[j] = c0 * x0i[j] + ct * xi[j] + sd * z;
                }
              if (job->mask)   /* RePaint: keep the known part, noised to t' */
                for (int j = 0; j < img; j++)
                  {
                    const float *image = job->image + (job->image_per_image ? (size_t) (first + i) * img : 0);
                    float z = sw_rng_normal (&rngs[i]);
                    float known = last ? image[j] : fa * image[j] + fb * z;
                    float keep = 1.0f - job->mask[j % HW];
                    xi[j] = keep * known + (1.0f - keep) * xi[j];
                  }
            }
        }
      if (ok && step && !step (&(SwJobFrame) { job->steps, job->steps, 0, first, n, x, x, 1,
                                               m->channels, m->height, m->width }, user_data))
        ok = FALSE;
      if (!ok)
        g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED, "the job was stopped");
    }

  est_clear (&e);
  g_free (eps);
  g_free (x0);
  g_free (var);
  g_free (rngs);
  return ok;
}
