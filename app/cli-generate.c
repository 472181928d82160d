/* stepwise-cli generate, anagram, hybrid: images from noise under one or
 * two prompts (docs/math.md 1.2.7-1.2.8, 1.2.12-1.2.13). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "diffusion/gaussian-blur.h"

int
sw_cli_generate (int argc, char **argv)
{
  const char *cmd = "generate";
  g_autofree char *prompt = NULL;
  g_auto (SwCliJobOptions) o = { .cascade = TRUE };
  const GOptionEntry extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to draw (default: none, unconditional)", "TEXT" },
    { NULL }
  };
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, extra, 5);
  if (!sw_cli_parse (cmd, "— images from noise for a prompt", NULL, entries, &argc, &argv))
    return 2;
  if (argc != 1)
    return sw_cli_failf (cmd, "unexpected argument “%s”; the prompt goes in --prompt", argv[1]);

  g_autoptr (GError) error = NULL;
  SwCascade *c = NULL;
  SwCascadeJob cj;
  const SwJob *job = &cj.job;
  g_autofree float *cond = NULL, *sr_cond = NULL, *out = NULL;
  const char *path = o.out ? o.out : "generate.png";
  if (sw_cli_cascade_setup (&o, &c, &cj, &error)
      && sw_cli_cascade_encode (c, &cj, prompt, &cond, &sr_cond, &error))
    {
      SwEpsModel *m = sw_cascade_output (c, &cj);
      out = g_new (float, (size_t) job->count * m->channels * m->height * m->width);
      if (sw_cli_run_cascade (c, &cj, out, &error))
        {
          g_autofree char *label = sw_cli_prompt_label (prompt);
          g_autofree char *title = g_strdup_printf ("%s: guidance %g, %d steps, seed %" G_GINT64_FORMAT,
                                                    label, job->guidance, job->steps, o.seed);
          g_autoptr (GHashTable) text = sw_cli_job_text (&o, c, &cj, SW_JOB_MODE_GENERATE, prompt, NULL);
          sw_cli_write_job (&o, path, m, out, out, 1, job->count, NULL, NULL, title, text, &error);
        }
    }
  return sw_cli_cascade_finish (cmd, c, error, path);
}

static gboolean
parse_view (const char *name, SwView *view, GError **error)
{
  const char * const *views = sw_view_names ();
  for (int k = 0; views[k]; k++)
    if (g_strcmp0 (name, views[k]) == 0)
      {
        *view = (SwView) k;
        return TRUE;
      }
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "--view “%s” is unknown; accepted: flip, rotate180, negate", name);
  return FALSE;
}

/* anagram and hybrid: two prompts, two rows (the result and how it reads
 * the other way) */
static int
two_prompts (int argc, char **argv, const char *cmd, SwCompose compose)
{
  g_autofree char *p1 = NULL, *p2 = NULL, *view_name = NULL;
  g_auto (SwCliJobOptions) o = { .cascade = TRUE };
  const GOptionEntry anagram_extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &p1, "What the image shows upright", "TEXT" },
    { "prompt2", 'q', 0, G_OPTION_ARG_STRING, &p2, "What it shows in the second view", "TEXT" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view_name, "The second view: flip (default), rotate180 or negate", "VIEW" },
    { NULL }
  };
  const GOptionEntry hybrid_extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &p1, "What the image shows from far away (low frequencies)", "TEXT" },
    { "prompt2", 'q', 0, G_OPTION_ARG_STRING, &p2, "What it shows close up (high frequencies)", "TEXT" },
    { NULL }
  };
  const gboolean anagram = compose == SW_COMPOSE_ANAGRAM;
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, anagram ? anagram_extra : hybrid_extra, 2);
  if (!sw_cli_parse (cmd, anagram ? "— a visual anagram: one image, two prompts, two views"
                                  : "— a hybrid image: one prompt from afar, another close up",
                     NULL, entries, &argc, &argv))
    return 2;
  if (argc != 1)
    return sw_cli_failf (cmd, "unexpected argument “%s”; the prompts go in --prompt and --prompt2", argv[1]);
  if (!p1 || !p2)
    return sw_cli_failf (cmd, "give both --prompt and --prompt2");

  g_autoptr (GError) error = NULL;
  SwCascade *c = NULL;
  SwCascadeJob cj;
  SwJob *job = &cj.job;
  g_autofree float *c1 = NULL, *c2 = NULL, *out = NULL;
  const char *path = o.out ? o.out : anagram ? "anagram.png" : "hybrid.png";
  SwView view = SW_VIEW_FLIP;
  /* composed at stage I; stage II super-resolves its image with no prompt
   * (cascade.h) */
  if ((!view_name || parse_view (view_name, &view, &error))
      && sw_cli_cascade_setup (&o, &c, &cj, &error)
      && (c1 = sw_cli_encode (c->stage1, p1, &error)) && (c2 = sw_cli_encode (c->stage1, p2, &error)))
    {
      job->view = view;
      job->compose = compose;
      job->cond = c1;
      job->cond2 = c2;
      SwEpsModel *m = sw_cascade_output (c, &cj);
      const int C = m->channels, H = m->height, W = m->width;
      const size_t img = (size_t) C * H * W;
      out = g_new (float, 2 * job->count * img);
      if (sw_cli_run_cascade (c, &cj, out, &error))
        {
          float *second = out + job->count * img;
          g_autofree char *l1 = sw_cli_prompt_label (p1), *l2 = sw_cli_prompt_label (p2);
          g_autofree char *r1 = NULL, *r2 = NULL;
          if (anagram)
            {
              static const char * const how[] = { "flipped", "rotated 180°", "negated" };
              for (int i = 0; i < job->count; i++)
                sw_view_apply (job->view, C, H, W, out + i * img, second + i * img);
              r1 = g_strdup (l1);
              r2 = g_strdup_printf ("%s (%s)", l2, how[job->view]);
            }
          else
            {
              /* from afar only the low frequencies are left */
              int k;
              float s;
              sw_hybrid_kernel_for_size (W, &k, &s);
              for (int i = 0; i < job->count; i++)
                sw_gaussian_blur (C, H, W, k, s, out + i * img, second + i * img);
              r1 = g_strdup_printf ("%s close up", l2);
              r2 = g_strdup_printf ("%s from afar", l1);
            }
          const char *rows[] = { r1, r2 };
          g_autofree char *title = g_strdup_printf ("%s: guidance %g, %d steps, seed %" G_GINT64_FORMAT,
                                                    anagram ? "visual anagram" : "hybrid image",
                                                    job->guidance, job->steps, o.seed);
          g_autoptr (GHashTable) text = sw_cli_job_text (&o, c, &cj, anagram ? SW_JOB_MODE_ANAGRAM
                                                                             : SW_JOB_MODE_HYBRID, p1, p2);
          sw_cli_write_job (&o, path, m, out, out, 2, job->count, rows, NULL, title, text, &error);
        }
    }
  return sw_cli_cascade_finish (cmd, c, error, path);
}

int
sw_cli_anagram (int argc, char **argv)
{
  return two_prompts (argc, argv, "anagram", SW_COMPOSE_ANAGRAM);
}

int
sw_cli_hybrid (int argc, char **argv)
{
  return two_prompts (argc, argv, "hybrid", SW_COMPOSE_HYBRID);
}
