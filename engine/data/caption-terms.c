#include "data/caption-terms.h"

#include <math.h>
#include <string.h>

/* compressed rows: caption i's terms are first_term[i] .. first_term[i+1]-1,
 * term t's words are words[first_word[t] .. first_word[t+1]-1] */
struct _SwCaptionTerms {
  int V, n;
  int *first_term;   /* (n + 1) */
  GArray *first_word;   /* of int, (terms + 1) */
  GArray *words;        /* of int */
  int *name_terms;      /* (n) how many of caption i's terms are its name's words (they come first) */
  int *pick, *chosen;   /* scratch for a draw: (most terms), (most words) */
  int most_terms, most_words;
};

/* Appends TEXT's words as one term unless an equal term was added for
 * this caption already (SEEN: "3,17" keys); FALSE for an unknown word */
static gboolean
add_term (SwCaptionTerms *t, const SwPromptEncoder *enc, const char *const *words,
          GHashTable *seen, const char **unknown)
{
  g_autoptr (GArray) idx = g_array_new (FALSE, FALSE, sizeof (int));
  for (; *words; words++)
    {
      int k = sw_prompt_encoder_index (enc, *words);
      if (k < 0)
        {
          *unknown = *words;
          return FALSE;
        }
      g_array_append_val (idx, k);
    }
  if (idx->len == 0)
    return TRUE;
  GString *key = g_string_new (NULL);
  for (guint j = 0; j < idx->len; j++)
    g_string_append_printf (key, "%d,", g_array_index (idx, int, j));
  if (!g_hash_table_add (seen, g_string_free (key, FALSE)))
    return TRUE;
  g_array_append_vals (t->words, idx->data, idx->len);
  int end = (int) t->words->len;
  g_array_append_val (t->first_word, end);
  t->most_words = MAX (t->most_words, (int) idx->len);
  return TRUE;
}

char *
sw_caption_name (const char *caption)
{
  const char *colon = strrchr (caption, ':');
  return colon ? g_strndup (caption, colon - caption) : g_strdup (caption);
}

/* CAPTION's terms as caption I's, its name's words first */
static gboolean
add_caption (SwCaptionTerms *t, const SwPromptEncoder *enc, int i, const char *caption, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *colon = strrchr (caption, ':');
  g_autofree char *name = sw_caption_name (caption);
  g_auto (GStrv) keywords = g_strsplit (colon ? colon + 1 : "", ",", -1);
  g_auto (GStrv) name_words = sw_prompt_words (name);
  const char *unknown = NULL;
  gboolean ok = TRUE;
  for (char **w = name_words; ok && *w; w++)
    {
      const char *one[] = { *w, NULL };
      ok = add_term (t, enc, one, seen, &unknown);
    }
  t->name_terms[i] = (int) t->first_word->len - 1 - t->first_term[i];
  for (char **k = keywords; ok && *k; k++)
    {
      g_auto (GStrv) words = sw_prompt_words (*k);
      ok = add_term (t, enc, (const char * const *) words, seen, &unknown);
    }
  if (!ok)
    g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                 "the caption “%s” has the word “%s”, which the vocabulary lacks", caption, unknown);
  return ok;
}

SwCaptionTerms *
sw_caption_terms_new (const SwPromptEncoder *enc, const char * const *captions, int n,
                      GError **error)
{
  SwCaptionTerms *t = g_new0 (SwCaptionTerms, 1);
  t->V = sw_prompt_encoder_size (enc);
  t->n = n;
  t->first_term = g_new (int, n + 1);
  t->name_terms = g_new (int, MAX (n, 1));
  t->first_word = g_array_new (FALSE, FALSE, sizeof (int));
  t->words = g_array_new (FALSE, FALSE, sizeof (int));
  int zero = 0;
  g_array_append_val (t->first_word, zero);
  for (int i = 0; i < n; i++)
    {
      t->first_term[i] = (int) t->first_word->len - 1;
      if (!captions[i] || !add_caption (t, enc, i, captions[i], error))
        {
          if (!captions[i])
            g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                         "caption %d of %d is missing", i + 1, n);
          sw_caption_terms_free (t);
          return NULL;
        }
      t->most_terms = MAX (t->most_terms, (int) t->first_word->len - 1 - t->first_term[i]);
    }
  t->first_term[n] = (int) t->first_word->len - 1;
  t->pick = g_new (int, MAX (t->most_terms, 1));
  t->chosen = g_new (int, MAX (t->most_terms * t->most_words, 1));
  return t;
}

