/* stepwise-train-page.c: a TrainRun is shared by the page and its worker
 * thread (reference counted).  The worker only reads its settings, sets
 * nothing the page reads, and talks through messages invoked on the main
 * context; the page drops messages of a run that is no longer its own. */
#include "stepwise-train-page.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "base/duration.h"
#include "base/error.h"
#include "data/dataset.h"
#include "diffusion/sample-grid.h"
#include "stepwise-image-view.h"
#include "train/run-folder.h"
#include "train/train-run.h"

#define POST_INTERVAL_US (100 * 1000)   /* losses reach the page ten times a second */
#define SAMPLES_PER_CLASS 2
#define SAMPLE_COLUMNS 10

/* the runs whose threads have not ended (see stepwise_train_page_stop_all) */
static GMutex runs_lock;
static GCond runs_cond;
static GPtrArray *runs_alive;

typedef struct {
  char              *dataset, *recipe, *folder;
  int                epochs, limit, D;
  gboolean           resume;
  GCancellable      *cancellable; /* Stop */
  StepwiseTrainPage *page;        /* main thread only; NULL once the page is gone */
  /* worker only */
  GArray            *buffer;      /* float: losses not posted yet */
  gint64             last_post;
  int                epoch;       /* of the last batch, from 0 */
} TrainRun;

struct _StepwiseTrainPage
{
  GtkWidget          parent_instance;

  AdwComboRow       *dataset_row;
  AdwComboRow       *recipe_row;
  GtkSpinButton     *epochs_spin;
  GtkSpinButton     *limit_spin;
  AdwActionRow      *folder_row;
  GtkLabel          *recipe_description;
  GtkLabel          *status_label;
  GtkProgressBar    *progress_bar;
  StepwiseLossPlot  *loss_plot;
  StepwiseImageView *sample_view;
  GtkLabel          *sample_caption;

  char              *folder;
  gboolean           folder_chosen;
  int                D;
  TrainRun          *run;
  AdwMessageDialog  *question;    /* Start on a folder holding a run: resume, start over or cancel */
  int                epochs_done;
  char              *error;
  gint64             start_us;
  int                steps_per_epoch, total_epochs, first_epoch, epoch, steps_done;
};

G_DEFINE_FINAL_TYPE (StepwiseTrainPage, stepwise_train_page, GTK_TYPE_WIDGET)

static void
train_run_clear (TrainRun *run)
{
  g_free (run->dataset);
  g_free (run->recipe);
  g_free (run->folder);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->buffer, g_array_unref);
}

static void
train_run_unref (TrainRun *run)
{
  g_atomic_rc_box_release_full (run, (GDestroyNotify) train_run_clear);
}

/* ---- messages from the worker ---- */

typedef enum { MSG_STATUS, MSG_STARTED, MSG_LOSSES, MSG_EPOCH } MsgKind;

typedef struct {
  TrainRun *run;
  MsgKind   kind;
  char     *text;
  int       epoch, steps_per_epoch, epochs;
  GArray   *losses;
  GArray   *means;     /* MSG_STARTED: a resumed run's epoch means (its batches are in losses) */
  float     mean;
  GBytes   *grid;
  int       channels, height, width;
} Msg;

static void
msg_free (Msg *m)
{
  train_run_unref (m->run);
  g_free (m->text);
  g_clear_pointer (&m->losses, g_array_unref);
  g_clear_pointer (&m->means, g_array_unref);
  g_clear_pointer (&m->grid, g_bytes_unref);
  g_free (m);
}

static void update_actions (StepwiseTrainPage *self);

