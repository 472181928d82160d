/* The quality score's pieces: softmax cross-entropy, the classifier (its
 * backward against finite differences, its model file, a short training
 * run), and the Fréchet distance with its Jacobi eigensolver against
 * closed forms. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "test-fd.h"
#include "base/blas.h"
#include "eval/classifier.h"
#include "eval/frechet.h"
#include "nn/layers.h"
#include "base/rng.h"
#include "io/safetensors.h"

static char *tmpdir;

/* ------------------------------------------------ softmax cross-entropy */

static void
test_xent_value (void)
{
  /* row 0 by hand: -log(e^3 / (e^1 + e^2 + e^3)) = log(1 + e^-1 + e^-2);
   * row 1 would overflow expf without the shift: log 2 */
  const float logits[6] = { 1, 2, 3, 1000, 1000, -1000 };
  const uint8_t labels[2] = { 2, 0 };
  float probs[6], d[6] = { 0 };
  const double row0 = log (1.0 + exp (-1.0) + exp (-2.0));
  float loss = sw_softmax_xent_forward (2, 3, logits, labels, probs);
  g_assert_cmpfloat_with_epsilon (loss, (row0 + log (2.0)) / 2.0, 1e-6);
  const double z = exp (1.0) + exp (2.0) + exp (3.0);
  const double want_p[6] = { exp (1.0) / z, exp (2.0) / z, exp (3.0) / z, 0.5, 0.5, 0.0 };
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (probs[i], want_p[i], 1e-6);

  /* (p - onehot) / N with N = 2, added twice to show that backward
   * accumulates: p - onehot */
  sw_softmax_xent_backward (2, 3, probs, labels, d);
  sw_softmax_xent_backward (2, 3, probs, labels, d);
  const double want_d[6] = { want_p[0], want_p[1], want_p[2] - 1.0, -0.5, 0.5, 0.0 };
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (d[i], want_d[i], 1e-6);
}

typedef struct {
  int N, K;
  float *logits, *probs;
  const uint8_t *labels;
} XentCtx;

static double
xent_loss (void *data)
{
  XentCtx *x = data;
  return sw_softmax_xent_forward (x->N, x->K, x->logits, x->labels, x->probs);
}

static void
test_xent_backward (void)
{
  const uint8_t labels[3] = { 4, 0, 2 };
  XentCtx x = { .N = 3, .K = 5, .labels = labels };
  x.logits = randn (15, 2.0f);
  x.probs = g_new (float, 15);
  g_autofree float *d = g_new0 (float, 15);
  xent_loss (&x);
  sw_softmax_xent_backward (3, 5, x.probs, labels, d);
  check_fd_loss ("softmax-xent logits", xent_loss, &x, x.logits, 15, d, 1e-2f, 15);
  g_free (x.logits);
  g_free (x.probs);
}

/* --------------------------------------------------------- classifier */

