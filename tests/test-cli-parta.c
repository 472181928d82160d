/* The Part A commands of stepwise-cli (issue 4) as a user meets them, on a
 * tiny untrained ddpm-prompt model: each writes its PNG and prints its
 * path, the same seed gives the same bytes, and every bad input is one
 * clear line and a non-zero status. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "test-cli-util.h"
#include "models/checkpoint.h"
#include "models/prompt-classes.h"
#include "train/recipe.h"
#include "io/image-io.h"
#include "io/png.h"
#include "test-model-util.h"

static char *dir, *model, *image, *mask, *small_mask;

static Run
run_cli (const char * const *args, gboolean with_model)
{
  const char *tail[] = { "--model", model, NULL };
  return run_cli_with (args, with_model ? tail : NULL);
}

static void
expect_error (const char * const *args, const char *says)
{
  const char *tail[] = { "--model", model, NULL };
  expect_error_with (args, tail, says);
}

/* a run with the model that succeeds and prints the PNG OUT it wrote,
 * removed after it is read; returns the PNG's bytes */
static GBytes *
expect_png (const char * const *args, const char *out)
{
  const char *tail[] = { "--model", model, NULL };
  GBytes *png = expect_png_with (args, tail, out, NULL, NULL);
  g_unlink (out);
  return png;
}

static char *
path_in_dir (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* a 40 x 30 grey PGM (centre-cropped by the loader) and two masks: one at
 * the model's size, one that needs resizing */
static void
write_inputs (void)
{
  GString *pgm = g_string_new ("P5\n40 30\n255\n");
  for (int i = 0; i < 40 * 30; i++)
    g_string_append_c (pgm, (char) ((i * 7) % 256));
  g_assert_true (g_file_set_contents (image, pgm->str, (gssize) pgm->len, NULL));
  g_string_free (pgm, TRUE);
  for (int k = 0; k < 2; k++)
    {
      int size = k ? 56 : 28;
      GString *m = g_string_new (NULL);
      g_string_append_printf (m, "P5\n%d %d\n255\n", size, size);
      for (int i = 0; i < size * size; i++)
        g_string_append_c (m, (char) (i < size * size / 2 ? 255 : 0));
      g_assert_true (g_file_set_contents (k ? small_mask : mask, m->str, (gssize) m->len, NULL));
      g_string_free (m, TRUE);
    }
}

static void
test_commands_write_pngs (void)
{
  g_autofree char *out = path_in_dir ("out.png");
  const char *generate[] = { "generate", "-p", "a sneaker", "-n", "2", "--steps", "3", "-o", out, NULL };
  g_autoptr (GBytes) a = expect_png (generate, out);
  g_autoptr (GBytes) b = expect_png (generate, out);
  g_assert_true (g_bytes_equal (a, b));   /* same seed, same bytes */
  const char *other_seed[] = { "generate", "-p", "a sneaker", "-n", "2", "--steps", "3", "--seed", "1",
                               "-o", out, NULL };
  g_autoptr (GBytes) c = expect_png (other_seed, out);
  g_assert_false (g_bytes_equal (a, c));

  const char *noise[] = { "noise", image, "--t", "10,500", "-o", out, NULL };
  const char *onestep[] = { "onestep", image, "--t", "250", "-p", "a bag", "-o", out, NULL };
  const char *blur[] = { "blur", image, "--kernel", "7", "--sigma", "2", "-o", out, NULL };
  const char *trajectory[] = { "trajectory", "--steps", "4", "--every", "2", "-o", out, NULL };
  const char *trajectory_img[] = { "trajectory", image, "--i-start", "2", "--steps", "4", "-o", out, NULL };
  const char *sdedit[] = { "sdedit", image, "-i", "1,2", "--steps", "3", "-o", out, NULL };
  const char *img2img[] = { "img2img", image, "-p", "a dress", "-i", "2", "--steps", "3", "-o", out, NULL };
  const char *inpaint[] = { "inpaint", image, mask, "-p", "a coat", "--steps", "3", "-n", "1", "-o", out, NULL };
  const char *anagram[] = { "anagram", "-p", "a bag", "-q", "trousers", "--view", "rotate180", "--steps", "3",
                            "-n", "1", "-o", out, NULL };
  const char *hybrid[] = { "hybrid", "-p", "a bag", "-q", "a dress", "--steps", "3", "-n", "1",
                           "--variance", "none", "-o", out, NULL };
  const char * const *runs[] = { noise, onestep, blur, trajectory, trajectory_img, sdedit, img2img,
                                 inpaint, anagram, hybrid };
  for (size_t k = 0; k < G_N_ELEMENTS (runs); k++)
    g_bytes_unref (expect_png (runs[k], out));

  /* a mask of another size works, with a warning */
  const char *resized[] = { "inpaint", image, small_mask, "--steps", "2", "-n", "1", "-o", out, NULL };
  g_auto (Run) r = run_cli (resized, TRUE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "warning: the mask"));
  g_unlink (out);
}