static void
update_progress (StepwiseTrainPage *self)
{
  const int total = self->steps_per_epoch * (self->total_epochs - self->first_epoch);
  if (total <= 0)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP ((double) self->steps_done / total, 0, 1));
  g_autofree char *text = NULL;
  const double elapsed = (g_get_monotonic_time () - self->start_us) / 1e6;
  if (self->steps_done > 0 && self->steps_done < total)
    {
      g_autofree char *left = sw_format_duration (elapsed / self->steps_done * (total - self->steps_done));
      /* Translators: training progress: epoch of epochs, then the time it still needs */
      text = g_strdup_printf (_("Epoch %d of %d · about %s left"), self->epoch + 1, self->total_epochs, left);
    }
  else
    text = g_strdup_printf (_("Epoch %d of %d"), MIN (self->epoch + 1, self->total_epochs), self->total_epochs);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static gboolean
msg_dispatch (gpointer data)
{
  Msg *m = data;
  StepwiseTrainPage *self = m->run->page;
  if (!self || self->run != m->run)
    return G_SOURCE_REMOVE;
  switch (m->kind)
    {
    case MSG_STATUS:
      gtk_label_set_text (self->status_label, m->text);
      break;
    case MSG_STARTED:
      self->steps_per_epoch = m->steps_per_epoch;
      self->first_epoch = self->epoch = m->epoch;
      self->total_epochs = m->epochs;
      self->start_us = g_get_monotonic_time ();
      gtk_label_set_text (self->status_label, m->text);
      if (m->losses)   /* a resumed run: its curves so far */
        stepwise_loss_plot_add_batches (self->loss_plot, (const float *) m->losses->data, m->losses->len);
      for (guint i = 0; m->means && i < m->means->len; i++)
        stepwise_loss_plot_add_epoch (self->loss_plot, g_array_index (m->means, float, i));
      update_progress (self);
      break;
    case MSG_LOSSES:
      stepwise_loss_plot_add_batches (self->loss_plot, (const float *) m->losses->data, m->losses->len);
      self->steps_done += m->losses->len;
      self->epoch = m->epoch;
      update_progress (self);
      break;
    case MSG_EPOCH:
      stepwise_loss_plot_add_epoch (self->loss_plot, m->mean);
      self->epochs_done++;
      self->epoch = m->epoch;
      update_progress (self);
      if (m->grid)
        stepwise_image_view_set_pixels (self->sample_view, m->grid, m->channels, m->height, m->width);
      {
        /* Translators: after a training epoch: its number and mean loss */
        g_autofree char *caption = g_strdup_printf (_("Samples after epoch %d (mean loss %.4g)"), m->epoch, m->mean);
        gtk_label_set_text (self->sample_caption, m->grid ? caption : _("This recipe trains a one-step denoiser: it draws no samples."));
        g_autofree char *status = g_strdup_printf (_("Epoch %d done; checkpoint saved in %s"), m->epoch, self->folder);
        gtk_label_set_text (self->status_label, status);
      }
      update_actions (self);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
post (TrainRun *run, Msg *m)
{
  m->run = g_atomic_rc_box_acquire (run);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, msg_dispatch, m, (GDestroyNotify) msg_free);
}

static void
post_status (TrainRun *run, const char *text)
{
  Msg *m = g_new0 (Msg, 1);
  m->kind = MSG_STATUS;
  m->text = g_strdup (text);
  post (run, m);
}

static void
post_losses (TrainRun *run, int epoch)
{
  if (run->buffer->len == 0)
    return;
  Msg *m = g_new0 (Msg, 1);
  m->kind = MSG_LOSSES;
  m->epoch = epoch;
  m->losses = g_steal_pointer (&run->buffer);
  run->buffer = g_array_new (FALSE, FALSE, sizeof (float));
  run->last_post = g_get_monotonic_time ();
  post (run, m);
}

/* ---- the worker ---- */

static void
on_train_start (SwTrainer *tr, const SwLossLog *log, gpointer user_data)
{
  TrainRun *run = user_data;
  const GArray *batches = sw_loss_log_batches (log), *means = sw_loss_log_epochs (log);
  Msg *m = g_new0 (Msg, 1);
  m->kind = MSG_STARTED;
  m->losses = g_array_sized_new (FALSE, FALSE, sizeof (float), batches->len);
  g_array_append_vals (m->losses, batches->data, batches->len);
  m->means = g_array_sized_new (FALSE, FALSE, sizeof (float), means->len);
  g_array_append_vals (m->means, means->data, means->len);
  m->epoch = run->epoch = sw_trainer_epoch (tr);
  m->epochs = sw_trainer_recipe (tr)->epochs;
  m->steps_per_epoch = sw_trainer_steps_per_epoch (tr);
  m->text = g_strdup_printf (_("Training %s on %d images, %d steps an epoch"),
                             sw_trainer_recipe (tr)->model.name, sw_trainer_draws_per_epoch (tr),
                             m->steps_per_epoch);
  post (run, m);
  run->last_post = g_get_monotonic_time ();
}

static void
on_train_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  TrainRun *run = user_data;
  run->epoch = epoch;
  g_array_append_val (run->buffer, loss);
  if (g_get_monotonic_time () - run->last_post >= POST_INTERVAL_US)
    post_losses (run, epoch);
}

