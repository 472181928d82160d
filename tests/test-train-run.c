/* One training run (train-run.h) on the real digits' first 256 images:
 * the epoch callback comes after every epoch with its mean loss, a run
 * cancelled mid-epoch keeps the last complete epoch's checkpoint and no
 * model, and resuming it writes exactly the logs and checkpoint of the
 * run that was never stopped.  The run folder: one run at a time (its
 * lock), no fresh run over a folder that holds one, moving a run aside,
 * an interrupted save's leftovers removed, and a resume keeping the
 * recorded image limit (issue 23, D2-D4, D8). */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "base/blas.h"
#include "data/dataset.h"
#include "train/run-folder.h"
#include "train/train-run.h"

static SwDataset *digits;
static char *tmpdir;

typedef struct {
  GArray       *losses;      /* float: every batch */
  GArray       *epochs;      /* int: the epochs the epoch callback saw */
  GArray       *means;       /* float: their mean losses */
  int           started_at;  /* the epoch the start callback saw, -1 before */
  int           cancel_at;   /* cancel after this many batches, 0: never */
  int           limit;       /* the recipe's image limit, 0: all */
  GCancellable *cancellable;
} Seen;

static void
seen_init (Seen *seen)
{
  *seen = (Seen) {
    .losses = g_array_new (FALSE, FALSE, sizeof (float)),
    .epochs = g_array_new (FALSE, FALSE, sizeof (int)),
    .means = g_array_new (FALSE, FALSE, sizeof (float)),
    .started_at = -1, .cancellable = g_cancellable_new (),
  };
}

static void
seen_clear (Seen *seen)
{
  g_array_unref (seen->losses);
  g_array_unref (seen->epochs);
  g_array_unref (seen->means);
  g_object_unref (seen->cancellable);
}

static void
on_start (SwTrainer *tr, const SwLossLog *log, gpointer data)
{
  Seen *seen = data;
  seen->started_at = sw_trainer_epoch (tr);
  g_assert_cmpuint (sw_loss_log_epochs (log)->len, ==, seen->started_at);
}

static void
on_step (int epoch, int step, int steps, float loss, gpointer data)
{
  Seen *seen = data;
  g_array_append_val (seen->losses, loss);
  if (seen->cancel_at && (int) seen->losses->len == seen->cancel_at)
    g_cancellable_cancel (seen->cancellable);
}

static gboolean
on_epoch (SwTrainer *tr, const SwTrainEpochReport *report, gpointer data, GError **error)
{
  Seen *seen = data;
  g_assert_cmpint (report->epoch, ==, sw_trainer_epoch (tr));
  g_assert_cmpuint (sw_loss_log_epochs (report->log)->len, ==, report->epoch);
  g_assert_nonnull (sw_trainer_sampling_net (tr));
  g_array_append_val (seen->epochs, report->epoch);
  g_array_append_val (seen->means, report->loss);
  return TRUE;
}

/* flow-class shrunk to D 8 and batch 32: 8 batches an epoch */
static gboolean
run (const char *name, gboolean resume, Seen *seen, GError **error)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup ("flow-class", &r, NULL));
  r.model.D = 8;
  r.batch = 32;
  r.epochs = 3;
  r.seed = 3;
  r.limit = seen->limit;
  g_autofree char *folder = g_build_filename (tmpdir, name, NULL);
  SwTrainRunParams params;
  sw_train_run_params_init (&params);
  params.recipe = &r;
  params.resume = resume;
  params.data = digits;
  params.folder = folder;
  params.on_start = on_start;
  params.on_step = on_step;
  params.on_epoch = on_epoch;
  params.user_data = seen;
  params.cancellable = seen->cancellable;
  return sw_train_run (&params, NULL, error);
}

static char *
contents (const char *name, const char *file)
{
  g_autofree char *path = g_build_filename (tmpdir, name, file, NULL);
  char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_cmpuint (len, >, 0);
  return text;
}

