/* stepwise-result.h: a finished image and the settings of the job that
 * made it, as the history keeps it and as a PNG carries it.
 *
 * The settings are string pairs under the STEPWISE_META_* keys; a PNG
 * stores them as text chunks (stepwise-png.h), so any saved picture can be
 * made again exactly. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define STEPWISE_META_SOFTWARE "Software"
#define STEPWISE_META_MODEL    "stepwise.model"      /* the model's file name */
#define STEPWISE_META_MODE     "stepwise.mode"       /* stepwise_result_mode_names () */
#define STEPWISE_META_PROMPT   "stepwise.prompt"
#define STEPWISE_META_PROMPT2  "stepwise.prompt2"    /* anagram and hybrid */
#define STEPWISE_META_VIEW     "stepwise.view"       /* the anagram's: flip, rotate180, negate */
#define STEPWISE_META_SEED     "stepwise.seed"
#define STEPWISE_META_STEPS    "stepwise.steps"
#define STEPWISE_META_GUIDANCE "stepwise.guidance"
#define STEPWISE_META_I_START  "stepwise.i_start"
#define STEPWISE_META_CHANNELS "stepwise.channels"
#define STEPWISE_META_CREATED  "stepwise.created"    /* ISO 8601 */

#define STEPWISE_TYPE_RESULT (stepwise_result_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseResult, stepwise_result, STEPWISE, RESULT, GObject)

/* the modes' names in the metadata, in StepwiseMode order, NULL-terminated */
const char * const *stepwise_result_mode_names (void);
const char * const *stepwise_result_view_names (void);
/* the index of NAME in NAMES, or -1 */
int             stepwise_result_name_index  (const char * const *names, const char *name);

/* PIXELS: (C, H, W) floats in [-1, 1]; META: key -> value (referenced) */
StepwiseResult *stepwise_result_new         (GBytes *pixels, int channels, int height, int width,
                                             GHashTable *meta);
/* A PNG written by stepwise_result_to_png (or any square PNG with
 * Stepwise's settings in it); an error when it has none. */
StepwiseResult *stepwise_result_new_from_png (const guint8 *data, gsize len, const char *name_for_errors,
                                              GError **error);
/* the image at its own size, with the settings as text chunks */
GBytes         *stepwise_result_to_png      (StepwiseResult *self, GError **error);

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

G_END_DECLS
