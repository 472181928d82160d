/* stepwise-palette.h: the brush's colours (issue 24) — a row of swatches
 * chosen for drawing emoji (black, greys, white, the emoji yellow, a skin
 * tone, red, orange, brown, pink, purple, blue, sky blue, green) and the
 * current colour, a button that opens the full chooser for any other.
 *
 * The colour is the "color" property, a "#rrggbb" string, so the window
 * binds it to its GSettings key as it is.  Commands are actions of the
 * "palette" group: palette.color (stateful, a swatch's "#rrggbb": the
 * swatches are its radio buttons), palette.next and palette.previous (the
 * next or previous swatch, with window-wide shortcuts "." and ",").
 * Monochrome, for a grey model, it shows the grey swatches alone. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_PALETTE (stepwise_palette_get_type ())
G_DECLARE_FINAL_TYPE (StepwisePalette, stepwise_palette, STEPWISE, PALETTE, GtkWidget)

GtkWidget  *stepwise_palette_new            (void);

/* "#rrggbb"; setting a string GDK cannot parse changes nothing */
const char *stepwise_palette_get_color      (StepwisePalette *self);
void        stepwise_palette_set_color      (StepwisePalette *self, const char *color);
void        stepwise_palette_get_rgba       (StepwisePalette *self, GdkRGBA *rgba);
void        stepwise_palette_set_rgba       (StepwisePalette *self, const GdkRGBA *rgba);

gboolean    stepwise_palette_get_monochrome (StepwisePalette *self);
void        stepwise_palette_set_monochrome (StepwisePalette *self, gboolean monochrome);

/* the swatches shown, in order: "#rrggbb" each, NULL-terminated */
GStrv       stepwise_palette_get_swatches   (StepwisePalette *self);

G_END_DECLS
