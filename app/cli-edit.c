/* stepwise-cli sdedit, img2img, inpaint: the model edits an image it is
 * given (docs/math.md 1.2.9-1.2.11). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "models/cosine-schedule.h"

/* sdedit and img2img: one column per i_start, the original last */
static int
edit (int argc, char **argv, const char *cmd, gboolean need_prompt)
{
  g_autofree char *prompt = NULL, *starts_text = NULL;
  g_auto (SwCliJobOptions) o = { .cascade = TRUE };
  const GOptionEntry extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt,
      need_prompt ? "What to turn the image into" : "A prompt (default: none)", "TEXT" },
    { "i-start", 'i', 0, G_OPTION_ARG_STRING, &starts_text,
      "Where to start, as indices into the strided timesteps (default 1,3,5,7,10,20; "
      "higher keeps less of the image)", "LIST" },
    { NULL }
  };
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, extra, 1);
  if (!sw_cli_parse (cmd, need_prompt ? "IMAGE — turn an image into the prompt, from each i_start"
                                      : "IMAGE — project an image (a sketch, a photo) onto the model's images",
                     NULL, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    return sw_cli_failf (cmd, "give exactly one image file");
  if (need_prompt && (!prompt || !*prompt))
    return sw_cli_failf (cmd, "give the prompt to turn the image into with --prompt");
  if (o.plain && (!starts_text || strchr (starts_text, ',')))
    return sw_cli_failf (cmd, "--plain writes one image; give one --i-start");

  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) starts = NULL;
  SwCascade *c = NULL;
  SwCascadeJob cj;
  SwJob *job = &cj.job;
  SwEpsModel *m = NULL;
  g_autofree float *cond = NULL, *sr_cond = NULL, *image = NULL, *table = NULL;
  const char *path = o.out ? o.out : need_prompt ? "img2img.png" : "sdedit.png";
  /* the input at the output's side: the cascade shrinks it for stage I */
  if (sw_cli_parse_int_list (starts_text ? starts_text : "1,3,5,7,10,20", "i_start", &starts, &error)
      && sw_cli_cascade_setup (&o, &c, &cj, &error)
      && sw_cli_cascade_encode (c, &cj, prompt, &cond, &sr_cond, &error)
      && (image = sw_cli_read_image (m = sw_cascade_output (c, &cj), argv[1], &error)))
    {
      const size_t img = (size_t) m->channels * m->height * m->width;
      const int cols = starts->len + 1, rows = job->count;
      g_autofree float *out = g_new (float, rows * img), *first = g_new (float, img);
      g_autofree int *ts = g_new (int, job->steps + 1);
      g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
      sw_strided_timesteps (m->T, job->steps, ts);
      table = g_new (float, (size_t) rows * cols * img);
      job->image = image;
      for (guint k = 0; k < starts->len && !error; k++)
        {
          job->i_start = g_array_index (starts, int, k);
          if (!sw_cli_run_cascade (c, &cj, out, &error))
            break;
          for (int r = 0; r < rows; r++)
            memcpy (table + ((size_t) r * cols + k) * img, out + r * img, sizeof (float) * img);
          if (k == 0)
            memcpy (first, out, sizeof (float) * img);
          g_ptr_array_add (labels, g_strdup_printf ("i_start %d (t %d)", job->i_start, ts[job->i_start]));
        }
      if (!error)
        {
          for (int r = 0; r < rows; r++)
            memcpy (table + ((size_t) r * cols + cols - 1) * img, image, sizeof (float) * img);
          g_ptr_array_add (labels, g_strdup ("original"));
          g_autofree char *label = sw_cli_prompt_label (prompt);
          g_autofree char *title = g_strdup_printf ("%s of %s, %s: guidance %g, %d steps, seed %" G_GINT64_FORMAT,
                                                    cmd, argv[1], label, job->guidance, job->steps, o.seed);
          /* the settings of the first column: its i_start */
          job->i_start = g_array_index (starts, int, 0);
          g_autoptr (GHashTable) text = sw_cli_job_text (&o, c, &cj, SW_JOB_MODE_SDEDIT, prompt, NULL);
          sw_cli_write_job (&o, path, m, first, table, rows, cols, NULL, (const char * const *) labels->pdata,
                            title, text, &error);
        }
    }
  return sw_cli_cascade_finish (cmd, c, error, path);
}

