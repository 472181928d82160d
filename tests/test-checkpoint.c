/* A UNet saved and loaded through safetensors: bit-exact round trip with
 * optimizer state, half-precision weights, and the errors a damaged or
 * mismatched model file gives. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-util.h"
#include "base/blas.h"
#include "models/checkpoint.h"

static char *tmpdir;

static SwUnet *
make_net (SwUnetVariant v, SwCondPoints cond, int embed)
{
  SwUnetConfig cfg = { .variant = v, .time_mod = SW_TIME_ADD, .cond = cond, .D = 4,
                       .channels = 3, .size = 32, .class_dim = 7, .embed_dim = embed };
  SwUnet *net = sw_unet_new (&cfg, NULL);
  sw_unet_init_params (net, 3);
  /* non-default running stats, so that buffers are really saved */
  float *b = sw_unet_buffers (net);
  for (size_t i = 0; i < sw_unet_num_buffers (net); i++)
    b[i] = 0.25f + (float) i / 1000.0f;
  return net;
}

typedef struct {
  SwCondPoints cond;
  int embed;
} NetKind;

static const NetKind course = { SW_COND_COURSE, 0 }, every = { SW_COND_EVERY, 0 },
                     every_embed = { SW_COND_EVERY, 6 }, film = { SW_COND_FILM, 0 };

/* DATA: a NetKind */
static void
test_round_trip (gconstpointer data)
{
  const NetKind *kind = data;
  SwUnet *net = make_net (SW_UNET_CLASS, kind->cond, kind->embed);
  SwAdam opt;
  sw_adam_init (&opt, sw_unet_num_params (net), 1e-3f);
  for (size_t i = 0; i < opt.n; i++)
    {
      opt.m[i] = sinf ((float) i);
      opt.v[i] = (float) i * 1e-7f;
    }
  opt.step = 4321;
  sw_adam_enable_ema (&opt, 0.999f, sw_unet_params (net));
  opt.ema[0] = 42.0f;
  g_autofree char *path = g_build_filename (tmpdir, "rt.safetensors", NULL);
  const char *meta[] = { "recipe", "flow-class", "epoch", "3", NULL };
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_checkpoint_save (path, net, &opt, meta, SW_DTYPE_F32, &error));
  g_assert_no_error (error);

  g_autoptr (GHashTable) got_meta = NULL;
  SwAdam opt2;
  gboolean has_opt = FALSE;
  SwUnet *back = sw_checkpoint_load (path, &got_meta, &opt2, &has_opt, &error);
  g_assert_no_error (error);
  g_assert_true (has_opt);
  const SwUnetConfig *a = sw_unet_config (net), *b = sw_unet_config (back);
  g_assert_cmpint (a->variant, ==, b->variant);
  g_assert_cmpint (a->time_mod, ==, b->time_mod);
  g_assert_cmpint (a->cond, ==, b->cond);
  g_assert_cmpint (a->D, ==, b->D);
  g_assert_cmpint (a->channels, ==, b->channels);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->class_dim, ==, b->class_dim);
  g_assert_cmpint (a->embed_dim, ==, b->embed_dim);
  g_assert_cmpmem (sw_unet_params (net), sw_unet_num_params (net) * 4,
                   sw_unet_params (back), sw_unet_num_params (back) * 4);
  g_assert_cmpmem (sw_unet_buffers (net), sw_unet_num_buffers (net) * 4,
                   sw_unet_buffers (back), sw_unet_num_buffers (back) * 4);
  g_assert_cmpmem (opt.m, opt.n * 4, opt2.m, opt2.n * 4);
  g_assert_cmpmem (opt.v, opt.n * 4, opt2.v, opt2.n * 4);
  g_assert_nonnull (opt2.ema);
  g_assert_cmpmem (opt.ema, opt.n * 4, opt2.ema, opt2.n * 4);
  g_assert_cmpfloat (opt2.ema_decay, ==, 0.999f);
  g_assert_cmpint (opt2.step, ==, 4321);
  g_assert_cmpfloat (opt2.lr, ==, 1e-3f);
  g_assert_cmpstr (g_hash_table_lookup (got_meta, "recipe"), ==, "flow-class");
  g_assert_cmpstr (g_hash_table_lookup (got_meta, "epoch"), ==, "3");
  g_assert_cmpstr (g_hash_table_lookup (got_meta, "format"), ==, SW_CHECKPOINT_FORMAT);
  g_assert_cmpstr (g_hash_table_lookup (got_meta, "cond"), ==, sw_cond_points_name (a->cond));

  /* a second save of the loaded net gives the same bytes */
  g_autofree char *path2 = g_build_filename (tmpdir, "rt2.safetensors", NULL);
  g_assert_true (sw_checkpoint_save (path2, back, &opt2, meta, SW_DTYPE_F32, &error));
  g_autofree char *c1 = NULL, *c2 = NULL;
  gsize l1, l2;
  g_assert_true (g_file_get_contents (path, &c1, &l1, NULL));
  g_assert_true (g_file_get_contents (path2, &c2, &l2, NULL));
  g_assert_cmpmem (c1, l1, c2, l2);

  /* an average whose decay is out of range is refused by name */
  opt.ema_decay = 1.5f;
  g_assert_true (sw_checkpoint_save (path, net, &opt, NULL, SW_DTYPE_F32, &error));
  SwAdam opt3;
  g_assert_null (sw_checkpoint_load (path, NULL, &opt3, &has_opt, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "“optim.ema_decay” is “1.5”"));

  sw_adam_clear (&opt);
  sw_adam_clear (&opt2);
  sw_unet_free (net);
  sw_unet_free (back);
}