static void
test_shapes (void)
{
  g_autoptr (GError) error = NULL;
  SwClassifierConfig cfg = { .channels = 1, .size = 28, .n_classes = 10 };
  g_autoptr (SwClassifier) c = sw_classifier_new (&cfg, &error);
  g_assert_no_error (error);
  /* PyTorch's count for the same net: 320 + 18496 + 401536 + 1290 */
  g_assert_cmpuint (sw_classifier_num_params (c), ==, 421642);
  const char *names[] = { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                          "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" };
  g_assert_cmpuint (sw_classifier_n_tensors (c), ==, G_N_ELEMENTS (names));
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (sw_classifier_tensor (c, i)->name, ==, names[i]);
  g_assert_cmpint (sw_classifier_find_tensor (c, "fc1.weight")->shape[1], ==, 64 * 7 * 7);

  const SwClassifierConfig bad[] = {
    { .channels = 2, .size = 28, .n_classes = 10 },
    { .channels = 1, .size = 3, .n_classes = 10 },
    { .channels = 1, .size = 28, .n_classes = 1 },
    { .channels = 1, .size = 28, .n_classes = 257 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_assert_null (sw_classifier_new (&bad[i], &e));
      g_assert_error (e, SW_ERROR, SW_ERROR_INVALID);
      g_test_message ("rejected: %s", e->message);
    }
}

typedef struct {
  SwClassifier *c;
  int N;
  const float *x, *R;
  float *logits;
} NetCtx;

/* sum(logits * R), so that dlogits = R */
static double
net_loss (void *data)
{
  NetCtx *n = data;
  const int K = sw_classifier_config (n->c)->n_classes;
  sw_classifier_forward (n->c, n->N, n->x, n->logits, NULL);
  double s = 0.0;
  for (int i = 0; i < n->N * K; i++)
    s += (double) n->logits[i] * n->R[i];
  return s;
}

static void
test_classifier_backward (void)
{
  /* RGB and an odd size: 7 -> 4 -> 2 through the strided convs */
  SwClassifierConfig cfg = { .channels = 3, .size = 7, .n_classes = 4 };
  g_autoptr (SwClassifier) c = sw_classifier_new (&cfg, NULL);
  sw_classifier_init_params (c, 11);
  const int N = 2, K = cfg.n_classes;
  g_autofree float *x = g_new (float, N * 3 * 7 * 7);
  sw_rng_fill_uniform (&rng, x, N * 3 * 7 * 7, 0.0f, 1.0f);
  g_autofree float *R = randn (N * K, 1.0f);
  g_autofree float *logits = g_new (float, N * K);
  NetCtx ctx = { c, N, x, R, logits };

  net_loss (&ctx);
  sw_classifier_zero_grad (c);
  sw_classifier_backward (c, R);
  g_autofree float *grads = g_memdup2 (sw_classifier_grads (c),
                                       sizeof (float) * sw_classifier_num_params (c));
  float *params = sw_classifier_params (c);
  /* 16 points a tensor: each is two forwards, and a loaded 2-core machine
   * makes every one of the forward's thread teams slow to gather */
  for (size_t i = 0; i < sw_classifier_n_tensors (c); i++)
    {
      const SwTensorInfo *t = sw_classifier_tensor (c, i);
      check_fd_loss (t->name, net_loss, &ctx, params + t->offset, t->numel, grads + t->offset,
                1e-2f, 16);
    }

  /* features are fc1 after its GELU: fc2 of them gives the logits */
  g_autofree float *feat = g_new (float, N * SW_CLASSIFIER_FEATURES);
  g_autofree float *again = g_new (float, N * K);
  sw_classifier_forward (c, N, x, logits, feat);
  sw_linear_forward (N, SW_CLASSIFIER_FEATURES, K, feat,
                     params + sw_classifier_find_tensor (c, "fc2.weight")->offset,
                     params + sw_classifier_find_tensor (c, "fc2.bias")->offset, again);
  for (int i = 0; i < N * K; i++)
    g_assert_cmpfloat_with_epsilon (again[i], logits[i], 1e-5);
}

static const char *fashion_names[] = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                       "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL };

static SwClassifier *
make_classifier (void)
{
  SwClassifierConfig cfg = { .channels = 1, .size = 8, .n_classes = 10 };
  SwClassifier *c = sw_classifier_new (&cfg, NULL);
  sw_classifier_init_params (c, 5);
  return c;
}

static void
test_save_load (void)
{
  g_autoptr (SwClassifier) c = make_classifier ();
  g_autofree char *path = g_build_filename (tmpdir, "cls.safetensors", NULL);
  SwClassifierRecord rec = { .dataset = "fashion", .class_names = (char **) fashion_names,
                             .epochs = 3, .test_accuracy = 0.8925 };
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_classifier_save (c, path, &rec, SW_DTYPE_F32, &error));
  g_assert_no_error (error);

  SwClassifierRecord got;
  g_autoptr (SwClassifier) back = sw_classifier_load (path, &got, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_classifier_config (back)->n_classes, ==, 10);
  g_assert_cmpint (sw_classifier_config (back)->size, ==, 8);
  g_assert_cmpmem (sw_classifier_params (c), sw_classifier_num_params (c) * 4,
                   sw_classifier_params (back), sw_classifier_num_params (back) * 4);
  g_assert_cmpstr (got.dataset, ==, "fashion");
  g_assert_true (g_strv_equal ((const char * const *) got.class_names, fashion_names));
  g_assert_cmpint (got.epochs, ==, 3);
  g_assert_cmpfloat (got.test_accuracy, ==, 0.8925);
  sw_classifier_record_clear (&got);

  /* F16, as shipped: the file holds the weights sw_f16_round gives, which
   * differ from the F32 ones */
  g_assert_true (sw_classifier_save (c, path, &rec, SW_DTYPE_F16, &error));
  g_autoptr (SwClassifier) half = sw_classifier_load (path, NULL, &error);
  g_assert_no_error (error);
  size_t n = sw_classifier_num_params (c);
  g_autofree float *rounded = g_memdup2 (sw_classifier_params (c), n * sizeof (float));
  sw_f16_round (rounded, n);
  g_assert_cmpmem (rounded, n * 4, sw_classifier_params (half), n * 4);
  g_assert_true (memcmp (rounded, sw_classifier_params (c), n * 4) != 0);

  /* a record that could not be read back is refused */
  const char *three[] = { "a", "b,c", "d", NULL };
  rec.class_names = (char **) three;
  g_assert_false (sw_classifier_save (c, path, &rec, SW_DTYPE_F32, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_test_message ("refused: %s", error->message);
}

/* A file that looks like a classifier's but is damaged as asked. */
typedef struct {
  const char *what;
  const char *meta_key, *meta_value;  /* override one metadata field (value NULL: drop it) */
  const char *drop_tensor, *extra_tensor;
  SwErrorCode code;
  const char *says;
} Damage;

static void
write_damaged (const char *path, const Damage *d)
{
  g_autoptr (SwClassifier) c = make_classifier ();
  SwStTensorIn t[16];
  size_t n = 0;
  static const float stray[3] = { 1, 2, 3 };
  for (size_t i = 0; i < sw_classifier_n_tensors (c); i++)
    {
      const SwTensorInfo *info = sw_classifier_tensor (c, i);
      if (g_strcmp0 (info->name, d->drop_tensor) == 0)
        continue;
      t[n] = (SwStTensorIn) { .name = info->name, .ndim = info->ndim,
                              .data = sw_classifier_params (c) + info->offset };
      memcpy (t[n].shape, info->shape, sizeof info->shape);
      n++;
    }
  if (d->extra_tensor)
    t[n++] = (SwStTensorIn) { .name = d->extra_tensor, .ndim = 1, .shape = { 3 }, .data = stray };
  g_autofree char *names = g_strjoinv (",", (char **) fashion_names);
  const char *fields[][2] = {
    { "format", SW_CLASSIFIER_FORMAT }, { "channels", "1" }, { "size", "8" },
    { "n_classes", "10" }, { "dataset", "fashion" }, { "class_names", names },
    { "epochs", "3" }, { "test_accuracy", "0.9" },
  };
  g_autoptr (GPtrArray) meta = g_ptr_array_new ();
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = fields[i][1];
      if (g_strcmp0 (d->meta_key, fields[i][0]) == 0)
        {
          if (!d->meta_value)
            continue;
          value = d->meta_value;
        }
      g_ptr_array_add (meta, (gpointer) fields[i][0]);
      g_ptr_array_add (meta, (gpointer) value);
    }
  g_ptr_array_add (meta, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_safetensors_save (path, t, n, (const char * const *) meta->pdata,
                                      SW_DTYPE_F32, &error));
}

static void
test_damaged (void)
{
  const Damage cases[] = {
    { "a UNet", "format", "stepwise-unet", .code = SW_ERROR_FORMAT, .says = "“format” is “stepwise-unet”" },
    { "no format", "format", NULL, .code = SW_ERROR_FORMAT, .says = "“format” is missing" },
    { "size missing", "size", NULL, .code = SW_ERROR_FORMAT, .says = "“size” is missing" },
    { "n_classes 1", "n_classes", "1", .code = SW_ERROR_FORMAT, .says = "“n_classes” is “1”" },
    { "channels 2", "channels", "2", .code = SW_ERROR_INVALID, .says = "2 image channels" },
    { "size disagrees", "size", "12", .code = SW_ERROR_SHAPE, .says = "fc1.weight" },
    { "n_classes disagrees", "n_classes", "9", .code = SW_ERROR_SHAPE, .says = "fc2.weight" },
    { "missing tensor", .drop_tensor = "conv2.bias", .code = SW_ERROR_SHAPE, .says = "“conv2.bias” is missing" },
    { "stray tensor", .extra_tensor = "fc3.weight", .code = SW_ERROR_SHAPE, .says = "“fc3.weight” does not belong" },
    { "names short", "class_names", "a,b,c", .code = SW_ERROR_FORMAT, .says = "“class_names” has 3 names for 10 classes" },
    { "no dataset", "dataset", NULL, .code = SW_ERROR_FORMAT, .says = "“dataset” is missing" },
    { "accuracy", "test_accuracy", "high", .code = SW_ERROR_FORMAT, .says = "“test_accuracy” is “high”" },
    { "accuracy > 1", "test_accuracy", "1.5", .code = SW_ERROR_FORMAT, .says = "“test_accuracy” is 1.5" },
    { "epochs", "epochs", "-1", .code = SW_ERROR_FORMAT, .says = "“epochs” is “-1”" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%zu.safetensors", i);
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      write_damaged (path, &cases[i]);
      g_autoptr (GError) error = NULL;
      SwClassifierRecord rec = { 0 };
      g_assert_null (sw_classifier_load (path, &rec, &error));
      g_assert_null (rec.dataset);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].what, error->message);
      if (error->code != (int) cases[i].code || !strstr (error->message, cases[i].says)
          || !strstr (error->message, path))
        g_error ("%s: expected code %d saying “%s” and the path, got %d: %s", cases[i].what,
                 cases[i].code, cases[i].says, error->code, error->message);
    }
}

