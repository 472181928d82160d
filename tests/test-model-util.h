/* test-model-util.h: a tiny untrained ddpm-prompt model file for tests that
 * exercise the Part A plumbing (CLI, window), whose results do not depend
 * on the weights. */
#pragma once

#include <glib.h>

#include "base/rng.h"
#include "models/checkpoint.h"
#include "models/prompt-encoder.h"
#include "models/resunet-file.h"
#include "data/dataset.h"
#include "models/prompt-classes.h"
#include "train/recipe.h"

/* D = 4, 28x28 grey, the Fashion prompts, written to PATH */
static inline void
sw_test_write_tiny_model (const char *path)
{
  SwRecipe recipe;
  g_assert_true (sw_recipe_lookup ("ddpm-prompt", &recipe, NULL));
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = SW_TIME_ADD, .D = 4,
                       .channels = 1, .size = 28, .class_dim = 10 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 3);
  g_autoptr (GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (&recipe, meta);
  g_autoptr (SwPromptClasses) pc = sw_prompt_classes_for_dataset ("fashion", NULL);
  g_ptr_array_add (meta, g_strdup ("prompt.classes"));
  g_ptr_array_add (meta, sw_prompt_classes_to_meta (pc));
  g_ptr_array_add (meta, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_checkpoint_save (path, net, NULL, (const char * const *) meta->pdata,
                                     SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  sw_unet_free (net);
}

/* an untrained residual attention UNet of shape CFG (its vocabulary the
 * words of CAPTIONS; NULL: no prompt), random everywhere, the zero-initialised modules
 * included, so that the output depends on the input and the prompt;
 * written to PATH in DTYPE with RECIPE's metadata */
static inline SwResunet *
sw_test_write_resunet_of (const char *path, const SwRecipe *recipe, SwResunetConfig cfg,
                          const char * const *captions, SwDtype dtype, uint64_t seed)
{
  g_autoptr (GError) error = NULL;
  SwPromptEncoder *words = captions ? sw_prompt_encoder_new (captions,
                                                             (int) g_strv_length ((char **) captions),
                                                             &error) : NULL;
  g_assert_no_error (error);
  cfg.vocab = words ? sw_prompt_encoder_size (words) : 0;
  SwResunet *net = sw_resunet_new (&cfg, &error);
  g_assert_no_error (error);
  SwRng rng;
  sw_rng_init (&rng, seed, 0);
  sw_rng_fill_uniform (&rng, sw_resunet_params (net), sw_resunet_num_params (net), -0.2f, 0.2f);
  g_autoptr (GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (recipe, meta);
  if (words)
    {
      g_ptr_array_add (meta, g_strdup ("prompt.vocabulary"));
      g_ptr_array_add (meta, sw_prompt_encoder_to_meta (words));
    }
  g_ptr_array_add (meta, NULL);
  g_assert_true (sw_resunet_save (path, net, NULL, (const char * const *) meta->pdata, dtype,
                                  &error));
  g_assert_no_error (error);
  sw_prompt_encoder_free (words);
  return net;
}

/* the same with the recipe RECIPE_NAME */
static inline SwResunet *
sw_test_write_resunet (const char *path, const char *recipe_name, SwResunetConfig cfg,
                       const char * const *captions, SwDtype dtype, uint64_t seed)
{
  SwRecipe recipe;
  g_assert_true (sw_recipe_lookup (recipe_name, &recipe, NULL));
  return sw_test_write_resunet_of (path, &recipe, cfg, captions, dtype, seed);
}

/* width 8, 8x8x3, two levels with attention at the second, the words of
 * CAPTIONS read pooled and by cross-attention, the emoji-ddpm recipe:
 * an untrained residual attention UNet written to PATH in DTYPE */
static inline SwResunet *
sw_test_write_tiny_resunet (const char *path, const char * const *captions, SwDtype dtype)
{
  const SwResunetConfig cfg = { .channels = 3, .size = 8, .width = 8, .levels = 2, .mult = { 1, 2 },
                                .blocks = 1, .attn = 0x2, .heads = 2, .groups = 4, .dropout = 0.1f,
                                .time_dim = 32, .embed_dim = 6, .pool = true, .cross = true,
                                .max_words = 4 };
  return sw_test_write_resunet (path, "emoji-ddpm", cfg, captions, dtype, 9);
}

/* issue 22's stage I in miniature: the emoji-stage1 recipe and its shape
 * (16x16x3, the caption words pooled and read by cross-attention, at most
 * the recipe's 8 of them) at width 8, two levels with attention at the
 * second, the words of CAPTIONS: an untrained residual attention UNet
 * written to PATH (F32) */
static inline void
sw_test_write_tiny_stage1 (const char *path, const char * const *captions)
{
  const SwResunetConfig cfg = { .channels = 3, .size = 16, .width = 8, .levels = 2, .mult = { 1, 2 },
                                .blocks = 1, .attn = 0x2, .heads = 2, .groups = 4, .time_dim = 32,
                                .embed_dim = 6, .pool = true, .cross = true, .max_words = 8 };
  sw_resunet_free (sw_test_write_resunet (path, "emoji-stage1", cfg, captions, SW_DTYPE_F32, 22));
}

/* issue 24's stage II in miniature: the emoji-stage2 recipe (factor 4),
 * holding out HOLD images (the recipe's 64 would be more than a tiny
 * dataset has; 0: none; -1: the recipe's), and its shape (the 3-channel low-res image and
 * its noise level beside x, no prompt unless CAPTIONS) at width 8 on
 * 16 px crops, two levels: an untrained super-resolution net written to
 * PATH (F32), which samples 64 px behind sw_test_write_tiny_stage1's 16 */
static inline void
sw_test_write_tiny_stage2_holding (const char *path, const char * const *captions, int hold)
{
  const SwResunetConfig cfg = { .channels = 3, .size = 16, .width = 8, .levels = 2, .mult = { 1, 2 },
                                .blocks = 1, .heads = 2, .groups = 4, .time_dim = 32,
                                .embed_dim = captions ? 6 : 0, .pool = captions != NULL, .max_words = 4,
                                .cond_channels = 3, .aug = true };
  SwRecipe recipe;
  g_assert_true (sw_recipe_lookup ("emoji-stage2", &recipe, NULL));
  if (hold >= 0)
    recipe.hold_out = hold;
  sw_resunet_free (sw_test_write_resunet_of (path, &recipe, cfg, captions, SW_DTYPE_F32, 24));
}

/* the same holding out the recipe's images */
static inline void
sw_test_write_tiny_stage2 (const char *path, const char * const *captions)
{
  sw_test_write_tiny_stage2_holding (path, captions, -1);
}

/* the captions of sw_test_write_tiny_emoji's images */
static const char * const sw_test_tiny_emoji_captions[] = {
  "dog face: dog, face, pet", "old man: adult, man, old", "fire: flame, tool",
  "man: adult", "strawberry: berry, fruit", "hamburger: burger", "tree: evergreen, plant",
  "rocket: space", NULL,
};

/* one captioned SxS image per caption (at most 12), each a square of its
 * own colour on white, written as the dataset NAME of DATA_DIR (a
 * STEPWISE_DATA_DIR) */
static inline void
sw_test_write_emoji_sized (const char *data_dir, const char *name, int S,
                           const char * const *captions)
{
  const int N = (int) g_strv_length ((char **) captions);
  g_assert_true (N >= 1 && N <= 12);
  g_autofree guint8 *px = g_new (guint8, N * 3 * S * S);
  g_autofree const char **codepoints = g_new0 (const char *, N + 1);
  for (int i = 0; i < N; i++)
    {
      codepoints[i] = "1F436";
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < S; y++)
          for (int x = 0; x < S; x++)
            {
              gboolean ink = x >= S / 8 + i && x < S * 5 / 8 + i && y >= S / 4 && y < S * 3 / 4;
              px[((i * 3 + c) * S + y) * S + x] = ink ? (guint8) (((i + 1) * (c + 3) * 37) % 256) : 255;
            }
    }
  g_autofree char *dir = g_build_filename (data_dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_emoji_dataset_save (dir, N, S, px, captions, codepoints, "test data", &error));
  g_assert_no_error (error);
}

/* the same at 32 px as the emoji dataset */
static inline void
sw_test_write_emoji (const char *data_dir, const char * const *captions)
{
  sw_test_write_emoji_sized (data_dir, "emoji", 32, captions);
}

/* sw_test_tiny_emoji_captions' 8 images */
static inline void
sw_test_write_tiny_emoji (const char *data_dir)
{
  sw_test_write_emoji (data_dir, sw_test_tiny_emoji_captions);
}
