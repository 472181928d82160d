/* stepwise-cli bench, the stage I section (issue 22): the emoji-stage1
 * recipe's residual attention UNet (resunet.h), its shape as the recipe
 * has it, prompts as bags over a vocabulary of the emoji captions'
 * size.
 *
 * Its training reference is measured in the same run, never remembered:
 * Debian's /usr/bin/python3 runs the project's independent PyTorch
 * implementation of the net (tests/reference/resunet_reference.py
 * --bench) on the same batch, prompts and thread count.  Without python3,
 * torch or the script the section says so and goes on. */
#include <glib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/parallel.h"
#include "base/rng.h"
#include "cli-bench.h"
#include "models/eps-model.h"
#include "models/resunet.h"
#include "train/recipe.h"
#include "train/train-net.h"

#define STAGE1_TARGET_RATIO 1.5  /* issue 22: training at least 1.5x PyTorch */
#define STAGE1_TARGET_GEN_S 0.25 /* issue 22: one prompt -> image, 33 steps, CFG */
#define PYTHON "/usr/bin/python3"
#define TIMEOUT "/usr/bin/timeout"    /* coreutils: a hung reference must not hang the bench */
#define TORCH_SCRIPT STEPWISE_SOURCE_DIR "/tests/reference/resunet_reference.py"

/* image n's prompt: a bag of 1 + n % 4 words, 1/k on each, word j of it
 * (7 n + 13 j) mod vocab: the reference's stage1_bags */
static void
fill_bags (int N, int vocab, float *c)
{
  memset (c, 0, sizeof (float) * N * vocab);
  for (int n = 0; n < N; n++)
    {
      int k = 1 + n % 4;
      for (int j = 0; j < k; j++)
        c[(size_t) n * vocab + (7 * n + 13 * j) % vocab] = 1.0f / k;
    }
}

/* the net as the reference's config() takes it */
static char *
config_json (const SwResunetConfig *cfg)
{
  GString *mult = g_string_new (NULL), *attn = g_string_new (NULL);
  for (int l = 0; l < cfg->levels; l++)
    {
      g_string_append_printf (mult, "%s%d", l ? ", " : "", cfg->mult[l]);
      if (cfg->attn & (1u << l))
        g_string_append_printf (attn, "%s%d", attn->len ? ", " : "", l);
    }
  char *json = g_strdup_printf (
    "{\"channels\": %d, \"size\": %d, \"width\": %d, \"mult\": [%s], \"blocks\": %d, "
    "\"attn\": [%s], \"heads\": %d, \"groups\": %d, \"dropout\": %g, \"time_dim\": %d, "
    "\"vocab\": %d, \"embed_dim\": %d, \"pool\": %s, \"cross\": %s, \"max_words\": %d}",
    cfg->channels, cfg->size, cfg->width, mult->str, cfg->blocks, attn->str, cfg->heads,
    cfg->groups, cfg->dropout, cfg->time_dim, cfg->vocab, cfg->embed_dim,
    cfg->pool ? "true" : "false", cfg->cross ? "true" : "false", cfg->max_words);
  g_string_free (mult, TRUE);
  g_string_free (attn, TRUE);
  return json;
}

/* the number after "KEY": in the one-line JSON OUT, or -1 */
static double
json_number (const char *out, const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (out, quoted);
  return p ? g_ascii_strtod (p + strlen (quoted), NULL) : -1.0;
}

typedef struct {
  double images_per_s, ms_per_step, peak_rss_mib;
  char  *name;   /* "PyTorch 1.13.0 CPU, 2 threads" */
  char  *why;    /* no figure: why, for the report */
} TorchTrain;

/* PyTorch training the reference's net of CFG on batch N for the report's
 * time budget; FALSE with ref->why set where it gives no figure */
