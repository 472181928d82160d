/* Stage II of the cascade (issue 24): aligned high- and low-res crops
 * (and, where the datasets are built, emoji16 against emoji64's block
 * means), nearest upsampling, noise conditioning augmentation against
 * its formula, the emoji-stage2 recipe through the trainer on a small
 * synthetic set (its loss falls, a resume gives the same bytes), and a
 * stage II file refused by name by the loaders that cannot run it (only
 * the cascade does: test-cascade.c). */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "base/blas.h"
#include "data/dataset.h"
#include "data/sr-pairs.h"
#include "diffusion/noise-augment.h"
#include "models/checkpoint.h"
#include "models/cosine-schedule.h"
#include "models/eps-model.h"
#include "train/trainer.h"

enum { N_IMAGES = 64, S = 16, F = 4 };

static SwDataset discs;
static char *tmpdir;

/* image I: a disc of one of four colours on a gradient, at one of four
 * places, in sRGB bytes as a dataset's */
static void
discs_init (void)
{
  static const float rgb[][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 0 } };
  discs = (SwDataset) { .name = g_strdup ("emoji64"), .n = N_IMAGES, .channels = 3, .height = S,
                        .width = S };
  discs.images = g_new (float, (size_t) N_IMAGES * 3 * S * S);
  discs.captions = g_new0 (char *, N_IMAGES + 1);
  for (int i = 0; i < N_IMAGES; i++)
    {
      const int colour = i % 4, cx = 5 + 6 * (i / 4 % 2), cy = 5 + 6 * (i / 8 % 2), r = 3 + i / 16;
      discs.captions[i] = g_strdup ("disc");
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < S; y++)
          for (int x = 0; x < S; x++)
            {
              const int dy = y - cy, dx = x - cx;
              const float v = dx * dx + dy * dy <= r * r ? rgb[colour][c] : (float) (x + y) / (2 * S);
              discs.images[(((size_t) i * 3 + c) * S + y) * S + x] = roundf (v * 255.0f) / 255.0f;
            }
    }
}

/* the block means of a float image in bytes, rounded as emoji16's */
static float
block_mean (const float *plane, int side, int y, int x)
{
  int sum = 0;
  for (int dy = 0; dy < F; dy++)
    for (int dx = 0; dx < F; dx++)
      sum += (int) lrintf (plane[(y * F + dy) * side + x * F + dx] * 255.0f);
  return (float) ((sum + F * F / 2) / (F * F)) / 255.0f;
}

/* Every low-res crop is the block means of its high-res crop, each crop
 * on the 4 px grid, and the positions vary. */
static void
test_crops_line_up (void)
{
  const int crop = 8, c = crop / F, N = 40;
  g_autofree float *lo = g_new (float, (size_t) N_IMAGES * 3 * (S / F) * (S / F));
  sw_sr_block_means ((size_t) N_IMAGES * 3, S, F, discs.images, lo);
  g_autofree float *hi_crop = g_new (float, (size_t) N * 3 * crop * crop);
  g_autofree float *lo_crop = g_new (float, (size_t) N * 3 * c * c);
  int idx[40];
  for (int i = 0; i < N; i++)
    idx[i] = (7 * i) % N_IMAGES;
  SwRng rng;
  sw_rng_init (&rng, 1, 0);
  sw_sr_draw_crops (discs.images, lo, 3, S, F, crop, N, idx, &rng, hi_crop, lo_crop);
  guint seen = 0;   /* which of the 9 positions occurred */
  for (int i = 0; i < N; i++)
    {
      /* the high-res crop is a window of the image: find where */
      int at = -1;
      for (int p = 0; p < 9 && at < 0; p++)
        {
          const int y0 = F * (p / 3), x0 = F * (p % 3);
          gboolean same = TRUE;
          for (int ch = 0; ch < 3 && same; ch++)
            for (int y = 0; y < crop && same; y++)
              same = memcmp (hi_crop + (((size_t) i * 3 + ch) * crop + y) * crop,
                             discs.images + (((size_t) idx[i] * 3 + ch) * S + y0 + y) * S + x0,
                             sizeof (float) * crop) == 0;
          if (same)
            at = p;
        }
      g_assert_cmpint (at, >=, 0);
      seen |= 1u << at;
      for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < c; y++)
          for (int x = 0; x < c; x++)
            g_assert_cmpfloat (lo_crop[(((size_t) i * 3 + ch) * c + y) * c + x], ==,
                               block_mean (hi_crop + ((size_t) i * 3 + ch) * crop * crop, crop, y, x));
    }
  g_test_message ("%d crops at %d of the 9 places", N, __builtin_popcount (seen));
  g_assert_cmpint (__builtin_popcount (seen), >=, 6);
}

