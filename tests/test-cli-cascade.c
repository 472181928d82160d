/* The cascade through stepwise-cli (issue 24), on tiny untrained stage I
 * (16 px) and stage II (16 -> 64 px) files: every Part A command takes
 * --sr and writes 64 px images, --stage 1 stops at 16 px, the same seed
 * gives the same bytes, inpainting keeps the unmasked 64 px pixels
 * exactly, trajectory shows both stages' frames, each stage's file is
 * refused in the other's place, the stage II options are checked, and
 * eval-prompts scores the cascade's 64 px samples at 32 px. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "test-util.h"
#include "test-cli-util.h"
#include "test-model-util.h"
#include "io/image-io.h"
#include "io/png.h"

static char *dir, *stage1, *stage2, *drawing, *mask64, *out;

static const char * const captions[] = { "dog face: dog", "fire: flame", "strawberry: berry", NULL };

/* the text of the PNG at KEY, or NULL */
static char *
png_text (GBytes *png, const char *key)
{
  g_autoptr (GHashTable) text = sw_png_read_text (g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                                  NULL, NULL, NULL, NULL);
  g_assert_nonnull (text);
  return g_strdup (g_hash_table_lookup (text, key));
}

static const char *both[] = { "--model", NULL, "--sr", NULL, "--steps", "3", "--sr-steps", "2", NULL };

/* every command, --plain: 64 px with stage II, 16 px with --stage 1 */
static void
test_commands (void)
{
  const char *generate[] = { "generate", "--plain", "-p", "dog", "-o", out, NULL };
  const char *sdedit[] = { "sdedit", drawing, "--plain", "-i", "1", "-o", out, NULL };
  const char *img2img[] = { "img2img", drawing, "--plain", "-p", "strawberry", "-i", "2", "-o", out, NULL };
  const char *inpaint[] = { "inpaint", drawing, mask64, "--plain", "-p", "fire", "-o", out, NULL };
  const char *anagram[] = { "anagram", "--plain", "-p", "dog", "-q", "fire", "-o", out, NULL };
  const char *hybrid[] = { "hybrid", "--plain", "-p", "dog", "-q", "fire", "-o", out, NULL };
  const char *trajectory[] = { "trajectory", "--plain", "-p", "fire", "-o", out, NULL };
  const char * const *runs[] = { generate, sdedit, img2img, inpaint, anagram, hybrid, trajectory };
  const char *stage1_only[] = { "--model", stage1, "--steps", "3", "--stage", "1", NULL };
  for (size_t k = 0; k < G_N_ELEMENTS (runs); k++)
    {
      int w, h;
      g_autoptr (GBytes) big = expect_png_with (runs[k], both, out, &w, &h);
      g_assert_cmpint (w, ==, 64);
      g_assert_cmpint (h, ==, 64);
      /* its settings name stage II too */
      const char * const expect[] = { "stepwise.model", "stage1.safetensors",
                                      "stepwise.sr-model", "stage2.safetensors", "stepwise.steps", "3",
                                      "stepwise.sr-steps", "2", "stepwise.sr-guidance", "4",
                                      "stepwise.sr-noise", "50", "stepwise.sr-from", "750" };
      for (size_t e = 0; e < G_N_ELEMENTS (expect); e += 2)
        {
          g_autofree char *value = png_text (big, expect[e]);
          g_assert_cmpstr (value, ==, expect[e + 1]);
        }
      g_autoptr (GBytes) small = expect_png_with (runs[k], stage1_only, out, &w, &h);
      g_assert_cmpint (w, ==, 16);
      g_assert_cmpint (h, ==, 16);
      g_autofree char *none = png_text (small, "stepwise.sr-model");
      g_assert_null (none);
    }

  /* tables too, and the same seed gives the same bytes */
  const char *table[] = { "generate", "-p", "dog", "-n", "2", "-o", out, NULL };
  int w, h;
  g_autoptr (GBytes) a = expect_png_with (table, both, out, &w, &h);
  g_autoptr (GBytes) b = expect_png_with (table, both, out, &w, &h);
  g_assert_true (g_bytes_equal (a, b));
  const char *seed[] = { "generate", "-p", "dog", "-n", "2", "--seed", "3", "-o", out, NULL };
  g_autoptr (GBytes) c = expect_png_with (seed, both, out, &w, &h);
  g_assert_false (g_bytes_equal (a, c));
  const char *noise[] = { "generate", "-p", "dog", "-n", "2", "--sr-noise", "250", "-o", out, NULL };
  g_autoptr (GBytes) d = expect_png_with (noise, both, out, &w, &h);
  g_assert_false (g_bytes_equal (a, d));
}