static gboolean
on_grid_progress (double done, double total, gpointer user_data)
{
  TrainRun *run = user_data;
  return !g_cancellable_is_cancelled (run->cancellable);
}

/* SAMPLES_PER_CLASS rows of one sample per class (or per quality prompt
 * for a model of words, or of unconditional samples), as one image
 * (C, rows * (H + 1) - 1, cols * (W + 1) - 1) in [-1, 1] with white lines
 * between; NULL without error for recipes that do not sample (the
 * one-step denoisers, and until the cascade a super-resolution recipe,
 * which samples from a low-res image) */
static GBytes *
sample_grid (SwTrainer *tr, TrainRun *run, int *C_out, int *H_out, int *W_out, GError **error)
{
  const SwModelConfig *model = &sw_trainer_recipe (tr)->model;
  if (model->objective == SW_OBJECTIVE_DENOISE || model->objective == SW_OBJECTIVE_PURE_NOISE
      || sw_trainer_recipe (tr)->sr_factor > 0)
    return NULL;
  int C, S, cond_dim;
  sw_train_net_shape (sw_trainer_train_net (tr), &C, &S, &cond_dim);
  const int rows = SAMPLES_PER_CLASS;
  int cols = cond_dim > 0 ? MIN (cond_dim, SAMPLE_COLUMNS) : SAMPLE_COLUMNS;
  g_autofree float *out = g_new (float, (size_t) rows * SAMPLE_COLUMNS * C * S * S);
  /* either way the samples come column after column: ROWS of each class
   * or prompt */
  if (sw_trainer_vocabulary (tr))
    {
      g_autoptr (SwEpsModel) m = sw_trainer_sampling_model (tr, error);
      if (!m)
        return NULL;
      g_autofree const char **prompts = sw_grid_prompts (m, SAMPLE_COLUMNS);
      cols = (int) g_strv_length ((char **) prompts);
      if (!sw_sample_prompts (m, prompts, rows, model->sample_steps, model->guidance, 0, out,
                              on_grid_progress, run, error))
        return NULL;
    }
  else if (!sw_sample_class_grid (sw_trainer_sampling_net (tr), model, cols, rows, 0, out,
                                  on_grid_progress, run, error))
    return NULL;
  const int n = rows * cols, H = rows * (S + 1) - 1, W = cols * (S + 1) - 1;
  float *grid = g_new (float, (size_t) C * H * W);
  for (size_t i = 0; i < (size_t) C * H * W; i++)
    grid[i] = 1.0f;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < C; c++)
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
          grid[((size_t) c * H + (i % rows) * (S + 1) + y) * W + (i / rows) * (S + 1) + x] =
            out[(((size_t) i * C + c) * S + y) * S + x] * 2.0f - 1.0f;   /* [0, 1] to the view's [-1, 1] */
  *C_out = C;
  *H_out = H;
  *W_out = W;
  return g_bytes_new_take (grid, sizeof (float) * C * H * W);
}