/* Where the datasets are built: emoji16 is emoji64's block means, within
 * the bytes' rounding, so the trainer's own block means are emoji16 */
static void
test_datasets_agree (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SwDataset) hi = sw_dataset_load ("emoji64", SW_SPLIT_TRAIN, &error);
  g_autoptr (SwDataset) lo = hi ? sw_dataset_load ("emoji16", SW_SPLIT_TRAIN, &error) : NULL;
  if (!lo)
    {
      g_test_skip ("emoji64 and emoji16 are not built here (stepwise-cli emoji-dataset)");
      return;
    }
  g_assert_cmpint (hi->n, ==, lo->n);
  const size_t planes = (size_t) hi->n * 3, n = planes * 16 * 16;
  g_autofree float *means = g_new (float, n);
  sw_sr_block_means (planes, 64, 4, hi->images, means);
  size_t differ = 0;
  float worst = 0.0f;
  for (size_t j = 0; j < n; j++)
    {
      const float d = fabsf (means[j] - lo->images[j]);
      differ += d > 0.0f;
      worst = MAX (worst, d);
    }
  g_test_message ("%zu of %zu emoji16 values differ from emoji64's block means; worst by %.0f/255",
                  differ, n, worst * 255.0f);
  g_assert_cmpfloat (worst, <=, 1.0f / 255.0f + 1e-6f);
}

/* Each pixel its block's value; a crop of the upsampled image is the
 * upsampled crop */
static void
test_upsample (void)
{
  const float lo[2 * 2 * 2] = { 1, 2, 3, 4, -1, -2, -3, -4 };
  float up[2 * 8 * 8];
  sw_sr_upsample (2, 2, 4, lo, up);
  for (int p = 0; p < 2; p++)
    for (int y = 0; y < 8; y++)
      for (int x = 0; x < 8; x++)
        g_assert_cmpfloat (up[(p * 8 + y) * 8 + x], ==, lo[(p * 2 + y / 4) * 2 + x / 4]);
}

/* Level 0 leaves the image as it is; a level s gives sqrt(ab_s) x +
 * sqrt(1 - ab_s) eps with the stream's normals; a batch draws levels in
 * 0..s_max, all of them over enough draws */
