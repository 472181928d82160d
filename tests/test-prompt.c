/* The prompt encoder of issue 6 and training on captions: words, stop
 * words, plurals and aliases, the unknown-word error and its suggestions,
 * the vocabulary's trip through a model file, what a captioned training
 * batch is conditioned on, and the same bytes from the same seed. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "data/caption-terms.h"
#include "models/checkpoint.h"
#include "models/eps-model.h"
#include "diffusion/job.h"
#include "diffusion/sample-grid.h"
#include "models/prompt-encoder.h"
#include "train/trainer.h"

static const char * const captions[] = {
  "dog face: dog, face, pet",
  "old man: adult, man, old",
  "fire: flame, tool",
  "camping: camping",
  "hamburger: burger",
  "strawberry: berry, fruit",
  "flag: Germany: flag",
  "man’s shoe: clothing, man, shoe",
  NULL,
};

static void
assert_words (const char *text, const char * const *want)
{
  g_auto (GStrv) got = sw_prompt_words (text);
  g_autofree char *joined = g_strjoinv ("|", got);
  g_autofree char *expected = g_strjoinv ("|", (char **) want);
  g_assert_cmpstr (joined, ==, expected);
}

static void
test_words (void)
{
  assert_words ("A Photo of the Dog FACE, with 2 t-shirts!",
                (const char *[]) { "dog", "face", "2", "t", "shirts", NULL });
  assert_words ("man’s shoe; don't", (const char *[]) { "man", "shoe", "don", NULL });
  assert_words ("Crème BRÛLÉE", (const char *[]) { "crème", "brûlée", NULL });
  assert_words ("keycap: 10", (const char *[]) { "keycap", "10", NULL });
  assert_words ("", (const char *[]) { NULL });
  assert_words (" . a an of the ", (const char *[]) { NULL });
  assert_words ("an oil painting of an old man",
                (const char *[]) { "oil", "old", "man", NULL });
  g_assert_true (sw_prompt_is_stop_word ("picture"));
  g_assert_false (sw_prompt_is_stop_word ("dog"));
}

static SwPromptEncoder *
tiny_vocabulary (void)
{
  g_autoptr (GError) error = NULL;
  SwPromptEncoder *enc = sw_prompt_encoder_new (captions, g_strv_length ((char **) captions), &error);
  g_assert_no_error (error);
  return enc;
}

static void
test_vocabulary (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  const char * const want[] = {
    "adult", "berry", "burger", "camping", "clothing", "dog", "face", "fire", "flag", "flame",
    "fruit", "germany", "hamburger", "man", "old", "pet", "shoe", "strawberry", "tool", NULL,
  };
  g_assert_cmpint (sw_prompt_encoder_size (enc), ==, g_strv_length ((char **) want));
  for (int i = 0; want[i]; i++)
    {
      g_assert_cmpstr (sw_prompt_encoder_word (enc, i), ==, want[i]);
      g_assert_cmpint (sw_prompt_encoder_index (enc, want[i]), ==, i);
    }
  g_assert_cmpint (sw_prompt_encoder_index (enc, "cat"), ==, -1);

  /* completion offers the words and the aliases that resolve here */
  g_auto (GStrv) prompts = sw_prompt_encoder_prompts (enc);
  g_assert_true (g_strv_contains ((const char * const *) prompts, "dog"));
  g_assert_true (g_strv_contains ((const char * const *) prompts, "campfire"));
  g_assert_true (g_strv_contains ((const char * const *) prompts, "doggy"));
  g_assert_false (g_strv_contains ((const char * const *) prompts, "kitten"));   /* no cat */

  g_autoptr (GError) error = NULL;
  const char * const none[] = { "a photo of the", NULL };
  g_assert_null (sw_prompt_encoder_new (none, 1, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
}

/* COND has WEIGHT on each of WORDS and 0 elsewhere */
static void
assert_bag (const SwPromptEncoder *enc, const char *prompt, const char * const *words)
{
  const int V = sw_prompt_encoder_size (enc);
  g_autofree float *cond = g_new (float, V);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_prompt_encoder_encode (enc, prompt, cond, &error));
  g_assert_no_error (error);
  const float weight = words[0] ? 1.0f / g_strv_length ((char **) words) : 0.0f;
  for (int i = 0; i < V; i++)
    {
      float want = g_strv_contains (words, sw_prompt_encoder_word (enc, i)) ? weight : 0.0f;
      if (cond[i] != want)
        g_error ("“%s”: %s is %g, expected %g", prompt, sw_prompt_encoder_word (enc, i),
                 cond[i], want);
    }
}

