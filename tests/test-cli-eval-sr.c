/* stepwise-cli eval-sr (the cascade's stage II against bicubic) on a tiny
 * untrained stage II file and a tiny emoji64 (8 images at 64 px in a
 * STEPWISE_DATA_DIR): the report has every level asked for, its bicubic
 * PSNR is the one computed here from the held-out images, the same seed
 * gives the same numbers and another seed other ones, the figure is
 * written, and a model that holds no images out is refused unless
 * --images asks, when the report says the images were seen in training. */
#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "test-cli-util.h"
#include "test-model-util.h"
#include "data/bicubic.h"
#include "data/sr-pairs.h"
#include "eval/sr-metrics.h"
#include "io/png.h"

enum { HOLD = 3 };

static char *dir, *holding, *none;

/* eval-sr ARGS succeeds; its JSON report */
static SwJson *
report (const char * const *args)
{
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("eval-sr → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GError) error = NULL;
  SwJson *json = sw_json_parse (r.out, strlen (r.out), &error);
  g_assert_no_error (error);
  return json;
}

static double
number (const SwJson *o, const char *key)
{
  const SwJson *v = json_member (o, key);
  g_assert_cmpint (v->type, ==, SW_JSON_NUMBER);
  return v->number.value;
}

/* the mean PSNR of bicubic on the HOLD held-out images, computed here */
static double
bicubic_psnr (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SwDataset) d = sw_dataset_load ("emoji64", SW_SPLIT_TRAIN, &error);
  g_assert_no_error (error);
  g_autoptr (SwDataset) held = sw_dataset_hold_out (d, HOLD, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (held->n, ==, HOLD);
  enum { IMG = 3 * 64 * 64, LOW = 3 * 16 * 16 };
  float lo[LOW], up[IMG];
  double sum = 0.0;
  for (int i = 0; i < HOLD; i++)
    {
      const float *real = held->images + (size_t) i * IMG;
      sw_sr_block_means (3, 64, 4, real, lo);
      sw_bicubic_upsample (3, 16, 4, lo, up);
      double se = 0.0;
      for (int j = 0; j < IMG; j++)
        {
          const double v = CLAMP (up[j], 0.0f, 1.0f) - (double) real[j];
          se += v * v;
        }
      sum += 10.0 * log10 (IMG / se);
    }
  return sum / HOLD;
}

/* every level in order, the baselines, and bicubic's PSNR as computed
 * here; the same seed the same numbers, another seed others */
static void
test_report (void)
{
  const char * const args[] = { "eval-sr", holding, "--levels", "0,250,100", "--steps", "2",
                                "--json", NULL };
  g_autoptr (SwJson) a = report (args);
  g_assert_cmpint (number (a, "images"), ==, HOLD);
  g_assert_cmpint (number (a, "hold_out"), ==, HOLD);
  g_assert_cmpint (number (a, "side"), ==, 64);
  g_assert_cmpint (number (a, "low_side"), ==, 16);
  g_assert_false (json_member (a, "seen_in_training")->boolean);
  const double psnr = number (json_member (a, "bicubic"), "psnr_mean");
  g_test_message ("bicubic %.4f dB, computed here %.4f dB", psnr, bicubic_psnr ());
  g_assert_cmpfloat_with_epsilon (psnr, bicubic_psnr (), 1e-4);
  /* bicubic blurs: less sharp than the real images, and than nearest's blocks */
  const double sharp = number (json_member (a, "bicubic"), "sharpness");
  g_assert_cmpfloat (sharp, <, 1.0);
  g_assert_cmpfloat (sharp, <, number (json_member (a, "nearest"), "sharpness"));
  const SwJson *levels = json_member (a, "stage2");
  g_assert_cmpint (levels->type, ==, SW_JSON_ARRAY);
  g_assert_cmpint (levels->array.n, ==, 3);
  const int want[] = { 0, 250, 100 };
  for (int l = 0; l < 3; l++)
    {
      const SwJson *o = levels->array.items[l];
      g_assert_cmpint (number (o, "level"), ==, want[l]);
      g_assert_cmpfloat (number (o, "psnr_mean"), >, 0.0);
      g_assert_cmpfloat (number (o, "psnr_pooled"), >, 0.0);
      g_assert_cmpfloat (number (o, "sharpness"), >, 0.0);
    }

  g_autoptr (SwJson) b = report (args);
  const char * const seeded[] = { "eval-sr", holding, "--levels", "0,250,100", "--steps", "2",
                                  "--seed", "5", "--json", NULL };
  g_autoptr (SwJson) c = report (seeded);
  for (int l = 0; l < 3; l++)
    for (int k = 0; k < 3; k++)
      {
        const char *key = (const char *[]) { "psnr_mean", "psnr_pooled", "sharpness" }[k];
        const double x = number (levels->array.items[l], key);
        g_assert_cmpfloat (x, ==, number (json_member (b, "stage2")->array.items[l], key));
        if (k == 0)
          g_assert_cmpfloat (x, !=, number (json_member (c, "stage2")->array.items[l], key));
      }
}

/* the text report names every row; the figure has a row of three 64 px
 * cells at 2x per image */
static void
test_text_and_figure (void)
{
  g_autofree char *figure = g_build_filename (dir, "sr.png", NULL);
  const char * const args[] = { "eval-sr", holding, "--levels", "50,150", "--steps", "2",
                                "--figure", figure, "--figure-level", "7", NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("eval-sr → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  const char *rows[] = { "held-out images (never trained on)", "nearest", "bicubic",
                         "stage II, level 50", "stage II, level 150", figure };
  for (size_t k = 0; k < G_N_ELEMENTS (rows); k++)
    if (!strstr (r.out, rows[k]))
      g_error ("the report does not say “%s”", rows[k]);
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (figure, &data, &len, NULL));
  int w, h;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) text = sw_png_read_text ((const guint8 *) data, len, &w, &h, NULL, &error);
  g_free (data);
  g_assert_no_error (error);
  g_test_message ("figure %dx%d", w, h);
  g_assert_cmpint (w, >=, 3 * 128);
  g_assert_cmpint (h, >=, HOLD * 128);
}