static gboolean
on_train_epoch (SwTrainer *tr, const SwTrainEpochReport *report, gpointer user_data, GError **error)
{
  TrainRun *run = user_data;
  post_losses (run, report->epoch - 1);
  post_status (run, _("Drawing samples…"));
  int C = 0, H = 0, W = 0;
  g_autoptr (GError) sample_error = NULL;
  g_autoptr (GBytes) grid = sample_grid (tr, run, &C, &H, &W, &sample_error);
  if (sample_error && !g_error_matches (sample_error, SW_ERROR, SW_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&sample_error));
      return FALSE;
    }
  /* stopped while sampling: the epoch is saved, the run ends at the next one */
  Msg *m = g_new0 (Msg, 1);
  m->kind = MSG_EPOCH;
  m->epoch = report->epoch;
  m->mean = report->loss;
  m->grid = g_steal_pointer (&grid);
  m->channels = C;
  m->height = H;
  m->width = W;
  post (run, m);
  return TRUE;
}

static void train_thread_run (GTask *task, TrainRun *run);

static void
train_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TrainRun *run = task_data;
  train_thread_run (task, run);
  g_mutex_lock (&runs_lock);
  g_ptr_array_remove (runs_alive, run);
  g_cond_broadcast (&runs_cond);
  g_mutex_unlock (&runs_lock);
}

