#include "models/model-config.h"

#include <math.h>
#include <string.h>

#include "base/error.h"

const char *
sw_objective_name (SwObjective o)
{
  switch (o)
    {
    case SW_OBJECTIVE_DENOISE: return "denoise";
    case SW_OBJECTIVE_PURE_NOISE: return "pure-noise";
    case SW_OBJECTIVE_FLOW: return "flow";
    case SW_OBJECTIVE_DDPM: return "ddpm";
    case SW_OBJECTIVE_EPS_COSINE: return "eps-cosine";
    case SW_OBJECTIVE_V_COSINE: return "v-cosine";
    default: return "?";
    }
}

static gboolean
objective_from_name (const char *s, SwObjective *o)
{
  for (int i = SW_OBJECTIVE_DENOISE; i <= SW_OBJECTIVE_V_COSINE; i++)
    if (g_strcmp0 (s, sw_objective_name (i)) == 0)
      {
        *o = i;
        return TRUE;
      }
  return FALSE;
}

int
sw_model_config_sample_steps (const SwModelConfig *c)
{
  return c->objective == SW_OBJECTIVE_DDPM ? c->T : c->sample_steps;
}

gboolean
sw_model_config_validate (const SwModelConfig *c, GError **error)
{
  SW_CHECK (c->D >= 1 && c->D <= 1024, "D = %d is out of range; accepted: 1 to 1024", c->D);
  SW_CHECK (c->cond == SW_COND_COURSE
            || ((c->cond == SW_COND_EVERY || c->cond == SW_COND_FILM) && c->variant == SW_UNET_CLASS),
            "conditioning points “%s” do not fit the recipe “%s” (a %s UNet); accepted: course%s",
            sw_cond_points_name (c->cond), c->name, sw_unet_variant_name (c->variant),
            c->variant == SW_UNET_CLASS ? ", every, film" : "");
  SW_CHECK (c->embed == 0 || (c->embed >= 1 && c->embed <= 4096 && c->variant == SW_UNET_CLASS),
            "word embedding width %d does not fit the recipe “%s” (a %s UNet); accepted: 0 (none)%s",
            c->embed, c->name, sw_unet_variant_name (c->variant),
            c->variant == SW_UNET_CLASS ? ", or 1 to 4096" : "");
  SW_CHECK (c->sigma >= 0.0f && c->sigma <= 10.0f, "sigma %g is out of range; accepted: 0 to 10", c->sigma);
  SW_CHECK (c->T >= 2 && c->T <= 10000, "T = %d is out of range; accepted: 2 to 10000", c->T);
  SW_CHECK (c->beta1 > 0.0f && c->beta1 <= c->beta2 && c->beta2 < 1.0f,
            "betas %g..%g are out of range; accepted: 0 < beta1 <= beta2 < 1", c->beta1, c->beta2);
  SW_CHECK (c->sample_steps >= 1 && c->sample_steps <= 10000,
            "sampling steps %d out of range; accepted: 1 to 10000", c->sample_steps);
  SW_CHECK ((c->objective != SW_OBJECTIVE_EPS_COSINE && c->objective != SW_OBJECTIVE_V_COSINE)
            || c->sample_steps <= c->T - 1,
            "sampling steps %d out of range for T = %d; accepted: 1 to %d", c->sample_steps, c->T, c->T - 1);
  SW_CHECK (c->guidance >= 0.0f && c->guidance <= 100.0f,
            "guidance %g is out of range; accepted: 0 to 100", c->guidance);
  SW_CHECK (c->word_noise >= 0.0f && c->word_noise <= 1.0f,
            "word noise %g is out of range; accepted: 0 (none) to 1", c->word_noise);
  SW_CHECK (strcmp (c->dataset, "digits") == 0 || strcmp (c->dataset, "fashion") == 0
            || strcmp (c->dataset, "emoji") == 0 || strcmp (c->dataset, "emoji64") == 0
            || strcmp (c->dataset, "emoji16") == 0,
            "dataset “%s” is unknown; known datasets: digits, fashion, emoji, emoji64, emoji16",
            c->dataset);
  return TRUE;
}

/* ---------------------------------------------------------- metadata */