static gboolean
exists (const char *name, const char *file)
{
  g_autofree char *path = g_build_filename (tmpdir, name, file, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
test_epochs (void)
{
  if (!digits)
    {
      g_test_skip ("the digits are not imported (build-aux/dev does it)");
      return;
    }
  g_autoptr (GError) error = NULL;
  Seen seen;
  seen_init (&seen);
  g_assert_true (run ("straight", FALSE, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seen.started_at, ==, 0);
  g_assert_cmpuint (seen.losses->len, ==, 3 * 8);
  g_assert_cmpuint (seen.epochs->len, ==, 3);
  for (int e = 0; e < 3; e++)
    {
      /* the epoch's mean is its batches' */
      double sum = 0;
      for (int s = 0; s < 8; s++)
        sum += g_array_index (seen.losses, float, e * 8 + s);
      g_assert_cmpint (g_array_index (seen.epochs, int, e), ==, e + 1);
      g_assert_cmpfloat_with_epsilon (g_array_index (seen.means, float, e), sum / 8, 1e-5);
    }
  g_assert_true (exists ("straight", SW_TRAIN_RUN_CHECKPOINT));
  g_assert_true (exists ("straight", SW_TRAIN_RUN_MODEL));
  seen_clear (&seen);
}

static void
test_cancel_resume (void)
{
  if (!digits)
    {
      g_test_skip ("the digits are not imported (build-aux/dev does it)");
      return;
    }
  g_autoptr (GError) error = NULL;
  Seen straight;
  seen_init (&straight);
  g_assert_true (run ("never-stopped", FALSE, &straight, &error));

  /* stopped 3 batches into the second epoch */
  Seen stopped;
  seen_init (&stopped);
  stopped.cancel_at = 8 + 3;
  g_assert_false (run ("stopped", FALSE, &stopped, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (stopped.epochs->len, ==, 1);
  g_assert_true (exists ("stopped", SW_TRAIN_RUN_CHECKPOINT));
  g_assert_false (exists ("stopped", SW_TRAIN_RUN_MODEL));

  /* a stop between epochs (the callback's own work) is a stop too */
  Seen late;
  seen_init (&late);
  g_cancellable_cancel (late.cancellable);
  g_assert_false (run ("late", FALSE, &late, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (late.losses->len, ==, 0);

  /* resumed from the first epoch's checkpoint: the same batches, logs
   * and checkpoint as the run that was never stopped; what an interrupted
   * save left goes, and nothing else */
  g_autofree char *leftover = g_build_filename (tmpdir, "stopped", SW_TRAIN_RUN_CHECKPOINT ".Ab12Cd", NULL);
  g_autofree char *kept = g_build_filename (tmpdir, "stopped", SW_TRAIN_RUN_CHECKPOINT ".kept", NULL);
  g_assert_true (g_file_set_contents (leftover, "partial", -1, NULL));
  g_assert_true (g_file_set_contents (kept, "the user's", -1, NULL));
  Seen resumed;
  seen_init (&resumed);
  g_assert_true (run ("stopped", TRUE, &resumed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (resumed.started_at, ==, 1);
  g_assert_cmpuint (resumed.epochs->len, ==, 2);
  g_assert_cmpint (g_array_index (resumed.epochs, int, 0), ==, 2);
  g_assert_cmpmem (resumed.losses->data, resumed.losses->len * sizeof (float),
                   (float *) straight.losses->data + 8, (straight.losses->len - 8) * sizeof (float));
  g_assert_false (exists ("stopped", SW_TRAIN_RUN_CHECKPOINT ".Ab12Cd"));
  g_assert_true (exists ("stopped", SW_TRAIN_RUN_CHECKPOINT ".kept"));
  g_autofree char *a = contents ("never-stopped", "loss-batch.csv");
  g_autofree char *b = contents ("stopped", "loss-batch.csv");
  g_assert_cmpstr (a, ==, b);
  g_autofree char *path_a = g_build_filename (tmpdir, "never-stopped", SW_TRAIN_RUN_CHECKPOINT, NULL);
  g_autofree char *path_b = g_build_filename (tmpdir, "stopped", SW_TRAIN_RUN_CHECKPOINT, NULL);
  g_autofree char *ckpt_a = NULL, *ckpt_b = NULL;
  gsize len_a, len_b;
  g_assert_true (g_file_get_contents (path_a, &ckpt_a, &len_a, NULL));
  g_assert_true (g_file_get_contents (path_b, &ckpt_b, &len_b, NULL));
  g_assert_cmpmem (ckpt_a, len_a, ckpt_b, len_b);
  g_assert_true (exists ("stopped", SW_TRAIN_RUN_MODEL));
  seen_clear (&straight);
  seen_clear (&stopped);
  seen_clear (&late);
  seen_clear (&resumed);
}

/* a run on the first 64 images (2 batches an epoch) stopped in its second
 * epoch resumes on those 64 too */
static void
test_limit (void)
{
  if (!digits)
    {
      g_test_skip ("the digits are not imported (build-aux/dev does it)");
      return;
    }
  g_autoptr (GError) error = NULL;
  Seen stopped;
  seen_init (&stopped);
  stopped.limit = 64;
  stopped.cancel_at = 3;
  g_assert_false (run ("limit", FALSE, &stopped, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (stopped.epochs->len, ==, 1);
  Seen resumed;
  seen_init (&resumed);   /* limit 0: the checkpoint's own is kept */
  g_assert_true (run ("limit", TRUE, &resumed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (resumed.losses->len, ==, 2 * 2);
  seen_clear (&stopped);
  seen_clear (&resumed);
}

/* a folder holding a run is refused for a fresh run, untouched, and can
 * be moved aside; a locked folder is refused for any run */
static void
test_folder (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *folder = g_build_filename (tmpdir, "taken", NULL);
  g_autofree char *checkpoint = g_build_filename (folder, SW_TRAIN_RUN_CHECKPOINT, NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  g_assert_false (sw_run_folder_holds_run (folder));
  g_assert_true (g_file_set_contents (checkpoint, "an earlier run", -1, NULL));
  g_assert_true (sw_run_folder_holds_run (folder));

  Seen seen;
  seen_init (&seen);
  g_assert_false (run ("taken", FALSE, &seen, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "holds a training run"));
  g_clear_error (&error);
  g_autofree char *text = contents ("taken", SW_TRAIN_RUN_CHECKPOINT);
  g_assert_cmpstr (text, ==, "an earlier run");

  /* while a run holds the lock, nothing else starts there or moves it */
  const int lock = sw_run_folder_lock (folder, &error);
  g_assert_no_error (error);
  g_assert_false (run ("taken", TRUE, &seen, &error));
  g_assert_nonnull (strstr (error->message, "in use by another training run"));
  g_clear_error (&error);
  g_assert_null (sw_run_folder_move_aside (folder, &error));
  g_assert_nonnull (strstr (error->message, "in use by another training run"));
  g_clear_error (&error);
  sw_run_folder_unlock (lock);

  /* aside, twice: nothing is lost */
  for (int k = 1; k <= 2; k++)
    {
      g_autofree char *aside = sw_run_folder_move_aside (folder, &error);
      g_assert_no_error (error);
      g_autofree char *expected = k == 1 ? g_strconcat (folder, ".old", NULL)
                                         : g_strconcat (folder, ".old-2", NULL);
      g_assert_cmpstr (aside, ==, expected);
      g_autofree char *moved = g_build_filename (aside, SW_TRAIN_RUN_CHECKPOINT, NULL);
      g_autofree char *old = NULL;
      g_assert_true (g_file_get_contents (moved, &old, NULL, NULL));
      g_assert_cmpstr (old, ==, "an earlier run");
      g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
      g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
      g_assert_true (g_file_set_contents (checkpoint, "an earlier run", -1, NULL));
    }
  seen_clear (&seen);
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-train-run-XXXXXX", NULL);
  digits = sw_dataset_load ("digits", SW_SPLIT_TRAIN, NULL);
  if (digits)
    digits->n = 256;
  g_test_add_func ("/train-run/epochs", test_epochs);
  g_test_add_func ("/train-run/cancel-resume", test_cancel_resume);
  g_test_add_func ("/train-run/limit", test_limit);
  g_test_add_func ("/train-run/folder", test_folder);
  int status = g_test_run ();
  if (digits)
    sw_dataset_free (digits);
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