static gboolean
torch_train (const SwBenchReport *r, const SwResunetConfig *cfg, int N, TorchTrain *ref)
{
  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      ref->why = g_strdup ("PyTorch not installed: no reference");
      return FALSE;
    }
  if (!g_file_test (TORCH_SCRIPT, G_FILE_TEST_IS_REGULAR))
    {
      ref->why = g_strdup ("no reference: " TORCH_SCRIPT " is not there");
      return FALSE;
    }
  g_autofree char *config = config_json (cfg);
  g_autofree char *batch = g_strdup_printf ("%d", N);
  g_autofree char *threads = g_strdup_printf ("%d", sw_num_threads ());
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_dtostr (seconds, sizeof seconds, r->seconds);
  /* its own budget, plus a minute to import torch and warm up */
  const int limit = 60 + 4 * (int) r->seconds;
  g_autofree char *limit_s = g_strdup_printf ("%ds", limit);
  const char *argv[] = { TIMEOUT, "--kill-after=5s", limit_s, PYTHON, TORCH_SCRIPT, "--bench",
                         "--config", config, "--batch", batch, "--seconds", seconds,
                         "--threads", threads, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error))
    {
      ref->why = g_strdup_printf ("no reference: %s", error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, NULL) || json_number (out, "images_per_s") <= 0)
    {
      if (err && strstr (err, "No module named 'torch'"))
        ref->why = g_strdup ("PyTorch not installed: no reference");
      else if (WIFEXITED (status) && (WEXITSTATUS (status) == 124 || WEXITSTATUS (status) == 137))
        ref->why = g_strdup_printf ("the PyTorch reference ran past %d s and was stopped; "
                                    "no reference", limit);
      else
        {
          /* its last line says what went wrong */
          g_strchomp (err ? err : out);
          const char *last = strrchr (err ? err : out, '\n');
          ref->why = g_strdup_printf ("the PyTorch reference failed: %s; no reference",
                                      last ? last + 1 : err ? err : out);
        }
      return FALSE;
    }
  ref->images_per_s = json_number (out, "images_per_s");
  ref->ms_per_step = json_number (out, "ms_per_step");
  ref->peak_rss_mib = json_number (out, "peak_rss_mib");
  const char *version = strstr (out, "\"torch\": \"");
  g_autofree char *v = version ? g_strndup (version + 10, strcspn (version + 10, "\"")) : g_strdup ("?");
  ref->name = g_strdup_printf ("PyTorch %s CPU, %d threads", v, (int) json_number (out, "threads"));
  return TRUE;
}

char *
sw_bench_vocabulary_meta (int V)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < V; i++)
    g_string_append_printf (s, "%sw%d", i ? " " : "", i);
  return g_string_free (s, FALSE);
}