/* no hold-out: refused, saying why; with --images, measured and flagged */
static void
test_no_hold_out (void)
{
  const char * const args[] = { "eval-sr", none, "--steps", "2", NULL };
  expect_error_with (args, NULL, "holds no images out of its training");
  expect_error_with (args, NULL, "--images N");
  const char * const anyway[] = { "eval-sr", none, "--levels", "100", "--steps", "2", "--images",
                                  "2", "--json", NULL };
  g_autoptr (SwJson) j = report (anyway);
  g_assert_true (json_member (j, "seen_in_training")->boolean);
  g_assert_cmpint (number (j, "images"), ==, 2);
  const char * const text[] = { "eval-sr", none, "--levels", "100", "--steps", "2", "--images",
                                "2", NULL };
  g_auto (Run) r = run_cli_with (text, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "SEEN IN TRAINING"));
  const char * const too_many[] = { "eval-sr", holding, "--images", "4", NULL };
  expect_error_with (too_many, NULL, "--images 4 is out of range; accepted: 1 to 3");
  const char * const bad_level[] = { "eval-sr", holding, "--levels", "0,1000", NULL };
  expect_error_with (bad_level, NULL, "--levels: “1000” is not a noise level");
}

/* in a new folder: the two model files, and the tiny emoji64 as the
 * STEPWISE_DATA_DIR */
static void
write_fixtures (void)
{
  dir = g_dir_make_tmp ("stepwise-cli-eval-sr-XXXXXX", NULL);
  holding = g_build_filename (dir, "holding.safetensors", NULL);
  none = g_build_filename (dir, "none.safetensors", NULL);
  sw_test_write_tiny_stage2_holding (holding, NULL, HOLD);
  sw_test_write_tiny_stage2_holding (none, NULL, 0);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  sw_test_write_emoji_sized (data, "emoji64", 64, (const char * const *) sw_test_tiny_emoji_captions);
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  write_fixtures ();
  g_test_add_func ("/cli-eval-sr/report", test_report);
  g_test_add_func ("/cli-eval-sr/text-and-figure", test_text_and_figure);
  g_test_add_func ("/cli-eval-sr/no-hold-out", test_no_hold_out);
  int status = g_test_run ();
  sw_test_remove_dir (dir);
  g_free (dir);
  g_free (holding);
  g_free (none);
  return status;
}
