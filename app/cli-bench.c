/* stepwise-cli bench: speed figures of the engine, each beside the
 * reference it is compared with.  Not a test: it measures, it never fails
 * on a slow machine.
 *
 * Reference: PyTorch 1.13 on CPU (Debian's python3-torch, 2 threads,
 * oneDNN, OpenBLAS on its AVX-512 kernels) running the identical net on the
 * same 2-core machine, as measured for issue #2.  The stage I section
 * (cli-bench-stage1.c) measures its PyTorch reference in the same run; the
 * cascade's (cli-bench-cascade.c) has issue 24's budget as its reference. */
#include <cblas.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "nn/adam.h"
#include "base/blas.h"
#include "cli.h"
#include "cli-bench.h"
#include "cli-common.h"
#include "models/eps-model.h"
#include "diffusion/job.h"
#include "train/recipe.h"
#include "nn/layers.h"
#include "base/parallel.h"
#include "base/rng.h"
#include "models/unet.h"
#include "train/train-net.h"

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

/* a net to measure: VARIANT at width D on C x SIZE x SIZE images, with a
 * class vector of width K */
typedef struct {
  SwUnetVariant v;
  int D, C, size, K;
} NetShape;

double
sw_bench_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

double
sw_bench_peak_rss_mib (void)
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

void
sw_bench_reset_peak_rss (void)
{
  /* "5" resets the peak RSS counter (Linux 4.0+); where it is refused the
   * peak is since start, which only overstates.  Written in place:
   * g_file_set_contents would write a temporary file beside it and rename */
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  if (f)
    {
      fputs ("5", f);
      fclose (f);
    }
}

void
sw_bench_json_field (SwBenchReport *r, const char *key, double value)
{
  g_string_append_printf (r->json, "%s\n    \"%s\": %.6g", r->json->len > 2 ? "," : "", key, value);
}

static double
bench_sgemm (SwBenchReport *r)
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
  double t0 = sw_bench_now (), t;
  do
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
      reps++;
    }
  while ((t = sw_bench_now () - t0) < r->seconds || reps < 3);
  openblas_set_num_threads (1);
  double gflops = 2.0 * n * n * (double) n * reps / t / 1e9;
  g_string_append_printf (r->text, "  sgemm %dx%dx%d                       %8.1f GFLOP/s   %5.2fx %s (%.0f)\n",
                          n, n, n, gflops, gflops / REF_SGEMM, REF_NAME, REF_SGEMM);
  sw_bench_json_field (r, "sgemm_gflops", gflops);
  g_free (a); g_free (b); g_free (c);
  return gflops;
}

static SwUnet *
make_net (const SwBenchReport *r, const NetShape *s)
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

static double
forward_flops (const SwTrainNet *net)
{
  return net->resunet ? sw_resunet_forward_flops (net->resunet) : sw_unet_forward_flops (net->unet);
}

SwBenchTrain
sw_bench_train_run (const SwBenchReport *r, SwTrainNet *net, int N, const float *x,
                    const float *t, const float *c)
{
  int C, size, K;
  sw_train_net_shape (net, &C, &size, &K);
  SwAdam opt;
  sw_adam_init (&opt, sw_train_net_n_params (net), 1e-3f);
  size_t n = (size_t) N * C * size * size;
  float *out = g_new (float, n), *dout = g_new (float, n);
  int steps = 0;
  double t0 = 0.0, elapsed = 0.0;
  for (int i = 0;; i++)
    {
      if (i == 1)
        t0 = sw_bench_now ();  /* the first step allocates and warms caches */
      sw_train_net_forward (net, N, x, t, c, true, out);
      memset (dout, 0, sizeof (float) * n);
      sw_mse_backward (n, out, x, 1.0f, dout);
      sw_train_net_zero_grad (net);
      sw_train_net_backward (net, dout);
      sw_adam_step (&opt, sw_train_net_params (net), sw_train_net_grads (net));
      if (i >= 1)
        {
          steps++;
          elapsed = sw_bench_now () - t0;
          if (elapsed >= r->seconds && steps >= 2)
            break;
        }
    }
  SwBenchTrain res = { .images_per_s = steps * N / elapsed, .ms_per_step = 1000.0 * elapsed / steps,
                       .peak_rss_mib = sw_bench_peak_rss_mib () };
  /* backward costs two forwards (input and weight gradients) */
  res.gflops = 3.0 * forward_flops (net) * res.images_per_s / 1e9;
  sw_adam_clear (&opt);
  g_free (out); g_free (dout);
  return res;
}

void
sw_bench_train_report (SwBenchReport *r, const char *label, const char *key,
                       const SwBenchTrain *res, const char *versus, double sgemm)
{
  g_string_append_printf (r->text, "  train %-30s %8.1f images/s  %s\n", label, res->images_per_s, versus);
  g_string_append_printf (r->text, "        %-30s %8.1f GFLOP/s   %5.2f of sgemm; %.0f ms/step; peak RSS %.0f MiB\n",
                          "", res->gflops, res->gflops / sgemm, res->ms_per_step, res->peak_rss_mib);
  const struct { const char *suffix; double value; } fields[] = {
    { "_images_per_s", res->images_per_s }, { "_gflops", res->gflops },
    { "_ms_per_step", res->ms_per_step }, { "_peak_rss_mib", res->peak_rss_mib },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *k = g_strconcat (key, fields[i].suffix, NULL);
      sw_bench_json_field (r, k, fields[i].value);
    }
}