static void
test_encode (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  assert_bag (enc, "dog", (const char *[]) { "dog", NULL });
  assert_bag (enc, "A photo of a DOG face.", (const char *[]) { "dog", "face", NULL });
  assert_bag (enc, "dog, dog", (const char *[]) { "dog", NULL });
  assert_bag (enc, "old man", (const char *[]) { "old", "man", NULL });
  assert_bag (enc, "", (const char *[]) { NULL });
  assert_bag (enc, "a picture of the", (const char *[]) { NULL });
  /* plurals of known words */
  assert_bag (enc, "dogs", (const char *[]) { "dog", NULL });
  assert_bag (enc, "strawberries", (const char *[]) { "strawberry", NULL });
  assert_bag (enc, "flames", (const char *[]) { "flame", NULL });
  /* aliases: every target the vocabulary has */
  assert_bag (enc, "campfire", (const char *[]) { "fire", "camping", NULL });
  assert_bag (enc, "a cheeseburger", (const char *[]) { "hamburger", NULL });
  assert_bag (enc, "doggy face", (const char *[]) { "dog", "face", NULL });
  assert_bag (enc, "grandpa", (const char *[]) { "old", "man", NULL });
  /* the vocabulary wins over the alias table */
  const char * const both[] = { "dog: dog", "doggy: doggy", NULL };
  g_autoptr (SwPromptEncoder) own = sw_prompt_encoder_new (both, 2, NULL);
  assert_bag (own, "doggy", (const char *[]) { "doggy", NULL });
}

