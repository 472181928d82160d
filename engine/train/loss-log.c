#include "train/loss-log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

struct _SwLossLog {
  char   *batch_path, *epoch_path;
  FILE   *batch, *epoch;
  GArray *batch_losses, *epoch_losses;
};

static const char BATCH_HEADER[] = "epoch,step,loss\n";
static const char EPOCH_HEADER[] = "epoch,loss,lr,seconds,images_per_s\n";

/* Keeps the header and the rows of epochs up to EPOCHS_DONE (rewritten
 * atomically), appending their LOSS_COLUMN to LOSSES. */
static gboolean
trim (const char *path, int epochs_done, int loss_column, GArray *losses, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) kept = g_string_new (NULL);
  for (char **l = lines; *l; l++)
    {
      if (!**l)
        continue;
      if (l == lines)   /* the header */
        {
          g_string_append_printf (kept, "%s\n", *l);
          continue;
        }
      g_auto (GStrv) cells = g_strsplit (*l, ",", -1);
      if (g_strv_length (cells) <= (guint) loss_column || atoi (cells[0]) > epochs_done)
        continue;
      float v = (float) g_ascii_strtod (cells[loss_column], NULL);
      g_array_append_val (losses, v);
      g_string_append_printf (kept, "%s\n", *l);
    }
  return g_file_set_contents (path, kept->str, kept->len, error);
}

static FILE *
open_append (const char *path, const char *header, GError **error)
{
  const gboolean fresh = !g_file_test (path, G_FILE_TEST_EXISTS);
  FILE *f = g_fopen (path, "a");
  if (!f)
    {
      const int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot write the loss log “%s”: %s",
                   path, g_strerror (saved));
      return NULL;
    }
  if (fresh)
    fputs (header, f);
  return f;
}

SwLossLog *
sw_loss_log_open (const char *dir, int epochs_done, gboolean fresh, GError **error)
{
  SwLossLog *log = g_new0 (SwLossLog, 1);
  log->batch_path = g_build_filename (dir, SW_LOSS_LOG_BATCH, NULL);
  log->epoch_path = g_build_filename (dir, SW_LOSS_LOG_EPOCH, NULL);
  log->batch_losses = g_array_new (FALSE, FALSE, sizeof (float));
  log->epoch_losses = g_array_new (FALSE, FALSE, sizeof (float));
  if (fresh)
    {
      g_unlink (log->batch_path);
      g_unlink (log->epoch_path);
    }
  if (!trim (log->batch_path, epochs_done, 2, log->batch_losses, error)
      || !trim (log->epoch_path, epochs_done, 1, log->epoch_losses, error)
      || !(log->batch = open_append (log->batch_path, BATCH_HEADER, error))
      || !(log->epoch = open_append (log->epoch_path, EPOCH_HEADER, error)))
    {
      sw_loss_log_close (log);
      return NULL;
    }
  return log;
}

void
sw_loss_log_close (SwLossLog *log)
{
  if (!log)
    return;
  if (log->batch)
    fclose (log->batch);
  if (log->epoch)
    fclose (log->epoch);
  g_free (log->batch_path);
  g_free (log->epoch_path);
  g_array_unref (log->batch_losses);
  g_array_unref (log->epoch_losses);
  g_free (log);
}

const GArray *
sw_loss_log_batches (const SwLossLog *log)
{
  return log->batch_losses;
}

const GArray *
sw_loss_log_epochs (const SwLossLog *log)
{
  return log->epoch_losses;
}

void
sw_loss_log_batch (SwLossLog *log, int epoch, int step, float loss)
{
  fprintf (log->batch, "%d,%d,%.7g\n", epoch, step, loss);
  g_array_append_val (log->batch_losses, loss);
}

gboolean
sw_loss_log_epoch (SwLossLog *log, int epoch, float loss, float lr, double seconds,
                   double images_per_s, GError **error)
{
  fprintf (log->epoch, "%d,%.7g,%.7g,%.2f,%.1f\n", epoch, loss, lr, seconds, images_per_s);
  g_array_append_val (log->epoch_losses, loss);
  if (fflush (log->epoch) != 0 || fflush (log->batch) != 0)
    {
      const int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot write the loss logs “%s”: %s",
                   log->epoch_path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
