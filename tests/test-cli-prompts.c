/* A model that reads prompts as words (issue 6), as a user meets it: on a
 * tiny captioned emoji set, stepwise-cli trains emoji-ddpm with its
 * grids and resumes it, eval-prompts reports (JSON well-formed, shares in
 * [0, 1]) and draws its grid, generate gives the same bytes for the same
 * seed, and unknown words and misuses are one clear line each. */
#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "test-util.h"
#include "test-cli-util.h"
#include "models/checkpoint.h"
#include "data/dataset.h"
#include "io/json.h"
#include "test-model-util.h"

static char *dir, *run_dir, *model;

static char *
path_in (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
write_dataset (void)
{
  g_autofree char *data = path_in ("data");
  sw_test_write_tiny_emoji (data);
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
}

static void
test_train (void)
{
  const char * const args[] = { "train", "emoji-ddpm", "--D", "4", "--embed", "8", "--batch", "4",
                                "--epochs", "1", "--sample-steps", "2", "--seed", "1", "--out", run_dir,
                                NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("train → %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "emoji-ddpm on emoji: 8 images"));
  g_assert_nonnull (strstr (r.err, "word embedding 8"));
  g_autofree char *grid = g_build_filename (run_dir, "samples-epoch-01.png", NULL);
  g_assert_true (g_file_test (grid, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (model, G_FILE_TEST_EXISTS));

  const char * const more[] = { "train", "emoji-ddpm", "--epochs", "2", "--sample-steps", "2",
                                "--out", run_dir, "--resume", "--repeat-rare", "0.5", NULL };
  g_auto (Run) again = run_cli_with (more, NULL);
  g_test_message ("resume → %d: %s", again.status, again.err);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.err, "resuming after epoch 1"));
  g_assert_nonnull (strstr (again.err, "word embedding 8"));   /* the checkpoint's own */
  g_assert_nonnull (strstr (again.err, "epoch 2/2"));
  /* 8 captions, most with a word of their own: those drawn round(sqrt(0.5 * 8)) = 2 times */
  const char *rep = strstr (again.err, "rare captions repeated (threshold 0.5: ");
  g_assert_nonnull (rep);
  int draws = 0;
  g_assert_cmpint (sscanf (rep, "rare captions repeated (threshold 0.5: %d draws", &draws), ==, 1);
  g_assert_cmpint (draws, >, 8);
  g_assert_cmpint (draws, <=, 16);

  /* the model's words and aliases are its prompts; sample has no classes to draw */
  const char * const sample[] = { "sample", model, NULL };
  expect_error_with (sample, NULL, "reads prompts as words");
}

/* export writes what the run would ship: here (no average) the weights
 * that train's model.safetensors holds */
static void
test_export (void)
{
  g_autofree char *ckpt = g_build_filename (run_dir, "checkpoint.safetensors", NULL);
  g_autofree char *out = path_in ("exported.safetensors");
  const char * const args[] = { "export", ckpt, out, NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "epoch 2, the weights"));
  g_autoptr (GError) error = NULL;
  SwUnet *a = sw_checkpoint_load (out, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  SwUnet *b = sw_checkpoint_load (model, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (sw_unet_params (a), sw_unet_num_params (a) * sizeof (float),
                   sw_unet_params (b), sw_unet_num_params (b) * sizeof (float));
  /* --f32 keeps the weights unrounded: the same up to F16's rounding */
  g_autofree char *out32 = path_in ("exported-f32.safetensors");
  const char * const args32[] = { "export", "--f32", ckpt, out32, NULL };
  g_auto (Run) r32 = run_cli_with (args32, NULL);
  g_assert_cmpint (r32.status, ==, 0);
  SwUnet *c = sw_checkpoint_load (out32, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  gboolean rounded_apart = FALSE;
  for (size_t i = 0; i < sw_unet_num_params (a); i++)
    {
      const float x = sw_unet_params (c)[i], y = sw_unet_params (a)[i];
      g_assert_cmpfloat (fabsf (x - y), <=, 1e-3f * fabsf (x) + 1e-7f);
      rounded_apart |= x != y;
    }
  g_assert_true (rounded_apart);
  sw_unet_free (c);
  sw_unet_free (a);
  sw_unet_free (b);
  /* a model file has no optimizer to resume from */
  /* word noise needs cross-attention, which this course UNet has not */
  const char * const noise[] = { "export", ckpt, out, "--word-noise", "0.1", NULL };
  expect_error_with (noise, NULL, "word noise 0.1 is for a model that reads its prompt's words by "
                     "cross-attention; accepted for this one: 0 (none)");
  const char * const shipped[] = { "export", model, out, NULL };
  expect_error_with (shipped, NULL, "holds weights only");
  const char * const missing[] = { "export", ckpt, NULL };
  expect_error_with (missing, NULL, "give a training checkpoint and the model file to write");
}

static GBytes *
read_bytes (const char *path)
{
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  return g_bytes_new_take (data, len);
}

static void
test_eval_prompts (void)
{
  g_autofree char *grid = path_in ("eval.png");
  const char * const args[] = { "eval-prompts", model, "--prompts", "dog, old man,campfire",
                                "--per-prompt", "2", "--steps", "2", "--json", "--grid", grid,
                                "--caption-loss", "2", NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("eval-prompts → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (SwJson) json = sw_json_parse (r.out, strlen (r.out), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json->type, ==, SW_JSON_OBJECT);
  const SwJson *prompts = NULL, *share = NULL, *samples = NULL, *loss900 = NULL;
  for (size_t i = 0; i < json->object.n; i++)
    {
      const SwJsonMember *mb = &json->object.members[i];
      if (strcmp (mb->key, "prompts") == 0)
        prompts = mb->value;
      else if (strcmp (mb->key, "caption_loss_t900") == 0)
        loss900 = mb->value;
      else if (strcmp (mb->key, "share") == 0)
        share = mb->value;
      else if (strcmp (mb->key, "samples") == 0)
        samples = mb->value;
    }
  g_assert_nonnull (prompts);
  /* the caption's losses: with it, without it, both positive */
  g_assert_nonnull (loss900);
  g_assert_cmpint (loss900->type, ==, SW_JSON_OBJECT);
  g_assert_cmpint (loss900->object.n, ==, 2);
  g_assert_cmpstr (loss900->object.members[0].key, ==, "with");
  g_assert_cmpfloat (loss900->object.members[0].value->number.value, >, 0.0);
  g_assert_cmpfloat (loss900->object.members[1].value->number.value, >, 0.0);
  g_assert_cmpint (prompts->type, ==, SW_JSON_ARRAY);
  g_assert_cmpint (prompts->array.n, ==, 3);
  g_assert_cmpint (samples->number.int_value, ==, 6);
  g_assert_cmpfloat (share->number.value, >=, 0.0);
  g_assert_cmpfloat (share->number.value, <=, 1.0);
  const char *want[] = { "dog", "old man", "campfire" };
  /* the training images each names: "dog face", and "old man" (not "man") */
  const int want_images[] = { 1, 1, -1 };
  for (size_t p = 0; p < 3; p++)
    {
      const SwJson *o = prompts->array.items[p];
      g_assert_cmpint (o->type, ==, SW_JSON_OBJECT);
      g_assert_cmpstr (o->object.members[0].key, ==, "prompt");
      g_assert_cmpstr (o->object.members[0].value->string.data, ==, want[p]);
      int seen_images = 0;
      for (size_t k = 0; k < o->object.n; k++)
        if (strcmp (o->object.members[k].key, "share") == 0)
          {
            double v = o->object.members[k].value->number.value;
            g_assert_cmpfloat (v, >=, 0.0);
            g_assert_cmpfloat (v, <=, 1.0);
          }
        else if (strcmp (o->object.members[k].key, "images") == 0)
          {
            const int v = (int) o->object.members[k].value->number.int_value;
            g_assert_cmpint (v, ==, want_images[p] >= 0 ? want_images[p] : v);
            seen_images++;
          }
        else if (strcmp (o->object.members[k].key, "distinct") == 0)
          {
            const int v = (int) o->object.members[k].value->number.int_value;
            g_assert_cmpint (v, >=, 1);
            g_assert_cmpint (v, <=, 2);
          }
        else if (strcmp (o->object.members[k].key, "nearest") == 0)
          {
            const SwJson *near = o->object.members[k].value;
            g_assert_cmpint (near->array.n, ==, 2);
            g_assert_true (g_strv_contains (sw_test_tiny_emoji_captions, near->array.items[0]->string.data));
          }
      g_assert_cmpint (seen_images, ==, 1);
    }
  g_autoptr (GBytes) png = read_bytes (grid);

  /* the plain report: a line a prompt and the total */
  const char * const plain[] = { "eval-prompts", model, "--prompts", "fire", "-n", "1",
                                 "--steps", "2", "--caption-loss", "3", NULL };
  g_auto (Run) text = run_cli_with (plain, NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "  fire "));
  g_assert_nonnull (strstr (text.out, "  total "));
  /* the diagnostic: a positive ratio on each noise level */
  const char *use = strstr (text.out, "prompt use: the loss under each image's own caption is ");
  g_assert_nonnull (use);
  double r300 = 0, r600 = 0, r900 = 0;
  g_assert_cmpint (sscanf (use, "prompt use: the loss under each image's own caption is %lf "
                           "(t = 300), %lf (t = 600) and %lf (t = 900)", &r300, &r600, &r900), ==, 3);
  g_assert_cmpfloat (r300, >, 0);
  g_assert_cmpfloat (r600, >, 0);
  g_assert_cmpfloat (r900, >, 0);
  const char * const bad[] = { "eval-prompts", model, "--caption-loss", "-1", NULL };
  expect_error_with (bad, NULL, "--caption-loss -1 is out of range; accepted: 0 to 100000");
}

/* --names: the tiny set's one-word names (fire, man, strawberry,
 * hamburger, tree, rocket), 2 samples each, and a grid of them */
static void
test_names (void)
{
  g_autofree char *grid = path_in ("names.png");
  const char * const args[] = { "eval-prompts", model, "--names", "--steps", "2", "--json",
                                "--grid", grid, NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_test_message ("eval-prompts --names → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (SwJson) json = sw_json_parse (r.out, strlen (r.out), &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_member (json, "names")->number.int_value, ==, 6);
  g_assert_cmpint (json_member (json, "names_skipped")->number.int_value, ==, 0);
  g_assert_cmpint (json_member (json, "per_prompt")->number.int_value, ==, 2);
  g_assert_cmpint (json_member (json, "samples")->number.int_value, ==, 12);
  const SwJson *prompts = json_member (json, "prompts");
  g_assert_cmpint (prompts->array.n, ==, 6);
  const char *want[] = { "fire", "hamburger", "man", "rocket", "strawberry", "tree" };
  int matched = 0;
  for (size_t p = 0; p < 6; p++)
    {
      const SwJson *o = prompts->array.items[p];
      g_assert_cmpstr (json_member (o, "prompt")->string.data, ==, want[p]);
      const int m = (int) json_member (o, "matched")->number.int_value;
      const int distinct = (int) json_member (o, "distinct")->number.int_value;
      g_assert_cmpint (m, >=, 0);
      g_assert_cmpint (m, <=, 2);
      g_assert_cmpint (distinct, >=, 1);
      g_assert_cmpint (distinct, <=, 2);
      matched += m;
    }
  g_assert_cmpint (json_member (json, "matched")->number.int_value, ==, matched);
  g_autoptr (GBytes) png = read_bytes (grid);

  /* the plain report: the names' count and the share */
  const char * const plain[] = { "eval-prompts", model, "--names", "-n", "1", "--steps", "2",
                                 NULL };
  g_auto (Run) text = run_cli_with (plain, NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "  names: 6 one-word names of the captions as prompts "
                            "(0 skipped"));
  g_assert_nonnull (strstr (text.out, "  total "));
  const char * const both[] = { "eval-prompts", model, "--names", "--prompts", "dog", NULL };
  expect_error_with (both, NULL, "--names and --prompts both choose the prompts");
}

/* A 16 px model is scored against the 16 px images: emoji16 */
static void
test_small_model (void)
{
  g_autofree char *data = path_in ("small-data"), *run = path_in ("small-run");
  g_autofree char *trained = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  sw_test_write_emoji_sized (data, "emoji16", 16, sw_test_tiny_emoji_captions);
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
  const char * const train[] = { "train", "emoji-ddpm", "--dataset", "emoji16", "--D", "4",
                                 "--batch", "4", "--epochs", "1", "--sample-steps", "2",
                                 "--out", run, NULL };
  g_auto (Run) t = run_cli_with (train, NULL);
  g_test_message ("train → %d: %s", t.status, t.err);
  g_assert_cmpint (t.status, ==, 0);
  const char * const args[] = { "eval-prompts", trained, "--prompts", "dog,fire", "-n", "3",
                                "--steps", "2", NULL };
  g_auto (Run) r = run_cli_with (args, NULL);
  g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  g_test_message ("eval-prompts → %d: %s\n%s", r.status, r.err, r.out);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "nearest of 8 training images (emoji16)"));
  g_assert_nonnull (strstr (r.out, " distinct "));
}

static void
test_generate_same_bytes (void)
{
  g_autofree char *a = path_in ("a.png"), *b = path_in ("b.png");
  const char * const first[] = { "generate", "--model", model, "--prompt", "an old man",
                                 "--steps", "3", "--seed", "4", "-o", a, NULL };
  const char * const second[] = { "generate", "--model", model, "--prompt", "an old man",
                                  "--steps", "3", "--seed", "4", "-o", b, NULL };
  g_auto (Run) r1 = run_cli_with (first, NULL);
  g_auto (Run) r2 = run_cli_with (second, NULL);
  g_test_message ("generate → %d: %s", r1.status, r1.err);
  g_assert_cmpint (r1.status, ==, 0);
  g_assert_cmpint (r2.status, ==, 0);
  g_autoptr (GBytes) ba = read_bytes (a), bb = read_bytes (b);
  g_assert_true (g_bytes_equal (ba, bb));
}

static void
test_errors (void)
{
  const char * const unknown[] = { "generate", "--model", model, "--prompt", "a dgo", NULL };
  expect_error_with (unknown, NULL, "unknown word “dgo” in the prompt “a dgo”; the nearest words "
                     "this model knows: dog");
  const char * const eval_unknown[] = { "eval-prompts", model, "--prompts", "dog,firre", NULL };
  expect_error_with (eval_unknown, NULL, "unknown word “firre”");
  const char * const empty[] = { "eval-prompts", model, "--prompts", "dog,,fire", NULL };
  expect_error_with (empty, NULL, "has an empty prompt");
  const char * const stop[] = { "eval-prompts", model, "--prompts", "a photo", NULL };
  expect_error_with (stop, NULL, "no word to look for");
  const char * const many[] = { "eval-prompts", model, "--per-prompt", "100", NULL };
  expect_error_with (many, NULL, "1200 images; accepted: at most 1000");
  const char * const per[] = { "eval-prompts", model, "--per-prompt", "0", NULL };
  expect_error_with (per, NULL, "--per-prompt 0 is out of range");
  const char * const none[] = { "eval-prompts", NULL };
  expect_error_with (none, NULL, "give exactly one model file");
  /* word noise: in range, and for a net that reads its words by cross-attention */
  const char * const noise_range[] = { "eval-prompts", model, "--word-noise", "2", NULL };
  expect_error_with (noise_range, NULL, "--word-noise 2 is out of range");
  const char * const noise_net[] = { "eval-prompts", model, "--word-noise", "0.1", NULL };
  expect_error_with (noise_net, NULL, "reads its prompt's words by cross-attention");

  g_autofree char *fashion = path_in ("fashion.safetensors");
  sw_test_write_tiny_model (fashion);
  const char * const classes[] = { "eval-prompts", fashion, NULL };
  expect_error_with (classes, NULL, "selects classes by name");
  const char * const words_eval[] = { "eval", model, NULL };
  expect_error_with (words_eval, NULL, "score it with stepwise-cli eval-prompts");

  /* captions train the eps-cosine recipes only, refused before any epoch */
  g_autofree char *out = path_in ("flow-run");
  const char * const flow[] = { "train", "flow-class", "--dataset", "emoji", "--out", out, NULL };
  expect_error_with (flow, NULL, "the dataset “emoji” has captions, not classes; the recipe “flow-class” "
                     "needs a dataset with classes");
  const char * const classifier[] = { "train-classifier", "--dataset", "emoji", "--out", out, NULL };
  expect_error_with (classifier, NULL, "has captions, not classes; the classifier");
}

/* the figures report on a word model: a captioned set whose captions hold
 * every word its figures prompt with (campfire is an alias of fire,
 * camping), a tiny model trained on it, and every figure index.html
 * shows is there, the colour sketches' SDEdit among them */
static void
test_figures (void)
{
  static const char * const captions[] = {
    "cat face: cat, face, pet", "dog face: dog, face", "old man: adult, man, old",
    "fire: flame, camping", "skull: death, face", "rocket: space", "snowman: snow",
    "strawberry: berry, fruit", "deciduous tree: tree", "smiling face: face, smile",
    "pencil: write", "sunset: sun", NULL,
  };
  g_autofree char *data = path_in ("figures-data"), *run = path_in ("figures-run");
  g_autofree char *out = path_in ("figures");
  g_autofree char *trained = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("STEPWISE_DATA_DIR"));
  sw_test_write_emoji (data, captions);
  g_setenv ("STEPWISE_DATA_DIR", data, TRUE);
  const char * const train[] = { "train", "emoji-ddpm", "--D", "4", "--batch", "4", "--epochs", "1",
                                 "--sample-steps", "2", "--out", run, NULL };
  g_auto (Run) t = run_cli_with (train, NULL);
  g_test_message ("train → %d: %s", t.status, t.err);
  g_assert_cmpint (t.status, ==, 0);
  const char * const figures[] = { "figures", out, "--model", trained, NULL };
  g_auto (Run) r = run_cli_with (figures, NULL);
  g_setenv ("STEPWISE_DATA_DIR", saved, TRUE);
  g_test_message ("figures → %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *html = expect_figures_report (out, 25);
  g_assert_nonnull (strstr (html, "sdedit sketch-1.png --prompt strawberry"));
  g_assert_nonnull (strstr (html, "sdedit sketch-2.png --prompt &apos;smiling face&apos;"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("stepwise-cli-prompts-XXXXXX", NULL);
  run_dir = path_in ("run");
  model = g_build_filename (run_dir, "model.safetensors", NULL);
  write_dataset ();
  g_test_add_func ("/cli-prompts/train", test_train);
  g_test_add_func ("/cli-prompts/export", test_export);
  g_test_add_func ("/cli-prompts/eval-prompts", test_eval_prompts);
  g_test_add_func ("/cli-prompts/names", test_names);
  g_test_add_func ("/cli-prompts/small-model", test_small_model);
  g_test_add_func ("/cli-prompts/generate-same-bytes", test_generate_same_bytes);
  g_test_add_func ("/cli-prompts/errors", test_errors);
  g_test_add_func ("/cli-prompts/figures", test_figures);
  int status = g_test_run ();
  remove_tree (dir);
  g_free (dir);
  g_free (run_dir);
  g_free (model);
  return status;
}