void
sw_recipe_meta_put (GPtrArray *a, const char *field, char *value)
{
  g_ptr_array_add (a, g_strconcat ("recipe.", field, NULL));
  g_ptr_array_add (a, value);
}

void
sw_model_config_to_meta (const SwModelConfig *c, GPtrArray *a)
{
  sw_recipe_meta_put (a, "name", g_strdup (c->name));
  sw_recipe_meta_put (a, "dataset", g_strdup (c->dataset));
  sw_recipe_meta_put (a, "objective", g_strdup (sw_objective_name (c->objective)));
  sw_recipe_meta_put (a, "D", g_strdup_printf ("%d", c->D));
  sw_recipe_meta_put (a, "sigma", g_strdup_printf ("%.9g", c->sigma));
  sw_recipe_meta_put (a, "T", g_strdup_printf ("%d", c->T));
  sw_recipe_meta_put (a, "beta1", g_strdup_printf ("%.9g", c->beta1));
  sw_recipe_meta_put (a, "beta2", g_strdup_printf ("%.9g", c->beta2));
  sw_recipe_meta_put (a, "sample_steps", g_strdup_printf ("%d", c->sample_steps));
  sw_recipe_meta_put (a, "guidance", g_strdup_printf ("%.9g", c->guidance));
  if (c->word_noise > 0.0f)
    sw_recipe_meta_put (a, "word_noise", g_strdup_printf ("%.9g", c->word_noise));
}

const char *
sw_recipe_meta_string (GHashTable *meta, const char *field, GError **error)
{
  g_autofree char *key = g_strconcat ("recipe.", field, NULL);
  const char *v = g_hash_table_lookup (meta, key);
  if (!v)
    g_set_error (error, SW_ERROR, SW_ERROR_FORMAT, "metadata field “%s” is missing", key);
  return v;
}

gboolean
sw_recipe_meta_int (GHashTable *meta, const char *field, int *out, GError **error)
{
  const char *v = sw_recipe_meta_string (meta, field, error);
  gint64 i;
  if (!v)
    return FALSE;
  if (!g_ascii_string_to_signed (v, 10, G_MININT, G_MAXINT, &i, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.%s” is “%s”; accepted: an integer", field, v);
      return FALSE;
    }
  *out = (int) i;
  return TRUE;
}

gboolean
sw_recipe_meta_float (GHashTable *meta, const char *field, float *out, GError **error)
{
  const char *v = sw_recipe_meta_string (meta, field, error);
  char *end;
  if (!v)
    return FALSE;
  double d = g_ascii_strtod (v, &end);
  if (end == v || *end || !isfinite (d))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.%s” is “%s”; accepted: a number", field, v);
      return FALSE;
    }
  *out = (float) d;
  return TRUE;
}

gboolean
sw_model_config_from_meta (GHashTable *meta, SwModelConfig *c, GError **error)
{
  const char *name, *dataset, *objective;
  memset (c, 0, sizeof *c);
  if (!(name = sw_recipe_meta_string (meta, "name", error))
      || !(dataset = sw_recipe_meta_string (meta, "dataset", error))
      || !(objective = sw_recipe_meta_string (meta, "objective", error))
      || !sw_recipe_meta_int (meta, "D", &c->D, error)
      || !sw_recipe_meta_float (meta, "sigma", &c->sigma, error)
      || !sw_recipe_meta_int (meta, "T", &c->T, error)
      || !sw_recipe_meta_float (meta, "beta1", &c->beta1, error)
      || !sw_recipe_meta_float (meta, "beta2", &c->beta2, error)
      || !sw_recipe_meta_int (meta, "sample_steps", &c->sample_steps, error)
      || !sw_recipe_meta_float (meta, "guidance", &c->guidance, error)
      || (g_hash_table_contains (meta, "recipe.word_noise")
          && !sw_recipe_meta_float (meta, "word_noise", &c->word_noise, error)))
    return FALSE;
  if (!objective_from_name (objective, &c->objective))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "metadata field “recipe.objective” is “%s”; accepted: denoise, pure-noise, flow, ddpm, eps-cosine, v-cosine",
                   objective);
      return FALSE;
    }
  g_strlcpy (c->name, name, sizeof c->name);
  g_strlcpy (c->dataset, dataset, sizeof c->dataset);
  return sw_model_config_validate (c, error);
}
