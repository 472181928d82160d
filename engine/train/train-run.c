#include "train/train-run.h"

#include <glib/gstdio.h>
#include <math.h>

#include "base/error.h"
#include "train/run-folder.h"

typedef struct {
  const SwTrainRunParams *params;
  SwLossLog              *log;
} Run;

void
sw_train_run_params_init (SwTrainRunParams *params)
{
  *params = (SwTrainRunParams) { .export_model = TRUE };
}

static gboolean
on_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  Run *run = user_data;
  sw_loss_log_batch (run->log, epoch + 1, step + 1, loss);
  if (run->params->on_step)
    run->params->on_step (epoch, step, steps, loss, run->params->user_data);
  return !g_cancellable_is_cancelled (run->params->cancellable);
}

static SwTrainer *
start_trainer (const SwTrainRunParams *p, const char *checkpoint, GError **error)
{
  if (p->resume)
    return sw_trainer_resume (checkpoint, p->data, &p->changes, error);
  return sw_recipe_validate (p->recipe, error) ? sw_trainer_new (p->recipe, p->data, error) : NULL;
}

/* one epoch: train, log, checkpoint, report */
static gboolean
run_epoch (Run *run, SwTrainer *tr, const char *checkpoint, GError **error)
{
  const SwRecipe *r = sw_trainer_recipe (tr);
  const gint64 t0 = g_get_monotonic_time ();
  SwTrainEpochReport report = { .lr = sw_recipe_lr (r, sw_trainer_epoch (tr)), .log = run->log };
  if (!sw_trainer_run_epoch (tr, on_step, run, &report.loss, error))
    return FALSE;
  report.epoch = sw_trainer_epoch (tr);
  report.seconds = (g_get_monotonic_time () - t0) / 1e6;
  report.images_per_s = (double) sw_trainer_steps_per_epoch (tr) * r->batch / report.seconds;
  g_autofree char *loss = g_strdup_printf ("%.5f", report.loss);
  const char *extra[] = { "train.loss", loss, NULL };
  return sw_loss_log_epoch (run->log, report.epoch, report.loss, report.lr, report.seconds,
                            report.images_per_s, error)
         && sw_trainer_save (tr, checkpoint, TRUE, SW_DTYPE_F32, extra, error)
         && (!run->params->on_epoch || run->params->on_epoch (tr, &report, run->params->user_data, error));
}

static gboolean
export_model (Run *run, SwTrainer *tr, double seconds, GError **error)
{
  g_autofree char *path = g_build_filename (run->params->folder, SW_TRAIN_RUN_MODEL, NULL);
  const GArray *means = sw_loss_log_epochs (run->log);
  g_autofree char *loss = g_strdup_printf ("%.5f", means->len ? g_array_index (means, float, means->len - 1)
                                                              : NAN);
  g_autofree char *secs = g_strdup_printf ("%.0f", seconds);
  const char *extra[] = { "train.loss", loss, "train.seconds", secs, NULL };
  return sw_trainer_save (tr, path, FALSE, SW_DTYPE_F16, extra, error);
}

gboolean
sw_train_run (const SwTrainRunParams *p, SwTrainRunSummary *summary, GError **error)
{
  Run run = { .params = p };
  g_autofree char *checkpoint = g_build_filename (p->folder, SW_TRAIN_RUN_CHECKPOINT, NULL);
  const int lock = sw_run_folder_lock (p->folder, error);
  if (lock < 0)
    return FALSE;
  SwTrainer *tr = NULL;
  gboolean ok = FALSE;
  if (!p->resume && sw_run_folder_holds_run (p->folder))
    {
      g_autofree char *display = g_filename_display_name (p->folder);
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the folder “%s” holds a training run; resume it, or start over with "
                   "that run moved aside", display);
      goto out;
    }
  sw_run_folder_remove_leftovers (p->folder);
  tr = start_trainer (p, checkpoint, error);
  if (!tr)
    goto out;
  run.log = sw_loss_log_open (p->folder, sw_trainer_epoch (tr), !p->resume, error);
  if (!run.log)
    goto out;
  if (p->on_start)
    p->on_start (tr, run.log, p->user_data);

  const int first = sw_trainer_epoch (tr);
  const gint64 t_start = g_get_monotonic_time ();
  while (sw_trainer_epoch (tr) < sw_trainer_recipe (tr)->epochs)
    {
      if (g_cancellable_is_cancelled (p->cancellable))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_CANCELLED, "training was stopped after epoch %d",
                       sw_trainer_epoch (tr));
          goto out;
        }
      if (!run_epoch (&run, tr, checkpoint, error))
        goto out;
      if (p->minutes > 0 && g_get_monotonic_time () - t_start >= p->minutes * 60e6)
        break;
    }
  const double seconds = (g_get_monotonic_time () - t_start) / 1e6;
  if (p->export_model && !export_model (&run, tr, seconds, error))
    goto out;
  if (summary)
    *summary = (SwTrainRunSummary) {
      .seconds = seconds,
      .images = (double) (sw_trainer_epoch (tr) - first) * sw_trainer_steps_per_epoch (tr)
                * sw_trainer_recipe (tr)->batch,
    };
  ok = TRUE;

out:
  g_clear_pointer (&run.log, sw_loss_log_close);
  sw_trainer_free (tr);
  sw_run_folder_unlock (lock);
  return ok;
}