/* the text chunks of ARGS's PNG must hold the pairs of EXPECT (key, value,
 * ..., NULL); returns its width */
static int
expect_settings (const char * const *args, const char *out, const char * const *expect)
{
  g_autoptr (GBytes) png = expect_png (args, out);
  int width, height;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) text = sw_png_read_text (g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                                  &width, &height, NULL, &error);
  g_assert_no_error (error);
  for (; *expect; expect += 2)
    g_assert_cmpstr (g_hash_table_lookup (text, expect[0]), ==, expect[1]);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (text, "Software"), "Stepwise "));
  g_assert_false (g_hash_table_contains (text, "stepwise.created"));
  return width == height ? width : -1;
}

/* every generated PNG carries the settings that make its first image
 * again, under the window's keys; --plain writes that image alone */
static void
test_settings_in_pngs (void)
{
  g_autofree char *out = path_in_dir ("out.png");
  const char *plain[] = { "generate", "--plain", "-p", "a sneaker", "--steps", "3", "--seed", "42", "-g", "2.5",
                          "-o", out, NULL };
  const char *plain_text[] = { "stepwise.mode", "generate", "stepwise.model", "tiny.safetensors",
                               "stepwise.prompt", "a sneaker", "stepwise.seed", "42", "stepwise.steps", "3",
                               "stepwise.guidance", "2.5", "stepwise.i_start", "0", "stepwise.channels", "1",
                               "stepwise.prompt2", NULL, NULL };
  g_assert_cmpint (expect_settings (plain, out, plain_text), ==, 28);
  /* and inspect reads them back */
  g_autofree char *kept = path_in_dir ("kept.png");
  const char *plain_kept[] = { "generate", "--plain", "-p", "a sneaker", "--steps", "3", "--seed", "42",
                               "-o", kept, NULL };
  g_auto (Run) made = run_cli (plain_kept, TRUE);
  g_assert_cmpint (made.status, ==, 0);
  const char *inspect[] = { "inspect", kept, NULL };
  g_auto (Run) shown = run_cli_with (inspect, NULL);
  g_test_message ("inspect → %d: %s", shown.status, shown.err);
  g_assert_cmpint (shown.status, ==, 0);
  g_assert_nonnull (strstr (shown.out, ": 28×28 grey PNG, the settings of a generate job\n"));
  g_assert_nonnull (strstr (shown.out, "\n  stepwise.seed = 42\n"));
  g_assert_nonnull (strstr (shown.out, "\n  stepwise.prompt = a sneaker\n"));
  /* -o writes through a link, which stays; a device is refused, untouched */
  g_autofree char *link = path_in_dir ("link.png");
  g_assert_cmpint (symlink (kept, link), ==, 0);
  g_assert_cmpint (g_unlink (kept), ==, 0);
  const char *through[] = { "generate", "--plain", "-p", "a sneaker", "--steps", "3", "-o", link, NULL };
  g_auto (Run) linked = run_cli (through, TRUE);
  g_assert_cmpint (linked.status, ==, 0);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  const char *device[] = { "generate", "--plain", "-p", "a sneaker", "--steps", "3", "-o", "/dev/null", NULL };
  expect_error (device, "cannot write “/dev/null”: it is not a regular file");
  g_unlink (link);
  g_unlink (kept);
  const char *table[] = { "generate", "-p", "a sneaker", "-n", "2", "--steps", "3", "--seed", "42", "-g", "2.5",
                          "-o", out, NULL };
  g_assert_cmpint (expect_settings (table, out, plain_text), ==, -1);

  const char *anagram[] = { "anagram", "--plain", "-p", "a bag", "-q", "trousers", "--view", "rotate180",
                            "--steps", "3", "-o", out, NULL };
  const char *anagram_text[] = { "stepwise.mode", "anagram", "stepwise.prompt", "a bag",
                                 "stepwise.prompt2", "trousers", "stepwise.view", "rotate180", NULL };
  g_assert_cmpint (expect_settings (anagram, out, anagram_text), ==, 28);
  const char *hybrid[] = { "hybrid", "-p", "a bag", "-q", "a dress", "--steps", "3", "-n", "1", "-o", out, NULL };
  const char *hybrid_text[] = { "stepwise.mode", "hybrid", "stepwise.prompt2", "a dress", "stepwise.view", NULL,
                                NULL };
  expect_settings (hybrid, out, hybrid_text);
  const char *sdedit[] = { "img2img", image, "--plain", "-p", "a dress", "-i", "2", "--steps", "3", "-o", out,
                           NULL };
  const char *sdedit_text[] = { "stepwise.mode", "sdedit", "stepwise.prompt", "a dress", "stepwise.i_start", "2",
                                NULL };
  g_assert_cmpint (expect_settings (sdedit, out, sdedit_text), ==, 28);
  const char *columns[] = { "sdedit", image, "-i", "3,1", "--steps", "4", "-o", out, NULL };
  /* the columns go in order: the first is i_start 1 */
  const char *columns_text[] = { "stepwise.mode", "sdedit", "stepwise.i_start", "1", "stepwise.prompt", "", NULL };
  expect_settings (columns, out, columns_text);
  const char *inpaint[] = { "inpaint", image, mask, "--plain", "-p", "a coat", "--steps", "3", "-o", out, NULL };
  const char *inpaint_text[] = { "stepwise.mode", "inpaint", "stepwise.prompt", "a coat", NULL };
  g_assert_cmpint (expect_settings (inpaint, out, inpaint_text), ==, 28);
  const char *trajectory[] = { "trajectory", image, "--plain", "--i-start", "2", "--steps", "4", "-o", out, NULL };
  const char *trajectory_text[] = { "stepwise.mode", "sdedit", "stepwise.i_start", "2", NULL };
  g_assert_cmpint (expect_settings (trajectory, out, trajectory_text), ==, 28);

  const char *many[] = { "generate", "--plain", "-n", "2", NULL };
  expect_error (many, "--plain writes one image, and --count is 2; give --count 1 or leave it out");
  const char *starts[] = { "sdedit", image, "--plain", NULL };
  expect_error (starts, "--plain writes one image; give one --i-start");
  g_autofree char *figure = path_in_dir ("noise.png");
  const char *noise[] = { "noise", image, "-o", figure, NULL };
  g_auto (Run) noised = run_cli (noise, TRUE);
  g_assert_cmpint (noised.status, ==, 0);
  const char *no_settings[] = { "inspect", figure, NULL };
  expect_error_with (no_settings, NULL, "noise.png” holds no Stepwise settings (no “stepwise.mode” text); "
                     "accepted: a PNG that stepwise-cli or the window wrote for a generated image");
  g_unlink (figure);
  const char *lab[] = { "noise", image, "--plain", NULL };
  expect_error (lab, "--plain is for the commands that generate an image, not noise");
}