int
sw_cli_sdedit (int argc, char **argv)
{
  return edit (argc, argv, "sdedit", FALSE);
}

int
sw_cli_img2img (int argc, char **argv)
{
  return edit (argc, argv, "img2img", TRUE);
}

int
sw_cli_inpaint (int argc, char **argv)
{
  const char *cmd = "inpaint";
  g_autofree char *prompt = NULL;
  g_auto (SwCliJobOptions) o = { .cascade = TRUE };
  const GOptionEntry extra[] = {
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to fill the hole with (default: none)", "TEXT" },
    { NULL }
  };
  g_autofree GOptionEntry *entries = sw_cli_job_entries (&o, extra, 3);
  if (!sw_cli_parse (cmd, "IMAGE MASK — regenerate the image where the mask is white",
                     NULL, entries, &argc, &argv))
    return 2;
  if (argc != 3)
    return sw_cli_failf (cmd, "give an image file and a mask file");

  g_autoptr (GError) error = NULL;
  SwCascade *c = NULL;
  SwCascadeJob cj;
  SwJob *job = &cj.job;
  SwEpsModel *m = NULL;
  g_autofree float *cond = NULL, *sr_cond = NULL, *image = NULL, *mask = NULL;
  const char *path = o.out ? o.out : "inpaint.png";
  /* image and mask at the output's side: the cascade shrinks them for
   * stage I, and keeps the input exactly where the mask is 0 */
  if (sw_cli_cascade_setup (&o, &c, &cj, &error)
      && sw_cli_cascade_encode (c, &cj, prompt, &cond, &sr_cond, &error)
      && (image = sw_cli_read_image (m = sw_cascade_output (c, &cj), argv[1], &error))
      && (mask = sw_cli_read_mask (cmd, m, argv[2], &error)))
    {
      const int HW = m->height * m->width;
      const size_t img = (size_t) m->channels * HW;
      const int cols = 3 + job->count;
      g_autofree float *table = g_new (float, cols * img);
      /* original, mask, the image with its hole greyed, then the results */
      memcpy (table, image, sizeof (float) * img);
      for (size_t j = 0; j < img; j++)
        {
          table[img + j] = 2.0f * mask[j % HW] - 1.0f;
          table[2 * img + j] = mask[j % HW] > 0.5f ? 0.0f : image[j];
        }
      job->image = image;
      job->mask = mask;
      if (sw_cli_run_cascade (c, &cj, table + 3 * img, &error))
        {
          g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (labels, g_strdup ("original"));
          g_ptr_array_add (labels, g_strdup ("mask"));
          g_ptr_array_add (labels, g_strdup ("kept"));
          for (int i = 0; i < job->count; i++)
            g_ptr_array_add (labels, g_strdup_printf ("result %d", i + 1));
          g_autofree char *label = sw_cli_prompt_label (prompt);
          g_autofree char *title = g_strdup_printf ("inpainting %s, %s: guidance %g, %d steps, seed %" G_GINT64_FORMAT,
                                                    argv[1], label, job->guidance, job->steps, o.seed);
          g_autoptr (GHashTable) text = sw_cli_job_text (&o, c, &cj, SW_JOB_MODE_INPAINT, prompt, NULL);
          sw_cli_write_job (&o, path, m, table + 3 * img, table, 1, cols, NULL,
                            (const char * const *) labels->pdata, title, text, &error);
        }
    }
  return sw_cli_cascade_finish (cmd, c, error, path);
}