static void
test_noise_augment (void)
{
  double ab[SW_COSINE_T];
  sw_cosine_alpha_bar (SW_COSINE_T, ab);
  enum { n = 50 };
  float x[n], out[n], eps[n];
  for (int j = 0; j < n; j++)
    x[j] = sinf (0.3f * j);
  SwRng rng, ref;
  sw_rng_init (&rng, 9, 1);
  sw_noise_augment (n, x, ab, 0, &rng, out);
  g_assert_cmpmem (out, sizeof out, x, sizeof x);
  for (int s = 1; s < SW_COSINE_T; s += 249)
    {
      sw_rng_init (&rng, 9, 1);
      sw_rng_init (&ref, 9, 1);
      sw_rng_fill_normal (&ref, eps, n);
      sw_noise_augment (n, x, ab, s, &rng, out);
      for (int j = 0; j < n; j++)
        g_assert_cmpfloat_with_epsilon (out[j], sqrt (ab[s]) * x[j] + sqrt (1.0 - ab[s]) * eps[j], 1e-6);
    }
  /* in place, as the trainer calls it */
  float y[n];
  memcpy (y, x, sizeof y);
  sw_rng_init (&rng, 9, 1);
  sw_noise_augment (n, y, ab, 250, &rng, y);
  sw_rng_init (&rng, 9, 1);
  sw_noise_augment (n, x, ab, 250, &rng, out);
  g_assert_cmpmem (y, sizeof y, out, sizeof out);

  enum { N = 400 };
  g_autofree float *xs = g_new0 (float, N * 4), *outs = g_new (float, N * 4);
  float levels[N];
  int hits[6] = { 0 };
  sw_rng_init (&rng, 2, 0);
  sw_noise_augment_batch (N, 4, xs, ab, 5, &rng, levels, outs);
  for (int i = 0; i < N; i++)
    {
      g_assert_cmpfloat (levels[i], >=, 0.0f);
      g_assert_cmpfloat (levels[i], <=, 5.0f);
      g_assert_cmpfloat (levels[i], ==, floorf (levels[i]));
      hits[(int) levels[i]]++;
    }
  for (int s = 0; s <= 5; s++)
    g_assert_cmpint (hits[s], >, N / 12);
}

/* emoji-stage2 at width 8 on the 16 px discs: factor 4, crops of 8 */
static SwRecipe
tiny_recipe (void)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup ("emoji-stage2", &r, NULL));
  SwResunetConfig *c = &r.resunet;
  c->width = 8, c->groups = 8, c->time_dim = 32, c->levels = 2;   /* mult 1,2 */
  r.crop = 8, r.batch = 16, r.epochs = 8, r.lr = 2e-3f, r.ema = 0.0f;
  r.warmup = 0;     /* the recipe's 500 steps would be the whole run */
  r.hold_out = 8;   /* the recipe's 64 would be all the discs */
  return r;
}

static void
test_loss_falls (void)
{
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, &discs, &error);
  g_assert_no_error (error);
  const SwResunet *net = sw_trainer_train_net (tr)->resunet;
  g_assert_nonnull (net);
  g_assert_cmpint (sw_resunet_config (net)->size, ==, 8);
  g_assert_cmpint (sw_resunet_config (net)->cond_channels, ==, 3);
  g_assert_true (sw_resunet_config (net)->aug);
  g_assert_cmpint (sw_resunet_config (net)->vocab, ==, 0);
  /* each epoch's mean loss, all of them shown */
  float loss[8];
  g_autoptr (GString) losses = g_string_new ("mean loss by epoch:");
  for (int e = 0; e < r.epochs; e++)
    {
      g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, &loss[e], &error));
      g_string_append_printf (losses, " %.4f", loss[e]);
    }
  g_test_message ("%s", losses->str);
  g_assert_cmpfloat (loss[r.epochs - 1], <, 0.8f * loss[0]);
  sw_trainer_free (tr);
}

/* A stage II run stopped and resumed gives the bytes of one never
 * stopped (crops and noise levels come from the epoch's stream); its
 * files hold the recipe's stage II fields, and a stage II file is
 * refused by name by the loaders that cannot run it */