static void
test_bad_input (void)
{
  g_autofree char *text = path_in_dir ("notes.txt");
  g_assert_true (g_file_set_contents (text, "not an image\n", -1, NULL));
  const char *unknown_prompt[] = { "generate", "-p", "a unicorn", NULL };
  expect_error (unknown_prompt, "unknown prompt “a unicorn”; this model knows: a t-shirt");
  /* a 100 KB prompt is quoted by its first 80 characters (issue 23, D9) */
  g_autofree char *long_prompt = g_strnfill (100000, 'x');
  const char *too_long[] = { "generate", "-p", long_prompt, NULL };
  g_autofree char *cut = g_strconcat ("unknown prompt “", long_prompt + 100000 - 80, "…”; this model knows", NULL);
  expect_error (too_long, cut);
  const char *guidance[] = { "generate", "-g", "101", NULL };
  expect_error (guidance, "guidance 101 is out of range; accepted: 0 to 100");
  const char *steps[] = { "generate", "--steps", "1000", NULL };
  expect_error (steps, "--steps 1000 is out of range; accepted: 1 to 999");
  const char *count[] = { "generate", "-n", "0", NULL };
  expect_error (count, "--count 0 is out of range; accepted: 1 to 1000");
  const char *seed[] = { "generate", "--seed", "-1", NULL };
  expect_error (seed, "accepted: 0 or more");
  const char *variance[] = { "generate", "--variance", "big", NULL };
  expect_error (variance, "accepted: auto, posterior, none");
  const char *i_start[] = { "sdedit", image, "-i", "40", NULL };
  expect_error (i_start, "i_start 40 is out of range; accepted: 0 to 32");
  const char *not_image[] = { "sdedit", text, NULL };
  expect_error (not_image, "not an image Stepwise can read");
  const char *missing[] = { "sdedit", "/nonexistent.png", NULL };
  expect_error (missing, "/nonexistent.png");
  const char *no_prompt[] = { "img2img", image, NULL };
  expect_error (no_prompt, "give the prompt");
  const char *one_prompt[] = { "anagram", "-p", "a bag", NULL };
  expect_error (one_prompt, "give both --prompt and --prompt2");
  const char *view[] = { "anagram", "-p", "a bag", "-q", "a dress", "--view", "skew", NULL };
  expect_error (view, "accepted: flip, rotate180, negate");
  const char *kernel[] = { "blur", image, "--kernel", "4", NULL };
  expect_error (kernel, "an odd number from 1 to 255");
  const char *t[] = { "noise", image, "--t", "1000", NULL };
  expect_error (t, "t = 1000 is out of range; accepted: 1 to 999");
  const char *no_mask[] = { "inpaint", image, NULL };
  expect_error (no_mask, "give an image file and a mask file");
  const char *every[] = { "trajectory", "--every", "0", NULL };
  expect_error (every, "accepted: 1 to 1000");
  g_unlink (text);
}