/* the bottom half of the 64 px drawing comes back bit for bit */
static void
test_inpaint_keeps_pixels (void)
{
  const char *inpaint[] = { "inpaint", drawing, mask64, "--plain", "-p", "fire", "--seed", "5", "-o", out, NULL };
  int w, h;
  g_bytes_unref (expect_png_with (inpaint, both, out, &w, &h));
  g_autoptr (GError) error = NULL;
  g_autofree float *result = sw_image_load (out, 3, 64, &error);
  g_assert_no_error (error);
  g_autofree float *input = sw_image_load (drawing, 3, 64, &error);
  g_assert_no_error (error);
  int changed = 0;
  for (int c = 0; c < 3; c++)
    for (int j = 0; j < 64 * 64; j++)
      if (j >= 32 * 64)
        g_assert_cmpfloat (result[c * 4096 + j], ==, input[c * 4096 + j]);
      else
        changed += result[c * 4096 + j] != input[c * 4096 + j];
  g_test_message ("%d of the masked values changed", changed);
  g_assert_cmpint (changed, >, 3 * 32 * 64 / 2);
}

/* trajectory's strip holds stage I's frames (upsampled) and then stage
 * II's, every cell at 64 px drawn 4x: with --every 1 and 2 steps each
 * (stage II from the top), six columns, two more than --every 100's first
 * and last of each stage */
static void
test_trajectory_both_stages (void)
{
  const char *every1[] = { "trajectory", "-p", "fire", "--every", "1", "--steps", "2", "--sr-steps", "2",
                           "--sr-from", "999", "-o", out, NULL };
  const char *every100[] = { "trajectory", "-p", "fire", "--every", "100", "--steps", "2", "--sr-steps", "2",
                             "--sr-from", "999", "-o", out, NULL };
  const char *tail[] = { "--model", stage1, "--sr", stage2, NULL };
  int w, h, w4, h4, w1, h1;
  g_bytes_unref (expect_png_with (every1, tail, out, &w, &h));
  g_bytes_unref (expect_png_with (every100, tail, out, &w4, &h4));
  const char *stage1_tail[] = { "--model", stage1, "--stage", "1", "--sr", stage2, NULL };
  const char *trajectory1[] = { "trajectory", "-p", "fire", "--every", "1", "--steps", "2", "-o", out, NULL };
  g_bytes_unref (expect_png_with (trajectory1, stage1_tail, out, &w1, &h1));
  g_test_message ("both stages %dx%d (every 100: %dx%d), stage I %dx%d", w, h, w4, h4, w1, h1);
  g_assert_cmpint (h, >=, 2 * 256);
  g_assert_cmpint (h1, <, 2 * 256);
  g_assert_cmpint (w, >=, 6 * 256);
  g_assert_cmpint (w - w4, >=, 2 * 256);
}

