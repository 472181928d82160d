#include "models/prompt-classes.h"

#include <string.h>

struct _SwPromptClasses {
  GPtrArray *classes;   /* of GStrv: each class's phrases, as written */
};

static const char * const fashion_phrases[] = {
  "a t-shirt|a top|a tee|a tshirt",
  "trousers|a trouser|pants|jeans",
  "a pullover|a sweater|a jumper",
  "a dress",
  "a coat|a jacket",
  "a sandal|sandals",
  "a shirt|a blouse",
  "a sneaker|sneakers|a trainer|a running shoe",
  "a bag|a handbag|a purse",
  "an ankle boot|a boot|boots",
  NULL,
};

static const char * const digit_phrases[] = {
  "zero|0", "one|1", "two|2", "three|3", "four|4",
  "five|5", "six|6", "seven|7", "eight|8", "nine|9", NULL,
};

static SwPromptClasses *
from_lines (const char * const *lines)
{
  SwPromptClasses *pc = g_new0 (SwPromptClasses, 1);
  pc->classes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (; *lines; lines++)
    g_ptr_array_add (pc->classes, g_strsplit (*lines, "|", -1));
  return pc;
}

SwPromptClasses *
sw_prompt_classes_for_dataset (const char *dataset, GError **error)
{
  if (g_strcmp0 (dataset, "fashion") == 0)
    return from_lines (fashion_phrases);
  if (g_strcmp0 (dataset, "digits") == 0)
    return from_lines (digit_phrases);
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "no prompts are known for the dataset “%s”; known: digits, fashion",
               dataset ? dataset : "");
  return NULL;
}

void
sw_prompt_classes_free (SwPromptClasses *pc)
{
  if (!pc)
    return;
  g_ptr_array_unref (pc->classes);
  g_free (pc);
}

int
sw_prompt_classes_count (const SwPromptClasses *pc)
{
  return (int) pc->classes->len;
}

const char *
sw_prompt_classes_name (const SwPromptClasses *pc, int k)
{
  g_return_val_if_fail (k >= 0 && k < (int) pc->classes->len, NULL);
  return ((char **) g_ptr_array_index (pc->classes, k))[0];
}

char **
sw_prompt_classes_phrases (const SwPromptClasses *pc)
{
  GPtrArray *all = g_ptr_array_new ();
  for (guint k = 0; k < pc->classes->len; k++)
    for (char **p = g_ptr_array_index (pc->classes, k); *p; p++)
      g_ptr_array_add (all, g_strdup (*p));
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (all, FALSE);
}

char *
sw_prompt_classes_to_meta (const SwPromptClasses *pc)
{
  GString *s = g_string_new (NULL);
  for (guint k = 0; k < pc->classes->len; k++)
    {
      g_autofree char *line = g_strjoinv ("|", g_ptr_array_index (pc->classes, k));
      g_string_append_printf (s, "%s%s", k ? ";" : "", line);
    }
  return g_string_free (s, FALSE);
}

/* lower case, punctuation to spaces (keeping '-' and '/'), single spaces,
 * without a leading "a photo of" and article */
static char *
normalise (const char *prompt)
{
  GString *s = g_string_new (NULL);
  gboolean space = TRUE;
  for (const char *p = prompt; *p; p++)
    {
      char c = g_ascii_tolower (*p);
      if (g_ascii_isalnum (c) || c == '-' || c == '/' || (guchar) c >= 0x80)
        {
          g_string_append_c (s, c);
          space = FALSE;
        }
      else if (!space)
        {
          g_string_append_c (s, ' ');
          space = TRUE;
        }
    }
  if (s->len && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  static const char * const prefixes[] = {
    "a photo of ", "a picture of ", "an image of ", "a drawing of ", "a ", "an ", "the ", NULL,
  };
  for (const char * const *pre = prefixes; *pre; pre++)
    if (g_str_has_prefix (s->str, *pre))
      g_string_erase (s, 0, (gssize) strlen (*pre));
  return g_string_free (s, FALSE);
}

int
sw_prompt_classes_lookup (const SwPromptClasses *pc, const char *prompt, GError **error)
{
  g_autofree char *want = normalise (prompt ? prompt : "");
  if (!*want)
    return -1;
  for (guint k = 0; k < pc->classes->len; k++)
    for (char **p = g_ptr_array_index (pc->classes, k); *p; p++)
      {
        g_autofree char *have = normalise (*p);
        if (strcmp (want, have) == 0)
          return (int) k;
      }
  g_auto (GStrv) all = sw_prompt_classes_phrases (pc);
  g_autofree char *known = g_strjoinv (", ", all);
  g_autofree char *quoted = sw_error_quote (prompt);
  g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
               "unknown prompt “%s”; this model knows: %s (or the empty prompt, "
               "for no class)", quoted, known);
  return -2;
}

SwPromptClasses *
sw_prompt_classes_parse (const char *meta, int n_classes, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (meta ? meta : "", ";", -1);
  if ((int) g_strv_length (lines) != n_classes)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "prompt.classes lists %u classes but the model has %d",
                   g_strv_length (lines), n_classes);
      return NULL;
    }
  for (int k = 0; k < n_classes; k++)
    {
      g_auto (GStrv) phrases = g_strsplit (lines[k], "|", -1);
      for (char **p = phrases; *p; p++)
        {
          g_autofree char *n = normalise (*p);
          if (!*n || !g_utf8_validate (*p, -1, NULL))
            {
              g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                           "prompt.classes has an empty or invalid phrase for class %d; "
                           "expected phrases joined by '|' and classes by ';'", k);
              return NULL;
            }
        }
    }
  return from_lines ((const char * const *) lines);
}