static void
test_resume_and_refusals (void)
{
  SwRecipe r = tiny_recipe ();
  r.epochs = 2;
  r.ema = 0.99f;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "checkpoint.safetensors", NULL);
  g_autofree char *model = g_build_filename (tmpdir, "model.safetensors", NULL);
  SwTrainer *straight = sw_trainer_new (&r, &discs, &error);
  g_assert_no_error (error);
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_save (straight, path, TRUE, SW_DTYPE_F32, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));
  SwTrainer *resumed = sw_trainer_resume (path, &discs, NULL, &error);
  g_assert_no_error (error);
  const SwRecipe *back = sw_trainer_recipe (resumed);
  g_assert_cmpint (back->sr_factor, ==, 4);
  g_assert_cmpint (back->crop, ==, 8);
  g_assert_cmpint (back->aug_max, ==, 250);
  g_assert_cmpint (back->model.variant, ==, SW_UNET_TIME);
  g_assert_true (sw_trainer_run_epoch (resumed, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  const SwTrainNet *a = sw_trainer_train_net (straight), *b = sw_trainer_train_net (resumed);
  const size_t np = sw_train_net_n_params (a);
  g_assert_cmpmem (sw_train_net_params (a), np * sizeof (float), sw_train_net_params (b),
                   np * sizeof (float));

  g_assert_true (sw_trainer_save (straight, model, FALSE, SW_DTYPE_F16, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (sw_eps_model_load (model, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "a super-resolution model (the cascade's stage II");
  g_clear_error (&error);
  g_assert_null (sw_checkpoint_load (model, NULL, NULL, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "a super-resolution (the cascade's stage II) "
                        "model of architecture “resunet”");
  g_clear_error (&error);
  g_assert_null (sw_trainer_sampling_model (straight, &error));
  g_assert_nonnull (error);
  sw_trainer_free (straight);
  sw_trainer_free (resumed);
}

/* the recipe's own checks */
/* the held-out images are spread through the set, as many as asked, and
 * the held and the rest split it between them */
static void
test_hold_out (void)
{
  int held = 0, first = -1, last = -1;
  for (int i = 0; i < 3655; i++)
    if (sw_dataset_is_held_out (i, 3655, 64))
      {
        held++;
        first = first < 0 ? i : first;
        last = i;
      }
  g_assert_cmpint (held, ==, 64);
  g_assert_cmpint (first, ==, 28);          /* the middle of the first stride of 57 */
  g_assert_cmpint (last, ==, 28 + 63 * 57);
  g_autoptr (GError) error = NULL;
  g_autoptr (SwDataset) in = sw_dataset_hold_out (&discs, 8, TRUE, &error);
  g_assert_no_error (error);
  g_autoptr (SwDataset) out = sw_dataset_hold_out (&discs, 8, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (in->n, ==, 8);
  g_assert_cmpint (out->n, ==, N_IMAGES - 8);
  const size_t img = 3 * S * S;
  for (int i = 0, a = 0, b = 0; i < N_IMAGES; i++)
    {
      const gboolean h = sw_dataset_is_held_out (i, N_IMAGES, 8);
      const SwDataset *d = h ? in : out;
      const int at = h ? a++ : b++;
      g_assert_cmpstr (d->captions[at], ==, discs.captions[i]);
      g_assert_cmpmem (d->images + at * img, sizeof (float) * img, discs.images + i * img,
                       sizeof (float) * img);
    }
  g_assert_null (sw_dataset_hold_out (&discs, 33, FALSE, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "cannot hold out 33 images");
}

static void
test_recipe_refused (void)
{
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  r.crop = 10;
  g_assert_false (sw_recipe_validate (&r, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "crop 10 is out of range");
  g_clear_error (&error);
  r = tiny_recipe ();
  r.aug_max = 1000;
  g_assert_false (sw_recipe_validate (&r, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "noise level 1000 is out of range");
  g_clear_error (&error);
  r = tiny_recipe ();
  r.crop = 32;   /* larger than the 16 px images */
  g_assert_null (sw_trainer_new (&r, &discs, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "does not fit 16x16 images");
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  discs_init ();
  tmpdir = g_dir_make_tmp ("stepwise-stage2-XXXXXX", NULL);
  g_test_add_func ("/stage2/crops-line-up", test_crops_line_up);
  g_test_add_func ("/stage2/datasets-agree", test_datasets_agree);
  g_test_add_func ("/stage2/upsample", test_upsample);
  g_test_add_func ("/stage2/noise-augment", test_noise_augment);
  g_test_add_func ("/stage2/loss-falls", test_loss_falls);
  g_test_add_func ("/stage2/resume-and-refusals", test_resume_and_refusals);
  g_test_add_func ("/stage2/hold-out", test_hold_out);
  g_test_add_func ("/stage2/recipe-refused", test_recipe_refused);
  int rc = g_test_run ();
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return rc;
}
