/* stepwise-cli bench, the cascade section (issue 24): one prompt -> one
 * 64x64 image through both stages with the shipped defaults, as
 * `generate` runs it: stage I (emoji-stage1's net, 33 strided steps,
 * CFG 7), then stage II (emoji-stage2's net at 64 px, cascade.h's
 * SW_CASCADE_SR_* steps, guidance and level).  Each stage's time comes
 * from the job's own frames: stage I ends at its last frame.
 *
 * A stage's net is the shipped file where there is one, else its recipe's
 * net freshly initialised (the speed does not depend on the weights),
 * written to a temporary file so that both load as `generate` loads them;
 * the report says which. */
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "cli-bench.h"
#include "cli-job.h"
#include "diffusion/cascade.h"
#include "models/resunet-file.h"
#include "train/recipe.h"

#define CASCADE_BUDGET_S 1.0   /* issue 24: one prompt -> 64x64 through both stages */
#define CASCADE_PROMPT "smiling face"

/* RECIPE's net, freshly initialised, as a model file in the temporary
 * folder (its vocabulary VOCAB words w0..; 0: no prompt), or NULL */
static char *
fresh_file (const SwRecipe *recipe, const SwResunetConfig *cfg, GError **error)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("stepwise-bench-XXXXXX.safetensors", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);
  SwResunet *net = sw_resunet_new (cfg, error);
  if (!net)
    return NULL;
  sw_resunet_init_params (net, 1);
  g_autoptr (GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (recipe, meta);
  if (cfg->vocab > 0)
    {
      g_ptr_array_add (meta, g_strdup ("prompt.vocabulary"));
      g_ptr_array_add (meta, sw_bench_vocabulary_meta (cfg->vocab));
    }
  g_ptr_array_add (meta, NULL);
  gboolean saved = sw_resunet_save (path, net, NULL, (const char * const *) meta->pdata,
                                    SW_DTYPE_F32, error);
  sw_resunet_free (net);
  if (!saved)
    {
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* stage NAME's file: the shipped one (*SHIPPED TRUE), else a fresh one
 * (*SHIPPED FALSE; the caller removes it) */
static char *
stage_file (const char *name, gboolean *shipped, GError **error)
{
  char *path = sw_cli_shipped_model_file (name);
  if ((*shipped = g_file_test (path, G_FILE_TEST_IS_REGULAR)))
    return path;
  g_free (path);
  SwRecipe recipe;
  sw_recipe_lookup (name, &recipe, NULL);
  SwResunetConfig cfg = recipe.resunet;
  if (recipe.sr_factor > 0)
    {
      /* as the trainer makes it: on crops, reading the low-res image and
       * its noise level beside x (the cascade samples it at 64 px) */
      cfg.size = recipe.crop;
      cfg.cond_channels = cfg.channels;
      cfg.aug = true;
    }
  else
    cfg.vocab = SW_BENCH_STAGE1_VOCAB;   /* the recipe takes it from the captions */
  return fresh_file (&recipe, &cfg, error);
}

/* when each stage of one run ended */
typedef struct {
  double stage1_end;
} Clock;

static gboolean
clock_frame (const SwJobFrame *f, gpointer data)
{
  Clock *clock = data;
  if (f->stage == 1 && f->i == f->steps)
    clock->stage1_end = sw_bench_now ();
  return TRUE;
}

void
sw_bench_cascade (SwBenchReport *r)
{
  gboolean shipped[2];
  g_autoptr (GError) error = NULL;
  g_autofree char *one = stage_file ("emoji-stage1", &shipped[0], &error);
  g_autofree char *two = one ? stage_file (SW_CLI_DEFAULT_SR_MODEL, &shipped[1], &error) : NULL;
  g_autoptr (SwCascade) c = two ? sw_cascade_load (one, two, &error) : NULL;
  SwCascadeJob job;
  sw_cascade_job_init (&job);
  g_autofree float *cond = NULL, *sr_cond = NULL;
  if (c && c->stage2)
    sw_cli_cascade_encode (c, &job, shipped[0] ? CASCADE_PROMPT : "w7 w20", &cond, &sr_cond, &error);
  if (one && !shipped[0])
    g_unlink (one);
  if (two && !shipped[1])
    g_unlink (two);
  if (!c || !c->stage2 || error)
    {
      g_string_append_printf (r->text, "Cascade: cannot be run: %s\n",
                              error ? error->message : "no stage II");
      return;
    }

  const SwEpsModel *m1 = c->stage1, *m2 = c->stage2;
  const gboolean sr_prompt = sw_cascade_stage2_reads_prompt (c);
  g_string_append_printf (r->text,
    "Cascade (one prompt -> %dx%dx%d, as generate runs it; stage I: %s, stage II: %s)\n",
    m2->height, m2->width, m2->channels,
    shipped[0] ? "the shipped emoji-stage1" : "emoji-stage1's net freshly initialised",
    shipped[1] ? "the shipped " SW_CLI_DEFAULT_SR_MODEL
               : SW_CLI_DEFAULT_SR_MODEL "'s net freshly initialised, no file shipped");
  sw_bench_json_field (r, "cascade_stage1_shipped", shipped[0]);
  sw_bench_json_field (r, "cascade_stage2_shipped", shipped[1]);

  g_autofree float *out = g_new (float, (size_t) m2->channels * m2->height * m2->width);
  sw_bench_reset_peak_rss ();
  Clock clock = { 0 };
  /* a warm-up run first, untimed */
  gboolean ok = sw_cascade_run (c, &job, out, clock_frame, &clock, NULL, &error);
  double stage1 = 0.0, total = 0.0;
  int reps = 0;
  while (ok && (total < r->seconds || reps < 2))
    {
      job.job.seed = (uint64_t) reps;
      double t0 = sw_bench_now ();
      ok = sw_cascade_run (c, &job, out, clock_frame, &clock, NULL, &error);
      double t1 = sw_bench_now ();
      stage1 += clock.stage1_end - t0;
      total += t1 - t0;
      reps++;
    }
  if (!ok)
    {
      g_string_append_printf (r->text, "  the cascade failed: %s\n", error->message);
      return;
    }
  const double s1 = stage1 / reps, s = total / reps, s2 = s - s1;
  /* stage II makes its updates from sr_from on, not all sr_steps */
  const int updates2 = job.sr_steps - sw_cascade_sr_i_start (c, &job);
  const double peak = sw_bench_peak_rss_mib ();
  g_autofree char *label1 = g_strdup_printf ("stage I, %dx%dx%d, %d steps, CFG %g", m1->height,
                                             m1->width, m1->channels, job.job.steps, job.job.guidance);
  g_autofree char *label2 = sr_prompt
    ? g_strdup_printf ("stage II, %dx%dx%d, %d of %d steps, CFG %g", m2->height, m2->width,
                       m2->channels, updates2, job.sr_steps, job.sr_guidance)
    : g_strdup_printf ("stage II, %dx%dx%d, %d of %d steps", m2->height, m2->width, m2->channels,
                       updates2, job.sr_steps);
  g_string_append_printf (r->text, "  %-37s %8.2f ms/step   total %6.0f ms\n", label1,
                          1000.0 * s1 / job.job.steps, 1000.0 * s1);
  g_string_append_printf (r->text, "  %-37s %8.2f ms/step   total %6.0f ms  (level %d, from t = %d; %s)\n",
                          label2, 1000.0 * s2 / updates2, 1000.0 * s2, job.sr_level, job.sr_from,
                          sr_prompt ? "reads the prompt" : "reads no prompt: one pass a step");
  g_string_append_printf (r->text, "  generate %-28s %8.3f s         %5.2f of the budget: %s "
                          "(reference: the issue's budget %g s); peak RSS %.0f MiB\n",
                          "prompt -> 64 px, both stages", s, s / CASCADE_BUDGET_S,
                          s < CASCADE_BUDGET_S ? "met" : "not met", CASCADE_BUDGET_S, peak);
  sw_bench_json_field (r, "cascade_stage1_ms_per_step", 1000.0 * s1 / job.job.steps);
  sw_bench_json_field (r, "cascade_stage1_s", s1);
  sw_bench_json_field (r, "cascade_stage2_ms_per_step", 1000.0 * s2 / updates2);
  sw_bench_json_field (r, "cascade_stage2_s", s2);
  sw_bench_json_field (r, "cascade_generate_s", s);
  sw_bench_json_field (r, "cascade_vs_budget", s / CASCADE_BUDGET_S);
  sw_bench_json_field (r, "cascade_peak_rss_mib", peak);
}