/* a flow model is not a Part A model, and the message says what is */
static void
test_wrong_model (void)
{
  g_autofree char *flow = path_in_dir ("flow.safetensors");
  SwRecipe recipe;
  g_assert_true (sw_recipe_lookup ("flow-class", &recipe, NULL));
  SwUnetConfig cfg = { .variant = SW_UNET_CLASS, .time_mod = SW_TIME_MUL, .D = 4,
                       .channels = 1, .size = 28, .class_dim = 10 };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 3);
  g_autoptr (GPtrArray) meta = g_ptr_array_new_with_free_func (g_free);
  sw_recipe_to_meta (&recipe, meta);
  g_ptr_array_add (meta, NULL);
  g_assert_true (sw_checkpoint_save (flow, net, NULL, (const char * const *) meta->pdata,
                                     SW_DTYPE_F32, NULL));
  sw_unet_free (net);
  const char *args[] = { "generate", "--model", flow, NULL };
  g_auto (Run) r = run_cli (args, FALSE);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "the Part A algorithms need a class-conditioned eps-cosine model"));
  g_unlink (flow);
}

/* the figures report: every figure it names exists */
static void
test_figures (void)
{
  if (!g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("Fashion-MNIST is not installed (dataset-fashion-mnist)");
      return;
    }
  g_autofree char *out = path_in_dir ("figures");
  const char *args[] = { "figures", out, NULL };
  g_auto (Run) r = run_cli (args, TRUE);
  g_test_message ("figures: %s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_free (expect_figures_report (out, 20));
  sw_test_remove_dir (out);
}

/* issue 22's stage I: a 16x16 colour residual attention UNet runs every
 * Part A command.  The inputs are a user's: a 64x64 colour drawing (a red
 * disc on white), masks at the model's size and at the drawing's; every
 * --plain image is 16x16 RGB with the settings of a 3-channel job, and
 * what inpainting keeps is the drawing shrunk to 16 px. */
static const char * const stage1_captions[] = {
  "cat face: cat, face, pet", "dog face: dog, face", "old man: adult, man, old",
  "fire: flame, camping", "skull: death, face", "rocket: space", "snowman: snow",
  "strawberry: berry, fruit", "deciduous tree: tree", "smiling face: face, smile",
  "pencil: write", "sunset: sun", NULL,
};

static char *
write_drawing (void)
{
  char *path = path_in_dir ("drawing.ppm");
  write_disc_drawing (path);
  return path;
}

/* a mask of SIZE x SIZE, white (regenerate) in its top half */
static char *
write_top_mask (int size)
{
  char *path = g_strdup_printf ("%s/mask-top-%d.pgm", dir, size);
  write_top_mask_file (path, size);
  return path;
}

/* ARGS writes OUT: a 16x16 image of a 3-channel job in MODE; returns its
 * pixels, (3, 16, 16) in [0, 1] */
static float *
expect_stage1_plain (const char * const *args, const char *stage1, const char *out, const char *mode)
{
  const char *tail[] = { "--model", stage1, NULL };
  g_auto (Run) r = run_cli_with (args, tail);
  g_test_message ("%s → %d: %s", args[0], r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  g_autoptr (GBytes) png = g_bytes_new_take (data, len);
  int width = 0, height = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) data, len, &width, &height, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (width, ==, 16);
  g_assert_cmpint (height, ==, 16);
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.mode"), ==, mode);
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.channels"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.model"), ==, "stage1.safetensors");
  float *px = sw_image_load (out, 3, 16, &error);
  g_assert_no_error (error);
  g_unlink (out);
  return px;
}