static void
test_unknown_word (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  float cond[64];
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_prompt_encoder_encode (enc, "a dgo on fire", cond, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“dgo”"));
  g_assert_nonnull (strstr (error->message, "a dgo on fire"));
  g_assert_nonnull (strstr (error->message, "nearest words this model knows: dog, "));
  g_clear_error (&error);

  /* three suggestions, nearest first */
  g_assert_null (sw_prompt_encoder_resolve (enc, "strawbery", &error));
  g_assert_nonnull (strstr (error->message, "knows: strawberry, "));
  g_clear_error (&error);
  g_assert_null (sw_prompt_encoder_resolve (enc, "kitten", &error));   /* alias, no target */
  g_assert_nonnull (strstr (error->message, "“kitten”"));
  g_clear_error (&error);
  g_assert_null (sw_prompt_encoder_resolve (enc, "\xff", &error));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  /* a 100 KB prompt (and word) is quoted by its first 80 characters, a
   * multi-byte character kept whole (issue 23, D9) */
  g_autoptr (GString) huge = g_string_new ("dgo ");
  for (int i = 0; i < 50000; i++)
    g_string_append (huge, "é");
  g_assert_null (sw_prompt_encoder_resolve (enc, huge->str, &error));
  g_test_message ("%.300s", error->message);
  g_assert_cmpuint (strlen (error->message), <, 600);
  g_autofree char *start = g_strndup (huge->str, 4 + 76 * 2);
  g_autofree char *quoted = g_strconcat ("in the prompt “", start, "…”", NULL);
  g_assert_nonnull (strstr (error->message, quoted));
}

static void
test_caption_matches (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  g_autoptr (GPtrArray) old_man = sw_prompt_encoder_resolve (enc, "an old man", NULL);
  g_autoptr (GPtrArray) campfire = sw_prompt_encoder_resolve (enc, "campfire", NULL);
  g_autoptr (GPtrArray) dogs = sw_prompt_encoder_resolve (enc, "dogs", NULL);
  g_assert_true (sw_prompt_encoder_caption_matches (enc, old_man, "old man: adult, man, old"));
  g_assert_false (sw_prompt_encoder_caption_matches (enc, old_man, "man’s shoe: clothing, man, shoe"));
  g_assert_true (sw_prompt_encoder_caption_matches (enc, campfire, "fire: flame, tool"));
  g_assert_true (sw_prompt_encoder_caption_matches (enc, campfire, "camping: camping"));
  g_assert_true (sw_prompt_encoder_caption_matches (enc, dogs, "dog face: dog, face, pet"));
  g_assert_false (sw_prompt_encoder_caption_matches (enc, dogs, "hamburger: burger"));
}

static void
test_meta (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  g_autofree char *meta = sw_prompt_encoder_to_meta (enc);
  g_assert_true (g_str_has_prefix (meta, "adult berry burger camping "));
  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptEncoder) back = sw_prompt_encoder_parse (meta, sw_prompt_encoder_size (enc), &error);
  g_assert_no_error (error);
  g_autofree char *again = sw_prompt_encoder_to_meta (back);
  g_assert_cmpstr (again, ==, meta);

  struct { const char *meta; int size; const char *says; } bad[] = {
    { meta, sw_prompt_encoder_size (enc) + 1, "lists 19 words but the model's class vector is 20 wide" },
    { "dog cat dog", 3, "word 3 (“dog”)" },
    { "dog  cat", 3, "word 2 (“”)" },
    { "dog Cat", 2, "word 2 (“Cat”)" },
    { "dog the", 2, "word 2 (“the”)" },
    { "dog t-shirt", 2, "word 2 (“t-shirt”)" },
    { "dog \xff", 2, "not UTF-8" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (sw_prompt_encoder_parse (bad[i].meta, bad[i].size, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
      if (!strstr (error->message, bad[i].says))
        g_error ("“%s” does not say “%s”", error->message, bad[i].says);
      g_clear_error (&error);
    }
}

/* caption I's terms, each its words joined by '+', joined by ' ' */
static char *
terms_of (const SwCaptionTerms *t, const SwPromptEncoder *enc, int i)
{
  GString *s = g_string_new (NULL);
  for (int j = 0; j < sw_caption_terms_count (t, i); j++)
    {
      int nw;
      const int *w = sw_caption_terms_term (t, i, j, &nw);
      for (int k = 0; k < nw; k++)
        g_string_append_printf (s, "%s%s", k ? "+" : (j ? " " : ""), sw_prompt_encoder_word (enc, w[k]));
    }
  return g_string_free (s, FALSE);
}

static void
test_caption_terms (void)
{
  g_autoptr (SwPromptEncoder) enc = tiny_vocabulary ();
  const char * const mine[] = {
    "dog face: dog, face, pet", "old man: adult, old man", "flag: Germany: flag",
    "no keywords here", "the: of", NULL,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptEncoder) vocab = sw_prompt_encoder_new (mine, 5, &error);
  g_autoptr (SwCaptionTerms) t = sw_caption_terms_new (vocab, mine, 5, &error);
  g_assert_no_error (error);
  const char *want[] = { "dog face pet", "old man adult old+man", "flag germany",
                         "no keywords here", "" };
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *got = terms_of (t, vocab, i);
      g_assert_cmpstr (got, ==, want[i]);
    }

  /* draws: never empty, 1/k on k words of the caption, every subset size */
  const int V = sw_prompt_encoder_size (vocab);
  g_autofree float *bag = g_new (float, V);
  SwRng rng;
  sw_rng_init (&rng, 7, 0);
  int sizes[4] = { 0 };
  for (int draw = 0; draw < 600; draw++)
    {
      sw_caption_terms_draw (t, 1, SW_PROMPT_DRAW_SUBSET, &rng, bag);
      int k = 0;
      float sum = 0.0f;
      for (int w = 0; w < V; w++)
        if (bag[w] != 0.0f)
          {
            const char *word = sw_prompt_encoder_word (vocab, w);
            g_assert_true (g_strv_contains ((const char *[]) { "old", "man", "adult", NULL }, word));
            k++;
            sum += bag[w];
          }
      g_assert_cmpint (k, >=, 1);
      g_assert_cmpfloat_with_epsilon (sum, 1.0f, 1e-6f);
      sizes[k]++;
    }
  for (int k = 1; k <= 3; k++)
    g_assert_cmpint (sizes[k], >, 60);
  sw_caption_terms_draw (t, 4, SW_PROMPT_DRAW_SUBSET, &rng, bag);   /* no terms: unconditional */
  for (int w = 0; w < V; w++)
    g_assert_cmpfloat (bag[w], ==, 0.0f);
  sw_caption_terms_draw (t, 4, SW_PROMPT_DRAW_BALANCED, &rng, bag);
  for (int w = 0; w < V; w++)
    g_assert_cmpfloat (bag[w], ==, 0.0f);

  /* a caption word the vocabulary lacks is an error */
  g_assert_null (sw_caption_terms_new (enc, mine, 5, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "the word “no”"));
}

/* the share of N balanced draws of caption I whose bag is exactly WORDS */
static double
share_of (SwCaptionTerms *t, const SwPromptEncoder *vocab, int i, const char * const *words, int n)
{
  const int V = sw_prompt_encoder_size (vocab);
  g_autofree float *bag = g_new (float, V);
  SwRng rng;
  sw_rng_init (&rng, 11, (uint64_t) i);
  int hits = 0;
  for (int draw = 0; draw < n; draw++)
    {
      sw_caption_terms_draw (t, i, SW_PROMPT_DRAW_BALANCED, &rng, bag);
      int k = 0;
      float sum = 0.0f;
      gboolean all_in = TRUE;
      for (int w = 0; w < V; w++)
        if (bag[w] != 0.0f)
          {
            k++;
            sum += bag[w];
            all_in = all_in && g_strv_contains (words, sw_prompt_encoder_word (vocab, w));
          }
      g_assert_cmpint (k, >=, 1);
      g_assert_cmpfloat_with_epsilon (sum, 1.0f, 1e-6f);
      hits += all_in && k == (int) g_strv_length ((char **) words);
    }
  return (double) hits / n;
}

/* the balanced draw: a word alone as often on a caption of 2 terms as on
 * one of 3 (the subset draw: 1/4 against 1/9), a two-word name whole at
 * least a third of the time, and beyond 4 terms the singles a third */
static void
test_balanced_draw (void)
{
  const char * const mine[] = {
    "dog: pet", "dog face: dog, face, pet", "old man: adult, man, old",
    "tree: leaf, green, forest, wood, park, plant", NULL,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptEncoder) vocab = sw_prompt_encoder_new (mine, 4, &error);
  g_assert_no_error (error);
  g_autoptr (SwCaptionTerms) t = sw_caption_terms_new (vocab, mine, 4, &error);
  g_assert_no_error (error);
  const int n = 24000;   /* a share's standard error about 0.002 */
  const char * const dog[] = { "dog", NULL }, * const pet[] = { "pet", NULL };
  g_assert_cmpfloat (fabs (share_of (t, vocab, 0, dog, n) - 1.0 / 12), <, 0.01);
  g_assert_cmpfloat (fabs (share_of (t, vocab, 1, dog, n) - 1.0 / 12), <, 0.01);
  g_assert_cmpfloat (fabs (share_of (t, vocab, 1, pet, n) - 1.0 / 12), <, 0.01);
  /* the name whole 1/3, and as one of the 2-term subsets (1/2 x 1/3 of the rest, 5/12) */
  const char * const old_man[] = { "old", "man", NULL };
  g_assert_cmpfloat (fabs (share_of (t, vocab, 2, old_man, n) - (1.0 / 3 + 5.0 / 72)), <, 0.015);
  /* 7 terms: each alone 1/21 */
  const char * const park[] = { "park", NULL }, * const tree[] = { "tree", NULL };
  g_assert_cmpfloat (fabs (share_of (t, vocab, 3, park, n) - 1.0 / 21), <, 0.01);
  g_assert_cmpfloat (fabs (share_of (t, vocab, 3, tree, n) - 1.0 / 21), <, 0.01);
}

/* N random 32x32 RGB images captioned by CAPTIONS, cycled */
static SwDataset *
tiny_dataset (int n)
{
  SwDataset *d = g_new0 (SwDataset, 1);
  const int nc = g_strv_length ((char **) captions);
  *d = (SwDataset) { .name = g_strdup ("emoji"), .n = n, .channels = 3, .height = 32, .width = 32 };
  d->images = g_new (float, (size_t) n * 3 * 32 * 32);
  SwRng rng;
  sw_rng_init (&rng, 11, 0);
  sw_rng_fill_uniform (&rng, d->images, (size_t) n * 3 * 32 * 32, 0.0f, 1.0f);
  d->captions = g_new0 (char *, n + 1);
  for (int i = 0; i < n; i++)
    d->captions[i] = g_strdup (captions[i % nc]);
  return d;
}

static SwRecipe
tiny_recipe (void)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup ("emoji-ddpm", &r, NULL));
  g_assert_cmpstr (r.model.dataset, ==, "emoji");
  g_assert_cmpint (r.model.objective, ==, SW_OBJECTIVE_EPS_COSINE);
  g_assert_cmpint (r.model.sample_steps, ==, 33);
  g_assert_cmpfloat (r.model.guidance, ==, 7.0f);
  g_assert_cmpfloat (r.p_uncond, ==, 0.1f);
  r.model.D = 4;
  r.batch = 8;
  r.seed = 5;
  return r;
}

