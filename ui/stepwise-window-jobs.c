/* stepwise-window-jobs.c: the window's jobs — built from the controls
 * into a cascade job (cascade.h: stage I alone for a model alone), run by
 * its StepwiseJobRunner, every frame to the scrubber (and the
 * denoising lab's views), progress while it runs; and the preview of
 * where a job from the canvas starts. */
#include "config.h"

#include "stepwise-window-private.h"

#include <glib/gi18n.h>

#include "base/duration.h"
#include "models/cosine-schedule.h"
#include "diffusion/gaussian-blur.h"
#include "diffusion/job-settings.h"

/* A new step count moves i_start to the index with the timestep it had,
 * so that "i_start 19 of 999" (t = 980) does not become t = 430 at 33
 * steps or the sketch vanish into noise the other way (issue 23). */
static void
keep_start_t (StepwiseWindow *self, int T, int steps)
{
  const int before = self->start_steps;
  self->start_steps = steps;   /* first: setting the value comes back here */
  const int i = (int) gtk_adjustment_get_value (self->start_adjustment);
  int kept = i;
  if (before > 0 && before != steps && before < T)
    {
      g_autofree int *ts = g_new (int, before + 1);
      sw_strided_timesteps (T, before, ts);
      kept = sw_strided_index (T, steps, ts[MIN (i, before - 1)]);
    }
  if (gtk_adjustment_get_upper (self->start_adjustment) != MAX (steps - 1, 0))
    gtk_adjustment_set_upper (self->start_adjustment, MAX (steps - 1, 0));
  gtk_adjustment_set_value (self->start_adjustment, MIN (kept, steps - 1));
}

/* the newest results keep their steps; a 999-step job on 28×28 images
 * holds about 6 MB of frames */
#define TRAJECTORIES_KEPT 20

/* The i_start label, and the input noised to t = ts[i_start] exactly as a
 * job with this seed starts from it. */
void
_stepwise_window_update_preview (StepwiseWindow *self)
{
  StepwiseModel *model = stepwise_window_get_model (self);
  SwEpsModel *eps = model ? stepwise_model_get_eps (model) : NULL;
  const int steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  if (steps != self->start_steps)
    keep_start_t (self, eps ? eps->T : SW_COSINE_T, steps);
  const int i = (int) gtk_adjustment_get_value (self->start_adjustment);
  if (!model)
    return;
  g_autofree int *ts = g_new (int, steps + 1);
  sw_strided_timesteps (eps->T, steps, ts);
  const int t = ts[MIN (i, steps)];
  /* Translators: the first denoising step of a job from an image, of how
   * many, and its timestep */
  g_autofree char *label = g_strdup_printf (_("i_start %d of %d · t = %d"), i, steps, t);
  gtk_label_set_text (self->start_label, label);
  if (!_stepwise_window_uses_start (_stepwise_window_get_mode (self))
      || stepwise_canvas_get_model_size (self->canvas) != eps->height
      || stepwise_canvas_get_channels (self->canvas) != eps->channels)
    return;
  const size_t n = (size_t) eps->channels * eps->height * eps->width;
  g_autoptr (GBytes) input = stepwise_canvas_get_composite (self->canvas);
  SwJob job;
  sw_job_init (&job);
  job.steps = steps;
  job.i_start = MIN (i, steps - 1);
  job.seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin);
  job.image = g_bytes_get_data (input, NULL);
  float *noisy = g_new (float, n);
  sw_job_start (eps, &job, 0, NULL, noisy);
  g_autoptr (GBytes) pixels = g_bytes_new_take (noisy, sizeof (float) * n);
  stepwise_image_view_set_pixels (self->noised_view, pixels, eps->channels, eps->height, eps->width);
  g_autofree char *caption = g_strdup_printf (_("The input noised to t = %d: where the job starts."), t);
  gtk_label_set_text (self->noised_label, caption);
  if (_stepwise_window_get_mode (self) == STEPWISE_MODE_DENOISE_LAB && !stepwise_job_runner_get_running (self->runner))
    {
      stepwise_image_view_set_pixels (self->lab_noisy, pixels, eps->channels, eps->height, eps->width);
      g_autofree char *text = g_strdup_printf (_("Forward: noised to t = %d"), t);
      gtk_label_set_text (self->lab_noisy_label, text);
    }
}

/* the progress text, with which image of a batch it is about */
static void
set_progress_text (StepwiseWindow *self, const char *text)
{
  if (self->batch_count <= 1)
    {
      gtk_progress_bar_set_text (self->progress_bar, text);
      return;
    }
  /* Translators: which image of a batch, of how many, then its progress */
  g_autofree char *batch = g_strdup_printf (_("Image %d of %d · %s"), self->batch_count - self->batch_left,
                                            self->batch_count, text);
  gtk_progress_bar_set_text (self->progress_bar, batch);
}