static void
test_stage1 (void)
{
  g_autofree char *stage1 = path_in_dir ("stage1.safetensors");
  sw_test_write_tiny_stage1 (stage1, stage1_captions);
  g_autofree char *drawing = write_drawing ();
  g_autofree char *mask16 = write_top_mask (16), *mask64 = write_top_mask (64);
  g_autofree char *out = path_in_dir ("out.png");
  const char *tail[] = { "--model", stage1, NULL };

  const char *generate[] = { "generate", "--plain", "-p", "dog", "--steps", "3", "-o", out, NULL };
  const char *sdedit[] = { "sdedit", drawing, "--plain", "-i", "2", "--steps", "4", "-o", out, NULL };
  const char *grey[] = { "sdedit", image, "--plain", "-i", "2", "--steps", "4", "-o", out, NULL };
  const char *img2img[] = { "img2img", drawing, "--plain", "-p", "strawberry", "-i", "1", "--steps", "4",
                            "-o", out, NULL };
  const char *anagram[] = { "anagram", "--plain", "-p", "old man", "-q", "fire", "--steps", "3", "-o", out,
                            NULL };
  const char *hybrid[] = { "hybrid", "--plain", "-p", "skull", "-q", "fire", "--steps", "3", "-o", out, NULL };
  const char *trajectory[] = { "trajectory", drawing, "--plain", "--i-start", "2", "--steps", "4", "-o", out,
                               NULL };
  const struct { const char * const *args; const char *mode; } plain[] = {
    { generate, "generate" }, { sdedit, "sdedit" }, { grey, "sdedit" }, { img2img, "sdedit" },
    { anagram, "anagram" }, { hybrid, "hybrid" }, { trajectory, "sdedit" },
  };
  for (size_t k = 0; k < G_N_ELEMENTS (plain); k++)
    g_free (expect_stage1_plain (plain[k].args, stage1, out, plain[k].mode));

  /* inpainting keeps the bottom half: the drawing at 16 px, red on white */
  const char *inpaint[] = { "inpaint", drawing, mask16, "--plain", "-p", "fire", "--steps", "3", "-o", out,
                            NULL };
  g_autofree float *kept = expect_stage1_plain (inpaint, stage1, out, "inpaint");
  g_autoptr (GError) error = NULL;
  g_autofree float *shrunk = sw_image_load (drawing, 3, 16, &error);
  g_assert_no_error (error);
  for (int c = 0; c < 3; c++)
    for (int j = 8 * 16; j < 16 * 16; j++)
      g_assert_cmpfloat_with_epsilon (kept[c * 256 + j], shrunk[c * 256 + j], 1.5 / 255);
  g_assert_cmpfloat (kept[0 * 256 + 8 * 16 + 8], >, 0.9);   /* the disc: red */
  g_assert_cmpfloat (kept[1 * 256 + 8 * 16 + 8], <, 0.1);
  /* the drawing's own 64 px mask works too, with a warning naming 16x16 */
  const char *big_mask[] = { "inpaint", drawing, mask64, "--steps", "2", "-n", "1", "-o", out, NULL };
  g_auto (Run) warned = run_cli_with (big_mask, tail);
  g_assert_cmpint (warned.status, ==, 0);
  g_assert_nonnull (strstr (warned.err, "warning: the mask"));
  g_assert_nonnull (strstr (warned.err, "is not 16x16"));
  g_unlink (out);

  /* the tables of every Part A command */
  const char *t_generate[] = { "generate", "-p", "dog", "-n", "2", "--steps", "3", "-o", out, NULL };
  const char *t_sdedit[] = { "sdedit", drawing, "-i", "1,2", "--steps", "3", "-n", "1", "-o", out, NULL };
  const char *t_img2img[] = { "img2img", drawing, "-p", "sunset", "-i", "2", "--steps", "3", "-n", "1",
                              "-o", out, NULL };
  const char *t_inpaint[] = { "inpaint", drawing, mask16, "--steps", "3", "-n", "2", "-o", out, NULL };
  const char *t_anagram[] = { "anagram", "-p", "snowman", "-q", "fire", "--view", "negate", "--steps", "3",
                              "-n", "1", "-o", out, NULL };
  const char *t_hybrid[] = { "hybrid", "-p", "skull", "-q", "fire", "--steps", "3", "-n", "1", "-o", out, NULL };
  const char *t_trajectory[] = { "trajectory", "-p", "rocket", "--steps", "4", "--every", "2", "-o", out, NULL };
  const char *t_noise[] = { "noise", drawing, "--t", "10,500", "-o", out, NULL };
  const char *t_onestep[] = { "onestep", drawing, "--t", "250", "-p", "pencil", "-o", out, NULL };
  const char *t_blur[] = { "blur", drawing, "-o", out, NULL };
  const char * const *tables[] = { t_generate, t_sdedit, t_img2img, t_inpaint, t_anagram, t_hybrid,
                                   t_trajectory, t_noise, t_onestep, t_blur };
  for (size_t k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_auto (Run) r = run_cli_with (tables[k], tail);
      g_test_message ("%s → %d: %s", tables[k][0], r.status, r.err);
      g_assert_cmpint (r.status, ==, 0);
      g_autofree char *line = g_strdup_printf ("%s\n", out);
      g_assert_cmpstr (r.out, ==, line);
      g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
      g_unlink (out);
    }

  /* the prompts are the model's words */
  const char *unknown[] = { "generate", "-p", "a sneaker", NULL };
  expect_error_with (unknown, tail, "a sneaker");
  g_unlink (stage1);
}