typedef struct {
  SwTrainer *tr;
  const SwDataset *data;
  int rows, empty;
} Watch;

/* every row of every batch: all-zero, or 1/k on k words of one caption */
static gboolean
watch_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  Watch *w = user_data;
  int n, width;
  const float *c = sw_trainer_last_conditioning (w->tr, &n, &width);
  const SwPromptEncoder *enc = sw_trainer_vocabulary (w->tr);
  g_assert_true (isfinite (loss));
  for (int i = 0; i < n; i++)
    {
      const float *row = c + (size_t) i * width;
      g_autoptr (GString) words = g_string_new (NULL);
      int k = 0;
      float weight = 0.0f;
      for (int j = 0; j < width; j++)
        if (row[j] != 0.0f)
          {
            g_string_append_printf (words, " %s", sw_prompt_encoder_word (enc, j));
            weight = row[j];
            k++;
          }
      w->rows++;
      if (k == 0)
        {
          w->empty++;
          continue;
        }
      g_assert_cmpfloat_with_epsilon (weight, 1.0f / k, 1e-7f);
      gboolean in_one = FALSE;
      for (int cap = 0; captions[cap] && !in_one; cap++)
        {
          g_auto (GStrv) have = sw_prompt_words (captions[cap]);
          g_auto (GStrv) want = g_strsplit (words->str + 1, " ", -1);
          in_one = TRUE;
          for (char **x = want; *x; x++)
            in_one &= g_strv_contains ((const char * const *) have, *x);
        }
      if (!in_one)
        g_error ("a training row has the words%s, of no one caption", words->str);
    }
  return TRUE;
}