/* each stage's file in the other's place, and the stage II options */
static void
test_refusals (void)
{
  const char *generate[] = { "generate", "-p", "dog", "-o", out, NULL };
  const char *m_is_2[] = { "--model", stage2, NULL };
  expect_error_with (generate, m_is_2, "is a stage II model (super-resolution");
  expect_error_with (generate, m_is_2, "give it with --sr");
  const char *sr_is_1[] = { "--model", stage1, "--sr", stage1, NULL };
  expect_error_with (generate, sr_is_1, "--sr: ");
  expect_error_with (generate, sr_is_1, "not a super-resolution model");
  const struct { const char *opt, *value, *says; } bad[] = {
    { "--sr-steps", "0", "--sr-steps" },
    { "--sr-steps", "1000", "--sr-steps" },
    { "--sr-guidance", "101", "--sr-guidance" },
    { "--sr-noise", "1000", "--sr-noise" },
    { "--sr-noise", "-1", "--sr-noise" },
    { "--sr-from", "1000", "--sr-from" },
    { "--stage", "3", "--stage" },
  };
  for (size_t k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      const char *args[] = { "generate", bad[k].opt, bad[k].value, "-o", out, NULL };
      const char *tail[] = { "--model", stage1, "--sr", stage2, NULL };
      expect_error_with (args, tail, bad[k].says);
    }
  const char *no_sr[] = { "--model", stage1, NULL };
  const char *sr_steps[] = { "generate", "--sr-steps", "5", "-o", out, NULL };
  expect_error_with (sr_steps, no_sr, "set stage II, which does not run here; give its model with --sr");
  const char *sr_from[] = { "generate", "--sr-from", "300", "-o", out, NULL };
  expect_error_with (sr_from, no_sr, "--sr-from set stage II, which does not run here"); 
  const char *stage2_only[] = { "generate", "--stage", "2", "-o", out, NULL };
  expect_error_with (stage2_only, no_sr, "--stage 2 needs a stage II model");
}

/* eval-prompts --sr: the cascade's 64 px samples, scored against the
 * emoji drawn at 32 px, their grid at 64 px */
static void
test_eval_prompts (void)
{
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  sw_test_write_emoji_sized (data, "emoji", 32, captions);
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
  g_autofree char *grid = g_build_filename (dir, "grid.png", NULL);
  const char * const args[] = { "eval-prompts", stage1, "--sr", stage2, "--prompts", "dog,fire",
                                "-n", "2", "--steps", "2", "--sr-steps", "2", "--sr-noise", "50",
                                "--json", "--grid", grid, NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("eval-prompts --sr → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  const char *expect[] = { "\"sr_model\": ", "\"sr_steps\": 2", "\"sr_noise\": 50",
                           "\"sample_side\": 64", "\"dataset\": \"emoji\"", "\"samples\": 4" };
  for (size_t k = 0; k < G_N_ELEMENTS (expect); k++)
    g_assert_nonnull (strstr (r.out, expect[k]));
  int w, h;
  g_autofree char *png = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (grid, &png, &len, NULL));
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) png, len, &w, &h, NULL, NULL);
  g_assert_nonnull (text);
  g_assert_cmpint (w, >=, 4 * 64);   /* two samples and their two nearest images a row, at 64 px */

  const char * const no_sr[] = { "eval-prompts", stage1, "--sr-noise", "50", NULL };
  expect_error_with (no_sr, NULL, "give its model with --sr FILE");
  const char * const bad[] = { "eval-prompts", stage1, "--sr", stage2, "--sr-noise", "1000", NULL };
  expect_error_with (bad, NULL, "--sr-noise");
  g_setenv ("STEPWISE_DATA_DIR", saved ? saved : "", TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("stepwise-cli-cascade-XXXXXX", NULL);
  stage1 = g_build_filename (dir, "stage1.safetensors", NULL);
  stage2 = g_build_filename (dir, "stage2.safetensors", NULL);
  drawing = g_build_filename (dir, "drawing.ppm", NULL);
  mask64 = g_build_filename (dir, "mask64.pgm", NULL);
  out = g_build_filename (dir, "out.png", NULL);
  sw_test_write_tiny_stage1 (stage1, captions);
  sw_test_write_tiny_stage2 (stage2, NULL);
  write_disc_drawing (drawing);
  write_top_mask_file (mask64, 64);
  both[1] = stage1;
  both[3] = stage2;
  g_test_add_func ("/cli-cascade/commands", test_commands);
  g_test_add_func ("/cli-cascade/inpaint-keeps-pixels", test_inpaint_keeps_pixels);
  g_test_add_func ("/cli-cascade/trajectory-both-stages", test_trajectory_both_stages);
  g_test_add_func ("/cli-cascade/refusals", test_refusals);
  g_test_add_func ("/cli-cascade/eval-prompts", test_eval_prompts);
  int status = g_test_run ();
  sw_test_remove_dir (dir);
  g_free (dir);
  g_free (stage1);
  g_free (stage2);
  g_free (drawing);
  g_free (mask64);
  g_free (out);
  return status;
}
