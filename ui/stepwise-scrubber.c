/* stepwise-scrubber.c: frames live in the trajectory shown, indexed by
 * arrival order (frame k is update i_start + k of stage I, then stage
 * II's); the scale runs over the frames the job makes and refuses
 * positions not yet computed.  "image-changed" tells
 * the window to redraw. */
#include "stepwise-scrubber.h"

#include <glib/gi18n.h>

#define PLAY_INTERVAL_MS 80   /* about 12 frames a second */
#define MAX_MARKS 100         /* beyond this many steps, a mark every few */

struct _StepwiseScrubber
{
  GtkWidget       parent_instance;

  GtkScale       *scale;
  GtkAdjustment  *adjustment;
  GtkLabel       *step_label;
  GtkToggleButton *play_button;
  GtkToggleButton *xt_button;
  GtkToggleButton *x0_button;

  StepwiseTrajectory *trajectory;   /* NULL: none to show */
  gboolean        missing;           /* none, for a result that has none */
  int             mark_every;
  int             position;
  gboolean        show_x0;
  guint           play_source;
  gboolean        updating;
};

G_DEFINE_FINAL_TYPE (StepwiseScrubber, stepwise_scrubber, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_POSITION, PROP_SHOW_X0, PROP_PLAYING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_IMAGE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_label (StepwiseScrubber *self)
{
  if (!self->trajectory)
    {
      gtk_label_set_text (self->step_label, self->missing ? _("No steps kept for this result") : "");
      return;
    }
  int index, t, stage, steps;
  if (!stepwise_trajectory_get_frame (self->trajectory, self->position, &index, &t, NULL, NULL))
    {
      gtk_label_set_text (self->step_label, "");
      return;
    }
  stepwise_trajectory_get_frame_stage (self->trajectory, self->position, &stage, &steps, NULL);
  g_autofree char *text = NULL;
  if (stepwise_trajectory_get_stages (self->trajectory) == 1)
    /* Translators: a step of the denoising trajectory and its timestep */
    text = g_strdup_printf (_("Step %d of %d · t = %d"), index, steps, t);
  else if (stage == 1)
    /* Translators: a step of a cascade's first stage (the small image)
     * and its timestep */
    text = g_strdup_printf (_("Stage I · step %d of %d · t = %d"), index, steps, t);
  else
    /* Translators: a step of a cascade's second stage (super-resolution,
     * the big image) and its timestep */
    text = g_strdup_printf (_("Stage II · step %d of %d · t = %d"), index, steps, t);
  gtk_label_set_text (self->step_label, text);
}

/* show frame POSITION (clamped to the frames there are) */
static void
show (StepwiseScrubber *self, int position)
{
  const int n = (int) stepwise_scrubber_get_n_frames (self);
  position = n == 0 ? -1 : CLAMP (position, 0, n - 1);
  const gboolean changed = position != self->position;
  self->position = position;
  self->updating = TRUE;
  if (position >= 0)
    gtk_adjustment_set_value (self->adjustment, position);
  self->updating = FALSE;
  update_label (self);
  if (changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
      g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0);
    }
}

static void
on_value_changed (GtkAdjustment *adjustment, StepwiseScrubber *self)
{
  if (self->updating)
    return;
  int want = (int) (gtk_adjustment_get_value (adjustment) + 0.5);
  show (self, want);
  /* a position past the newest frame snaps back to it */
  if (self->position >= 0 && want != self->position)
    {
      self->updating = TRUE;
      gtk_adjustment_set_value (adjustment, self->position);
      self->updating = FALSE;
    }
}

static void
stop_playing (StepwiseScrubber *self)
{
  if (!self->play_source)
    return;
  g_clear_handle_id (&self->play_source, g_source_remove);
  gtk_toggle_button_set_active (self->play_button, FALSE);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button), "media-playback-start-symbolic");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static gboolean
play_tick (gpointer data)
{
  StepwiseScrubber *self = data;
  const int n = (int) stepwise_scrubber_get_n_frames (self);
  if (n == 0)
    return G_SOURCE_CONTINUE;
  show (self, self->position + 1 >= n ? 0 : self->position + 1);
  return G_SOURCE_CONTINUE;
}