static void
test_train_on_captions (void)
{
  g_autoptr (SwDataset) data = tiny_dataset (64);
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, data, &error);
  g_assert_no_error (error);
  const SwPromptEncoder *enc = sw_trainer_vocabulary (tr);
  g_assert_nonnull (enc);
  g_assert_cmpint (sw_unet_config (sw_trainer_net (tr))->class_dim, ==, sw_prompt_encoder_size (enc));
  Watch w = { tr, data, 0, 0 };
  float loss;
  for (int e = 0; e < 20; e++)
    {
      g_assert_true (sw_trainer_run_epoch (tr, watch_step, &w, &loss, &error));
      g_assert_no_error (error);
      g_assert_true (isfinite (loss));
    }
  /* the empty prompt 10% of the time: 1,280 draws, 3 sigma is 2.5% */
  double share = (double) w.empty / w.rows;
  g_test_message ("%d rows, %.3f empty", w.rows, share);
  g_assert_cmpint (w.rows, ==, 20 * 64);
  g_assert_cmpfloat (share, >, 0.07);
  g_assert_cmpfloat (share, <, 0.13);
  sw_trainer_free (tr);

  /* training on the first 3 images (--limit) knows their words alone */
  data->n = 3;
  tr = sw_trainer_new (&r, data, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_prompt_encoder_size (sw_trainer_vocabulary (tr)), ==, 9);
  sw_trainer_free (tr);

  /* a labelless, captionless dataset cannot train a class model */
  g_strfreev (data->captions);
  data->captions = NULL;
  g_assert_null (sw_trainer_new (&r, data, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "neither labels nor captions"));
}

