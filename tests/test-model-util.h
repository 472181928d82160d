/* test-model-util.h: a tiny untrained ddpm-prompt model file for tests that
 * exercise the Part A plumbing (CLI, window), whose results do not depend
 * on the weights. */
#pragma once

#include <glib.h>

#include "checkpoint.h"
#include "prompt-classes.h"
#include "recipe.h"

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