static void
test_f16_weights (void)
{
  SwUnet *net = make_net (SW_UNET_TIME, SW_COND_COURSE, 0);
  g_autofree char *path = g_build_filename (tmpdir, "half.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_checkpoint_save (path, net, NULL, NULL, SW_DTYPE_F16, &error));
  gboolean has_opt = TRUE;
  SwAdam opt;
  SwUnet *back = sw_checkpoint_load (path, NULL, &opt, &has_opt, &error);
  g_assert_no_error (error);
  g_assert_false (has_opt);
  const float *p = sw_unet_params (net), *q = sw_unet_params (back);
  for (size_t i = 0; i < sw_unet_num_params (net); i++)
    g_assert_cmpfloat (fabsf (p[i] - q[i]), <=, fabsf (p[i]) * (1.0f / 1024) + 1e-7f);

  /* optimizer moments are never rounded to half precision */
  SwAdam o;
  sw_adam_init (&o, sw_unet_num_params (net), 1e-3f);
  g_assert_false (sw_checkpoint_save (path, net, &o, NULL, SW_DTYPE_F16, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_INVALID);
  sw_adam_clear (&o);
  sw_unet_free (net);
  sw_unet_free (back);
}

/* Writes a safetensors file that looks like a checkpoint but is damaged as
 * asked, and checks that loading names the problem. */
typedef struct {
  const char *what;
  const char *meta_key, *meta_value;  /* override or add one metadata field (value NULL: drop it) */
  const char *drop_tensor;            /* leave this tensor out */
  const char *extra_tensor;           /* add a stray tensor */
  int shrink_tensor;                  /* give the first tensor a wrong shape */
  const char *poison;                 /* set this tensor's entry 1, or all of them, to VALUE */
  gboolean poison_all;
  float value;
  SwErrorCode code;
  const char *says;
} Damage;

static void
write_damaged (const char *path, const Damage *d)
{
  SwUnet *net = make_net (SW_UNET_TIME, SW_COND_COURSE, 0);
  const SwUnetConfig *cfg = sw_unet_config (net);
  size_t nt = sw_unet_n_tensors (net);
  g_autofree SwStTensorIn *t = g_new0 (SwStTensorIn, nt + 1);
  size_t n = 0;
  static const float stray[3] = { 1, 2, 3 };
  for (size_t i = 0; i < nt; i++)
    {
      const SwTensorInfo *info = sw_unet_tensor (net, i);
      if (d->poison && strcmp (info->name, d->poison) == 0)
        for (size_t k = d->poison_all ? 0 : 1; k < (d->poison_all ? info->numel : 2); k++)
          sw_unet_tensor_data (net, info)[k] = d->value;
      if (d->drop_tensor && strcmp (info->name, d->drop_tensor) == 0)
        continue;
      t[n].name = info->name;
      t[n].ndim = info->ndim;
      memcpy (t[n].shape, info->shape, sizeof info->shape);
      if (i == 0 && d->shrink_tensor)
        t[n].shape[0] -= 1;
      t[n].data = sw_unet_tensor_data (net, info);
      n++;
    }
  if (d->extra_tensor)
    t[n++] = (SwStTensorIn) { .name = d->extra_tensor, .ndim = 1, .shape = { 3 }, .data = stray };
  g_autofree char *D = g_strdup_printf ("%d", cfg->D);
  const char *fields[][2] = {
    { "format", SW_CHECKPOINT_FORMAT }, { "variant", "time" }, { "time_mod", "add" },
    { "D", D }, { "channels", "3" }, { "size", "32" }, { "class_dim", "7" },
  };
  g_autoptr (GPtrArray) meta = g_ptr_array_new ();
  gboolean overridden = FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = fields[i][1];
      if (d->meta_key && strcmp (d->meta_key, fields[i][0]) == 0)
        {
          overridden = TRUE;
          if (!d->meta_value)
            continue;
          value = d->meta_value;
        }
      g_ptr_array_add (meta, (gpointer) fields[i][0]);
      g_ptr_array_add (meta, (gpointer) value);
    }
  if (d->meta_key && d->meta_value && !overridden)
    {
      g_ptr_array_add (meta, (gpointer) d->meta_key);
      g_ptr_array_add (meta, (gpointer) d->meta_value);
    }
  g_ptr_array_add (meta, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_safetensors_save (path, t, n, (const char * const *) meta->pdata,
                                      SW_DTYPE_F32, &error));
  sw_unet_free (net);
}

static void
test_damaged_models (void)
{
  const Damage cases[] = {
    { "not ours", "format", "something-else", .code = SW_ERROR_FORMAT, .says = "“format” is “something-else”" },
    { "no format", "format", NULL, .code = SW_ERROR_FORMAT, .says = "“format” is missing" },
    { "bad variant", "variant", "diffusion", .code = SW_ERROR_FORMAT, .says = "“variant” is “diffusion”" },
    { "bad time_mod", "time_mod", "both", .code = SW_ERROR_FORMAT, .says = "“time_mod” is “both”" },
    { "bad cond", "cond", "everywhere", .code = SW_ERROR_FORMAT, .says = "“cond” is “everywhere”" },
    { "cond every on a time net", "cond", "every", .code = SW_ERROR_INVALID,
      .says = "conditioning “every” is for the class variant, not time" },
    { "D not a number", "D", "four", .code = SW_ERROR_FORMAT, .says = "“D” is “four”" },
    { "D missing", "D", NULL, .code = SW_ERROR_FORMAT, .says = "“D” is missing" },
    { "channels 2", "channels", "2", .code = SW_ERROR_INVALID, .says = "2 image channels" },
    { "size 30", "size", "30", .code = SW_ERROR_INVALID, .says = "image size 30" },
    { "D disagrees", "D", "5", .code = SW_ERROR_SHAPE, .says = "in_block.c1.conv.weight" },
    { "missing tensor", .drop_tensor = "fc2_t.l2.bias", .code = SW_ERROR_SHAPE, .says = "fc2_t.l2.bias" },
    { "stray tensor", .extra_tensor = "extra.weight", .code = SW_ERROR_SHAPE, .says = "“extra.weight” does not belong" },
    { "wrong shape", .shrink_tensor = 1, .code = SW_ERROR_SHAPE, .says = "in_block.c1.conv.weight" },
    { "one NaN weight", .poison = "fc2_t.l2.bias", .value = NAN, .code = SW_ERROR_FORMAT,
      .says = "tensor “fc2_t.l2.bias” holds nan at index 1; accepted: finite values only (the file is damaged)" },
    { "infinite conv weights", .poison = "in_block.c1.conv.weight", .poison_all = TRUE, .value = INFINITY,
      .code = SW_ERROR_FORMAT, .says = "tensor “in_block.c1.conv.weight” holds inf at index 0" },
    { "negative running variance", .poison = "in_block.c1.bn.running_var", .poison_all = TRUE,
      .value = -1.0f, .code = SW_ERROR_FORMAT,
      .says = "tensor “in_block.c1.bn.running_var” holds the variance -1 at index 0; accepted: 0 or more" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%zu.safetensors", i);
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      write_damaged (path, &cases[i]);
      g_autoptr (GError) error = NULL;
      SwUnet *net = sw_checkpoint_load (path, NULL, NULL, NULL, &error);
      g_assert_null (net);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].what, error->message);
      if (error->code != (int) cases[i].code || !strstr (error->message, cases[i].says))
        g_error ("%s: expected code %d saying “%s”, got %d: %s", cases[i].what, cases[i].code,
                 cases[i].says, error->code, error->message);
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such.safetensors", NULL);
  g_assert_null (sw_checkpoint_load (missing, NULL, NULL, NULL, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_IO);
}

/* a training checkpoint whose Adam moments are not finite, or whose
 * second moment is negative, is damaged (not a diverged run) */
static void
test_damaged_optimizer (void)
{
  SwUnet *net = make_net (SW_UNET_TIME, SW_COND_COURSE, 0);
  g_autofree char *path = g_build_filename (tmpdir, "bad-adam.safetensors", NULL);
  const float bad[][2] = { { NAN, 0.0f }, { 0.0f, -INFINITY }, { 0.0f, -1.0f } };
  const char *says[] = { "tensor “optim.m.", "tensor “optim.v.", "holds the variance -1" };
  for (size_t c = 0; c < G_N_ELEMENTS (bad); c++)
    {
      SwAdam opt;
      sw_adam_init (&opt, sw_unet_num_params (net), 1e-3f);
      opt.m[5] = bad[c][0];
      opt.v[5] = bad[c][1];
      g_autoptr (GError) error = NULL;
      g_assert_true (sw_checkpoint_save (path, net, &opt, NULL, SW_DTYPE_F32, &error));
      sw_adam_clear (&opt);
      SwAdam back;
      gboolean has_opt;
      g_assert_null (sw_checkpoint_load (path, NULL, &back, &has_opt, &error));
      g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, says[c]));
      g_assert_nonnull (strstr (error->message, "the file is damaged"));
    }
  sw_unet_free (net);
}

/* Files from before the conditioning points have no "cond": the course's */
static void
test_without_cond (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "no-cond.safetensors", NULL);
  write_damaged (path, &(Damage) { "nothing damaged" });
  g_autoptr (GError) error = NULL;
  SwUnet *net = sw_checkpoint_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sw_unet_config (net)->cond, ==, SW_COND_COURSE);
  sw_unet_free (net);
}

int
main (int argc, char **argv)
{
  sw_blas_setup (argv);
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("stepwise-checkpoint-XXXXXX", NULL);
  g_test_add_data_func ("/checkpoint/round-trip/course", &course, test_round_trip);
  g_test_add_data_func ("/checkpoint/round-trip/every", &every, test_round_trip);
  g_test_add_data_func ("/checkpoint/round-trip/every-embed", &every_embed, test_round_trip);
  g_test_add_data_func ("/checkpoint/round-trip/film", &film, test_round_trip);
  g_test_add_func ("/checkpoint/without-cond", test_without_cond);
  g_test_add_func ("/checkpoint/f16-weights", test_f16_weights);
  g_test_add_func ("/checkpoint/damaged", test_damaged_models);
  g_test_add_func ("/checkpoint/damaged-optimizer", test_damaged_optimizer);
  int status = g_test_run ();
  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
