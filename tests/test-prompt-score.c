/* The scorer behind stepwise-cli eval-prompts and its --names
 * (eval/prompt-score.h), on fixtures whose right answer is known: the
 * one-word names of a few captions; samples given as training images; and
 * a synthetic model that draws a chosen training image for each word,
 * one of them the wrong one. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "base/rng.h"
#include "models/cosine-schedule.h"
#include "diffusion/sample-grid.h"
#include "eval/prompt-score.h"
#include "models/eps-model.h"
#include "test-model-util.h"
#include "test-util.h"

enum { S = 16, IMG = 3 * S * S };

/* sw_test_tiny_emoji_captions' 8 images at 16 px, each a square of its own
 * colour and place on white */
static SwDataset *
tiny_dataset (void)
{
  const int n = (int) g_strv_length ((char **) sw_test_tiny_emoji_captions);
  SwDataset *d = g_new0 (SwDataset, 1);
  *d = (SwDataset) { .name = g_strdup ("emoji16"), .n = n, .channels = 3, .height = S, .width = S };
  d->images = g_new (float, (size_t) n * IMG);
  d->captions = g_strdupv ((char **) sw_test_tiny_emoji_captions);
  for (int i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
          {
            gboolean ink = x >= 1 + i && x < 8 + i && y >= 4 && y < 12;
            d->images[((i * 3 + c) * S + y) * S + x]
              = ink ? (float) (((i + 1) * (c + 3) * 37) % 256) / 255.0f : 1.0f;
          }
  return d;
}

static SwPromptEncoder *
vocabulary_of (const char * const *captions)
{
  g_autoptr (GError) error = NULL;
  SwPromptEncoder *enc = sw_prompt_encoder_new (captions, (int) g_strv_length ((char **) captions),
                                                &error);
  g_assert_no_error (error);
  return enc;
}

/* One-word names: the name before the last colon, one run of letters or
 * digits, lower-cased, each once, sorted; skipped when the vocabulary has
 * no such word or it is a stop word */
static void
test_names (void)
{
  const char * const captions[] = {
    "dog face: dog, face, pet", "fire: flame, tool", "man: adult", "Aries: ram, zodiac",
    "flag: Andorra: flag", "family", "T-Rex: dinosaur", "fire: hot", "piñata: party",
    "photo: camera", "rocket: space", "old man", NULL,
  };
  /* the vocabulary of all but the rocket */
  g_autofree char **known = g_memdup2 (captions, sizeof captions);
  known[10] = known[11];
  known[11] = NULL;
  g_autoptr (SwPromptEncoder) vocab = vocabulary_of ((const char * const *) known);
  int skipped = -1;
  g_auto (GStrv) names = sw_name_prompts (vocab, captions, 12, &skipped);
  const char * const want[] = { "aries", "family", "fire", "man", "piñata", NULL };
  g_assert_cmpstrv (names, want);
  /* "photo", a stop word, and "rocket", which the vocabulary lacks */
  g_assert_cmpint (skipped, ==, 2);
}

/* Samples given as training images: dog draws the dog face twice; old man
 * the man, then the old man; fire the rocket, then the tree */
static void
test_given_samples (void)
{
  g_autoptr (SwDataset) d = tiny_dataset ();
  g_autoptr (SwPromptEncoder) vocab = vocabulary_of (sw_test_tiny_emoji_captions);
  const char * const prompts[] = { "dog", "old man", "fire", NULL };
  const int drawn[6] = { 0, 0, 3, 1, 7, 6 };
  g_autofree float *samples = g_new (float, 6 * IMG);
  SwRng rng;
  sw_rng_init (&rng, 5, 0);
  for (int i = 0; i < 6; i++)
    for (int k = 0; k < IMG; k++)   /* a little noise: the nearest is still the image */
      samples[i * IMG + k] = d->images[drawn[i] * IMG + k] + 0.05f * sw_rng_normal (&rng);

  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptScore) sc = sw_prompt_score_new (vocab, prompts, 2, &error);
  g_assert_no_error (error);
  g_assert_true (sw_prompt_score_run (sc, vocab, d, samples, 3, S, S, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sc->nearest, 6 * sizeof (int), drawn, sizeof drawn);
  const int matched[3] = { 2, 1, 0 }, distinct[3] = { 1, 2, 2 }, named[3] = { 1, 1, 1 };
  g_assert_cmpmem (sc->matched, sizeof matched, matched, sizeof matched);
  g_assert_cmpmem (sc->distinct, sizeof distinct, distinct, sizeof distinct);
  g_assert_cmpmem (sc->named, sizeof named, named, sizeof named);
  g_assert_cmpint (sc->total, ==, 3);

  /* samples of another size than the dataset's */
  g_assert_false (sw_prompt_score_run (sc, vocab, d, samples, 3, 8, 8, &error));
  sw_test_assert_error (error, SW_ERROR_SHAPE, "the dataset “emoji16” (16 x 16 x 3) cannot score "
                        "samples of 8 x 8 x 3");
  g_clear_error (&error);
  /* prompts that cannot be scored are refused before any sample */
  const char * const stop[] = { "a photo", NULL };
  g_assert_null (sw_prompt_score_new (vocab, stop, 2, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "the prompt “a photo” has no word to look for");
  g_clear_error (&error);
  const char * const typo[] = { "firre", NULL };
  g_assert_null (sw_prompt_score_new (vocab, typo, 2, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "unknown word “firre”");
}

/* A synthetic model that knows each word's image: its ε makes x̂₀ exactly
 * that image (in [-1, 1]) at every step, so every sample of a word is it */
typedef struct {
  const SwPromptEncoder *vocab;
  const SwDataset       *d;
  const int             *image_of_word;   /* per vocabulary word */
  double                 ab[SW_COSINE_T];
} Drawer;

static void
drawer_predict (SwEpsModel *m, int N, const float *x, int t, const float *cond, float *eps,
                float *var)
{
  const Drawer *o = m->impl;
  const double a = sqrt (o->ab[t]), b = sqrt (1.0 - o->ab[t]);
  for (int i = 0; i < N; i++)
    {
      /* the prompt's word; the unconditional vector draws image 0 */
      const float *c = cond + (size_t) i * m->cond_dim;
      int word = -1;
      for (int w = 0; w < m->cond_dim; w++)
        if (c[w] > 0.0f && (word < 0 || c[w] > c[word]))
          word = w;
      const float *x0 = o->d->images + (size_t) (word < 0 ? 0 : o->image_of_word[word]) * IMG;
      for (int k = 0; k < IMG; k++)
        eps[i * IMG + k] = (float) ((x[i * IMG + k] - a * (2.0 * x0[k] - 1.0)) / b);
    }
}

static gboolean
drawer_encode (SwEpsModel *m, const char *prompt, float *cond, GError **error)
{
  const Drawer *o = m->impl;
  return sw_prompt_encoder_encode (o->vocab, prompt, cond, error);
}

/* --names end to end: the names of captions its vocabulary knows (all
 * but the strawberry), 2 samples each; the model draws each name's own
 * image but the rocket for "tree", so 4 of 5 names are right */
static void
test_names_sampled (void)
{
  g_autoptr (SwDataset) d = tiny_dataset ();
  /* the vocabulary of every caption but the strawberry's (image 4) */
  const char * const *all = sw_test_tiny_emoji_captions;
  const char * const known[] = { all[0], all[1], all[2], all[3], all[5], all[6], all[7], NULL };
  g_autoptr (SwPromptEncoder) vocab = vocabulary_of (known);
  const int V = sw_prompt_encoder_size (vocab);
  g_autofree int *image_of_word = g_new0 (int, V);
  const struct { const char *word; int image; } draws[] = {
    { "fire", 2 }, { "man", 3 }, { "hamburger", 5 }, { "tree", 7 }, { "rocket", 7 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (draws); i++)
    image_of_word[sw_prompt_encoder_index (vocab, draws[i].word)] = draws[i].image;
  Drawer o = { vocab, d, image_of_word, { 0 } };
  sw_cosine_alpha_bar (SW_COSINE_T, o.ab);
  g_autoptr (SwEpsModel) m = g_new0 (SwEpsModel, 1);
  *m = (SwEpsModel) { .channels = 3, .height = S, .width = S, .cond_dim = V, .T = SW_COSINE_T,
                      .predict = drawer_predict, .encode = drawer_encode, .impl = &o };

  int skipped = -1;
  g_auto (GStrv) names = sw_name_prompts (vocab, (const char * const *) d->captions, d->n,
                                          &skipped);
  const char * const want[] = { "fire", "hamburger", "man", "rocket", "tree", NULL };
  g_assert_cmpstrv (names, want);
  g_assert_cmpint (skipped, ==, 1);

  g_autoptr (GError) error = NULL;
  g_autoptr (SwPromptScore) sc = sw_prompt_score_new (vocab, (const char * const *) names, 2,
                                                      &error);
  g_assert_no_error (error);
  g_autofree float *samples = g_new (float, 10 * IMG);
  /* guidance 1: the prompt's prediction alone */
  g_assert_true (sw_sample_prompts (m, (const char * const *) names, 2, 8, 1.0f, 3, samples,
                                    NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sw_prompt_score_run (sc, vocab, d, samples, 3, S, S, &error));
  g_assert_no_error (error);
  const int nearest[10] = { 2, 2, 5, 5, 3, 3, 7, 7, 7, 7 };
  g_assert_cmpmem (sc->nearest, sizeof nearest, nearest, sizeof nearest);
  const int matched[5] = { 2, 2, 2, 2, 0 }, distinct[5] = { 1, 1, 1, 1, 1 };
  g_assert_cmpmem (sc->matched, sizeof matched, matched, sizeof matched);
  g_assert_cmpmem (sc->distinct, sizeof distinct, distinct, sizeof distinct);
  g_assert_cmpint (sc->total, ==, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prompt-score/names", test_names);
  g_test_add_func ("/prompt-score/given-samples", test_given_samples);
  g_test_add_func ("/prompt-score/names-sampled", test_names_sampled);
  return g_test_run ();
}
