/* job-settings.c: a job's settings <-> text pairs.  Numbers are written
 * in the C locale (g_ascii_*) so that a picture saved in one language
 * opens in every other. */
#include "diffusion/job-settings.h"

#include "base/error.h"

const char * const *
sw_job_mode_names (void)
{
  static const char * const names[] = { "generate", "sdedit", "inpaint", "anagram", "hybrid",
                                        "denoise-lab", NULL };
  return names;
}

const char * const *
sw_view_names (void)
{
  static const char * const names[] = { "flip", "rotate180", "negate", NULL };
  return names;
}

void
sw_job_settings_init (SwJobSettings *s, SwJobMode mode, const SwJob *job, const char *model_path,
                      int channels)
{
  *s = (SwJobSettings) {
    .mode = mode, .model = model_path, .view = job->view, .seed = job->seed, .steps = job->steps,
    .guidance = job->guidance, .i_start = job->i_start, .channels = channels,
  };
}

GHashTable *
sw_job_settings_to_text (const SwJobSettings *s, const char *software, GDateTime *created)
{
  GHashTable *text = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_hash_table_insert (text, SW_JOB_KEY_SOFTWARE, g_strdup (software));
  if (s->model)
    g_hash_table_insert (text, SW_JOB_KEY_MODEL, g_path_get_basename (s->model));
  g_hash_table_insert (text, SW_JOB_KEY_MODE, g_strdup (sw_job_mode_names ()[s->mode]));
  g_hash_table_insert (text, SW_JOB_KEY_PROMPT, g_strdup (s->prompt ? s->prompt : ""));
  if (s->mode == SW_JOB_MODE_ANAGRAM || s->mode == SW_JOB_MODE_HYBRID)
    g_hash_table_insert (text, SW_JOB_KEY_PROMPT2, g_strdup (s->prompt2 ? s->prompt2 : ""));
  if (s->mode == SW_JOB_MODE_ANAGRAM)
    g_hash_table_insert (text, SW_JOB_KEY_VIEW, g_strdup (sw_view_names ()[s->view]));
  g_hash_table_insert (text, SW_JOB_KEY_SEED, g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) s->seed));
  g_hash_table_insert (text, SW_JOB_KEY_STEPS, g_strdup_printf ("%d", s->steps));
  g_hash_table_insert (text, SW_JOB_KEY_GUIDANCE, g_strdup (g_ascii_dtostr (number, sizeof number, s->guidance)));
  g_hash_table_insert (text, SW_JOB_KEY_I_START, g_strdup_printf ("%d", s->i_start));
  g_hash_table_insert (text, SW_JOB_KEY_CHANNELS, g_strdup_printf ("%d", s->channels));
  if (s->sr_model)
    {
      g_hash_table_insert (text, SW_JOB_KEY_SR_MODEL, g_path_get_basename (s->sr_model));
      g_hash_table_insert (text, SW_JOB_KEY_SR_STEPS, g_strdup_printf ("%d", s->sr_steps));
      g_hash_table_insert (text, SW_JOB_KEY_SR_GUIDANCE,
                           g_strdup (g_ascii_dtostr (number, sizeof number, s->sr_guidance)));
      g_hash_table_insert (text, SW_JOB_KEY_SR_NOISE, g_strdup_printf ("%d", s->sr_level));
      g_hash_table_insert (text, SW_JOB_KEY_SR_FROM, g_strdup_printf ("%d", s->sr_from));
    }
  if (created)
    g_hash_table_insert (text, SW_JOB_KEY_CREATED, g_date_time_format_iso8601 (created));
  return text;
}

/* VALUE's index in NAMES, or an error listing them */
static gboolean
read_name (const char *key, const char *value, const char * const *names, int *out, GError **error)
{
  for (int i = 0; names[i]; i++)
    if (g_str_equal (names[i], value))
      {
        *out = i;
        return TRUE;
      }
  g_autofree char *accepted = g_strjoinv (", ", (char **) names);
  g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "%s “%s” is unknown; accepted: %s", key, value, accepted);
  return FALSE;
}

static gboolean
read_int (const char *key, const char *value, int min, int max, int *out, GError **error)
{
  gint64 n;
  if (!g_ascii_string_to_signed (value, 10, min, max, &n, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "%s “%s” is not a whole number from %d to %d",
                   key, value, min, max);
      return FALSE;
    }
  *out = (int) n;
  return TRUE;
}

static gboolean
read_guidance (const char *key, const char *value, float *out, GError **error)
{
  char *end;
  const double g = g_ascii_strtod (value, &end);
  if (!*value || *end || !(g >= 0.0 && g <= 100.0))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "%s “%s” is not a number from 0 to 100", key, value);
      return FALSE;
    }
  *out = (float) g;
  return TRUE;
}

gboolean
sw_job_settings_from_text (GHashTable *text, SwJobSettings *settings, GError **error)
{
  SwJobSettings s = *settings;
  const char *value = g_hash_table_lookup (text, SW_JOB_KEY_MODE);
  int n;
  if (!value)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "no %s: these are not a Stepwise job's settings",
                   SW_JOB_KEY_MODE);
      return FALSE;
    }
  if (!read_name (SW_JOB_KEY_MODE, value, sw_job_mode_names (), &n, error))
    return FALSE;
  s.mode = (SwJobMode) n;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_MODEL)))
    s.model = value;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_PROMPT)))
    s.prompt = value;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_PROMPT2)))
    s.prompt2 = value;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_VIEW)))
    {
      if (!read_name (SW_JOB_KEY_VIEW, value, sw_view_names (), &n, error))
        return FALSE;
      s.view = (SwView) n;
    }
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SEED)))
    {
      guint64 seed;
      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seed, NULL))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "%s “%s” is not a whole number, 0 or more",
                       SW_JOB_KEY_SEED, value);
          return FALSE;
        }
      s.seed = seed;
    }
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_STEPS))
      && !read_int (SW_JOB_KEY_STEPS, value, 1, 999, &s.steps, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_I_START))
      && !read_int (SW_JOB_KEY_I_START, value, 0, 998, &s.i_start, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_CHANNELS)))
    {
      static const char * const channels[] = { "1", "3", NULL };
      if (!read_name (SW_JOB_KEY_CHANNELS, value, channels, &n, error))
        return FALSE;
      s.channels = n ? 3 : 1;
    }
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_GUIDANCE))
      && !read_guidance (SW_JOB_KEY_GUIDANCE, value, &s.guidance, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SR_MODEL)))
    s.sr_model = value;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SR_STEPS))
      && !read_int (SW_JOB_KEY_SR_STEPS, value, 1, 999, &s.sr_steps, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SR_GUIDANCE))
      && !read_guidance (SW_JOB_KEY_SR_GUIDANCE, value, &s.sr_guidance, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SR_NOISE))
      && !read_int (SW_JOB_KEY_SR_NOISE, value, 0, 999, &s.sr_level, error))
    return FALSE;
  if ((value = g_hash_table_lookup (text, SW_JOB_KEY_SR_FROM))
      && !read_int (SW_JOB_KEY_SR_FROM, value, 0, 999, &s.sr_from, error))
    return FALSE;
  *settings = s;
  return TRUE;
}