/* figures ARGS on the datasets of DATA succeeds: returns the report it
 * wrote in OUT, its emoji prompts checked */
static char *
expect_emoji_figures (const char *data, const char * const *args, const char *out)
{
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
  g_auto (Run) r = run_cli_with (args, NULL);
  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
  g_test_message ("figures → %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  char *html = expect_figures_report (out, 25);
  g_assert_nonnull (strstr (html, "sdedit sketch-1.png --prompt strawberry"));
  return html;
}

/* the figures report on stage I: the emoji prompts serve emoji16 */
static void
test_stage1_figures (void)
{
  g_autofree char *data = path_in_dir ("stage1-data"), *out = path_in_dir ("stage1-figures");
  g_autofree char *stage1 = path_in_dir ("stage1-figures.safetensors");
  sw_test_write_tiny_stage1 (stage1, stage1_captions);
  sw_test_write_emoji_sized (data, "emoji16", 16, stage1_captions);
  const char *args[] = { "figures", out, "--model", stage1, NULL };
  g_free (expect_emoji_figures (data, args, out));
  int width = 0, height = 0;
  g_autofree char *test_png = g_build_filename (out, "test.png", NULL);
  g_autofree char *png = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (test_png, &png, &len, NULL));
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) png, len, &width, &height, NULL, NULL);
  g_assert_cmpint (width, ==, 16);
  g_assert_cmpint (height, ==, 16);
  remove_tree (out);
  remove_tree (data);
  g_unlink (stage1);
}

