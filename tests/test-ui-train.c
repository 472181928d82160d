/* The Train page (issue 5, "Training page"): a tiny run on the first 256
 * Fashion-MNIST images with a D = 4 network trains one epoch off the main
 * loop, its loss plot gets every batch and the epoch's mean, samples are
 * drawn, the checkpoint is written and Resume continues from it; Stop ends
 * a run at the next batch; a missing dataset is a clear error; Start on a
 * folder that holds a run asks (cancel, resume, or start over with the old
 * run moved aside), and a folder another run holds is refused (issue 23).
 * Runs under Xvfb (see tests/meson.build). */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "stepwise-image-view.h"
#include "stepwise-train-page.h"
#include "stepwise-window.h"
#include "test-model-util.h"
#include "test-ui-util.h"
#include "train/run-folder.h"

static char *dir;

static gboolean
stopped (gpointer page)
{
  return !stepwise_train_page_get_running (page);
}

static gboolean
has_losses (gpointer page)
{
  return stepwise_loss_plot_get_n_batches (stepwise_train_page_get_loss_plot (page)) > 0;
}

static StepwiseWindow *
new_window (void)
{
  g_autofree char *models = g_build_filename (dir, "models", NULL);
  g_mkdir_with_parents (models, 0755);
  StepwiseWindow *window = stepwise_window_new (NULL, models);
  gtk_window_present (GTK_WINDOW (window));
  stepwise_window_show_page (window, "train");
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  return window;
}

/* starts RECIPE on the first LIMIT images of DATASET with D = 4 for
 * EPOCHS, in the folder NAME under the test's folder */
static void
start_quick_run (StepwiseTrainPage *page, const char *dataset, const char *recipe, int epochs,
                 int limit, const char *name)
{
  g_autofree char *out = g_build_filename (dir, name, NULL);
  stepwise_train_page_set_dataset (page, dataset);
  stepwise_train_page_set_recipe (page, recipe);
  stepwise_train_page_set_epochs (page, epochs);
  stepwise_train_page_set_quick (page, limit, 4);
  stepwise_train_page_set_folder (page, out);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL));
  g_assert_true (stepwise_train_page_get_running (page));
}

static void
test_tiny_epoch (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  start_quick_run (page, "fashion", "ddpm-prompt", 1, 256, "run");
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  iterate_until (stopped, page, 240);
  g_assert_null (stepwise_train_page_get_error (page));
  g_assert_cmpint (stepwise_train_page_get_epochs_done (page), ==, 1);
  StepwiseLossPlot *plot = stepwise_train_page_get_loss_plot (page);
  g_assert_cmpuint (stepwise_loss_plot_get_n_batches (plot), ==, 256 / 128);
  g_assert_cmpuint (stepwise_loss_plot_get_n_epochs (plot), ==, 1);
  g_autofree char *checkpoint = g_build_filename (out, "checkpoint.safetensors", NULL);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));

  /* resume to 2 epochs: one more, the plot showing both */
  stepwise_train_page_set_epochs (page, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.resume", NULL));
  g_assert_true (stepwise_train_page_get_running (page));
  iterate_until (stopped, page, 240);
  g_assert_null (stepwise_train_page_get_error (page));
  g_assert_cmpint (stepwise_train_page_get_epochs_done (page), ==, 1);
  g_assert_cmpuint (stepwise_loss_plot_get_n_batches (plot), ==, 2 * 256 / 128);
  g_assert_cmpuint (stepwise_loss_plot_get_n_epochs (plot), ==, 2);
  /* the folder's loss logs are stepwise-cli train's: a header and a row a
   * batch or an epoch, so either program can resume the run */
  g_autofree char *batch_csv = g_build_filename (out, "loss-batch.csv", NULL);
  g_autofree char *epoch_csv = g_build_filename (out, "loss-epoch.csv", NULL);
  g_autofree char *batches = NULL, *epochs = NULL;
  g_assert_true (g_file_get_contents (batch_csv, &batches, NULL, NULL));
  g_assert_true (g_file_get_contents (epoch_csv, &epochs, NULL, NULL));
  g_assert_true (g_str_has_prefix (batches, "epoch,step,loss\n1,1,"));
  g_assert_true (g_str_has_prefix (epochs, "epoch,loss,lr,seconds,images_per_s\n1,"));
  g_auto (GStrv) batch_rows = g_strsplit (g_strstrip (batches), "\n", -1);
  g_auto (GStrv) epoch_rows = g_strsplit (g_strstrip (epochs), "\n", -1);
  g_assert_cmpuint (g_strv_length (batch_rows), ==, 1 + 4);
  g_assert_cmpuint (g_strv_length (epoch_rows), ==, 1 + 2);
  g_assert_true (g_str_has_prefix (batch_rows[4], "2,2,"));

  /* Start on it asks first; Cancel leaves it as it was */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL));
  g_assert_false (stepwise_train_page_get_running (page));
  g_assert_nonnull (stepwise_train_page_get_question (page));
  stepwise_train_page_answer (page, "cancel");
  g_assert_null (stepwise_train_page_get_question (page));
  g_assert_false (stepwise_train_page_get_running (page));
  g_autofree char *kept = NULL;
  g_assert_true (g_file_get_contents (epoch_csv, &kept, NULL, NULL));
  g_assert_cmpstr (g_strstrip (kept), ==, epochs);   /* epochs was stripped above */

  /* another run holding the folder refuses a resume */
  g_autoptr (GError) error = NULL;
  const int lock = sw_run_folder_lock (out, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.resume", NULL));
  iterate_until (stopped, page, 60);
  g_assert_nonnull (strstr (stepwise_train_page_get_error (page), "in use by another training run"));
  sw_run_folder_unlock (lock);

  /* Start over: a fresh epoch, the earlier run (both epochs) in run.old */
  stepwise_train_page_set_epochs (page, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL));
  stepwise_train_page_answer (page, "over");
  g_assert_true (stepwise_train_page_get_running (page));
  iterate_until (stopped, page, 240);
  g_assert_null (stepwise_train_page_get_error (page));
  g_assert_cmpuint (stepwise_loss_plot_get_n_epochs (plot), ==, 1);
  g_autofree char *aside = g_strconcat (out, ".old", NULL);
  g_autofree char *old_csv = g_build_filename (aside, "loss-epoch.csv", NULL);
  g_autofree char *old = NULL;
  g_assert_true (g_file_get_contents (old_csv, &old, NULL, NULL));
  g_assert_cmpstr (g_strstrip (old), ==, epochs);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* a model of words draws its grid from the quality prompts it knows */