void
stepwise_scrubber_set_playing (StepwiseScrubber *self, gboolean playing)
{
  g_return_if_fail (STEPWISE_IS_SCRUBBER (self));
  if (!playing)
    {
      stop_playing (self);
      return;
    }
  if (self->play_source)
    return;
  self->play_source = g_timeout_add (PLAY_INTERVAL_MS, play_tick, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->play_source),
                            "[stepwise] trajectory playback");
  gtk_toggle_button_set_active (self->play_button, TRUE);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button), "media-playback-pause-symbolic");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

gboolean
stepwise_scrubber_get_playing (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), FALSE);
  return self->play_source != 0;
}

static void
on_play_toggled (GtkToggleButton *button, StepwiseScrubber *self)
{
  if (gtk_toggle_button_get_active (button) != (self->play_source != 0))
    stepwise_scrubber_set_playing (self, gtk_toggle_button_get_active (button));
}

static void
on_x0_toggled (GtkToggleButton *button, StepwiseScrubber *self)
{
  stepwise_scrubber_set_show_x0 (self, gtk_toggle_button_get_active (self->x0_button));
}

void
stepwise_scrubber_set_show_x0 (StepwiseScrubber *self, gboolean show_x0)
{
  g_return_if_fail (STEPWISE_IS_SCRUBBER (self));
  show_x0 = !!show_x0;
  if (gtk_toggle_button_get_active (self->x0_button) != show_x0)
    gtk_toggle_button_set_active (show_x0 ? self->x0_button : self->xt_button, TRUE);
  if (self->show_x0 == show_x0)
    return;
  self->show_x0 = show_x0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_X0]);
  if (self->position >= 0)
    g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0);
}

gboolean
stepwise_scrubber_get_show_x0 (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), FALSE);
  return self->show_x0;
}

static void
add_mark (StepwiseScrubber *self, int k)
{
  int index, steps;
  stepwise_trajectory_get_frame (self->trajectory, k, &index, NULL, NULL, NULL);
  stepwise_trajectory_get_frame_stage (self->trajectory, k, NULL, &steps, NULL);
  /* each stage's result has a mark */
  if (k > 0 && (k % self->mark_every == 0 || index == steps))
    gtk_scale_add_mark (self->scale, k, GTK_POS_BOTTOM, NULL);
}

void
stepwise_scrubber_set_trajectory (StepwiseScrubber *self, StepwiseTrajectory *trajectory)
{
  g_return_if_fail (STEPWISE_IS_SCRUBBER (self));
  stop_playing (self);
  if (trajectory)
    stepwise_trajectory_ref (trajectory);
  g_clear_pointer (&self->trajectory, stepwise_trajectory_unref);
  self->trajectory = trajectory;
  self->missing = trajectory == NULL;
  gtk_scale_clear_marks (self->scale);
  /* the first mark now, so the row of marks never changes the layout */
  gtk_scale_add_mark (self->scale, 0, GTK_POS_BOTTOM, NULL);
  /* the track spans the frames the job makes, not its step count: an
   * SDEdit from i_start 10 of 33 makes 24, and its last sits at the end */
  const int last = trajectory ? MAX (stepwise_trajectory_get_max_frames (trajectory) - 1, 1) : 1;
  const int n = (int) stepwise_scrubber_get_n_frames (self);
  self->mark_every = (last + MAX_MARKS - 1) / MAX_MARKS;
  for (int k = 1; k < n; k++)
    add_mark (self, k);
  self->updating = TRUE;
  gtk_adjustment_configure (self->adjustment, 0, 0, last, 1, MAX (1, last / 10), 0);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self), trajectory != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), n > 0);
  /* a stored trajectory shows its last frame, the result */
  const int old = self->position;
  show (self, n - 1);
  if (self->position == old)
    g_signal_emit (self, signals[SIGNAL_IMAGE_CHANGED], 0);
  update_label (self);
}

StepwiseTrajectory *
stepwise_scrubber_get_trajectory (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), NULL);
  return self->trajectory;
}