/* Repeat-factor sampling: 8 images of one hand share every word, two
 * fruits have words of their own; the fruits' repeat counts follow
 * sqrt(T / f), and an epoch draws each image that many times */
static const char * const long_tail[] = {
  "waving hand: hand, wave", "waving hand: hand, wave", "waving hand: hand, wave",
  "waving hand: hand, wave", "waving hand: hand, wave", "waving hand: hand, wave",
  "waving hand: hand, wave", "waving hand: hand, wave",
  "strawberry: red", "lemon: sour, yellow", NULL,
};

typedef struct {
  SwTrainer *tr;
  int strawberry, lemon, rows;
} Tally;

static gboolean
tally_step (int epoch, int step, int steps, float loss, gpointer user_data)
{
  Tally *t = user_data;
  int n, width;
  const float *c = sw_trainer_last_conditioning (t->tr, &n, &width);
  const SwPromptEncoder *enc = sw_trainer_vocabulary (t->tr);
  const int words[2][2] = { { sw_prompt_encoder_index (enc, "strawberry"), sw_prompt_encoder_index (enc, "red") },
                            { sw_prompt_encoder_index (enc, "lemon"), sw_prompt_encoder_index (enc, "sour") } };
  for (int i = 0; i < n; i++, t->rows++)
    {
      const float *row = c + (size_t) i * width;
      t->strawberry += row[words[0][0]] != 0.0f || row[words[0][1]] != 0.0f;
      /* "yellow" alone would do too: a lemon row has lemon, sour or yellow */
      t->lemon += row[words[1][0]] != 0.0f || row[words[1][1]] != 0.0f
                  || row[sw_prompt_encoder_index (enc, "yellow")] != 0.0f;
    }
  return TRUE;
}

