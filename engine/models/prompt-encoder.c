#include "models/prompt-encoder.h"

#include <string.h>

struct _SwPromptEncoder {
  GPtrArray  *words;   /* of char *, index order */
  GHashTable *index;   /* word -> index + 1 */
};

static const char * const stop_words[] = {
  "a", "an", "the", "of", "with", "and", "or", "in", "on", "at", "to", "for", "from", "by",
  "photo", "photograph", "picture", "image", "drawing", "painting", "lithograph",
  "illustration", "emoji", NULL,
};

/* Words the emoji captions lack, and the caption words they mean; a target
 * missing from a model's vocabulary is skipped.  Only consulted for words
 * the vocabulary does not have. */
static const struct {
  const char *word, *targets;
} aliases[] = {
  { "campfire", "fire camping" },
  { "cheeseburger", "hamburger" },
  { "doggy", "dog" },
  { "grandfather", "old man" },
  { "grandma", "old woman" },
  { "grandmother", "old woman" },
  { "grandpa", "old man" },
  { "kitten", "cat" },
  { "kitty", "cat" },
  { "spaceship", "rocket" },
  { "sundown", "sunset" },
  { "waterfall", "water" },
};

gboolean
sw_prompt_is_stop_word (const char *word)
{
  return g_strv_contains (stop_words, word);
}

static gboolean
is_apostrophe (gunichar c)
{
  return c == '\'' || c == 0x2019;
}

char **
sw_prompt_words (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  g_autofree char *nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  g_autofree char *lower = g_utf8_strdown (nfc, -1);
  GPtrArray *out = g_ptr_array_new ();
  GString *w = g_string_new (NULL);
  gboolean after_apostrophe = FALSE;   /* the current word follows "x’" */
  glong len = 0;
  for (const char *p = lower;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c && g_unichar_isalnum (c))
        {
          g_string_append_unichar (w, c);
          len++;
          continue;
        }
      /* a word ends here */
      if (w->len && !(after_apostrophe && len == 1) && !sw_prompt_is_stop_word (w->str))
        g_ptr_array_add (out, g_strdup (w->str));
      after_apostrophe = w->len && is_apostrophe (c);
      g_string_truncate (w, 0);
      len = 0;
      if (!c)
        break;
    }
  g_string_free (w, TRUE);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static SwPromptEncoder *
from_words (GPtrArray *words)
{
  SwPromptEncoder *enc = g_new0 (SwPromptEncoder, 1);
  enc->words = words;
  enc->index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < words->len; i++)
    g_hash_table_insert (enc->index, g_ptr_array_index (words, i), GINT_TO_POINTER (i + 1));
  return enc;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

SwPromptEncoder *
sw_prompt_encoder_new (const char * const *captions, int n, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < n; i++)
    {
      g_auto (GStrv) words = sw_prompt_words (captions[i]);
      for (char **w = words; *w; w++)
        g_hash_table_add (seen, g_strdup (*w));
    }
  if (g_hash_table_size (seen) == 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "the captions hold no word to build a vocabulary from");
      return NULL;
    }
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, seen);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      g_ptr_array_add (words, key);
      g_hash_table_iter_steal (&it);
    }
  g_ptr_array_sort (words, compare_strings);
  return from_words (words);
}

SwPromptEncoder *
sw_prompt_encoder_parse (const char *meta, int size, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (meta ? meta : "", " ", -1);
  if ((int) g_strv_length (parts) != size)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                   "prompt.vocabulary lists %u words but the model's class vector is %d wide",
                   g_strv_length (parts), size);
      return NULL;
    }
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (int i = 0; i < size; i++)
    {
      /* a word must come back from the tokeniser as itself */
      g_auto (GStrv) again = g_utf8_validate (parts[i], -1, NULL) ? sw_prompt_words (parts[i]) : NULL;
      if (!again || g_strv_length (again) != 1 || strcmp (again[0], parts[i]) != 0
          || !g_hash_table_add (seen, parts[i]))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_FORMAT,
                       "prompt.vocabulary's word %d (“%s”) is empty, repeated, a stop word or "
                       "not a single lower-case word; expected distinct words joined by single "
                       "spaces", i + 1, again ? parts[i] : "not UTF-8");
          g_ptr_array_unref (words);
          return NULL;
        }
      g_ptr_array_add (words, g_strdup (parts[i]));
    }
  return from_words (words);
}