/* PATH's text chunk KEY (NULL when it has none) and its width */
static char *
png_text_of (const char *path, const char *key, int *width)
{
  g_autofree char *png = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &png, &len, NULL));
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) png, len, width, NULL, NULL, NULL);
  g_assert_nonnull (text);
  return g_strdup (g_hash_table_lookup (text, key));
}

/* the figures report on the cascade (issue 24): given --sr, every
 * sampling figure is made through both stages at 64 px (its PNG names
 * stage II, its images are 64 px), the inputs are 64 px, the lab's
 * figures are stage I's alone; a stage II file in --model is refused */
static void
test_cascade_figures (void)
{
  g_autofree char *data = path_in_dir ("cascade-data"), *out = path_in_dir ("cascade-figures");
  g_autofree char *stage1 = path_in_dir ("stage1-c.safetensors");
  g_autofree char *stage2 = path_in_dir ("stage2-c.safetensors");
  sw_test_write_tiny_stage1 (stage1, stage1_captions);
  sw_test_write_tiny_stage2 (stage2, NULL);
  sw_test_write_emoji_sized (data, "emoji64", 64, stage1_captions);
  const char *swapped[] = { "figures", out, "--model", stage2, NULL };
  expect_error_with (swapped, NULL, "give it with --sr");
  const char *args[] = { "figures", out, "--model", stage1, "--sr", stage2, NULL };
  g_autofree char *html = expect_emoji_figures (data, args, out);
  g_assert_nonnull (strstr (html, "Part A figures on the cascade stage1-c.safetensors → stage2-c.safetensors"));
  /* the command under a figure redoes it on these two files */
  g_autofree char *q1 = g_shell_quote (stage1), *q2 = g_shell_quote (stage2);
  g_autofree char *shown = g_strdup_printf ("--out sdedit-test.png --model %s --seed 0 --sr %s", q1, q2);
  g_autofree char *shown_html = g_markup_escape_text (shown, -1);
  g_assert_nonnull (strstr (html, shown_html));
  int width = 0;
  g_autofree char *test_png = g_build_filename (out, "test.png", NULL);
  g_free (png_text_of (test_png, "stepwise.mode", &width));
  g_assert_cmpint (width, ==, 64);
  /* the sampling figures: both stages, each image drawn 4x at 64 px */
  const struct { const char *name; int images_a_row; } cascade[] = {
    { "iterative.png", 1 }, { "samples-no-cfg.png", 5 }, { "samples-cfg-1.png", 5 },
    { "sdedit-test.png", 1 }, { "sdedit-sketch-2.png", 1 }, { "inpaint.png", 1 },
    { "img2img.png", 1 }, { "anagram-1.png", 4 }, { "hybrid-2.png", 4 },
  };
  for (size_t k = 0; k < G_N_ELEMENTS (cascade); k++)
    {
      g_autofree char *file = g_build_filename (out, cascade[k].name, NULL);
      g_autofree char *sr = png_text_of (file, "stepwise.sr-model", &width);
      g_test_message ("%s: stage II %s, %d px wide", cascade[k].name, sr, width);
      g_assert_cmpstr (sr, ==, "stage2-c.safetensors");
      g_assert_cmpint (width, >=, cascade[k].images_a_row * 64 * 4);
    }
  /* the lab's: stage I alone */
  const char * const lab[] = { "forward.png", "blur.png", "onestep.png", "denoise-compare.png" };
  for (size_t k = 0; k < G_N_ELEMENTS (lab); k++)
    {
      g_autofree char *file = g_build_filename (out, lab[k], NULL);
      g_autofree char *sr = png_text_of (file, "stepwise.sr-model", &width);
      g_assert_null (sr);
      g_assert_cmpint (width, <, 3 * 64 * 4);
    }
  remove_tree (out);
  remove_tree (data);
  g_unlink (stage1);
  g_unlink (stage2);
}