void
stepwise_scrubber_add_frame (StepwiseScrubber *self, int stage, int index, int steps, int t, int size,
                             GBytes *x_t, GBytes *x0)
{
  g_return_if_fail (STEPWISE_IS_SCRUBBER (self));
  g_return_if_fail (self->trajectory != NULL);
  const gboolean follow = self->position == (int) stepwise_scrubber_get_n_frames (self) - 1;
  stepwise_trajectory_add (self->trajectory, stage, index, steps, t, size, x_t, x0);
  const int k = (int) stepwise_scrubber_get_n_frames (self) - 1;
  add_mark (self, k);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), TRUE);
  if (follow && !self->play_source)
    show (self, k);
  else
    update_label (self);
}

gboolean
stepwise_scrubber_get_frame (StepwiseScrubber *self, guint k, int *index, int *t, GBytes **x_t, GBytes **x0)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), FALSE);
  return self->trajectory && stepwise_trajectory_get_frame (self->trajectory, k, index, t, x_t, x0);
}

guint
stepwise_scrubber_get_n_frames (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), 0);
  return self->trajectory ? stepwise_trajectory_get_n_frames (self->trajectory) : 0;
}

int
stepwise_scrubber_get_position (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), -1);
  return self->position;
}

void
stepwise_scrubber_set_position (StepwiseScrubber *self, int position)
{
  g_return_if_fail (STEPWISE_IS_SCRUBBER (self));
  show (self, position);
}

GBytes *
stepwise_scrubber_get_image (StepwiseScrubber *self)
{
  g_return_val_if_fail (STEPWISE_IS_SCRUBBER (self), NULL);
  GBytes *x_t = NULL, *x0 = NULL;
  if (self->position < 0 || !stepwise_scrubber_get_frame (self, self->position, NULL, NULL, &x_t, &x0))
    return NULL;
  return self->show_x0 ? x0 : x_t;
}

static void
stepwise_scrubber_dispose (GObject *object)
{
  StepwiseScrubber *self = STEPWISE_SCRUBBER (object);
  g_clear_handle_id (&self->play_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_SCRUBBER);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (stepwise_scrubber_parent_class)->dispose (object);
}

static void
stepwise_scrubber_finalize (GObject *object)
{
  StepwiseScrubber *self = STEPWISE_SCRUBBER (object);
  g_clear_pointer (&self->trajectory, stepwise_trajectory_unref);
  G_OBJECT_CLASS (stepwise_scrubber_parent_class)->finalize (object);
}

static void
stepwise_scrubber_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwiseScrubber *self = STEPWISE_SCRUBBER (object);
  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    case PROP_SHOW_X0:
      g_value_set_boolean (value, self->show_x0);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->play_source != 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_scrubber_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  StepwiseScrubber *self = STEPWISE_SCRUBBER (object);
  switch (prop_id)
    {
    case PROP_POSITION:
      stepwise_scrubber_set_position (self, g_value_get_int (value));
      break;
    case PROP_SHOW_X0:
      stepwise_scrubber_set_show_x0 (self, g_value_get_boolean (value));
      break;
    case PROP_PLAYING:
      stepwise_scrubber_set_playing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_scrubber_class_init (StepwiseScrubberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stepwise_scrubber_dispose;
  object_class->finalize = stepwise_scrubber_finalize;
  object_class->get_property = stepwise_scrubber_get_property;
  object_class->set_property = stepwise_scrubber_set_property;

  properties[PROP_POSITION] =
    g_param_spec_int ("position", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_X0] =
    g_param_spec_boolean ("show-x0", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::image-changed: the frame or the x_t/x0 choice changed */
  signals[SIGNAL_IMAGE_CHANGED] =
    g_signal_new ("image-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-scrubber.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, scale);
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, adjustment);
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, step_label);
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, play_button);
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, xt_button);
  gtk_widget_class_bind_template_child (widget_class, StepwiseScrubber, x0_button);
  gtk_widget_class_bind_template_callback (widget_class, on_value_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_play_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_x0_toggled);

  gtk_widget_class_install_property_action (widget_class, "scrubber.playing", "playing");
  gtk_widget_class_install_property_action (widget_class, "scrubber.show-x0", "show-x0");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stepwise-scrubber");
}

static void
stepwise_scrubber_init (StepwiseScrubber *self)
{
  self->position = -1;
  self->mark_every = 1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stepwise_scrubber_new (void)
{
  return g_object_new (STEPWISE_TYPE_SCRUBBER, NULL);
}
