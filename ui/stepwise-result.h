/* stepwise-result.h: a finished image and the settings of the job that
 * made it, as the history keeps it and as a PNG carries it.
 *
 * The settings are string pairs under the SW_JOB_KEY_* keys
 * (diffusion/job-settings.h); a PNG stores them as text chunks
 * (io/png.h), so any saved picture can be made again exactly. */
#pragma once

#include <gio/gio.h>

#include "stepwise-trajectory.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_RESULT (stepwise_result_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseResult, stepwise_result, STEPWISE, RESULT, GObject)

/* PIXELS: (C, H, W) floats in [-1, 1]; META: key -> value (referenced) */
StepwiseResult *stepwise_result_new         (GBytes *pixels, int channels, int height, int width,
                                             GHashTable *meta);
/* A PNG written by stepwise_result_to_png (or any square PNG with
 * Stepwise's settings in it, such as stepwise-cli generate --plain's); an
 * error when it has none or one of them is not valid, and
 * G_IO_ERROR_NOT_SUPPORTED when its settings are sound but it is not one
 * square image (a table of images stepwise-cli wrote). */
StepwiseResult *stepwise_result_new_from_png (const guint8 *data, gsize len, const char *name_for_errors,
                                              GError **error);
/* the image SCALE times its own size (each pixel a SCALE x SCALE square:
 * nearest neighbour), with the settings as text chunks */
GBytes         *stepwise_result_to_png      (StepwiseResult *self, int scale, GError **error);

GBytes         *stepwise_result_get_pixels   (StepwiseResult *self);
int             stepwise_result_get_channels (StepwiseResult *self);
int             stepwise_result_get_height   (StepwiseResult *self);
int             stepwise_result_get_width    (StepwiseResult *self);
GHashTable     *stepwise_result_get_meta     (StepwiseResult *self);
/* the value of KEY, or "" */
const char     *stepwise_result_lookup       (StepwiseResult *self, const char *key);
/* a line for tooltips: mode, prompt(s), seed */
char           *stepwise_result_describe     (StepwiseResult *self);
/* the history's file name for it, or NULL */
const char     *stepwise_result_get_file_name (StepwiseResult *self);
void            stepwise_result_set_file_name (StepwiseResult *self, const char *name);
/* the steps of the job that made it, kept in memory while the app runs;
 * NULL for a result read from a file */
StepwiseTrajectory *stepwise_result_get_trajectory (StepwiseResult *self);
void            stepwise_result_set_trajectory (StepwiseResult *self, StepwiseTrajectory *trajectory);

G_END_DECLS