void
sw_caption_terms_free (SwCaptionTerms *t)
{
  if (!t)
    return;
  g_free (t->first_term);
  g_free (t->name_terms);
  g_array_unref (t->first_word);
  g_array_unref (t->words);
  g_free (t->pick);
  g_free (t->chosen);
  g_free (t);
}

int
sw_caption_terms_count (const SwCaptionTerms *t, int i)
{
  g_return_val_if_fail (i >= 0 && i < t->n, 0);
  return t->first_term[i + 1] - t->first_term[i];
}

const int *
sw_caption_terms_term (const SwCaptionTerms *t, int i, int j, int *n_words)
{
  g_return_val_if_fail (j >= 0 && j < sw_caption_terms_count (t, i), NULL);
  int term = t->first_term[i] + j;
  int a = g_array_index (t->first_word, int, term), b = g_array_index (t->first_word, int, term + 1);
  *n_words = b - a;
  return &g_array_index (t->words, int, a);
}

/* BAG: the bag of the K terms of caption I that pick[0..K-1] name */
static void
bag_of (SwCaptionTerms *t, int i, int k, float *bag)
{
  int m = 0;
  for (int j = 0; j < k; j++)
    {
      int nw;
      const int *w = sw_caption_terms_term (t, i, t->pick[j], &nw);
      memcpy (t->chosen + m, w, sizeof (int) * nw);
      m += nw;
    }
  sw_prompt_bag (t->V, t->chosen, m, bag);
}

/* pick[0..K-1]: K of a caption's N terms at random, the first K of a
 * partial Fisher-Yates shuffle */
static void
pick_random (SwCaptionTerms *t, int n, int k, SwRng *rng)
{
  for (int j = 0; j < n; j++)
    t->pick[j] = j;
  for (int j = 0; j < k; j++)
    {
      int r = j + (int) sw_rng_below (rng, (uint32_t) (n - j));
      int tmp = t->pick[j];
      t->pick[j] = t->pick[r];
      t->pick[r] = tmp;
    }
}

void
sw_caption_terms_draw (SwCaptionTerms *t, int i, SwPromptDraw draw, SwRng *rng, float *bag)
{
  const int n = sw_caption_terms_count (t, i);
  if (n == 0)
    {
      memset (bag, 0, sizeof (float) * t->V);
      return;
    }
  if (draw == SW_PROMPT_DRAW_SUBSET)
    {
      const int k = 1 + (int) sw_rng_below (rng, (uint32_t) n);
      pick_random (t, n, k, rng);
      bag_of (t, i, k, bag);
      return;
    }
  const double single = MIN (1.0 / 12.0, 1.0 / (3.0 * n)), u = sw_rng_uniform (rng);
  const int name = t->name_terms[i];
  if (u < n * single || n == 1)
    {
      t->pick[0] = MIN ((int) (u / single), n - 1);
      bag_of (t, i, 1, bag);
    }
  else if (name >= 2 && u < n * single + 1.0 / 3.0)
    {
      for (int j = 0; j < name; j++)   /* the name's words come first */
        t->pick[j] = j;
      bag_of (t, i, name, bag);
    }
  else
    {
      const int k = 2 + (int) sw_rng_below (rng, (uint32_t) (n - 1));
      pick_random (t, n, k, rng);
      bag_of (t, i, k, bag);
    }
}

int *
sw_caption_terms_repeats (const SwCaptionTerms *t, double threshold, int *total)
{
  /* how many captions have each word (a word twice in one caption counts once) */
  g_autofree int *count = g_new0 (int, t->V), *last = g_new (int, t->V);
  for (int w = 0; w < t->V; w++)
    last[w] = -1;
  for (int i = 0; i < t->n; i++)
    for (int j = 0; j < sw_caption_terms_count (t, i); j++)
      {
        int nw;
        const int *words = sw_caption_terms_term (t, i, j, &nw);
        for (int k = 0; k < nw; k++)
          if (last[words[k]] != i)
            {
              last[words[k]] = i;
              count[words[k]]++;
            }
      }
  int *repeats = g_new (int, t->n);
  *total = 0;
  for (int i = 0; i < t->n; i++)
    {
      double r = 1.0;
      for (int j = 0; j < sw_caption_terms_count (t, i); j++)
        {
          int nw;
          const int *words = sw_caption_terms_term (t, i, j, &nw);
          for (int k = 0; k < nw; k++)
            r = MAX (r, sqrt (threshold * t->n / count[words[k]]));
        }
      repeats[i] = (int) floor (r + 0.5);
      *total += repeats[i];
    }
  return repeats;
}
