/* stepwise-prompt-suggestions.c: a GtkListBox in a GtkRevealer, laid out
 * under the prompt entry.  It matches while the entry holds the focus (so
 * text set by a restore or the settings shows nothing), hides when the
 * focus leaves the entry, and its rows cannot take the focus, so a click
 * on one leaves the caret in the entry. */
#include "stepwise-prompt-suggestions.h"

struct _StepwisePromptSuggestions
{
  GtkWidget           parent_instance;

  /* template children */
  GtkRevealer        *revealer;
  GtkListBox         *list;

  GtkEditable        *entry;      /* weak */
  GtkEventController *keys;
  GtkEventController *focus;
  GStrv               prompts;
  GPtrArray          *shown;      /* borrowed from prompts */
  gboolean            setting;    /* the entry's text is ours */
};

G_DEFINE_FINAL_TYPE (StepwisePromptSuggestions, stepwise_prompt_suggestions, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_ENTRY, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
hide (StepwisePromptSuggestions *self)
{
  g_ptr_array_set_size (self->shown, 0);
  for (GtkWidget *row; (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)));)
    gtk_list_box_remove (self->list, row);
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
}

static void
update (StepwisePromptSuggestions *self)
{
  hide (self);
  if (!self->entry || !self->prompts
      || !(gtk_widget_get_state_flags (GTK_WIDGET (self->entry)) & GTK_STATE_FLAG_FOCUS_WITHIN))
    return;
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (self->entry)));
  g_autofree char *typed = g_utf8_casefold (stripped, -1);
  if (!*typed)
    return;
  for (char **p = self->prompts; *p && self->shown->len < STEPWISE_PROMPT_SUGGESTIONS_MAX; p++)
    {
      g_autofree char *prompt = g_utf8_casefold (*p, -1);
      if (strstr (prompt, typed) && strcmp (prompt, typed) != 0)
        {
          g_ptr_array_add (self->shown, *p);
          GtkWidget *label = gtk_label_new (*p);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_end (label, 12);
          gtk_widget_set_margin_top (label, 8);
          gtk_widget_set_margin_bottom (label, 8);
          GtkWidget *row = gtk_list_box_row_new ();
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
          gtk_widget_set_focusable (row, FALSE);
          gtk_list_box_append (self->list, row);
        }
    }
  gtk_revealer_set_reveal_child (self->revealer, self->shown->len > 0);
}

guint
stepwise_prompt_suggestions_get_n_shown (StepwisePromptSuggestions *self)
{
  g_return_val_if_fail (STEPWISE_IS_PROMPT_SUGGESTIONS (self), 0);
  return self->shown->len;
}

const char *
stepwise_prompt_suggestions_get_shown (StepwisePromptSuggestions *self, guint i)
{
  g_return_val_if_fail (STEPWISE_IS_PROMPT_SUGGESTIONS (self), NULL);
  return i < self->shown->len ? g_ptr_array_index (self->shown, i) : NULL;
}

void
stepwise_prompt_suggestions_accept (StepwisePromptSuggestions *self, guint i)
{
  g_return_if_fail (STEPWISE_IS_PROMPT_SUGGESTIONS (self));
  if (!self->entry || i >= self->shown->len)
    return;
  g_autofree char *prompt = g_strdup (g_ptr_array_index (self->shown, i));
  hide (self);
  self->setting = TRUE;
  gtk_editable_set_text (self->entry, prompt);
  gtk_editable_set_position (self->entry, -1);
  self->setting = FALSE;
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, StepwisePromptSuggestions *self)
{
  stepwise_prompt_suggestions_accept (self, gtk_list_box_row_get_index (row));
}

static void
on_changed (StepwisePromptSuggestions *self)
{
  if (!self->setting)
    update (self);
}

/* Down and Up move the pick, Return takes it, Escape hides the list;
 * with the list hidden every key goes on to the entry and the window */
static gboolean
on_key_pressed (GtkEventControllerKey *keys, guint keyval, guint keycode, GdkModifierType state,
                StepwisePromptSuggestions *self)
{
  const guint n = self->shown->len;
  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  GtkListBoxRow *picked = gtk_list_box_get_selected_row (self->list);
  const int i = picked ? gtk_list_box_row_get_index (picked) : -1;
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      {
        const gboolean down = keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down;
        const int next = down ? (i + 1) % (int) n : (i <= 0 ? (int) n - 1 : i - 1);
        gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, next));
        return TRUE;
      }
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      if (i < 0)
        return FALSE;
      stepwise_prompt_suggestions_accept (self, i);
      return TRUE;
    case GDK_KEY_Escape:
      hide (self);
      return TRUE;
    default:
      return FALSE;
    }
}

