/* prompt-score.c: samples → their nearest training images → the share
 * that shows the prompt (prompt-score.h). */
#include "eval/prompt-score.h"

#include <math.h>
#include <string.h>

#include "data/caption-terms.h"
#include "diffusion/gaussian-blur.h"

/* the blur's kernel reaches 3 sigma on each side */
#define BLUR_KERNEL 13

SwPromptScore *
sw_prompt_score_new (const SwPromptEncoder *vocab, const char * const *prompts, int per,
                     GError **error)
{
  g_return_val_if_fail (vocab != NULL && prompts != NULL && per >= 1, NULL);

  g_autoptr (SwPromptScore) s = g_new0 (SwPromptScore, 1);
  s->per = per;
  s->prompts = g_strdupv ((char **) prompts);
  s->n_prompts = (int) g_strv_length (s->prompts);
  s->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (int p = 0; p < s->n_prompts; p++)
    {
      GPtrArray *g = sw_prompt_encoder_resolve (vocab, prompts[p], error);
      if (g == NULL)
        return NULL;
      g_ptr_array_add (s->groups, g);
      if (g->len == 0)
        {
          g_autofree char *quoted = sw_error_quote (prompts[p]);
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                       "the prompt “%s” has no word to look for in captions", quoted);
          return NULL;
        }
    }
  const int n = s->n_prompts * per;
  s->nearest = g_new0 (int, n);
  s->matched = g_new0 (int, s->n_prompts);
  s->distinct = g_new0 (int, s->n_prompts);
  s->named = g_new0 (int, s->n_prompts);
  return g_steal_pointer (&s);
}

void
sw_prompt_score_free (SwPromptScore *s)
{
  if (s == NULL)
    return;
  g_strfreev (s->prompts);
  if (s->groups)
    g_ptr_array_unref (s->groups);
  g_free (s->nearest);
  g_free (s->matched);
  g_free (s->distinct);
  g_free (s->named);
  g_free (s);
}

/* N images of (C, H, W) blurred, a copy */
static float *
blurred (const float *images, int n, int C, int H, int W)
{
  const size_t img = (size_t) C * H * W;
  float *out = g_new (float, n * img);
  for (int i = 0; i < n; i++)
    sw_gaussian_blur (C, H, W, BLUR_KERNEL, SW_PROMPT_SCORE_BLUR_SIGMA, images + i * img,
                      out + i * img);
  return out;
}

/* for each of the N images of A, the index of the nearest of the M of B */
static void
nearest (const float *a, int n, const float *b, int m, size_t img, int *out)
{
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++)
    {
      const float *x = a + i * img;
      double best = INFINITY;
      out[i] = 0;
      for (int j = 0; j < m; j++)
        {
          const float *y = b + j * img;
          float d = 0.0f;
          for (size_t k = 0; k < img; k++)
            d += (x[k] - y[k]) * (x[k] - y[k]);
          if (d < best)
            {
              best = d;
              out[i] = j;
            }
        }
    }
}

/* how many different values the N indices IDX hold */
static int
count_distinct (const int *idx, int n)
{
  int k = 0;
  for (int i = 0; i < n; i++)
    {
      int j = 0;
      while (j < i && idx[j] != idx[i])
        j++;
      k += j == i;
    }
  return k;
}

gboolean
sw_prompt_score_run (SwPromptScore *s, const SwPromptEncoder *vocab, const SwDataset *train,
                     const float *samples, int C, int H, int W, GError **error)
{
  g_return_val_if_fail (s != NULL && vocab != NULL && train != NULL && samples != NULL, FALSE);

  if (!train->captions || train->channels != C || train->height != H || train->width != W)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_SHAPE,
                   "the dataset “%s” (%d x %d x %d%s) cannot score samples of %d x %d x %d; "
                   "accepted: a captioned dataset of the samples' size", train->name,
                   train->width, train->height, train->channels,
                   train->captions ? "" : ", without captions", W, H, C);
      return FALSE;
    }
  const int n = s->n_prompts * s->per;
  const size_t img = (size_t) C * H * W;
  g_autofree float *a = blurred (samples, n, C, H, W);
  g_autofree float *b = blurred (train->images, train->n, C, H, W);
  nearest (a, n, b, train->n, img, s->nearest);

  s->total = 0;
  for (int p = 0; p < s->n_prompts; p++)
    {
      const GPtrArray *g = g_ptr_array_index (s->groups, p);
      const int *idx = s->nearest + p * s->per;
      s->named[p] = s->matched[p] = 0;
      for (int j = 0; j < train->n; j++)
        s->named[p] += sw_prompt_encoder_caption_matches (vocab, g, train->captions[j]);
      for (int i = 0; i < s->per; i++)
        s->matched[p] += sw_prompt_encoder_caption_matches (vocab, g, train->captions[idx[i]]);
      s->distinct[p] = count_distinct (idx, s->per);
      s->total += s->matched[p];
    }
  return TRUE;
}

/* CAPTION's name lower-cased when it is one word of letters and digits,
 * else NULL: the name is what comes before the last colon (caption-terms.h) */
static char *
one_word_name (const char *caption)
{
  g_autofree char *name = sw_caption_name (caption);
  g_autofree char *nfc = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);
  if (nfc == NULL || *nfc == '\0')
    return NULL;
  for (const char *p = nfc; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isalnum (g_utf8_get_char (p)))
      return NULL;
  return g_utf8_strdown (nfc, -1);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char **
sw_name_prompts (const SwPromptEncoder *vocab, const char * const *captions, int n,
                 int *n_skipped)
{
  g_return_val_if_fail (vocab != NULL && captions != NULL && n_skipped != NULL, NULL);

  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  *n_skipped = 0;
  for (int i = 0; i < n; i++)
    {
      char *word = one_word_name (captions[i]);
      if (word == NULL || !g_hash_table_add (seen, word))
        continue;
      g_autoptr (GPtrArray) groups = sw_prompt_encoder_resolve (vocab, word, NULL);
      if (groups == NULL || groups->len == 0)
        (*n_skipped)++;
      else
        g_ptr_array_add (words, g_strdup (word));
    }
  g_ptr_array_sort (words, compare_strings);
  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}