char *
sw_prompt_encoder_to_meta (const SwPromptEncoder *enc)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < enc->words->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (char *) g_ptr_array_index (enc->words, i));
  return g_string_free (s, FALSE);
}

void
sw_prompt_encoder_free (SwPromptEncoder *enc)
{
  if (!enc)
    return;
  g_hash_table_unref (enc->index);
  g_ptr_array_unref (enc->words);
  g_free (enc);
}

int
sw_prompt_encoder_size (const SwPromptEncoder *enc)
{
  return (int) enc->words->len;
}

const char *
sw_prompt_encoder_word (const SwPromptEncoder *enc, int i)
{
  g_return_val_if_fail (i >= 0 && i < (int) enc->words->len, NULL);
  return g_ptr_array_index (enc->words, i);
}

int
sw_prompt_encoder_index (const SwPromptEncoder *enc, const char *word)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (enc->index, word)) - 1;
}

/* the singular of a plural WORD whose singular is known, or -1 */
static int
singular (const SwPromptEncoder *enc, const char *word)
{
  static const struct {
    const char *suffix, *with;
  } rules[] = { { "ies", "y" }, { "es", "" }, { "s", "" } };
  size_t len = strlen (word);
  for (size_t r = 0; r < G_N_ELEMENTS (rules); r++)
    {
      size_t n = strlen (rules[r].suffix);
      if (len <= n + 1 || !g_str_has_suffix (word, rules[r].suffix))
        continue;
      g_autofree char *stem = g_strndup (word, len - n);
      g_autofree char *cand = g_strconcat (stem, rules[r].with, NULL);
      int k = sw_prompt_encoder_index (enc, cand);
      if (k >= 0)
        return k;
    }
  return -1;
}

/* the known words WORD means (itself, its singular, its alias's targets):
 * FALSE when none */
static gboolean
meaning (const SwPromptEncoder *enc, const char *word, GArray *out)
{
  int k = sw_prompt_encoder_index (enc, word);
  if (k < 0)
    k = singular (enc, word);
  if (k >= 0)
    {
      g_array_append_val (out, k);
      return TRUE;
    }
  for (size_t a = 0; a < G_N_ELEMENTS (aliases); a++)
    if (strcmp (aliases[a].word, word) == 0)
      {
        g_auto (GStrv) targets = g_strsplit (aliases[a].targets, " ", -1);
        for (char **t = targets; *t; t++)
          if ((k = sw_prompt_encoder_index (enc, *t)) >= 0)
            g_array_append_val (out, k);
      }
  return out->len > 0;
}

char **
sw_prompt_encoder_prompts (const SwPromptEncoder *enc)
{
  GPtrArray *all = g_ptr_array_new ();
  for (guint i = 0; i < enc->words->len; i++)
    g_ptr_array_add (all, g_strdup (g_ptr_array_index (enc->words, i)));
  g_autoptr (GArray) scratch = g_array_new (FALSE, FALSE, sizeof (int));
  for (size_t a = 0; a < G_N_ELEMENTS (aliases); a++)
    {
      g_array_set_size (scratch, 0);
      if (sw_prompt_encoder_index (enc, aliases[a].word) < 0
          && meaning (enc, aliases[a].word, scratch))
        g_ptr_array_add (all, g_strdup (aliases[a].word));
    }
  g_ptr_array_sort (all, compare_strings);
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (all, FALSE);
}

/* Levenshtein distance between two code-point strings */
static int
edit_distance (const gunichar *a, glong na, const gunichar *b, glong nb, int *row)
{
  for (glong j = 0; j <= nb; j++)
    row[j] = (int) j;
  for (glong i = 1; i <= na; i++)
    {
      int diag = row[0];
      row[0] = (int) i;
      for (glong j = 1; j <= nb; j++)
        {
          int up = row[j];
          int best = diag + (a[i - 1] != b[j - 1]);
          best = MIN (best, up + 1);
          best = MIN (best, row[j - 1] + 1);
          row[j] = best;
          diag = up;
        }
    }
  return row[nb];
}