static void
train_thread_run (GTask *task, TrainRun *run)
{
  g_autoptr (GError) error = NULL;
  post_status (run, _("Loading the dataset…"));
  g_autoptr (SwDataset) train = sw_dataset_load (run->dataset, SW_SPLIT_TRAIN, &error);
  if (!train)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  SwRecipe recipe;
  SwTrainRunParams params;
  sw_train_run_params_init (&params);
  if (run->resume)
    {
      params.resume = TRUE;
      params.changes.epochs = run->epochs;
    }
  else
    {
      if (!sw_recipe_lookup (run->recipe, &recipe, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_strlcpy (recipe.model.dataset, run->dataset, sizeof recipe.model.dataset);
      recipe.epochs = run->epochs;
      recipe.limit = run->limit;   /* the first images only: a quick run */
      if (run->D > 0)
        recipe.model.D = run->D;
      params.recipe = &recipe;
    }
  params.data = train;
  params.folder = run->folder;
  params.export_model = FALSE;   /* the page keeps the checkpoint alone */
  params.on_start = on_train_start;
  params.on_step = on_train_step;
  params.on_epoch = on_train_epoch;
  params.user_data = run;
  params.cancellable = run->cancellable;
  const gboolean ok = sw_train_run (&params, NULL, &error);
  post_losses (run, run->epoch);   /* a stopped epoch's batches */
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- the page ---- */

static char *
selected_name (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);
  return g_strdup (item ? gtk_string_object_get_string (item) : "");
}

static gboolean
checkpoint_exists (StepwiseTrainPage *self)
{
  g_autofree char *path = g_build_filename (self->folder, SW_TRAIN_RUN_CHECKPOINT, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
update_actions (StepwiseTrainPage *self)
{
  const gboolean running = self->run != NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.start", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.resume", !running && checkpoint_exists (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.choose-folder", !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recipe_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->epochs_spin), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->limit_spin), !running);
}

static void
show_folder (StepwiseTrainPage *self)
{
  adw_action_row_set_subtitle (self->folder_row, self->folder);
  update_actions (self);
}

/* the default folder follows the recipe and dataset until one is chosen */
static void
on_choice_changed (StepwiseTrainPage *self)
{
  g_autofree char *recipe = selected_name (self->recipe_row);
  g_autofree char *dataset = selected_name (self->dataset_row);
  const char *title = sw_dataset_title (dataset);
  SwRecipe r;
  g_autofree char *about = NULL;
  if (sw_recipe_lookup (recipe, &r, NULL))
    /* Translators: a dataset's description, then a recipe's objective,
     * network width, batch size and epochs */
    about = g_strdup_printf (_("%s; %s · D = %d · batch %d · %d epochs by default"), title ? title : dataset,
                             sw_objective_name (r.model.objective), r.model.D, r.batch, r.epochs);
  gtk_label_set_text (self->recipe_description, about ? about : "");
  if (self->folder_chosen)
    return;
  g_autofree char *name = g_strdup_printf ("%s-%s", recipe, dataset);
  g_free (self->folder);
  self->folder = g_build_filename (g_get_user_data_dir (), "stepwise", "training", name, NULL);
  show_folder (self);
}

static void
train_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StepwiseTrainPage *self = STEPWISE_TRAIN_PAGE (source);
  TrainRun *run = user_data;
  g_autoptr (GError) error = NULL;
  const gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (self->run == run)
    {
      self->run = NULL;
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      g_autofree char *text = NULL;
      if (ok)
        {
          text = g_strdup_printf (_("Done: %d epochs; the checkpoint is in %s"), self->total_epochs,
                                  self->folder);
          gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
          gtk_progress_bar_set_text (self->progress_bar, _("Done"));
        }
      else if (g_error_matches (error, SW_ERROR, SW_ERROR_CANCELLED))
        text = g_strdup (_("Stopped; Resume continues from the last finished epoch"));
      else
        {
          g_free (self->error);
          self->error = g_strdup (error->message);
          text = g_strdup_printf (_("Training failed: %s"), error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
        }
      gtk_label_set_text (self->status_label, text);
      update_actions (self);
    }
  train_run_unref (run);
}

static void
start (StepwiseTrainPage *self, gboolean resume)
{
  if (self->run)
    return;
  TrainRun *run = g_atomic_rc_box_new0 (TrainRun);
  run->dataset = selected_name (self->dataset_row);
  run->recipe = selected_name (self->recipe_row);
  run->folder = g_strdup (self->folder);
  run->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  run->limit = gtk_spin_button_get_value_as_int (self->limit_spin);
  run->D = self->D;
  run->resume = resume;
  run->page = self;
  run->buffer = g_array_new (FALSE, FALSE, sizeof (float));
  run->cancellable = g_cancellable_new ();
  self->run = run;
  self->epochs_done = 0;
  self->steps_done = 0;
  self->steps_per_epoch = 0;
  g_clear_pointer (&self->error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  stepwise_loss_plot_clear (self->loss_plot);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  g_autoptr (GTask) task = g_task_new (self, NULL, train_done, g_atomic_rc_box_acquire (run));
  g_task_set_task_data (task, g_atomic_rc_box_acquire (run), (GDestroyNotify) train_run_unref);
  g_mutex_lock (&runs_lock);
  if (!runs_alive)
    runs_alive = g_ptr_array_new ();
  g_ptr_array_add (runs_alive, run);   /* the task data holds a reference */
  g_mutex_unlock (&runs_lock);
  g_task_run_in_thread (task, train_thread);
  update_actions (self);
}

/* the question's answer, once it is closed */
static void
act_on_answer (StepwiseTrainPage *self, const char *response)
{
  if (g_strcmp0 (response, "resume") == 0)
    start (self, TRUE);
  else if (g_strcmp0 (response, "over") == 0)
    {
      /* the earlier run is kept, renamed; never deleted */
      g_autoptr (GError) error = NULL;
      g_autofree char *aside = sw_run_folder_move_aside (self->folder, &error);
      if (!aside)
        {
          g_free (self->error);
          self->error = g_strdup (error->message);
          g_autofree char *text = g_strdup_printf (_("Could not start over: %s"), error->message);
          gtk_label_set_text (self->status_label, text);
          gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
          return;
        }
      start (self, FALSE);
    }
}

void
stepwise_train_page_answer (StepwiseTrainPage *self, const char *response)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  if (self->question)
    {
      AdwMessageDialog *question = g_steal_pointer (&self->question);
      g_signal_handlers_disconnect_by_data (question, self);
      gtk_window_destroy (GTK_WINDOW (question));
    }
  act_on_answer (self, response);
}

AdwMessageDialog *
stepwise_train_page_get_question (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), NULL);
  return self->question;
}

/* the dialog closes itself after its response */
static void
on_question_response (AdwMessageDialog *question, const char *response, StepwiseTrainPage *self)
{
  g_signal_handlers_disconnect_by_data (question, self);
  self->question = NULL;
  act_on_answer (self, response);
}

/* Start on a folder that holds a run would overwrite it: ask first */
static void
start_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StepwiseTrainPage *self = STEPWISE_TRAIN_PAGE (widget);
  if (self->run || self->question)
    return;
  if (!sw_run_folder_holds_run (self->folder))
    {
      start (self, FALSE);
      return;
    }
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *display = g_filename_display_name (self->folder);
  g_autofree char *aside = g_strconcat (display, ".old", NULL);
  self->question = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                               _("This Folder Holds a Training Run"), NULL));
  /* Translators: %s is the name the earlier run gets when moved aside */
  adw_message_dialog_format_body (self->question,
                                  _("Resume it, or start over with the earlier run moved to %s (nothing is deleted)."),
                                  aside);
  adw_message_dialog_add_responses (self->question, "cancel", _("_Cancel"), "over", _("Start _Over"),
                                    "resume", _("_Resume"), NULL);
  adw_message_dialog_set_response_appearance (self->question, "resume", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (self->question, "resume", checkpoint_exists (self));
  adw_message_dialog_set_default_response (self->question, checkpoint_exists (self) ? "resume" : "cancel");
  adw_message_dialog_set_close_response (self->question, "cancel");
  g_signal_connect (self->question, "response", G_CALLBACK (on_question_response), self);
  gtk_window_present (GTK_WINDOW (self->question));
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *param)
{
  start (STEPWISE_TRAIN_PAGE (widget), TRUE);
}

static void
stop_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StepwiseTrainPage *self = STEPWISE_TRAIN_PAGE (widget);
  if (!self->run)
    return;
  g_cancellable_cancel (self->run->cancellable);
  gtk_label_set_text (self->status_label, _("Stopping at the next batch…"));
  gtk_widget_action_set_enabled (widget, "train.stop", FALSE);
}