void
stepwise_prompt_suggestions_set_entry (StepwisePromptSuggestions *self, GtkEditable *entry)
{
  g_return_if_fail (STEPWISE_IS_PROMPT_SUGGESTIONS (self));
  if (self->entry == entry)
    return;
  if (self->entry)
    {
      g_signal_handlers_disconnect_by_data (self->entry, self);
      gtk_widget_remove_controller (GTK_WIDGET (self->entry), self->keys);
      gtk_widget_remove_controller (GTK_WIDGET (self->entry), self->focus);
      g_object_remove_weak_pointer (G_OBJECT (self->entry), (gpointer *) &self->entry);
      self->keys = self->focus = NULL;
    }
  self->entry = entry;
  if (entry)
    {
      g_object_add_weak_pointer (G_OBJECT (entry), (gpointer *) &self->entry);
      g_signal_connect_swapped (entry, "changed", G_CALLBACK (on_changed), self);
      /* before the entry's text sees the keys */
      self->keys = gtk_event_controller_key_new ();
      gtk_event_controller_set_propagation_phase (self->keys, GTK_PHASE_CAPTURE);
      g_signal_connect (self->keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
      gtk_widget_add_controller (GTK_WIDGET (entry), self->keys);
      self->focus = gtk_event_controller_focus_new ();
      g_signal_connect_swapped (self->focus, "leave", G_CALLBACK (hide), self);
      gtk_widget_add_controller (GTK_WIDGET (entry), self->focus);
    }
  hide (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTRY]);
}

void
stepwise_prompt_suggestions_set_prompts (StepwisePromptSuggestions *self, const char * const *prompts)
{
  g_return_if_fail (STEPWISE_IS_PROMPT_SUGGESTIONS (self));
  hide (self);
  g_strfreev (self->prompts);
  self->prompts = g_strdupv ((char **) prompts);
}

static void
stepwise_prompt_suggestions_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwisePromptSuggestions *self = STEPWISE_PROMPT_SUGGESTIONS (object);
  switch (prop_id)
    {
    case PROP_ENTRY:
      g_value_set_object (value, self->entry);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_prompt_suggestions_set_property (GObject *object, guint prop_id, const GValue *value,
                                          GParamSpec *pspec)
{
  StepwisePromptSuggestions *self = STEPWISE_PROMPT_SUGGESTIONS (object);
  switch (prop_id)
    {
    case PROP_ENTRY:
      stepwise_prompt_suggestions_set_entry (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_prompt_suggestions_dispose (GObject *object)
{
  StepwisePromptSuggestions *self = STEPWISE_PROMPT_SUGGESTIONS (object);
  stepwise_prompt_suggestions_set_entry (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_PROMPT_SUGGESTIONS);
  G_OBJECT_CLASS (stepwise_prompt_suggestions_parent_class)->dispose (object);
}

static void
stepwise_prompt_suggestions_finalize (GObject *object)
{
  StepwisePromptSuggestions *self = STEPWISE_PROMPT_SUGGESTIONS (object);
  g_ptr_array_unref (self->shown);
  g_strfreev (self->prompts);
  G_OBJECT_CLASS (stepwise_prompt_suggestions_parent_class)->finalize (object);
}

static void
stepwise_prompt_suggestions_class_init (StepwisePromptSuggestionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = stepwise_prompt_suggestions_dispose;
  object_class->finalize = stepwise_prompt_suggestions_finalize;
  object_class->get_property = stepwise_prompt_suggestions_get_property;
  object_class->set_property = stepwise_prompt_suggestions_set_property;

  properties[PROP_ENTRY] =
    g_param_spec_object ("entry", NULL, NULL, GTK_TYPE_EDITABLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "promptsuggestions");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-prompt-suggestions.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwisePromptSuggestions, revealer);
  gtk_widget_class_bind_template_child (widget_class, StepwisePromptSuggestions, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
stepwise_prompt_suggestions_init (StepwisePromptSuggestions *self)
{
  self->shown = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
