/* stepwise-cli bench: speed figures of the engine, each beside the
 * reference it is compared with.  Not a test: it measures, it never fails
 * on a slow machine.
 *
 * Reference: PyTorch 1.13 on CPU (Debian's python3-torch, 2 threads,
 * oneDNN, OpenBLAS on its AVX-512 kernels) running the identical net on the
 * same 2-core machine, as measured for issue #2. */
#include <cblas.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "nn/adam.h"
#include "base/blas.h"
#include "cli.h"
#include "cli-common.h"
#include "models/eps-model.h"
#include "diffusion/job.h"
#include "train/recipe.h"
#include "nn/layers.h"
#include "base/parallel.h"
#include "base/rng.h"
#include "models/unet.h"

#define REF_NAME "PyTorch 1.13 CPU, 2 threads"
#define REF_TRAIN_D64 59.0      /* images/s, class-conditioned D=64, batch 64 */
#define REF_TRAIN_D128 18.0     /* images/s, unconditional D=128, batch 256 */
#define REF_FWD_B1_MS 8.3       /* forward, D=64, batch 1 */
#define REF_FWD_B2_MS 13.4      /* forward, D=64, batch 2 */
#define REF_SGEMM 210.0         /* GFLOP/s */
/* the issues' targets for one prompt -> image, 33 strided steps with CFG */
#define TARGET_GEN_28_S 0.3     /* 28x28 grey (issue 4) */
#define TARGET_GEN_32_S 0.5     /* 32x32 RGB (issue 6) */
/* the emoji-ddpm net's class vector: its captions' vocabulary */
#define EMOJI_CLASS_DIM 2718

typedef struct {
  GString *text;
  GString *json;
  double seconds;     /* time budget per measurement */
  SwCondPoints cond;  /* of the class UNets measured */
} Report;

/* a net to measure: VARIANT at width D on C x SIZE x SIZE images, with a
 * class vector of width K */
typedef struct {
  SwUnetVariant v;
  int D, C, size, K;
} NetShape;

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* peak resident memory since the last reset, in MiB */
static double
peak_rss_mib (void)
{
  g_autofree char *status = NULL;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *hwm = strstr (status, "VmHWM:");
      if (hwm)
        return g_ascii_strtod (hwm + 6, NULL) / 1024.0;
    }
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static void
reset_peak_rss (void)
{
  /* "5" resets the peak RSS counter (Linux 4.0+); where it is refused the
   * peak is since start, which only overstates */
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

static void
json_field (Report *r, const char *key, double value)
{
  g_string_append_printf (r->json, "%s\n    \"%s\": %.6g", r->json->len > 2 ? "," : "", key, value);
}

static double
bench_sgemm (Report *r)
{
  const int n = 2048;
  float *a = g_new (float, (size_t) n * n), *b = g_new (float, (size_t) n * n);
  float *c = g_new (float, (size_t) n * n);
  SwRng rng;
  sw_rng_init (&rng, 1, 0);
  sw_rng_fill_uniform (&rng, a, (size_t) n * n, -1, 1);
  sw_rng_fill_uniform (&rng, b, (size_t) n * n, -1, 1);
  /* the machine's figure: OpenBLAS on every core (the engine otherwise
   * calls it one thread at a time, see parallel.h) */
  openblas_set_num_threads (sw_num_threads ());
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
  int reps = 0;
  double t0 = now (), t;
  do
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
      reps++;
    }
  while ((t = now () - t0) < r->seconds || reps < 3);
  openblas_set_num_threads (1);
  double gflops = 2.0 * n * n * (double) n * reps / t / 1e9;
  g_string_append_printf (r->text, "  sgemm %dx%dx%d                       %8.1f GFLOP/s   %5.2fx %s (%.0f)\n",
                          n, n, n, gflops, gflops / REF_SGEMM, REF_NAME, REF_SGEMM);
  json_field (r, "sgemm_gflops", gflops);
  g_free (a); g_free (b); g_free (c);
  return gflops;
}

static SwUnet *
make_net (const Report *r, const NetShape *s)
{
  SwUnetConfig cfg = { .variant = s->v, .D = s->D, .channels = s->C, .size = s->size,
                       .class_dim = s->K,
                       .cond = s->v == SW_UNET_CLASS ? r->cond : SW_COND_COURSE };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 1);
  return net;
}

/* random images and times, one class per image: the speed does not
 * depend on the values */
static void
fill_inputs (int N, const NetShape *s, float *x, float *t, float *c)
{
  SwRng rng;
  sw_rng_init (&rng, 2, 0);
  sw_rng_fill_normal (&rng, x, (size_t) N * s->C * s->size * s->size);
  sw_rng_fill_uniform (&rng, t, N, 0, 1);
  memset (c, 0, sizeof (float) * N * s->K);
  for (int n = 0; n < N; n++)
    c[(size_t) n * s->K + n % s->K] = 1.0f;
}

/* one optimisation step per iteration: forward, MSE, backward, Adam;
 * REF 0 when there is no reference */
