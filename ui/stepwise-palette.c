/* stepwise-palette.c: the brush's colour swatches and the current colour.
 * The swatches are made here from one table, each a toggle button of the
 * stateful palette.color action (GTK checks the one whose target is the
 * state); the template holds their box and the current colour's button. */
#include "stepwise-palette.h"

#include <glib/gi18n.h>
#include <math.h>

struct _StepwisePalette
{
  GtkWidget       parent_instance;

  /* template children */
  GtkColorButton *color_button;
  GtkFlowBox     *swatch_box;

  char           *color;        /* "#rrggbb" */
  gboolean        monochrome;
};

G_DEFINE_FINAL_TYPE (StepwisePalette, stepwise_palette, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_COLOR, PROP_MONOCHROME, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* colours of the emoji the models learn from: their outlines and
 * shadows, the face yellow, a skin tone, and the fruit, flame, sky and
 * leaf colours; the first four are the greys a grey model is shown */
static const struct { const char *color, *name; } swatches[] = {
  { "#000000", N_("Black") },
  { "#616161", N_("Dark Grey") },
  { "#bdbdbd", N_("Light Grey") },
  { "#ffffff", N_("White") },
  { "#fcc21b", N_("Emoji Yellow") },
  { "#f4c8a0", N_("Skin Tone") },
  { "#e53935", N_("Red") },
  { "#fb8c00", N_("Orange") },
  { "#795548", N_("Brown") },
  { "#f06292", N_("Pink") },
  { "#8e24aa", N_("Purple") },
  { "#1e88e5", N_("Blue") },
  { "#4fc3f7", N_("Sky Blue") },
  { "#43a047", N_("Green") },
};
#define N_GREYS 4

/* "#rrggbb" of RGBA */
static char *
rgba_to_hex (const GdkRGBA *rgba)
{
  return g_strdup_printf ("#%02x%02x%02x", (int) lround (CLAMP (rgba->red, 0, 1) * 255),
                          (int) lround (CLAMP (rgba->green, 0, 1) * 255),
                          (int) lround (CLAMP (rgba->blue, 0, 1) * 255));
}

static gboolean
shown (StepwisePalette *self, guint i)
{
  return !self->monochrome || i < N_GREYS;
}

const char *
stepwise_palette_get_color (StepwisePalette *self)
{
  g_return_val_if_fail (STEPWISE_IS_PALETTE (self), NULL);
  return self->color;
}

void
stepwise_palette_set_color (StepwisePalette *self, const char *color)
{
  g_return_if_fail (STEPWISE_IS_PALETTE (self));
  GdkRGBA rgba;
  if (!color || !gdk_rgba_parse (&rgba, color))
    return;
  stepwise_palette_set_rgba (self, &rgba);
}

void
stepwise_palette_get_rgba (StepwisePalette *self, GdkRGBA *rgba)
{
  g_return_if_fail (STEPWISE_IS_PALETTE (self));
  gdk_rgba_parse (rgba, self->color);
}

void
stepwise_palette_set_rgba (StepwisePalette *self, const GdkRGBA *rgba)
{
  g_return_if_fail (STEPWISE_IS_PALETTE (self));
  g_autofree char *hex = rgba_to_hex (rgba);
  if (g_strcmp0 (hex, self->color) == 0)
    return;
  g_free (self->color);
  self->color = g_steal_pointer (&hex);
  GdkRGBA exact, button;
  gdk_rgba_parse (&exact, self->color);
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (self->color_button), &button);
  if (!gdk_rgba_equal (&exact, &button))
    gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->color_button), &exact);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR]);
}

gboolean
stepwise_palette_get_monochrome (StepwisePalette *self)
{
  g_return_val_if_fail (STEPWISE_IS_PALETTE (self), FALSE);
  return self->monochrome;
}

void
stepwise_palette_set_monochrome (StepwisePalette *self, gboolean monochrome)
{
  g_return_if_fail (STEPWISE_IS_PALETTE (self));
  monochrome = !!monochrome;
  if (self->monochrome == monochrome)
    return;
  self->monochrome = monochrome;
  guint i = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->swatch_box)); child;
       child = gtk_widget_get_next_sibling (child), i++)
    gtk_widget_set_visible (child, shown (self, i));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONOCHROME]);
}

