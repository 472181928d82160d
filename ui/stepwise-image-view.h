/* stepwise-image-view.h: a model-sized image drawn crisp, every pixel a
 * square (nearest-neighbour scaling), centred and as large as fits. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_IMAGE_VIEW (stepwise_image_view_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseImageView, stepwise_image_view, STEPWISE, IMAGE_VIEW, GtkWidget)

GtkWidget *stepwise_image_view_new   (void);
/* PIXELS holds (C, H, W) floats in [-1, 1] (shown as x/2 + 1/2, clamped);
 * C is 1 (grey) or 3 (RGB).  NULL clears the view. */
void       stepwise_image_view_set_pixels (StepwiseImageView *self, GBytes *pixels,
                                           int channels, int height, int width);
gboolean   stepwise_image_view_has_image  (StepwiseImageView *self);
/* the shown image's width and height in pixels; FALSE (0 x 0) when empty */
gboolean   stepwise_image_view_get_size   (StepwiseImageView *self, int *width, int *height);

G_END_DECLS