/* the model whose images the frames of STAGE are: stage I, or a
 * cascade's stage II */
static SwEpsModel *
stage_model (StepwiseModel *model, int stage)
{
  SwCascade *cascade = stepwise_model_get_cascade (model);
  return stage == 2 && cascade->stage2 ? cascade->stage2 : cascade->stage1;
}

static void
on_frame (StepwiseJobRunner *runner, int index, int t, int steps, int stage, GBytes *x_t, GBytes *x0,
          StepwiseWindow *self)
{
  SwEpsModel *eps = stage_model (self->job_model, stage);
  const int C = eps->channels, H = eps->height, W = eps->width;
  const gboolean first = stepwise_trajectory_get_n_frames (self->job_trajectory) == 0;
  if (first && !_stepwise_window_uses_canvas (self->job_mode))
    {
      /* what the job starts from: pure noise */
      stepwise_image_view_set_pixels (self->input_view, x_t, C, H, W);
      gtk_label_set_text (self->input_caption, _("The pure noise this job starts from (step 0)."));
    }
  if (self->job_mode == STEPWISE_MODE_DENOISE_LAB)
    {
      if (first)
        {
          /* the first frame is the input noised to ts[i_start], and the
           * model's one-step estimate of x0 from it */
          float *blurred = g_new (float, (size_t) C * H * W);
          sw_lab_blur (C, H, W, g_bytes_get_data (x_t, NULL), blurred);
          g_autoptr (GBytes) blur = g_bytes_new_take (blurred, sizeof (float) * C * H * W);
          stepwise_image_view_set_pixels (self->lab_noisy, x_t, C, H, W);
          stepwise_image_view_set_pixels (self->lab_blur, blur, C, H, W);
          stepwise_image_view_set_pixels (self->lab_onestep, x0, C, H, W);
          g_autofree char *text = g_strdup_printf (_("Forward: noised to t = %d"), t);
          gtk_label_set_text (self->lab_noisy_label, text);
        }
      else
        stepwise_image_view_set_pixels (self->lab_iterative, x0, C, H, W);
    }
  /* the scrubber may show a result from the history meanwhile */
  if (stepwise_scrubber_get_trajectory (self->scrubber) == self->job_trajectory)
    stepwise_scrubber_add_frame (self->scrubber, stage, index, steps, t, H, x_t, x0);
  else
    stepwise_trajectory_add (self->job_trajectory, stage, index, steps, t, H, x_t, x0);
  /* the updates made, of both stages: a stage's first frame comes before
   * its first update */
  if (stage != self->job_stage)
    {
      self->job_stage = stage;
      self->job_stage_first = index;
      self->job_stage_base = self->job_done;
    }
  self->job_done = self->job_stage_base + index - self->job_stage_first;
  const int done = self->job_done, total = MAX (self->job_steps, 1);
  const double elapsed = (g_get_monotonic_time () - self->job_start_us) / 1e6;
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  g_autofree char *text = NULL;
  if (done > 0 && done < total)
    {
      g_autofree char *left = sw_format_duration (elapsed / done * (total - done));
      /* Translators: progress of a job, then the time it still needs */
      text = g_strdup_printf (_("Step %d of %d · about %s left"), done, total, left);
    }
  else if (done < total)
    text = g_strdup_printf (_("Step %d of %d"), done, total);
  if (text)
    set_progress_text (self, text);
  _stepwise_window_update_actions (self);
}

static gboolean start_job (StepwiseWindow *self);

