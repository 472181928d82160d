/* stepwise-cli sample: a grid of images from a flow or DDPM model. */
#include <glib.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "figures.h"
#include "diffusion/sampler.h"

#define CMD "sample"

int
sw_cli_sample (int argc, char **argv)
{
  g_autofree char *out = NULL;
  int per_class = 4, count = 0, steps = 0;
  double guidance = -1, guide_after = 0;
  gint64 seed = 0;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "PNG to write (default samples.png)", "FILE" },
    { "per-class", 'n', 0, G_OPTION_ARG_INT, &per_class, "Images per class for a class model (default 4)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Images for a model without classes (default 40)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Sampling steps (default: the recipe's)", "N" },
    { "guidance", 'g', 0, G_OPTION_ARG_DOUBLE, &guidance, "Classifier-free guidance scale (default: the recipe's)", "G" },
    { "guide-after", 0, 0, G_OPTION_ARG_DOUBLE, &guide_after, "Guide only after this fraction of the steps, 0 (default: all) to below 1; the steps before use the conditional model alone", "F" },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "MODEL.safetensors — draw a grid of samples", NULL, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      sw_cli_failf (CMD, "give exactly one model file");
      return 2;
    }

  g_autoptr (GError) error = NULL;
  SwCliModel m;
  if (!sw_cli_model_load (argv[1], &m, &error))
    return sw_cli_fail (CMD, error);
  if (m.words)
    {
      sw_cli_model_clear (&m);
      return sw_cli_failf (CMD, "“%s” reads prompts as words, not classes; draw from it with "
                           "stepwise-cli generate --prompt or eval-prompts", argv[1]);
    }
  const SwUnetConfig *cfg = sw_unet_config (m.net);
  const gboolean classes = cfg->variant == SW_UNET_CLASS;
  const int cols = classes ? per_class : 10;
  const int n = classes ? cfg->class_dim * per_class : (count ? count : 40);
  const int img = cfg->channels * cfg->size * cfg->size;
  g_autofree float *images = g_new (float, (size_t) n * img);
  g_autofree int *cls = g_new (int, n);
  for (int i = 0; i < n; i++)
    cls[i] = classes ? i / per_class : -1;
  SwSampleOptions opts = {
    .steps = steps ? steps : m.config.sample_steps,
    .guidance = guidance >= 0 ? (float) guidance : (classes ? m.config.guidance : 1.0f),
    .guide_after = (float) guide_after,
    .seed = (uint64_t) seed,
  };
  if (m.config.objective == SW_OBJECTIVE_DDPM && !steps)
    opts.steps = m.config.T;
  SwSampleProgress ctx = { .total = n };
  sw_progress_init (&ctx.progress, "sampling");
  int status = 0;
  if (!sw_sample (m.net, &m.config, n, classes ? cls : NULL, &opts, images, sw_sample_progress_step, &ctx, &error))
    status = sw_cli_fail (CMD, error);
  sw_progress_end (&ctx.progress);
  if (status == 0)
    {
      g_autofree char *title = g_strdup_printf ("%s, epoch %d: seed %" G_GINT64_FORMAT ", %d steps%s",
                                                m.config.name, m.epoch, seed, opts.steps,
                                                classes ? ", guided" : "");
      const char *path = out ? out : "samples.png";
      if (!sw_figure_image_grid (path, images, n, cfg->channels, cfg->size, cfg->size, cols, 3,
                                 classes ? (const char * const *) m.class_names : NULL, title, &error))
        status = sw_cli_fail (CMD, error);
      else
        printf ("%s\n", path);
    }
  sw_cli_model_clear (&m);
  return status;
}