/* "dog, ego, go": the 3 known words nearest WORD, nearest first, ties in
 * vocabulary order */
static char *
nearest_words (const SwPromptEncoder *enc, const char *word)
{
  enum { KEEP = 3 };
  int best[KEEP], dist[KEEP], kept = 0;
  glong na;
  g_autofree gunichar *a = g_utf8_to_ucs4_fast (word, -1, &na);
  g_autofree int *row = NULL;
  glong cap = 0;
  for (guint i = 0; i < enc->words->len; i++)
    {
      glong nb;
      g_autofree gunichar *b = g_utf8_to_ucs4_fast (g_ptr_array_index (enc->words, i), -1, &nb);
      if (nb + 1 > cap)
        row = g_renew (int, row, cap = nb + 1);
      int d = edit_distance (a, na, b, nb, row);
      int at = kept;
      while (at > 0 && dist[at - 1] > d)
        at--;
      if (at >= KEEP)
        continue;
      for (int j = MIN (kept, KEEP - 1); j > at; j--)
        {
          best[j] = best[j - 1];
          dist[j] = dist[j - 1];
        }
      best[at] = (int) i;
      dist[at] = d;
      kept = MIN (kept + 1, KEEP);
    }
  GString *s = g_string_new (NULL);
  for (int j = 0; j < kept; j++)
    g_string_append_printf (s, "%s%s", j ? ", " : "", sw_prompt_encoder_word (enc, best[j]));
  return g_string_free (s, FALSE);
}

GPtrArray *
sw_prompt_encoder_resolve (const SwPromptEncoder *enc, const char *prompt, GError **error)
{
  if (prompt && !g_utf8_validate (prompt, -1, NULL))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "the prompt is not valid UTF-8");
      return NULL;
    }
  g_auto (GStrv) words = sw_prompt_words (prompt);
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (char **w = words; *w; w++)
    {
      GArray *g = g_array_new (FALSE, FALSE, sizeof (int));
      g_ptr_array_add (groups, g);
      if (!meaning (enc, *w, g))
        {
          g_autofree char *near = nearest_words (enc, *w);
          g_autofree char *word = sw_error_quote (*w);
          g_autofree char *quoted = sw_error_quote (prompt);
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "unknown word “%s” in the prompt “%s”; the nearest words this model "
                       "knows: %s", word, quoted, near);
          g_ptr_array_unref (groups);
          return NULL;
        }
    }
  return groups;
}

void
sw_prompt_bag (int V, const int *words, int n, float *cond)
{
  memset (cond, 0, sizeof (float) * V);
  int k = 0;
  for (int j = 0; j < n; j++)
    {
      k += cond[words[j]] == 0.0f;
      cond[words[j]] = 1.0f;
    }
  for (int j = 0; j < n; j++)
    cond[words[j]] = 1.0f / (float) k;
}

gboolean
sw_prompt_encoder_encode (const SwPromptEncoder *enc, const char *prompt, float *cond,
                          GError **error)
{
  g_autoptr (GPtrArray) groups = sw_prompt_encoder_resolve (enc, prompt, error);
  if (!groups)
    return FALSE;
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint g = 0; g < groups->len; g++)
    {
      GArray *a = g_ptr_array_index (groups, g);
      g_array_append_vals (all, a->data, a->len);
    }
  sw_prompt_bag (sw_prompt_encoder_size (enc), (int *) all->data, (int) all->len, cond);
  return TRUE;
}

gboolean
sw_prompt_encoder_caption_matches (const SwPromptEncoder *enc, const GPtrArray *groups,
                                   const char *caption)
{
  g_auto (GStrv) words = sw_prompt_words (caption);
  for (guint g = 0; g < groups->len; g++)
    {
      GArray *a = g_ptr_array_index (groups, g);
      gboolean found = FALSE;
      for (char **w = words; *w && !found; w++)
        for (guint j = 0; j < a->len && !found; j++)
          found = strcmp (*w, sw_prompt_encoder_word (enc, g_array_index (a, int, j))) == 0;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

const char * const sw_quality_prompts[] = {
  "dog", "old man", "fire", "skull", "strawberry", "pencil", "hamburger", "rocket", "tree",
  "sunset", "milk", "tower", NULL,
};