static void
bench_train (Report *r, const char *label, const char *key, const NetShape *s,
             int N, double ref, double sgemm)
{
  reset_peak_rss ();
  SwUnet *net = make_net (r, s);
  SwAdam opt;
  sw_adam_init (&opt, sw_unet_num_params (net), 1e-3f);
  size_t n = (size_t) N * s->C * s->size * s->size;
  float *x = g_new (float, n), *target = g_new (float, n), *out = g_new (float, n);
  float *dout = g_new (float, n), *t = g_new (float, N), *c = g_new (float, (size_t) N * s->K);
  fill_inputs (N, s, x, t, c);
  memcpy (target, x, sizeof (float) * n);

  int steps = 0;
  double t0 = 0.0, elapsed = 0.0;
  for (int i = 0;; i++)
    {
      if (i == 1)
        t0 = now ();  /* the first step allocates and warms caches */
      sw_unet_forward (net, N, x, t, c, true, out);
      memset (dout, 0, sizeof (float) * n);
      sw_mse_backward (n, out, target, 1.0f, dout);
      sw_unet_zero_grad (net);
      sw_unet_backward (net, dout);
      sw_adam_step (&opt, sw_unet_params (net), sw_unet_grads (net));
      if (i >= 1)
        {
          steps++;
          elapsed = now () - t0;
          if (elapsed >= r->seconds && steps >= 2)
            break;
        }
    }
  double ips = steps * N / elapsed;
  /* backward costs two forwards (input and weight gradients) */
  double gflops = 3.0 * sw_unet_forward_flops (net) * ips / 1e9;
  double peak = peak_rss_mib ();
  if (ref > 0)
    g_string_append_printf (r->text, "  train %-30s %8.1f images/s  %5.2fx %s (%.0f)\n",
                            label, ips, ips / ref, REF_NAME, ref);
  else
    g_string_append_printf (r->text, "  train %-30s %8.1f images/s  (no reference)\n", label, ips);
  g_string_append_printf (r->text, "        %-30s %8.1f GFLOP/s   %5.2f of sgemm; %.0f ms/step; peak RSS %.0f MiB\n",
                          "", gflops, gflops / sgemm, 1000.0 * elapsed / steps, peak);
  g_autofree char *k_ips = g_strconcat (key, "_images_per_s", NULL);
  g_autofree char *k_gf = g_strconcat (key, "_gflops", NULL);
  g_autofree char *k_mem = g_strconcat (key, "_peak_rss_mib", NULL);
  json_field (r, k_ips, ips);
  json_field (r, k_gf, gflops);
  json_field (r, k_mem, peak);
  sw_adam_clear (&opt);
  sw_unet_free (net);
  g_free (x); g_free (target); g_free (out); g_free (dout); g_free (t); g_free (c);
}

static void
bench_forward (Report *r, int N, int C, int size, double ref_ms)
{
  const NetShape s = { SW_UNET_CLASS, 64, C, size, 10 };
  SwUnet *net = make_net (r, &s);
  size_t n = (size_t) N * C * size * size;
  float *x = g_new (float, n), *out = g_new (float, n), *t = g_new (float, N);
  float *c = g_new (float, N * 10);
  fill_inputs (N, &s, x, t, c);
  sw_unet_forward (net, N, x, t, c, false, out);
  int reps = 0;
  double t0 = now (), el;
  do
    {
      sw_unet_forward (net, N, x, t, c, false, out);
      reps++;
    }
  while ((el = now () - t0) < r->seconds / 2 || reps < 3);
  double ms = 1000.0 * el / reps;
  g_autofree char *label = g_strdup_printf ("D=64, %dx%dx%d, batch %d", size, size, C, N);
  if (ref_ms > 0)
    g_string_append_printf (r->text, "  forward %-28s %8.2f ms        %5.2fx %s than %s (%.1f ms)\n",
                            label, ms, ms < ref_ms ? ref_ms / ms : ms / ref_ms,
                            ms < ref_ms ? "faster" : "slower", REF_NAME, ref_ms);
  else
    g_string_append_printf (r->text, "  forward %-28s %8.2f ms        (no reference)\n", label, ms);
  g_autofree char *key = g_strdup_printf ("forward_%dx%dx%d_batch%d_ms", size, size, C, N);
  json_field (r, key, ms);
  sw_unet_free (net);
  g_free (x); g_free (out); g_free (t); g_free (c);
}

/* a whole generation job: one image from noise, 33 strided steps, CFG 7
 * (both passes in one batch of 2), as the app and `generate` run it */
