/* Stage I training (issue 22): the residual attention UNet through the
 * trainer on a small synthetic captioned set (coloured shapes at 16 px,
 * named "emoji16"): its loss falls, a resumed run gives the same bytes as
 * one never stopped (v-prediction, Min-SNR, AdamW and the average all on),
 * two runs from one seed give the same bytes on all the cores,
 * a v-net's eps-model gives the noise by the formula, Min-SNR's weights and
 * AdamW's decay against hand computations, the rate's warm-up, the base
 * emoji chosen by caption, and a stage I file refused by a Part B loader. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "base/blas.h"
#include "models/checkpoint.h"
#include "models/cosine-schedule.h"
#include "models/eps-model.h"
#include "train/trainer.h"

enum { N_IMAGES = 256, S = 16 };

static SwDataset shapes;
static char *tmpdir;

/* image I: a square or a disc in one of four colours on grey, its caption
 * the two words */
static void
shapes_init (void)
{
  static const char *colours[] = { "red", "green", "blue", "yellow" };
  static const float rgb[][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 0 } };
  shapes = (SwDataset) { .name = g_strdup ("emoji16"), .n = N_IMAGES, .channels = 3, .height = S, .width = S };
  shapes.images = g_new (float, (size_t) N_IMAGES * 3 * S * S);
  shapes.captions = g_new0 (char *, N_IMAGES + 1);
  for (int i = 0; i < N_IMAGES; i++)
    {
      const int colour = i % 4, disc = (i / 4) % 2, r = 3 + (i / 8) % 4;
      shapes.captions[i] = g_strdup_printf ("%s %s", colours[colour], disc ? "disc" : "square");
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < S; y++)
          for (int x = 0; x < S; x++)
            {
              const int dy = y - S / 2, dx = x - S / 2;
              const gboolean in = disc ? dx * dx + dy * dy <= r * r : ABS (dx) <= r && ABS (dy) <= r;
              shapes.images[(((size_t) i * 3 + c) * S + y) * S + x] = in ? rgb[colour][c] : 0.5f;
            }
    }
}

/* emoji-stage1 at width 8, batch 32 */
static SwRecipe
tiny_recipe (void)
{
  SwRecipe r;
  g_assert_true (sw_recipe_lookup ("emoji-stage1", &r, NULL));
  r.resunet.width = 8;
  r.resunet.groups = 8;
  r.resunet.time_dim = 32;
  r.resunet.embed_dim = 16;
  r.batch = 32;
  r.epochs = 6;
  r.lr = 2e-3f;
  r.warmup = 0;      /* the recipe's 500 steps outlast these runs */
  r.min_snr = 0.0f;
  return r;
}

static void
test_loss_falls (void)
{
  SwRecipe r = tiny_recipe ();
  g_autoptr (GError) error = NULL;
  SwTrainer *tr = sw_trainer_new (&r, &shapes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sw_trainer_train_net (tr)->resunet);
  g_assert_null (sw_trainer_net (tr));
  float first = 0, last = 0;
  for (int e = 0; e < r.epochs; e++)
    g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, e == 0 ? &first : &last, &error));
  g_test_message ("mean loss %.4f after the first epoch, %.4f after the %dth", first, last, r.epochs);
  g_assert_cmpfloat (last, <, 0.8f * first);
  sw_trainer_free (tr);
}

static float *
params_copy (SwTrainer *tr)
{
  const SwTrainNet *net = sw_trainer_train_net (tr);
  return g_memdup2 (sw_train_net_params (net), sizeof (float) * sw_train_net_n_params (net));
}

static void
test_resume (void)
{
  SwRecipe r = tiny_recipe ();
  r.model.objective = SW_OBJECTIVE_V_COSINE;
  r.min_snr = 5.0f;
  r.epochs = 2;
  r.resunet.dropout = 0.1f;
  r.warmup = 5;
  r.base_emoji = true;   /* every shape caption is a base emoji's */
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "checkpoint.safetensors", NULL);
  SwTrainer *straight = sw_trainer_new (&r, &shapes, &error);
  g_assert_no_error (error);
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));
  g_assert_true (sw_trainer_save (straight, path, TRUE, SW_DTYPE_F32, NULL, &error));
  g_assert_true (sw_trainer_run_epoch (straight, NULL, NULL, NULL, &error));

  SwTrainer *resumed = sw_trainer_resume (path, &shapes, NULL, &error);
  g_assert_no_error (error);
  const SwRecipe *rr = sw_trainer_recipe (resumed);
  g_assert_cmpint (rr->model.objective, ==, SW_OBJECTIVE_V_COSINE);
  g_assert_cmpfloat (rr->min_snr, ==, 5.0f);
  g_assert_cmpfloat (rr->weight_decay, ==, r.weight_decay);
  g_assert_cmpint (rr->resunet.width, ==, 8);
  g_assert_cmpint (rr->warmup, ==, 5);
  g_assert_true (rr->base_emoji);
  g_assert_true (rr->balanced_prompts);
  g_assert_cmpint (sw_trainer_n_images (resumed), ==, N_IMAGES);
  g_assert_true (sw_trainer_run_epoch (resumed, NULL, NULL, NULL, &error));
  g_autofree float *a = params_copy (straight), *b = params_copy (resumed);
  const size_t n = sw_train_net_n_params (sw_trainer_train_net (straight));
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));

  /* the shipped model (F16, the average) samples as an eps-model, and a
   * Part B loader refuses it, naming its architecture */
  g_autofree char *model = g_build_filename (tmpdir, "model.safetensors", NULL);
  g_assert_true (sw_trainer_save (resumed, model, FALSE, SW_DTYPE_F16, NULL, &error));
  SwEpsModel *m = sw_eps_model_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->height, ==, S);
  g_assert_cmpfloat (sw_eps_model_word_noise (m), ==, r.model.word_noise);
  sw_eps_model_free (m);
  /* export's --word-noise: a checkpoint's model given another word noise */
  const SwResumeChanges noisier = { .word_noise = 0.3f };
  SwTrainer *exported = sw_trainer_resume (path, &shapes, &noisier, &error);
  g_assert_no_error (error);
  g_assert_true (sw_trainer_save (exported, model, FALSE, SW_DTYPE_F16, NULL, &error));
  m = sw_eps_model_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sw_eps_model_word_noise (m), ==, 0.3f);
  sw_eps_model_free (m);
  sw_trainer_free (exported);
  g_assert_null (sw_checkpoint_load (model, NULL, NULL, NULL, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "resunet");
  sw_trainer_free (straight);
  sw_trainer_free (resumed);
}