/* without --model the Part A commands run the shipped default model
 * (SW_CLI_DEFAULT_MODEL in app/cli-job.h; here a tiny one of its kind in
 * $STEPWISE_MODEL_DIR, and a prompt it knows), and --help names it */
#define CLI_DEFAULT_MODEL "emoji-stage1"
#define CLI_DEFAULT_PROMPT "dog"

static void
test_default_model (void)
{
  g_autofree char *shipped = path_in_dir ("shipped");
  g_assert_cmpint (g_mkdir_with_parents (shipped, 0755), ==, 0);
  g_autofree char *def = g_build_filename (shipped, CLI_DEFAULT_MODEL ".safetensors", NULL);
  sw_test_write_tiny_stage1 (def, stage1_captions);
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_MODEL_DIR"));
  g_setenv ("STEPWISE_MODEL_DIR", shipped, TRUE);
  g_autofree char *out = path_in_dir ("out.png");
  const char *plain[] = { "generate", "--plain", "-p", CLI_DEFAULT_PROMPT, "--steps", "2", "-o", out, NULL };
  g_auto (Run) r = run_cli_with (plain, NULL);
  g_test_message ("generate → %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  g_autoptr (GBytes) png = g_bytes_new_take (data, len);
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) data, len, NULL, NULL, NULL, NULL);
  g_assert_cmpstr (g_hash_table_lookup (text, "stepwise.model"), ==, CLI_DEFAULT_MODEL ".safetensors");
  g_unlink (out);
  if (saved)
    g_setenv ("STEPWISE_MODEL_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_MODEL_DIR");
  const char *commands[] = { "generate", "sdedit", "img2img", "inpaint", "anagram", "hybrid", "trajectory",
                             "figures" };
  for (size_t k = 0; k < G_N_ELEMENTS (commands); k++)
    {
      const char *help[] = { commands[k], "--help", NULL };
      g_auto (Run) h = run_cli_with (help, NULL);
      g_assert_cmpint (h.status, ==, 0);
      g_assert_nonnull (strstr (h.out, "(default: the shipped " CLI_DEFAULT_MODEL ")"));
    }
  g_unlink (def);
  g_rmdir (shipped);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("stepwise-parta-XXXXXX", NULL);
  model = path_in_dir ("tiny.safetensors");
  image = path_in_dir ("image.pgm");
  mask = path_in_dir ("mask.pgm");
  small_mask = path_in_dir ("mask-56.pgm");
  sw_test_write_tiny_model (model);
  write_inputs ();
  g_test_add_func ("/cli-parta/commands", test_commands_write_pngs);
  g_test_add_func ("/cli-parta/settings-in-pngs", test_settings_in_pngs);
  g_test_add_func ("/cli-parta/bad-input", test_bad_input);
  g_test_add_func ("/cli-parta/wrong-model", test_wrong_model);
  g_test_add_func ("/cli-parta/figures", test_figures);
  g_test_add_func ("/cli-parta/stage1", test_stage1);
  g_test_add_func ("/cli-parta/stage1-figures", test_stage1_figures);
  g_test_add_func ("/cli-parta/cascade-figures", test_cascade_figures);
  g_test_add_func ("/cli-parta/default-model", test_default_model);
  int status = g_test_run ();
  sw_test_remove_dir (dir);
  g_free (dir);
  g_free (model);
  g_free (image);
  g_free (mask);
  g_free (small_mask);
  return status;
}