static void
bench_generate (Report *r, int C, int size, double target_s)
{
  const NetShape shape = { SW_UNET_CLASS, 64, C, size, 10 };
  SwUnet *net = make_net (r, &shape);
  SwRecipe recipe;
  sw_recipe_lookup ("ddpm-prompt", &recipe, NULL);
  SwEpsModel *m = sw_eps_model_new_unet (net, &recipe.model, NULL, NULL);
  float cond[10] = { 0 }, *out = g_new (float, (size_t) C * size * size);
  cond[3] = 1.0f;
  SwJob job;
  sw_job_init (&job);
  job.cond = cond;
  sw_job_run (m, &job, out, NULL, NULL, NULL, NULL);   /* warm-up */
  int reps = 0;
  double t0 = now (), el;
  do
    {
      job.seed = (uint64_t) reps;
      sw_job_run (m, &job, out, NULL, NULL, NULL, NULL);
      reps++;
    }
  while ((el = now () - t0) < r->seconds || reps < 3);
  double s = el / reps;
  g_autofree char *label = g_strdup_printf ("%dx%dx%d, 33 steps, CFG", size, size, C);
  g_string_append_printf (r->text, "  generate %-27s %8.3f s         %5.2fx %s than the target (%.1f s)\n",
                          label, s, s < target_s ? target_s / s : s / target_s,
                          s < target_s ? "faster" : "slower", target_s);
  g_autofree char *key = g_strdup_printf ("generate_%dx%dx%d_33_steps_cfg_s", size, size, C);
  json_field (r, key, s);
  sw_eps_model_free (m);
  sw_unet_free (net);
  g_free (out);
}

int
sw_cli_bench (int argc, char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  double seconds = 3.0;
  g_autofree char *cond = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Short runs (rougher figures)", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Time budget per figure (default 3)", "S" },
    { "cond", 0, 0, G_OPTION_ARG_STRING, &cond, "Conditioning points of the class UNets: course (default; the references' net), every (after every block) or film (every block, scale and shift from the prompt)", "POINTS" },
    { NULL }
  };
  if (!sw_cli_parse ("bench", "— measure the engine's speed", NULL, entries, &argc, &argv))
    return 2;
  SwCondPoints points = SW_COND_COURSE;
  if (cond && !sw_cond_points_from_name (cond, &points))
    {
      fprintf (stderr, "stepwise-cli bench: --cond “%s” is unknown; accepted: course, every, film\n", cond);
      return 2;
    }
  Report r = { g_string_new (NULL), g_string_new ("{"), quick ? 0.5 : seconds, points };

  g_string_append_printf (r.text, "Stepwise bench — OpenBLAS core %s (%s), %d threads, "
                          "OpenMP wait policy %s%s\n",
                          sw_blas_core_name (), sw_blas_core_note (), sw_num_threads (),
                          sw_wait_policy_note (),
                          points == SW_COND_COURSE ? ""
                          : "; class UNets conditioned after every block (the references are not)");
  g_string_append_printf (r.json, "\n    \"openblas_core\": \"%s\",\n    \"threads\": %d,"
                          "\n    \"cond\": \"%s\"", sw_blas_core_name (), sw_num_threads (),
                          sw_cond_points_name (points));
  if (!json)
    {
      fputs (r.text->str, stdout);
      g_string_truncate (r.text, 0);
    }
#define FLUSH() do { if (!json) { fputs (r.text->str, stdout); fflush (stdout); g_string_truncate (r.text, 0); } } while (0)
  double sgemm = bench_sgemm (&r);
  FLUSH ();
  const NetShape digits_class = { SW_UNET_CLASS, 64, 1, 28, 10 };
  const NetShape digits_uncond = { SW_UNET_UNCOND, 128, 1, 28, 10 };
  const NetShape emoji = { SW_UNET_CLASS, 64, 3, 32, EMOJI_CLASS_DIM };
  bench_train (&r, "class D=64, batch 64, 28x28", "train_class_d64_b64", &digits_class, 64,
               REF_TRAIN_D64, sgemm);
  FLUSH ();
  /* the emoji-ddpm net, its class vector a bag of 2,718 words; before the
   * largest net, so that its peak RSS is its own where the counter cannot
   * be reset */
  bench_train (&r, "emoji D=64, batch 64, 32x32x3", "train_emoji_d64_b64", &emoji, 64, 0, sgemm);
  FLUSH ();
  bench_train (&r, "uncond D=128, batch 256, 28x28", "train_uncond_d128_b256", &digits_uncond,
               256, REF_TRAIN_D128, sgemm);
  FLUSH ();
  bench_forward (&r, 1, 1, 28, REF_FWD_B1_MS);
  bench_forward (&r, 2, 1, 28, REF_FWD_B2_MS);
  bench_forward (&r, 64, 1, 28, 0);
  bench_forward (&r, 2, 3, 32, 0);
  FLUSH ();
  bench_generate (&r, 1, 28, TARGET_GEN_28_S);
  bench_generate (&r, 3, 32, TARGET_GEN_32_S);
  FLUSH ();
#undef FLUSH
  g_string_append_printf (r.json, ",\n    \"peak_rss_mib\": %.6g\n}\n", peak_rss_mib ());
  if (json)
    fputs (r.json->str, stdout);
  g_string_free (r.text, TRUE);
  g_string_free (r.json, TRUE);
  return 0;
}
