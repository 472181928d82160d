/* stepwise-cli export: the model file a training checkpoint would ship,
 * written without training on: the weights' average when the run keeps
 * one (its BatchNorm statistics recomputed on the training images,
 * trainer.h), else the weights, in F16 like train's model.safetensors
 * (--f32: in F32, to check that F16 keeps the scores).  It scores a long
 * run part-way (eval-prompts, eval, generate) while the run goes on from
 * the same checkpoint. */
#include <glib.h>

#include "cli.h"
#include "cli-common.h"
#include "data/dataset.h"
#include "io/safetensors.h"
#include "train/trainer.h"

#define CMD "export"

int
sw_cli_export (int argc, char **argv)
{
  int limit = 0;
  double word_noise = 0.0;
  gboolean f32 = FALSE;
  const GOptionEntry entries[] = {
    { "f32", 0, 0, G_OPTION_ARG_NONE, &f32, "Write F32 weights, not the F16 that training ships", NULL },
    { "word-noise", 0, 0, G_OPTION_ARG_DOUBLE, &word_noise,
      "The word noise the model samples with (CADS), more than 0 to 1, for a checkpoint written "
      "before its recipe had one (default: the checkpoint's)", "S" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "The run trained on the first N images only (train --limit), for a checkpoint "
      "too old to record it", "N" },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "CHECKPOINT OUT.safetensors — write the model a training checkpoint would ship",
                     "CHECKPOINT is a training folder's checkpoint.safetensors; the dataset it "
                     "names must be installed (stepwise-cli datasets).", entries, &argc, &argv))
    return 2;
  if (argc != 3)
    return sw_cli_failf (CMD, "give a training checkpoint and the model file to write");

  g_autoptr (GError) error = NULL;
  g_autoptr (SwStFile) file = sw_safetensors_open (argv[1], &error);
  if (!file)
    return sw_cli_fail (CMD, error);
  const char *dataset = sw_safetensors_meta (file, "recipe.dataset");
  if (!dataset)
    return sw_cli_failf (CMD, "“%s” has no recipe.dataset: it is not a training checkpoint "
                         "(checkpoint.safetensors in a training folder)", argv[1]);
  SwDataset *data = sw_dataset_load (dataset, SW_SPLIT_TRAIN, &error);
  if (!data)
    return sw_cli_fail (CMD, error);
  if (limit > 0 && limit < data->n)
    data->n = limit;
  int status = 0;
  const SwResumeChanges changes = { .word_noise = (float) word_noise };
  SwTrainer *tr = sw_trainer_resume (argv[1], data, &changes, &error);
  if (!tr || !sw_trainer_save (tr, argv[2], FALSE, f32 ? SW_DTYPE_F32 : SW_DTYPE_F16, NULL, &error))
    status = sw_cli_fail (CMD, error);
  else
    printf ("%s: epoch %d, %s\n", argv[2], sw_trainer_epoch (tr),
            sw_trainer_recipe (tr)->ema > 0.0f ? "the weights' average" : "the weights");
  sw_trainer_free (tr);
  sw_dataset_free (data);
  return status;
}