void
sw_bench_stage1 (SwBenchReport *r, double sgemm)
{
  SwRecipe recipe;
  sw_recipe_lookup ("emoji-stage1", &recipe, NULL);
  SwResunetConfig cfg = recipe.resunet;
  cfg.vocab = SW_BENCH_STAGE1_VOCAB;   /* the recipe takes it from the captions */
  g_autoptr (GError) error = NULL;
  SwTrainNet net = { .resunet = sw_resunet_new (&cfg, &error) };
  if (!net.resunet)
    {
      g_string_append_printf (r->text, "Stage I: the emoji-stage1 net cannot be made: %s\n", error->message);
      return;
    }
  sw_resunet_init_params (net.resunet, 1);
  g_autofree char *mult = g_strdup_printf ("%d", cfg.mult[0]);
  for (int l = 1; l < cfg.levels; l++)
    {
      char *m = g_strdup_printf ("%s,%d", mult, cfg.mult[l]);
      g_free (mult);
      mult = m;
    }
  g_string_append_printf (r->text, "Stage I (emoji-stage1's residual attention UNet: width %d, mult %s, "
                          "%d blocks, %.2fM parameters, %.3f GFLOP a forward pass; %dx%dx%d; "
                          "prompts from bags of %d words, %s)\n", cfg.width, mult, cfg.blocks,
                          sw_resunet_num_params (net.resunet) / 1e6,
                          sw_resunet_forward_flops (net.resunet) / 1e9, cfg.size, cfg.size,
                          cfg.channels, cfg.vocab,
                          cfg.pool && cfg.cross ? "pooled and read by cross-attention"
                          : cfg.cross ? "read by cross-attention" : "pooled");
  sw_bench_json_field (r, "stage1_width", cfg.width);
  sw_bench_json_field (r, "stage1_vocab", cfg.vocab);

  /* training: PyTorch first, then the engine on the same batch */
  const int N = recipe.batch, C = cfg.channels, size = cfg.size;
  size_t n = (size_t) N * C * size * size;
  float *x = g_new (float, n), *t = g_new (float, N), *c = g_new (float, (size_t) N * cfg.vocab);
  SwRng rng;
  sw_rng_init (&rng, 2, 0);
  sw_rng_fill_normal (&rng, x, n);
  sw_rng_fill_uniform (&rng, t, N, 0, 1000);
  fill_bags (N, cfg.vocab, c);
  TorchTrain ref = { 0 };
  gboolean have_ref = torch_train (r, &cfg, N, &ref);
  sw_bench_reset_peak_rss ();
  SwBenchTrain res = sw_bench_train_run (r, &net, N, x, t, c);
  g_autofree char *label = g_strdup_printf ("stage I, batch %d, %dx%dx%d", N, size, size, C);
  g_autofree char *key = g_strdup_printf ("stage1_train_b%d", N);
  g_autofree char *versus = NULL;
  if (have_ref)
    {
      double ratio = res.images_per_s / ref.images_per_s;
      versus = g_strdup_printf ("%5.2fx %s (%.1f, this run); target %.1fx: %s", ratio, ref.name,
                                ref.images_per_s, STAGE1_TARGET_RATIO,
                                ratio >= STAGE1_TARGET_RATIO ? "met" : "not met");
    }
  else
    versus = g_strdup_printf ("(%s)", ref.why);
  sw_bench_train_report (r, label, key, &res, versus, sgemm);
  if (have_ref)
    {
      g_string_append_printf (r->text, "        %-30s %8.1f images/s  %s: %.0f ms/step; peak RSS %.0f MiB\n",
                              "", ref.images_per_s, ref.name, ref.ms_per_step, ref.peak_rss_mib);
      g_autofree char *k_ips = g_strdup_printf ("stage1_torch_train_b%d_images_per_s", N);
      g_autofree char *k_ms = g_strdup_printf ("stage1_torch_train_b%d_ms_per_step", N);
      g_autofree char *k_mem = g_strdup_printf ("stage1_torch_train_b%d_peak_rss_mib", N);
      g_autofree char *k_ratio = g_strdup_printf ("stage1_train_b%d_vs_torch", N);
      sw_bench_json_field (r, k_ips, ref.images_per_s);
      sw_bench_json_field (r, k_ms, ref.ms_per_step);
      sw_bench_json_field (r, k_mem, ref.peak_rss_mib);
      sw_bench_json_field (r, k_ratio, res.images_per_s / ref.images_per_s);
    }

  /* one CFG step's pair: the prompt and the empty one */
  memset (c + cfg.vocab, 0, sizeof (float) * cfg.vocab);
  double ms = sw_bench_forward_ms (r, &net, 2, x, t, c);
  g_autofree char *fwd_label = g_strdup_printf ("stage I, %dx%dx%d, batch 2", size, size, C);
  g_string_append_printf (r->text, "  forward %-28s %8.2f ms        (one CFG step's pair)\n", fwd_label, ms);
  sw_bench_json_field (r, "stage1_forward_batch2_ms", ms);

  /* one prompt -> image through the eps-model, as `generate` runs it */
  g_autofree char *vocabulary = sw_bench_vocabulary_meta (cfg.vocab);
  SwEpsModel *m = sw_eps_model_new_resunet (net.resunet, &recipe.model, vocabulary, &error);
  if (m)
    {
      double s = sw_bench_job_s (r, m, c);
      sw_bench_generate_report (r, "stage I, 33 steps, CFG", "stage1_generate_33_steps_cfg_s", s,
                                STAGE1_TARGET_GEN_S);
      sw_eps_model_free (m);
    }
  else
    g_string_append_printf (r->text, "  generate: no eps-model: %s\n", error->message);

  sw_train_net_clear (&net);
  g_free (ref.name); g_free (ref.why);
  g_free (x); g_free (t); g_free (c);
}