static void
test_words (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  start_quick_run (page, "emoji", "emoji-ddpm", 1, 8, "words");
  iterate_until (stopped, page, 240);
  g_assert_null (stepwise_train_page_get_error (page));
  g_assert_cmpint (stepwise_train_page_get_epochs_done (page), ==, 1);
  /* dog, old man, fire, strawberry, hamburger, tree, rocket: 7 columns of
   * 32 + 1 pixels, 2 rows */
  int W, H;
  g_assert_true (stepwise_image_view_get_size (stepwise_train_page_get_sample_view (page), &W, &H));
  g_assert_cmpint (W, ==, 7 * 33 - 1);
  g_assert_cmpint (H, ==, 2 * 33 - 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_stop (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  start_quick_run (page, "fashion", "flow-time", 50, 6400, "stopped");
  iterate_until (has_losses, page, 120);
  const gint64 t0 = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.stop", NULL));
  iterate_until (stopped, page, 60);
  g_test_message ("stopped in %.3f s", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_null (stepwise_train_page_get_error (page));
  g_assert_cmpint (stepwise_train_page_get_epochs_done (page), ==, 0);   /* 100 batches an epoch */
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_missing_dataset (void)
{
  StepwiseWindow *window = new_window ();
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  stepwise_train_page_set_dataset (page, "digits");   /* STEPWISE_DATA_DIR is empty */
  stepwise_train_page_set_recipe (page, "flow-time");
  g_autofree char *out = g_build_filename (dir, "missing", NULL);
  stepwise_train_page_set_folder (page, out);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL));
  iterate_until (stopped, page, 60);
  const char *error = stepwise_train_page_get_error (page);
  g_assert_nonnull (error);
  g_test_message ("%s", error);
  g_assert_nonnull (strstr (error, "digits"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  dir = g_dir_make_tmp ("stepwise-train-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *datasets = g_build_filename (dir, "datasets", NULL);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("STEPWISE_DATA_DIR", datasets, TRUE);
  sw_test_write_tiny_emoji (datasets);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/ui/train/tiny-epoch", test_tiny_epoch);
  g_test_add_func ("/ui/train/words", test_words);
  g_test_add_func ("/ui/train/stop", test_stop);
  g_test_add_func ("/ui/train/missing-dataset", test_missing_dataset);
  int status = g_test_run ();
  remove_tree (dir);
  g_free (dir);
  return status;
}
