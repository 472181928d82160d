/* stepwise-result.c: pixels, their size and the job's settings; a PNG is
 * the settings in text chunks around the 8-bit image. */
#include "config.h"

#include "stepwise-result.h"

#include <glib/gi18n.h>

#include "diffusion/job-settings.h"
#include "io/image-io.h"
#include "io/png.h"

struct _StepwiseResult
{
  GObject     parent_instance;
  GBytes     *pixels;
  int         channels, height, width;
  GHashTable *meta;
  char       *file_name;
  StepwiseTrajectory *trajectory;   /* the job's steps, when this run made it */
};

G_DEFINE_FINAL_TYPE (StepwiseResult, stepwise_result, G_TYPE_OBJECT)

StepwiseResult *
stepwise_result_new (GBytes *pixels, int channels, int height, int width, GHashTable *meta)
{
  g_return_val_if_fail (pixels != NULL && meta != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (pixels) == sizeof (float) * channels * height * width, NULL);
  StepwiseResult *self = g_object_new (STEPWISE_TYPE_RESULT, NULL);
  self->pixels = g_bytes_ref (pixels);
  self->channels = channels;
  self->height = height;
  self->width = width;
  self->meta = g_hash_table_ref (meta);
  return self;
}

StepwiseResult *
stepwise_result_new_from_png (const guint8 *data, gsize len, const char *name, GError **error)
{
  int width, height, png_channels;
  g_autoptr (GHashTable) meta = sw_png_read_text (data, len, &width, &height, &png_channels, error);
  if (!meta)
    return NULL;
  if (!g_hash_table_contains (meta, SW_JOB_KEY_MODE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s holds no Stepwise settings"), name);
      return NULL;
    }
  SwJobSettings settings = { .channels = png_channels >= 3 ? 3 : 1 };
  if (!sw_job_settings_from_text (meta, &settings, error))
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }
  const int channels = settings.channels;
  /* saved upscaled: each model pixel a SCALE × SCALE square, which the
   * area resize below turns back into that pixel */
  const char *scale_text = g_hash_table_lookup (meta, SW_JOB_KEY_SCALE);
  gint64 scale = 1;
  if (scale_text && (!g_ascii_string_to_signed (scale_text, 10, 1, 64, &scale, NULL)
                     || width % scale != 0 || height % scale != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: “%s” is “%s”; accepted: a whole number from 1 to 64 that divides "
                     "the image's %d×%d pixels"), name, SW_JOB_KEY_SCALE, scale_text, width, height);
      return NULL;
    }
  if (width != height || width < SW_IMAGE_MIN_SIZE || width > SW_IMAGE_MAX_SIZE)
    {
      /* its settings are sound: a table of images stepwise-cli wrote */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is not a Stepwise result: it is %d×%d pixels"), name, width, height);
      return NULL;
    }
  const int side = width / (int) scale;
  g_autofree float *pixels = sw_image_decode (data, len, channels, side, name, error);
  if (!pixels)
    return NULL;
  g_hash_table_remove (meta, SW_JOB_KEY_SCALE);
  const gsize size = sizeof (float) * channels * side * side;
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&pixels), size);
  return stepwise_result_new (bytes, channels, side, side, meta);
}

GBytes *
stepwise_result_to_png (StepwiseResult *self, int scale, GError **error)
{
  g_return_val_if_fail (STEPWISE_IS_RESULT (self), NULL);
  g_return_val_if_fail (scale >= 1, NULL);
  g_autofree guint8 *rgb = sw_png_pixels_from_image (g_bytes_get_data (self->pixels, NULL),
                                                     self->channels, self->height, self->width, scale);
  if (scale == 1)
    return sw_png_encode (rgb, self->width, self->height, self->channels, self->meta, error);
  /* the file says how big its pixels are, so it opens at the model's size */
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, self->meta);
  while (g_hash_table_iter_next (&it, &key, &value))
    g_hash_table_insert (meta, key, value);
  g_autofree char *scale_text = g_strdup_printf ("%d", scale);
  g_hash_table_insert (meta, (gpointer) SW_JOB_KEY_SCALE, scale_text);
  return sw_png_encode (rgb, self->width * scale, self->height * scale, self->channels, meta, error);
}

GBytes *
stepwise_result_get_pixels (StepwiseResult *self)
{
  return self->pixels;
}

int
stepwise_result_get_channels (StepwiseResult *self)
{
  return self->channels;
}

int
stepwise_result_get_height (StepwiseResult *self)
{
  return self->height;
}

int
stepwise_result_get_width (StepwiseResult *self)
{
  return self->width;
}

GHashTable *
stepwise_result_get_meta (StepwiseResult *self)
{
  return self->meta;
}

const char *
stepwise_result_lookup (StepwiseResult *self, const char *key)
{
  const char *value = g_hash_table_lookup (self->meta, key);
  return value ? value : "";
}

char *
stepwise_result_describe (StepwiseResult *self)
{
  const char *prompt = stepwise_result_lookup (self, SW_JOB_KEY_PROMPT);
  const char *prompt2 = stepwise_result_lookup (self, SW_JOB_KEY_PROMPT2);
  g_autofree char *prompts = *prompt2 ? g_strdup_printf ("“%s” + “%s”", prompt, prompt2)
                                      : g_strdup_printf ("“%s”", prompt);
  static const char *labels[] = { N_("Generate"), N_("Sketch → image"), N_("Inpaint"), N_("Anagram"),
                                  N_("Hybrid"), N_("Denoise lab") };
  SwJobSettings settings = { 0 };
  const gboolean known = sw_job_settings_from_text (self->meta, &settings, NULL);
  /* Translators: a result in the history: its mode, prompt(s), seed, steps */
  return g_strdup_printf (_("%s · %s · seed %s · %s steps"), known ? _(labels[settings.mode]) : "?",
                          prompts, stepwise_result_lookup (self, SW_JOB_KEY_SEED),
                          stepwise_result_lookup (self, SW_JOB_KEY_STEPS));
}

const char *
stepwise_result_get_file_name (StepwiseResult *self)
{
  return self->file_name;
}

void
stepwise_result_set_file_name (StepwiseResult *self, const char *name)
{
  g_free (self->file_name);
  self->file_name = g_strdup (name);
}

StepwiseTrajectory *
stepwise_result_get_trajectory (StepwiseResult *self)
{
  g_return_val_if_fail (STEPWISE_IS_RESULT (self), NULL);
  return self->trajectory;
}

void
stepwise_result_set_trajectory (StepwiseResult *self, StepwiseTrajectory *trajectory)
{
  g_return_if_fail (STEPWISE_IS_RESULT (self));
  if (trajectory)
    stepwise_trajectory_ref (trajectory);
  g_clear_pointer (&self->trajectory, stepwise_trajectory_unref);
  self->trajectory = trajectory;
}

static void
stepwise_result_finalize (GObject *object)
{
  StepwiseResult *self = STEPWISE_RESULT (object);
  g_clear_pointer (&self->pixels, g_bytes_unref);
  g_clear_pointer (&self->meta, g_hash_table_unref);
  g_free (self->file_name);
  g_clear_pointer (&self->trajectory, stepwise_trajectory_unref);
  G_OBJECT_CLASS (stepwise_result_parent_class)->finalize (object);
}

static void
stepwise_result_class_init (StepwiseResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stepwise_result_finalize;
}

static void
stepwise_result_init (StepwiseResult *self)
{
}