static void
on_folder_response (GtkNativeDialog *dialog, int response, StepwiseTrainPage *self)
{
  g_autoptr (GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_object_unref (dialog);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  if (path)
    stepwise_train_page_set_folder (self, path);
}

static void
choose_folder_action (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Output Folder"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_response), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- public ---- */

static void
select_string (AdwComboRow *row, const char *name)
{
  GListModel *model = adw_combo_row_get_model (row);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (GtkStringObject) s = g_list_model_get_item (model, i);
      if (g_strcmp0 (gtk_string_object_get_string (s), name) == 0)
        adw_combo_row_set_selected (row, i);
    }
}

gboolean
stepwise_train_page_get_running (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), FALSE);
  return self->run != NULL;
}

void
stepwise_train_page_set_dataset (StepwiseTrainPage *self, const char *name)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  select_string (self->dataset_row, name);
}

void
stepwise_train_page_set_recipe (StepwiseTrainPage *self, const char *name)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  select_string (self->recipe_row, name);
}

void
stepwise_train_page_set_epochs (StepwiseTrainPage *self, int epochs)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  gtk_spin_button_set_value (self->epochs_spin, epochs);
}

void
stepwise_train_page_set_folder (StepwiseTrainPage *self, const char *path)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  g_free (self->folder);
  self->folder = g_strdup (path);
  self->folder_chosen = TRUE;
  show_folder (self);
}