static void
on_finished (StepwiseJobRunner *runner, GBytes *result, GError *error, StepwiseWindow *self)
{
  g_autofree char *text = NULL;
  if (error && g_error_matches (error, SW_ERROR, SW_ERROR_CANCELLED))
    text = g_strdup_printf (_("Cancelled at step %d of %d"), self->job_done, self->job_steps);
  else if (error)
    {
      text = g_strdup_printf (_("Failed: %s"), error->message);
      _stepwise_window_toast (self, text);
    }
  else
    {
      SwEpsModel *eps = stepwise_model_get_output (self->job_model);
      const gsize image = sizeof (float) * eps->channels * eps->height * eps->width;
      g_clear_pointer (&self->last_result, g_bytes_unref);
      self->last_result = g_bytes_new_from_bytes (result, 0, image);
      g_autoptr (StepwiseResult) r = stepwise_result_new (self->last_result, eps->channels, eps->height,
                                                          eps->width, self->job_meta);
      stepwise_result_set_trajectory (r, self->job_trajectory);
      g_set_object (&self->shown, r);
      stepwise_history_add (self->history, r);
      for (guint i = TRAJECTORIES_KEPT; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
        {
          g_autoptr (StepwiseResult) old = g_list_model_get_item (G_LIST_MODEL (self->history), i);
          if (!stepwise_result_get_trajectory (old))
            break;
          stepwise_result_set_trajectory (old, NULL);
        }
      if (stepwise_scrubber_get_trajectory (self->scrubber) != self->job_trajectory)
        stepwise_scrubber_set_trajectory (self->scrubber, self->job_trajectory);
      g_autofree char *took = sw_format_duration ((g_get_monotonic_time () - self->job_start_us) / 1e6);
      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      /* Translators: steps, the time they took, and the seed of the image */
      text = g_strdup_printf (_("Done: %d steps in %s · seed %s"), self->job_steps, took,
                              stepwise_result_lookup (r, SW_JOB_KEY_SEED));
    }
  set_progress_text (self, text);
  _stepwise_window_update_actions (self);
  if (error)
    self->batch_left = 0;
  else if (self->batch_left > 0)
    {
      /* the next image of the batch: the seed after this one */
      self->batch_left--;
      gtk_spin_button_set_value (self->seed_spin, gtk_spin_button_get_value (self->seed_spin) + 1);
      if (!start_job (self))
        self->batch_left = 0;
    }
}

static gboolean
encode (SwEpsModel *eps, GtkEditable *entry, float *cond, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  return eps->encode (eps, stripped, cond, error);
}

/* the settings that make the job again, as a PNG carries them: stage
 * II's too when it made the image */
static GHashTable *
job_meta (StepwiseWindow *self, StepwiseModel *model, StepwiseMode mode, const SwCascadeJob *job)
{
  g_autofree char *prompt = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prompt_entry))));
  g_autofree char *prompt2 = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prompt2_entry))));
  SwCascade *cascade = stepwise_model_get_cascade (model);
  SwJobSettings settings;
  sw_job_settings_init (&settings, (SwJobMode) mode, &job->job, stepwise_model_get_path (model),
                        cascade->stage1->channels);
  settings.prompt = prompt;
  settings.prompt2 = prompt2;
  if (sw_cascade_output (cascade, job) == cascade->stage2)
    {
      settings.sr_model = stepwise_model_get_sr_path (model);
      settings.sr_steps = job->sr_steps;
      settings.sr_guidance = job->sr_guidance;
      settings.sr_level = job->sr_level;
      settings.sr_from = job->sr_from;
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return sw_job_settings_to_text (&settings, "Stepwise " PACKAGE_VERSION, now);
}

/* starts a job from the controls with the seed shown, through the
 * model's cascade (stage I alone for a model alone); FALSE (with a toast)
 * when they do not make one */