/* the course UNet of shape S at batch N; REF 0 when there is no reference */
static void
bench_train (SwBenchReport *r, const char *label, const char *key, const NetShape *s,
             int N, double ref, double sgemm)
{
  sw_bench_reset_peak_rss ();
  SwTrainNet net = { .unet = make_net (r, s) };
  size_t n = (size_t) N * s->C * s->size * s->size;
  float *x = g_new (float, n), *t = g_new (float, N), *c = g_new (float, (size_t) N * s->K);
  fill_inputs (N, s, x, t, c);
  SwBenchTrain res = sw_bench_train_run (r, &net, N, x, t, c);
  g_autofree char *versus = ref > 0 ? g_strdup_printf ("%5.2fx %s (%.0f)", res.images_per_s / ref, REF_NAME, ref)
                                    : g_strdup ("(no reference)");
  sw_bench_train_report (r, label, key, &res, versus, sgemm);
  sw_train_net_clear (&net);
  g_free (x); g_free (t); g_free (c);
}

double
sw_bench_forward_ms (const SwBenchReport *r, SwTrainNet *net, int N, const float *x,
                     const float *t, const float *c)
{
  int C, size, K;
  sw_train_net_shape (net, &C, &size, &K);
  float *out = g_new (float, (size_t) N * C * size * size);
  sw_train_net_forward (net, N, x, t, c, false, out);
  int reps = 0;
  double t0 = sw_bench_now (), el;
  do
    {
      sw_train_net_forward (net, N, x, t, c, false, out);
      reps++;
    }
  while ((el = sw_bench_now () - t0) < r->seconds / 2 || reps < 3);
  g_free (out);
  return 1000.0 * el / reps;
}

static void
bench_forward (SwBenchReport *r, int N, int C, int size, double ref_ms)
{
  const NetShape s = { SW_UNET_CLASS, 64, C, size, 10 };
  SwTrainNet net = { .unet = make_net (r, &s) };
  size_t n = (size_t) N * C * size * size;
  float *x = g_new (float, n), *t = g_new (float, N), *c = g_new (float, N * 10);
  fill_inputs (N, &s, x, t, c);
  double ms = sw_bench_forward_ms (r, &net, N, x, t, c);
  g_autofree char *label = g_strdup_printf ("D=64, %dx%dx%d, batch %d", size, size, C, N);
  if (ref_ms > 0)
    g_string_append_printf (r->text, "  forward %-28s %8.2f ms        %5.2fx %s than %s (%.1f ms)\n",
                            label, ms, ms < ref_ms ? ref_ms / ms : ms / ref_ms,
                            ms < ref_ms ? "faster" : "slower", REF_NAME, ref_ms);
  else
    g_string_append_printf (r->text, "  forward %-28s %8.2f ms        (no reference)\n", label, ms);
  g_autofree char *key = g_strdup_printf ("forward_%dx%dx%d_batch%d_ms", size, size, C, N);
  sw_bench_json_field (r, key, ms);
  sw_train_net_clear (&net);
  g_free (x); g_free (t); g_free (c);
}

double
sw_bench_job_s (const SwBenchReport *r, SwEpsModel *m, const float *cond)
{
  float *out = g_new (float, (size_t) m->channels * m->height * m->width);
  SwJob job;
  sw_job_init (&job);
  job.cond = cond;
  sw_job_run (m, &job, out, NULL, NULL, NULL, NULL);   /* warm-up */
  int reps = 0;
  double t0 = sw_bench_now (), el;
  do
    {
      job.seed = (uint64_t) reps;
      sw_job_run (m, &job, out, NULL, NULL, NULL, NULL);
      reps++;
    }
  while ((el = sw_bench_now () - t0) < r->seconds || reps < 3);
  g_free (out);
  return el / reps;
}

void
sw_bench_generate_report (SwBenchReport *r, const char *label, const char *key, double s,
                          double target_s)
{
  g_string_append_printf (r->text, "  generate %-27s %8.3f s         %5.2fx %s than the target (%.2g s)\n",
                          label, s, s < target_s ? target_s / s : s / target_s,
                          s < target_s ? "faster" : "slower", target_s);
  sw_bench_json_field (r, key, s);
}

/* a whole generation job through the course UNet (sw_bench_job_s) */
static void
bench_generate (SwBenchReport *r, int C, int size, double target_s)
{
  const NetShape shape = { SW_UNET_CLASS, 64, C, size, 10 };
  SwUnet *net = make_net (r, &shape);
  SwRecipe recipe;
  sw_recipe_lookup ("ddpm-prompt", &recipe, NULL);
  SwEpsModel *m = sw_eps_model_new_unet (net, &recipe.model, NULL, NULL);
  float cond[10] = { 0 };
  cond[3] = 1.0f;
  double s = sw_bench_job_s (r, m, cond);
  g_autofree char *label = g_strdup_printf ("%dx%dx%d, 33 steps, CFG", size, size, C);
  g_autofree char *key = g_strdup_printf ("generate_%dx%dx%d_33_steps_cfg_s", size, size, C);
  sw_bench_generate_report (r, label, key, s, target_s);
  sw_eps_model_free (m);
  sw_unet_free (net);
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
  SwBenchReport r = { g_string_new (NULL), g_string_new ("{"), quick ? 0.5 : seconds, points };

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
  sw_bench_stage1 (&r, sgemm);
  FLUSH ();
  sw_bench_cascade (&r);
  FLUSH ();
#undef FLUSH
  g_string_append_printf (r.json, ",\n    \"peak_rss_mib\": %.6g\n}\n", sw_bench_peak_rss_mib ());
  if (json)
    fputs (r.json->str, stdout);
  g_string_free (r.text, TRUE);
  g_string_free (r.json, TRUE);
  return 0;
}