const char *
stepwise_train_page_get_folder (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), NULL);
  return self->folder;
}

void
stepwise_train_page_set_quick (StepwiseTrainPage *self, int limit, int D)
{
  g_return_if_fail (STEPWISE_IS_TRAIN_PAGE (self));
  gtk_spin_button_set_value (self->limit_spin, limit);
  self->D = D;
}

StepwiseImageView *
stepwise_train_page_get_sample_view (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), NULL);
  return self->sample_view;
}

StepwiseLossPlot *
stepwise_train_page_get_loss_plot (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), NULL);
  return self->loss_plot;
}

int
stepwise_train_page_get_epochs_done (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), 0);
  return self->epochs_done;
}

const char *
stepwise_train_page_get_error (StepwiseTrainPage *self)
{
  g_return_val_if_fail (STEPWISE_IS_TRAIN_PAGE (self), NULL);
  return self->error;
}

void
stepwise_train_page_stop_all (void)
{
  g_mutex_lock (&runs_lock);
  for (guint i = 0; runs_alive && i < runs_alive->len; i++)
    g_cancellable_cancel (((TrainRun *) runs_alive->pdata[i])->cancellable);
  while (runs_alive && runs_alive->len > 0)
    g_cond_wait (&runs_cond, &runs_lock);
  g_mutex_unlock (&runs_lock);
}

/* ---- the object ---- */

static void
stepwise_train_page_dispose (GObject *object)
{
  StepwiseTrainPage *self = STEPWISE_TRAIN_PAGE (object);
  if (self->question)
    stepwise_train_page_answer (self, "cancel");
  if (self->run)
    {
      /* the worker stops at its next batch; its messages find no page */
      g_cancellable_cancel (self->run->cancellable);
      self->run->page = NULL;
      self->run = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_TRAIN_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);   /* the unnamed box around the template */
  G_OBJECT_CLASS (stepwise_train_page_parent_class)->dispose (object);
}

static void
stepwise_train_page_finalize (GObject *object)
{
  StepwiseTrainPage *self = STEPWISE_TRAIN_PAGE (object);
  g_free (self->folder);
  g_free (self->error);
  G_OBJECT_CLASS (stepwise_train_page_parent_class)->finalize (object);
}

static void
stepwise_train_page_class_init (StepwiseTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = stepwise_train_page_dispose;
  object_class->finalize = stepwise_train_page_finalize;

  g_type_ensure (STEPWISE_TYPE_LOSS_PLOT);
  g_type_ensure (STEPWISE_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-train-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, recipe_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, limit_spin);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, recipe_description);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, sample_view);
  gtk_widget_class_bind_template_child (widget_class, StepwiseTrainPage, sample_caption);

  gtk_widget_class_install_action (widget_class, "train.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "train.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "train.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "train.choose-folder", NULL, choose_folder_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "train.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "train.resume", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                       "train.stop", NULL);
}

static void
stepwise_train_page_init (StepwiseTrainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  GtkStringList *datasets = gtk_string_list_new ((const char * const *) sw_dataset_names ());
  adw_combo_row_set_model (self->dataset_row, G_LIST_MODEL (datasets));
  g_object_unref (datasets);
  GtkStringList *recipes = gtk_string_list_new ((const char * const *) sw_recipe_names ());
  adw_combo_row_set_model (self->recipe_row, G_LIST_MODEL (recipes));
  g_object_unref (recipes);
  g_signal_connect_swapped (self->dataset_row, "notify::selected", G_CALLBACK (on_choice_changed), self);
  g_signal_connect_swapped (self->recipe_row, "notify::selected", G_CALLBACK (on_choice_changed), self);
  stepwise_train_page_set_dataset (self, "fashion");
  stepwise_train_page_set_recipe (self, "ddpm-prompt");
  on_choice_changed (self);
}