static void
test_repeat_rare (void)
{
  g_autoptr (GError) error = NULL;
  const int n = 10;
  g_autoptr (SwPromptEncoder) enc = sw_prompt_encoder_new (long_tail, n, &error);
  g_assert_no_error (error);
  g_autoptr (SwCaptionTerms) terms = sw_caption_terms_new (enc, long_tail, n, &error);
  g_assert_no_error (error);
  /* each fruit word is in 1 caption of 10, the hand's in 8 */
  static const struct { double threshold; int fruit, hand, total; } cases[] = {
    { 0.0, 1, 1, 10 }, { 0.4, 2, 1, 12 }, { 0.9, 3, 1, 14 }, { 1.0, 3, 1, 14 },
  };
  for (size_t k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      int total;
      g_autofree int *rep = sw_caption_terms_repeats (terms, cases[k].threshold, &total);
      for (int i = 0; i < n; i++)
        g_assert_cmpint (rep[i], ==, i >= 8 ? cases[k].fruit : cases[k].hand);
      g_assert_cmpint (total, ==, cases[k].total);
    }

  /* the trainer draws them so: 14 rows an epoch, each fruit in 3 of them */
  g_autoptr (SwDataset) data = tiny_dataset (n);
  for (int i = 0; i < n; i++)
    {
      g_free (data->captions[i]);
      data->captions[i] = g_strdup (long_tail[i]);
    }
  SwRecipe r = tiny_recipe ();
  r.p_uncond = 0.0f;
  r.batch = 4;
  r.repeat_rare = 0.9f;
  SwTrainer *tr = sw_trainer_new (&r, data, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_trainer_draws_per_epoch (tr), ==, 14);
  g_assert_cmpint (sw_trainer_steps_per_epoch (tr), ==, 4);   /* 4 + 4 + 4 + 2 */
  for (int e = 0; e < 2; e++)
    {
      Tally t = { tr };
      g_assert_true (sw_trainer_run_epoch (tr, tally_step, &t, NULL, &error));
      g_assert_cmpint (t.rows, ==, 14);
      g_assert_cmpint (t.strawberry, ==, 3);
      g_assert_cmpint (t.lemon, ==, 3);
    }
  sw_trainer_free (tr);

  /* a labelled dataset has no caption words to weigh */
  g_strlcpy (r.model.dataset, "digits", sizeof r.model.dataset);
  SwDataset labelled = { .name = (char *) "digits", .n = 4, .channels = 1, .height = 8, .width = 8,
                         .images = data->images, .labels = (uint8_t[]) { 0, 1, 0, 1 }, .n_classes = 2 };
  r.model.objective = SW_OBJECTIVE_FLOW;
  g_assert_null (sw_trainer_new (&r, &labelled, &error));
  g_assert_nonnull (strstr (error->message, "has no captions; repeat-factor sampling"));
  g_clear_error (&error);
  r.repeat_rare = 2.0f;
  g_assert_false (sw_recipe_validate (&r, &error));
  g_assert_nonnull (strstr (error->message, "repeat-factor threshold 2 is out of range"));
}

static char *tmpdir;

/* the vocabulary travels in the file: the model loads with its encoder,
 * training resumes exactly, and a changed vocabulary refuses to resume */
static void
test_model_file (void)
{
  g_autoptr (SwDataset) data = tiny_dataset (16);
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  g_autofree char *ckpt = g_build_filename (tmpdir, "checkpoint.safetensors", NULL);
  g_autofree char *model = g_build_filename (tmpdir, "model.safetensors", NULL);
  SwTrainer *tr = sw_trainer_new (&r, data, &error);
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_save (tr, ckpt, TRUE, SW_DTYPE_F32, NULL, &error));
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_save (tr, model, FALSE, SW_DTYPE_F32, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *vocab = sw_prompt_encoder_to_meta (sw_trainer_vocabulary (tr));

  g_autoptr (GHashTable) meta = NULL;
  SwUnet *net = sw_checkpoint_load (model, &meta, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (meta, "prompt.vocabulary"), ==, vocab);
  g_assert_null (g_hash_table_lookup (meta, "prompt.classes"));
  sw_unet_free (net);

  g_autoptr (SwEpsModel) m = sw_eps_model_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->channels, ==, 3);
  g_assert_cmpint (m->width, ==, 32);
  g_assert_cmpstr (m->dataset, ==, "emoji");
  g_assert_nonnull (sw_eps_model_vocabulary (m));
  g_autofree char *back = sw_prompt_encoder_to_meta (sw_eps_model_vocabulary (m));
  g_assert_cmpstr (back, ==, vocab);
  g_auto (GStrv) prompts = m->prompts (m);
  g_assert_true (g_strv_contains ((const char * const *) prompts, "strawberry"));
  g_assert_true (g_strv_contains ((const char * const *) prompts, "cheeseburger"));
  g_autofree float *cond = g_new (float, m->cond_dim);
  g_assert_true (m->encode (m, "an old man", cond, &error));
  g_assert_false (m->encode (m, "an old mann", cond, &error));
  g_assert_nonnull (strstr (error->message, "“mann”"));
  g_clear_error (&error);

  /* resumed after epoch 1, epoch 2 is the same as never stopping */
  SwTrainer *again = sw_trainer_resume (ckpt, data, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sw_trainer_run_epoch (again, NULL, NULL, NULL, &error));
  g_assert_cmpmem (sw_unet_params (sw_trainer_net (again)),
                   sizeof (float) * sw_unet_num_params (sw_trainer_net (again)),
                   sw_unet_params (sw_trainer_net (tr)),
                   sizeof (float) * sw_unet_num_params (sw_trainer_net (tr)));
  sw_trainer_free (again);
  sw_trainer_free (tr);

  /* other captions, another vocabulary of the same size: no resume */
  for (int i = 0; i < data->n; i++)
    if (strcmp (data->captions[i], captions[0]) == 0)
      {
        g_free (data->captions[i]);
        data->captions[i] = g_strdup ("cat face: cat, face, pet");
      }
  g_assert_null (sw_trainer_resume (ckpt, data, NULL, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "another vocabulary"));
  g_unlink (ckpt);
  g_unlink (model);
}