/* Two classes of 1x8x8 images: a bright horizontal bar or a vertical one,
 * anywhere, under uniform noise. */
static void
make_bars (int n, float *x, uint8_t *y)
{
  for (int i = 0; i < n; i++)
    {
      float *img = x + i * 64;
      int pos = (int) sw_rng_below (&rng, 8);
      y[i] = (uint8_t) sw_rng_below (&rng, 2);
      for (int p = 0; p < 64; p++)
        {
          bool on = y[i] ? p % 8 == pos : p / 8 == pos;
          img[p] = MIN (1.0f, (on ? 0.7f : 0.0f) + 0.3f * sw_rng_uniform (&rng));
        }
    }
}

static gboolean
stop_after_two (int epoch, int epochs, int step, int steps, float loss, gpointer data)
{
  int *calls = data;
  g_assert_true (isfinite (loss));
  return ++*calls < 2;
}

static void
test_train (void)
{
  const int n = 1024, n_test = 256;
  g_autofree float *x = g_new (float, n * 64), *xt = g_new (float, n_test * 64);
  g_autofree uint8_t *y = g_new (uint8_t, n), *yt = g_new (uint8_t, n_test);
  make_bars (n, x, y);
  make_bars (n_test, xt, yt);
  SwClassifierConfig cfg = { .channels = 1, .size = 8, .n_classes = 2 };
  g_autoptr (SwClassifier) a = sw_classifier_new (&cfg, NULL);
  g_autoptr (SwClassifier) b = sw_classifier_new (&cfg, NULL);
  g_autoptr (GError) error = NULL;
  double before = sw_classifier_accuracy (a, n_test, xt, yt, 100);

  /* 3 epochs of 32 batches of 32: the bars take a few dozen steps to be
   * found at all */
  sw_classifier_init_params (a, 1);
  g_assert_true (sw_classifier_train (a, x, y, n, 3, 32, 1e-2f, 7, NULL, NULL, &error));
  g_assert_no_error (error);
  double after = sw_classifier_accuracy (a, n_test, xt, yt, 100);
  g_test_message ("bars: held-out accuracy %.1f%% before training, %.1f%% after",
                  100 * before, 100 * after);
  g_assert_cmpfloat (after, >, 0.95);

  /* the same seed trains the same weights (a smaller last batch included) */
  sw_classifier_init_params (a, 2);
  sw_classifier_init_params (b, 2);
  g_assert_true (sw_classifier_train (a, x, y, 100, 2, 32, 1e-2f, 9, NULL, NULL, &error));
  g_assert_true (sw_classifier_train (b, x, y, 100, 2, 32, 1e-2f, 9, NULL, NULL, &error));
  g_assert_cmpmem (sw_classifier_params (a), sw_classifier_num_params (a) * 4,
                   sw_classifier_params (b), sw_classifier_num_params (b) * 4);

  int calls = 0;
  g_assert_false (sw_classifier_train (b, x, y, n, 1, 32, 2e-3f, 7, stop_after_two, &calls, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_CANCELLED);
  g_assert_cmpint (calls, ==, 2);
  g_clear_error (&error);

  y[100] = 2;
  g_assert_false (sw_classifier_train (b, x, y, n, 1, 32, 2e-3f, 7, NULL, NULL, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  g_test_message ("rejected: %s", error->message);
}

/* ------------------------------------------------------ Fréchet, Jacobi */

static double *
random_symmetric (int d)
{
  double *a = g_new (double, d * d);
  for (int i = 0; i < d; i++)
    for (int j = 0; j <= i; j++)
      a[i * d + j] = a[j * d + i] = sw_rng_normal (&rng);
  return a;
}

/* a random covariance: B B^T / d plus a little of the identity */
static double *
random_cov (int d)
{
  g_autofree float *b = randn (d * d, 1.0f);
  double *c = g_new (double, d * d);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++)
      {
        double s = i == j ? 0.1 : 0.0;
        for (int k = 0; k < d; k++)
          s += (double) b[i * d + k] * b[j * d + k] / d;
        c[i * d + j] = s;
      }
  return c;
}

static void
test_jacobi (void)
{
  const int d = 48;
  g_autofree double *a = random_symmetric (d);
  g_autofree double *work = g_memdup2 (a, sizeof (double) * d * d);
  g_autofree double *w = g_new (double, d), *u = g_new (double, d * d);
  int sweeps = sw_sym_eigen (d, work, w, u);
  double worst_a = 0.0, worst_i = 0.0;
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++)
      {
        double s = 0.0, e = 0.0;
        for (int k = 0; k < d; k++)
          {
            s += u[k * d + i] * w[k] * u[k * d + j];    /* U^T diag(w) U */
            e += u[i * d + k] * u[j * d + k];           /* U U^T */
          }
        worst_a = MAX (worst_a, fabs (s - a[i * d + j]));
        worst_i = MAX (worst_i, fabs (e - (i == j)));
      }
  g_test_message ("Jacobi %dx%d: %d sweeps, reconstruction error %.1e, orthonormality %.1e",
                  d, d, sweeps, worst_a, worst_i);
  g_assert_cmpfloat (worst_a, <, 1e-10);
  g_assert_cmpfloat (worst_i, <, 1e-10);

  /* a diagonal matrix is already done */
  double diag[4] = { 3, 0, 0, -1 };
  g_assert_cmpint (sw_sym_eigen (2, diag, w, u), ==, 0);
  g_assert_cmpfloat (w[0], ==, 3.0);
  g_assert_cmpfloat (w[1], ==, -1.0);
}

static void
test_feature_stats (void)
{
  const int n = 700, d = 5;  /* more rows than one block of the solver */
  g_autofree float *f = randn (n * d, 2.0f);
  g_autofree double *mean = g_new (double, d), *cov = g_new (double, d * d);
  sw_feature_stats (f, n, d, mean, cov);
  for (int j = 0; j < d; j++)
    {
      double m = 0.0;
      for (int i = 0; i < n; i++)
        m += f[i * d + j];
      m /= n;
      g_assert_cmpfloat_with_epsilon (mean[j], m, 1e-12);
      for (int k = 0; k < d; k++)
        {
          double mk = 0.0, s = 0.0;
          for (int i = 0; i < n; i++)
            mk += f[i * d + k];
          mk /= n;
          for (int i = 0; i < n; i++)
            s += (f[i * d + j] - m) * (f[i * d + k] - mk);
          g_assert_cmpfloat_with_epsilon (cov[j * d + k], s / (n - 1), 1e-12);
        }
    }
}

/* Legibility by hand: softmax([ln 9, 0]) = (0.9, 0.1) sits on the
 * threshold; a tie is never confident; TOP counts each row's argmax. */
static void
test_confident_share (void)
{
  const float l9 = logf (9.0f);
  const float logits[] = {
    l9, 0.0f, 0.0f,          /* p = 9/11: not confident, top 0 */
    0.0f, 10.0f, 0.0f,       /* p ~ 0.9999: confident, top 1 */
    1000.0f, 0.0f, 1000.0f,  /* a tie of huge logits: p 0.5 (no overflow), top 0 */
    0.0f, 0.0f, 20.0f,       /* confident, top 2 */
  };
  int top[3];
  g_assert_cmpfloat (sw_classifier_confident_share (logits, 4, 3, 0.9, top), ==, 0.5);
  g_assert_cmpint (top[0], ==, 2);
  g_assert_cmpint (top[1], ==, 1);
  g_assert_cmpint (top[2], ==, 1);
  const float two[] = { l9, 0.0f };
  g_assert_cmpfloat (sw_classifier_confident_share (two, 1, 2, 0.89999, NULL), ==, 1.0);
  g_assert_cmpfloat (sw_classifier_confident_share (two, 1, 2, 0.90001, NULL), ==, 0.0);
}

static void
test_frechet_closed_forms (void)
{
  /* identical Gaussians */
  const int d = 32;
  g_autofree double *c = random_cov (d);
  g_autofree double *mu = g_new0 (double, d);
  double same = sw_frechet_distance (mu, c, mu, c, d);
  g_test_message ("identical: %.2e", same);
  g_assert_cmpfloat (fabs (same), <, 1e-9);

  /* 1-D: (m1 - m2)^2 + (s1 - s2)^2 */
  double m1 = 0.3, m2 = -1.2, v1 = 2.25, v2 = 0.49;
  g_assert_cmpfloat_with_epsilon (sw_frechet_distance (&m1, &v1, &m2, &v2, 1),
                                  1.5 * 1.5 + 0.8 * 0.8, 1e-12);

  /* diagonal: the 1-D case per coordinate */
  double ma[3] = { 1, 2, 3 }, mb[3] = { 0, 2, 5 };
  double ca[9] = { 4, 0, 0, 0, 1, 0, 0, 0, 9 }, cb[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 0.25 };
  g_assert_cmpfloat_with_epsilon (sw_frechet_distance (ma, ca, mb, cb, 3),
                                  1 + 0 + 4 + 1 + 0 + 2.5 * 2.5, 1e-12);

  /* 2-D, not commuting: for A = C1 C2 with positive eigenvalues,
   * Tr sqrt(A) = sqrt(Tr A + 2 sqrt(det A)) */
  double z[2] = { 0, 0 };
  double p[4] = { 2, 0.7, 0.7, 1 }, q[4] = { 0.5, -0.3, -0.3, 3 };
  double tr_a = p[0] * q[0] + p[1] * q[2] + p[2] * q[1] + p[3] * q[3];
  double det_a = (p[0] * p[3] - p[1] * p[2]) * (q[0] * q[3] - q[1] * q[2]);
  double want = p[0] + p[3] + q[0] + q[3] - 2 * sqrt (tr_a + 2 * sqrt (det_a));
  g_assert_cmpfloat_with_epsilon (sw_frechet_distance (z, p, z, q, 2), want, 1e-12);

  /* a singular covariance (all features equal) still gives a number */
  double flat[4] = { 1, 1, 1, 1 };
  g_assert_cmpfloat_with_epsilon (sw_frechet_distance (z, flat, z, flat, 2), 0.0, 1e-9);
}

/* both sets turned by the same rotation, and the two swapped */
static void
test_frechet_symmetries (void)
{
  const int d = 24;
  g_autofree double *c1 = random_cov (d), *c2 = random_cov (d);
  g_autofree double *mu1 = g_new (double, d), *mu2 = g_new (double, d);
  for (int i = 0; i < d; i++)
    {
      mu1[i] = sw_rng_normal (&rng);
      mu2[i] = sw_rng_normal (&rng);
    }
  /* an orthogonal Q: the eigenvectors of a random symmetric matrix */
  g_autofree double *s = random_symmetric (d);
  g_autofree double *q = g_new (double, d * d), *w = g_new (double, d);
  sw_sym_eigen (d, s, w, q);

  /* both sets rotated: mu -> Q mu, C -> Q C Q^T */
  double *mus[2] = { mu1, mu2 }, *covs[2] = { c1, c2 };
  g_autofree double *rmu = g_new (double, 2 * d), *rcov = g_new (double, 2 * d * d);
  g_autofree double *tmp = g_new (double, d * d);
  for (int k = 0; k < 2; k++)
    {
      for (int i = 0; i < d; i++)
        {
          double m = 0.0;
          for (int j = 0; j < d; j++)
            m += q[i * d + j] * mus[k][j];
          rmu[k * d + i] = m;
          for (int j = 0; j < d; j++)
            {
              double t = 0.0;
              for (int l = 0; l < d; l++)
                t += q[i * d + l] * covs[k][l * d + j];
              tmp[i * d + j] = t;
            }
        }
      for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
          {
            double t = 0.0;
            for (int l = 0; l < d; l++)
              t += tmp[i * d + l] * q[j * d + l];
            rcov[k * d * d + i * d + j] = t;
          }
    }
  double plain = sw_frechet_distance (mu1, c1, mu2, c2, d);
  double rotated = sw_frechet_distance (rmu, rcov, rmu + d, rcov + d * d, d);
  g_test_message ("rotation: %.12g vs %.12g", plain, rotated);
  g_assert_cmpfloat (plain, >, 1.0);
  g_assert_cmpfloat (fabs (plain - rotated), <, 1e-9 * plain);
  /* symmetric, though the two orders decompose different matrices */
  g_assert_cmpfloat (fabs (plain - sw_frechet_distance (mu2, c2, mu1, c1, d)), <, 1e-9 * plain);
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  sw_rng_init (&rng, 42, 0);
  tmpdir = g_dir_make_tmp ("stepwise-classifier-XXXXXX", NULL);
  g_test_add_func ("/softmax-xent/value", test_xent_value);
  g_test_add_func ("/softmax-xent/backward", test_xent_backward);
  g_test_add_func ("/classifier/shapes", test_shapes);
  g_test_add_func ("/classifier/backward", test_classifier_backward);
  g_test_add_func ("/classifier/save-load", test_save_load);
  g_test_add_func ("/classifier/damaged", test_damaged);
  g_test_add_func ("/classifier/train", test_train);
  g_test_add_func ("/classifier/confident-share", test_confident_share);
  g_test_add_func ("/frechet/jacobi", test_jacobi);
  g_test_add_func ("/frechet/feature-stats", test_feature_stats);
  g_test_add_func ("/frechet/closed-forms", test_frechet_closed_forms);
  g_test_add_func ("/frechet/symmetries", test_frechet_symmetries);
  int status = g_test_run ();
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