/* Two runs from the same seed give the same bytes with the cores all in
 * use.  Width 32 at batch 32 is the smallest net whose 32 -> 3 output
 * conv had each of two threads unfold more rows of its 16 input channels
 * than its column buffer held (test-layers' /layers/conv/work-bounds):
 * the first thread's columns ran into the second's while it worked, and
 * the trained weights came out different run to run. */
static void
test_reproducible (void)
{
  SwRecipe r = tiny_recipe ();
  r.resunet.width = 32;
  r.batch = 32;
  g_autoptr (GError) error = NULL;
  g_autofree float *first = NULL;
  size_t n = 0;
  for (int run = 0; run < 3; run++)
    {
      SwTrainer *tr = sw_trainer_new (&r, &shapes, &error);
      g_assert_no_error (error);
      g_assert_true (sw_trainer_run_epoch (tr, NULL, NULL, NULL, &error));
      g_autofree float *p = params_copy (tr);
      n = sw_train_net_n_params (sw_trainer_train_net (tr));
      if (first)
        g_assert_cmpmem (first, n * sizeof (float), p, n * sizeof (float));
      else
        first = g_steal_pointer (&p);
      sw_trainer_free (tr);
    }
}

/* the same net as an eps-cosine and as a v-cosine model: the second gives
 * sqrt(ab) v + sqrt(1-ab) x_t, v the first's raw output */
static void
test_v_to_eps (void)
{
  SwRecipe r = tiny_recipe ();
  SwResunetConfig cfg = r.resunet;
  cfg.vocab = 0;
  cfg.pool = cfg.cross = false;
  g_autoptr (GError) error = NULL;
  SwResunet *net = sw_resunet_new (&cfg, &error);
  g_assert_no_error (error);
  sw_resunet_init_params (net, 3);
  /* the zero-initialised output conv would give v = 0: make it speak */
  float *p = sw_resunet_params (net);
  for (size_t i = 0; i < sw_resunet_num_params (net); i++)
    p[i] += 0.01f * sinf ((float) i);
  SwModelConfig eps_cfg = r.model, v_cfg = r.model;
  v_cfg.objective = SW_OBJECTIVE_V_COSINE;
  eps_cfg.word_noise = v_cfg.word_noise = 0.0f;   /* a net without words has none to noise */
  SwEpsModel *as_eps = sw_eps_model_new_resunet (net, &eps_cfg, NULL, &error);
  SwEpsModel *as_v = sw_eps_model_new_resunet (net, &v_cfg, NULL, &error);
  g_assert_no_error (error);
  const int n = 2 * 3 * S * S, t = 600;
  g_autofree float *x = g_new (float, n), *v = g_new (float, n), *eps = g_new (float, n);
  for (int j = 0; j < n; j++)
    x[j] = cosf (0.1f * j);
  float c = 0.0f;
  as_eps->predict (as_eps, 2, x, t, &c, v, NULL);
  as_v->predict (as_v, 2, x, t, &c, eps, NULL);
  double ab[1000];
  sw_cosine_alpha_bar (1000, ab);
  float worst = 0.0f, size = 0.0f;
  for (int j = 0; j < n; j++)
    {
      const float want = (float) (sqrt (ab[t]) * v[j] + sqrt (1.0 - ab[t]) * x[j]);
      worst = MAX (worst, fabsf (eps[j] - want));
      size = MAX (size, fabsf (v[j]));
    }
  g_assert_cmpfloat (size, >, 1e-3f);
  g_assert_cmpfloat (worst, <, 1e-6f);
  sw_eps_model_free (as_eps);
  sw_eps_model_free (as_v);
  sw_resunet_free (net);
}