/* generation on a word model: the same seed and prompt give the same
 * bytes, another prompt other ones */
static void
test_same_seed_same_bytes (void)
{
  g_autoptr (SwDataset) data = tiny_dataset (16);
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, data, &error);
  g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
  g_autofree char *vocab = sw_prompt_encoder_to_meta (sw_trainer_vocabulary (tr));
  g_autoptr (SwEpsModel) m = sw_eps_model_new_unet_words (sw_trainer_net (tr), &r.model, vocab, &error);
  g_assert_no_error (error);
  const size_t n = 2 * 3 * 32 * 32;
  g_autofree float *a = g_new (float, n), *b = g_new (float, n), *c = g_new (float, n);
  g_autofree float *dog = g_new (float, m->cond_dim), *fire = g_new (float, m->cond_dim);
  g_assert_true (m->encode (m, "dog", dog, NULL));
  g_assert_true (m->encode (m, "fire", fire, NULL));
  SwJob job;
  sw_job_init (&job);
  job.count = 2;
  job.steps = 4;
  job.seed = 9;
  job.cond = dog;
  g_assert_true (sw_job_run (m, &job, a, NULL, NULL, NULL, &error));
  g_assert_true (sw_job_run (m, &job, b, NULL, NULL, NULL, &error));
  job.cond = fire;
  g_assert_true (sw_job_run (m, &job, c, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, sizeof (float) * n, b, sizeof (float) * n);
  g_assert_true (memcmp (a, c, sizeof (float) * n) != 0);

  /* a training grid's prompts are the quality prompts the model knows,
   * its samples the job's, in [0, 1] */
  g_autofree const char **prompts = sw_grid_prompts (m, 1);
  g_assert_cmpuint (g_strv_length ((char **) prompts), ==, 1);
  g_assert_cmpstr (prompts[0], ==, "dog");
  g_assert_true (sw_sample_prompts (m, prompts, 2, 4, job.guidance, 9, c, NULL, NULL, &error));
  g_assert_no_error (error);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpfloat (c[i], ==, CLAMP (0.5f * a[i] + 0.5f, 0.0f, 1.0f));
  sw_trainer_free (tr);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-prompt-XXXXXX", NULL);
  g_test_add_func ("/prompt/words", test_words);
  g_test_add_func ("/prompt/vocabulary", test_vocabulary);
  g_test_add_func ("/prompt/encode", test_encode);
  g_test_add_func ("/prompt/unknown-word", test_unknown_word);
  g_test_add_func ("/prompt/caption-matches", test_caption_matches);
  g_test_add_func ("/prompt/meta", test_meta);
  g_test_add_func ("/prompt/caption-terms", test_caption_terms);
  g_test_add_func ("/prompt/balanced-draw", test_balanced_draw);
  g_test_add_func ("/prompt/train-on-captions", test_train_on_captions);
  g_test_add_func ("/prompt/repeat-rare", test_repeat_rare);
  g_test_add_func ("/prompt/model-file", test_model_file);
  g_test_add_func ("/prompt/same-seed-same-bytes", test_same_seed_same_bytes);
  int status = g_test_run ();
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