GStrv
stepwise_palette_get_swatches (StepwisePalette *self)
{
  g_return_val_if_fail (STEPWISE_IS_PALETTE (self), NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (guint i = 0; i < G_N_ELEMENTS (swatches); i++)
    if (shown (self, i))
      g_strv_builder_add (builder, swatches[i].color);
  return g_strv_builder_end (builder);
}

/* the swatch STEP places from the current colour's, among those shown;
 * from a colour that is no swatch, the first (or the last, going back) */
static void
cycle (StepwisePalette *self, int step)
{
  g_auto (GStrv) colors = stepwise_palette_get_swatches (self);
  const int n = (int) g_strv_length (colors);
  int at = -1;
  for (int i = 0; i < n; i++)
    if (g_str_equal (colors[i], self->color))
      at = i;
  const int next = at < 0 ? (step > 0 ? 0 : n - 1) : ((at + step) % n + n) % n;
  stepwise_palette_set_color (self, colors[next]);
}

static void
action_next (GtkWidget *widget, const char *name, GVariant *param)
{
  cycle (STEPWISE_PALETTE (widget), 1);
}

static void
action_previous (GtkWidget *widget, const char *name, GVariant *param)
{
  cycle (STEPWISE_PALETTE (widget), -1);
}

static void
on_color_set (StepwisePalette *self)
{
  GdkRGBA rgba;
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (self->color_button), &rgba);
  stepwise_palette_set_rgba (self, &rgba);
}

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  GdkRGBA rgba;
  gdk_rgba_parse (&rgba, data);
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  gdk_cairo_set_source_rgba (cr, &rgba);
  cairo_fill_preserve (cr);
  /* a thin outline, so white shows on a light theme and black on a dark */
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.6);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
add_swatches (StepwisePalette *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (swatches); i++)
    {
      GtkWidget *area = gtk_drawing_area_new ();
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 16);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 16);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_swatch, (gpointer) swatches[i].color, NULL);
      GtkWidget *button = gtk_toggle_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), area);
      gtk_widget_add_css_class (button, "swatch");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _(swatches[i].name));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "palette.color");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", swatches[i].color);
      gtk_flow_box_append (self->swatch_box, button);
    }
}

static void
add_shortcuts (StepwisePalette *self)
{
  /* window-wide, as the canvas's: a focused entry still gets typed dots
   * and commas first */
  static const struct { const char *trigger, *action; } shortcuts[] = {
    { "period", "palette.next" },
    { "comma", "palette.previous" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (shortcuts[i].trigger),
                                                            gtk_named_action_new (shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
stepwise_palette_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwisePalette *self = STEPWISE_PALETTE (object);
  switch (prop_id)
    {
    case PROP_COLOR:
      g_value_set_string (value, self->color);
      break;
    case PROP_MONOCHROME:
      g_value_set_boolean (value, self->monochrome);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_palette_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StepwisePalette *self = STEPWISE_PALETTE (object);
  switch (prop_id)
    {
    case PROP_COLOR:
      stepwise_palette_set_color (self, g_value_get_string (value));
      break;
    case PROP_MONOCHROME:
      stepwise_palette_set_monochrome (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_palette_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), STEPWISE_TYPE_PALETTE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (stepwise_palette_parent_class)->dispose (object);
}

static void
stepwise_palette_finalize (GObject *object)
{
  g_free (STEPWISE_PALETTE (object)->color);
  G_OBJECT_CLASS (stepwise_palette_parent_class)->finalize (object);
}

static void
stepwise_palette_class_init (StepwisePaletteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stepwise_palette_dispose;
  object_class->finalize = stepwise_palette_finalize;
  object_class->get_property = stepwise_palette_get_property;
  object_class->set_property = stepwise_palette_set_property;

  properties[PROP_COLOR] =
    g_param_spec_string ("color", NULL, NULL, "#000000",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MONOCHROME] =
    g_param_spec_boolean ("monochrome", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-palette.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwisePalette, color_button);
  gtk_widget_class_bind_template_child (widget_class, StepwisePalette, swatch_box);
  gtk_widget_class_bind_template_callback (widget_class, on_color_set);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "palette");

  gtk_widget_class_install_property_action (widget_class, "palette.color", "color");
  gtk_widget_class_install_action (widget_class, "palette.next", NULL, action_next);
  gtk_widget_class_install_action (widget_class, "palette.previous", NULL, action_previous);
}

static void
stepwise_palette_init (StepwisePalette *self)
{
  self->color = g_strdup ("#000000");
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->color_button), &(GdkRGBA) { 0, 0, 0, 1 });
  add_swatches (self);
  add_shortcuts (self);
}

GtkWidget *
stepwise_palette_new (void)
{
  return g_object_new (STEPWISE_TYPE_PALETTE, NULL);
}