static void
test_min_snr (void)
{
  /* ab 0.9: SNR 9, clipped to 5; ab 0.1: SNR 1/9, kept */
  g_assert_cmpfloat_with_epsilon (sw_min_snr_weight (0.9, 5.0f, SW_OBJECTIVE_EPS_COSINE), 5.0 / 9.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (sw_min_snr_weight (0.9, 5.0f, SW_OBJECTIVE_V_COSINE), 5.0 / 10.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (sw_min_snr_weight (0.1, 5.0f, SW_OBJECTIVE_EPS_COSINE), 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (sw_min_snr_weight (0.1, 5.0f, SW_OBJECTIVE_V_COSINE), 0.1, 1e-6);
  g_assert_cmpfloat (sw_min_snr_weight (0.9, 0.0f, SW_OBJECTIVE_V_COSINE), ==, 1.0f);
}

static void
test_adamw_decay (void)
{
  /* rate 0.1, decay 0.01: parameters shrink by 0.001 of themselves; a
   * group at 10x the rate by 0.01 */
  SwAdam opt;
  sw_adam_init (&opt, 6, 0.1f);
  sw_adam_add_group (&opt, 2, 4, 10.0f);
  float p[6] = { 1, -2, 3, -4, 5, 6 };
  sw_adamw_decay (&opt, p, 0.01f);
  const float want[6] = { 0.999f, -1.998f, 2.97f, -3.96f, 4.995f, 5.994f };
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (p[i], want[i], 1e-6);
  sw_adam_clear (&opt);
}

/* the rate rises by lr / warmup a step, then holds */
static void
test_warmup (void)
{
  SwRecipe r = tiny_recipe ();
  r.lr = 1e-3f;
  r.warmup = 4;
  const float want[] = { 2.5e-4f, 5e-4f, 7.5e-4f, 1e-3f, 1e-3f, 1e-3f };
  for (int step = 0; step < 6; step++)
    g_assert_cmpfloat_with_epsilon (sw_recipe_step_lr (&r, 0, step), want[step], 1e-9);
  r.warmup = 0;
  g_assert_cmpfloat (sw_recipe_step_lr (&r, 0, 0), ==, 1e-3f);
  r.warmup = -1;
  g_autoptr (GError) error = NULL;
  g_assert_false (sw_recipe_validate (&r, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "warm-up of -1 steps");
}

/* variants and country flags go, their images and captions with them */
static void
test_base_emoji (void)
{
  const char *captions[] = {
    "dog face: dog, face, pet",
    "waving hand: medium skin tone: hand, medium skin tone, wave, waving",
    "flag: Germany: flag",
    "chequered flag: checkered, chequered, racing",
    "leftwards pushing hand: light skin tone",
    NULL,
  };
  enum { N = 5, PIXELS = 3 * 2 * 2 };
  SwDataset d = { .name = (char *) "emoji16", .n = N, .channels = 3, .height = 2, .width = 2,
                  .captions = (char **) captions };
  float images[N * PIXELS];
  for (int i = 0; i < N * PIXELS; i++)
    images[i] = (float) (i / PIXELS);
  d.images = images;
  g_autoptr (GError) error = NULL;
  g_autoptr (SwDataset) base = sw_dataset_base_emoji (&d, &error);
  g_assert_no_error (error);
  g_assert_cmpint (base->n, ==, 2);
  g_assert_cmpstr (base->captions[0], ==, captions[0]);
  g_assert_cmpstr (base->captions[1], ==, captions[3]);
  g_assert_null (base->captions[2]);
  g_assert_cmpfloat (base->images[0], ==, 0.0f);
  g_assert_cmpfloat (base->images[PIXELS], ==, 3.0f);
  g_assert_cmpstr (base->name, ==, "emoji16");

  uint8_t labels[N] = { 0 };
  SwDataset labelled = { .name = (char *) "digits", .n = N, .channels = 3, .height = 2, .width = 2,
                         .images = images, .labels = labels, .n_classes = 1 };
  g_assert_null (sw_dataset_base_emoji (&labelled, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "has classes, not captions");
  g_clear_error (&error);
  d.n = 1;
  d.captions = (char **) captions + 1;
  g_assert_null (sw_dataset_base_emoji (&d, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "holds no base emoji");
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-stage1-XXXXXX", NULL);
  shapes_init ();
  g_test_add_func ("/stage1/loss-falls", test_loss_falls);
  g_test_add_func ("/stage1/resume", test_resume);
  g_test_add_func ("/stage1/reproducible", test_reproducible);
  g_test_add_func ("/stage1/v-to-eps", test_v_to_eps);
  g_test_add_func ("/stage1/min-snr", test_min_snr);
  g_test_add_func ("/stage1/adamw-decay", test_adamw_decay);
  g_test_add_func ("/stage1/warmup", test_warmup);
  g_test_add_func ("/stage1/base-emoji", test_base_emoji);
  int status = g_test_run ();
  g_free (shapes.name);
  g_free (shapes.images);
  g_strfreev (shapes.captions);
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