static gboolean
start_job (StepwiseWindow *self)
{
  StepwiseModel *model = stepwise_window_get_model (self);
  if (!model)
    return FALSE;
  const StepwiseMode mode = _stepwise_window_get_mode (self);
  SwCascade *cascade = stepwise_model_get_cascade (model);
  SwEpsModel *eps = cascade->stage1;
  g_autoptr (GError) error = NULL;
  g_autofree float *cond = g_new (float, eps->cond_dim);
  g_autofree float *cond2 = g_new (float, eps->cond_dim);
  g_autofree float *sr_cond = NULL;
  g_autoptr (GBytes) image = NULL, mask = NULL;
  SwCascadeJob cjob;
  sw_cascade_job_init (&cjob);
  SwJob *job = &cjob.job;
  job->count = 1;
  job->steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  job->guidance = (float) gtk_spin_button_get_value (self->guidance_spin);
  job->seed = (uint64_t) gtk_spin_button_get_value (self->seed_spin);
  job->cond = cond;
  if (cascade->stage2)
    {
      cjob.sr_steps = gtk_spin_button_get_value_as_int (self->sr_steps_spin);
      cjob.sr_from = gtk_spin_button_get_value_as_int (self->sr_from_spin);
    }
  if (!encode (eps, GTK_EDITABLE (self->prompt_entry), cond, &error))
    {
      _stepwise_window_toast (self, error->message);
      return FALSE;
    }
  if (sw_cascade_stage2_reads_prompt (cascade))
    {
      sr_cond = g_new (float, cascade->stage2->cond_dim);
      if (!encode (cascade->stage2, GTK_EDITABLE (self->prompt_entry), sr_cond, &error))
        {
          _stepwise_window_toast (self, error->message);
          return FALSE;
        }
      cjob.sr_cond = sr_cond;
    }
  /* the canvas at the output's side: a cascade reads it at 64 px */
  SwEpsModel *out = sw_cascade_output (cascade, &cjob);
  if (_stepwise_window_uses_canvas (mode))
    {
      if (stepwise_canvas_get_model_size (self->canvas) != eps->height
          || stepwise_canvas_get_size (self->canvas) % out->height != 0)
        return FALSE;
      image = stepwise_canvas_get_composite_at (self->canvas, out->height);
      job->image = g_bytes_get_data (image, NULL);
    }
  if (_stepwise_window_uses_start (mode))
    job->i_start = (int) gtk_adjustment_get_value (self->start_adjustment);
  if (mode == STEPWISE_MODE_INPAINT)
    {
      if (!stepwise_canvas_has_mask (self->canvas))
        {
          _stepwise_window_toast (self, _("Paint what to regenerate with the Mask tool first"));
          return FALSE;
        }
      mask = stepwise_canvas_get_mask_at (self->canvas, out->height);
      job->mask = g_bytes_get_data (mask, NULL);
    }
  if (mode == STEPWISE_MODE_ANAGRAM || mode == STEPWISE_MODE_HYBRID)
    {
      if (!encode (eps, GTK_EDITABLE (self->prompt2_entry), cond2, &error))
        {
          _stepwise_window_toast (self, error->message);
          return FALSE;
        }
      job->cond2 = cond2;
      job->compose = mode == STEPWISE_MODE_ANAGRAM ? SW_COMPOSE_ANAGRAM : SW_COMPOSE_HYBRID;
      job->view = (SwView) adw_combo_row_get_selected (self->view_row);
    }
  if (!sw_cascade_job_validate (cascade, &cjob, &error))
    {
      _stepwise_window_toast (self, error->message);
      return FALSE;
    }
  g_set_object (&self->job_model, model);
  g_clear_pointer (&self->job_meta, g_hash_table_unref);
  self->job_meta = job_meta (self, model, mode, &cjob);
  self->job_mode = mode;
  self->job_steps = sw_cascade_total_steps (cascade, &cjob);
  self->job_done = 0;
  self->job_stage = 0;
  self->job_start_us = g_get_monotonic_time ();
  /* each stage's updates from its first, and its result */
  const gboolean two = out != eps;
  const int frames = job->steps - job->i_start + 1
                     + (two ? cjob.sr_steps - sw_cascade_sr_i_start (cascade, &cjob) + 1 : 0);
  g_clear_pointer (&self->job_trajectory, stepwise_trajectory_unref);
  self->job_trajectory = stepwise_trajectory_new (frames, two ? 2 : 1, out->channels, out->height, out->width);
  stepwise_scrubber_set_trajectory (self->scrubber, self->job_trajectory);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  set_progress_text (self, _("Starting…"));
  if (mode == STEPWISE_MODE_DENOISE_LAB)
    {
      stepwise_image_view_set_pixels (self->lab_blur, NULL, 0, 0, 0);
      stepwise_image_view_set_pixels (self->lab_onestep, NULL, 0, 0, 0);
      stepwise_image_view_set_pixels (self->lab_iterative, NULL, 0, 0, 0);
    }
  if (stepwise_job_runner_start (self->runner, model, &cjob))
    _stepwise_window_toast (self, _("Previous job cancelled"));
  _stepwise_window_update_actions (self);
  return TRUE;
}

/* Generate: Images jobs, one after another (on_finished starts the next),
 * seeds counting up from the one shown, or from a new one each time */
void
_stepwise_window_generate_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  if (g_settings_get_boolean (self->settings, "new-seed"))
    gtk_spin_button_set_value (self->seed_spin, g_random_int_range (0, G_MAXINT32));
  self->batch_count = gtk_spin_button_get_value_as_int (self->batch_spin);
  self->batch_left = self->batch_count - 1;
  if (!start_job (self))
    self->batch_left = 0;
}

void
_stepwise_window_cancel_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_job_runner_cancel (self->runner);
}

void
_stepwise_window_play_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_scrubber_set_playing (self->scrubber, !stepwise_scrubber_get_playing (self->scrubber));
}

void
_stepwise_window_show_x0_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StepwiseWindow *self = user_data;
  stepwise_scrubber_set_show_x0 (self->scrubber, !stepwise_scrubber_get_show_x0 (self->scrubber));
}

void
_stepwise_window_jobs_init (StepwiseWindow *self)
{
  self->runner = stepwise_job_runner_new ();
  g_signal_connect (self->runner, "frame", G_CALLBACK (on_frame), self);
  g_signal_connect (self->runner, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect_swapped (self->runner, "notify::running", G_CALLBACK (_stepwise_window_update_actions), self);
  /* the preview follows everything that moves where a job starts */
  g_signal_connect_swapped (self->canvas, "changed", G_CALLBACK (_stepwise_window_update_preview), self);
  g_signal_connect_swapped (self->start_adjustment, "value-changed", G_CALLBACK (_stepwise_window_update_preview),
                            self);
  g_signal_connect_swapped (self->steps_spin, "value-changed", G_CALLBACK (_stepwise_window_update_preview), self);
  g_signal_connect_swapped (self->seed_spin, "value-changed", G_CALLBACK (_stepwise_window_update_preview), self);
}
