/* The write-up's UNet: table-built parameters, one activation arena, and a
 * forward/backward that walk the same list of units. */
#include "models/unet.h"
#include "nn/layers.h"

#include <string.h>

/* conv (or transposed conv) -> BatchNorm -> GELU */
typedef struct {
  SwConvGeom g;
  bool transpose;
  int H, W, Ho, Wo;                 /* input and output grids */
  size_t w, b, gamma, beta;         /* offsets into params/grads */
  size_t rmean, rvar;               /* offsets into buffers */
  /* activations for the current batch, carved from the arena */
  const float *inp;                 /* (Cin, N, H, W): some other tensor */
  float *dinp;                      /* its gradient, or NULL (the net's input) */
  float *pre;                       /* conv output (Cout, N, Ho, Wo) */
  float *out, *dout;                /* GELU output and its gradient */
  float *mean, *rstd;               /* (Cout), saved by BatchNorm */
} Unit;

/* Linear(fin -> f) -> GELU -> Linear(f -> fout); fout is f but for the
 * class FCBlocks of SW_COND_FILM, which give a scale and a shift (2f) */
typedef struct {
  int fin, f, fout;
  size_t w1, b1, w2, b2;
  const float *inp;                 /* (N, fin) */
  float *h, *dh, *g, *dg;           /* (N, f): first linear, GELU */
  float *out, *dout;                /* (N, fout) */
} FcBlock;

enum {
  U_IN1, U_IN2,                     /* ConvBlock(C -> D)        = d1 */
  U_DOWN1, U_DOWN1_C1, U_DOWN1_C2,  /* DownBlock(D -> D)        = d2 */
  U_DOWN2, U_DOWN2_C1, U_DOWN2_C2,  /* DownBlock(D -> 2D)       = d3 */
  U_UNFLAT,                         /* ConvT(2D -> 2D, k = s = H/4) = u0 */
  U_UP1, U_UP1_C1, U_UP1_C2,        /* UpBlock(4D -> D)         = up1 */
  U_UP2, U_UP2_C1, U_UP2_C2,        /* UpBlock(2D -> D)         = up2 */
  U_OUT1, U_OUT2,                   /* ConvBlock(2D -> D) */
  N_UNITS
};

/* Conditioning points: block outputs that time (and class) modulate,
 * out = scale * inp + shift, before anything reads them.  The course's net
 * has u0 and up1; SW_COND_EVERY adds the rest. */
enum { P_D1, P_D2, P_D3, P_U0, P_UP1, P_UP2, P_OUT, N_POINTS };

static const struct {
  int unit;                         /* the block's last unit */
  const char *fc;                   /* its FCBlocks are <fc>_t and <fc>_c */
} point_defs[N_POINTS] = {
  [P_D1] = { U_IN2, "fc_in" },           [P_D2] = { U_DOWN1_C2, "fc_down1" },
  [P_D3] = { U_DOWN2_C2, "fc_down2" },   [P_U0] = { U_UNFLAT, "fc1" },
  [P_UP1] = { U_UP1_C2, "fc2" },         [P_UP2] = { U_UP2_C2, "fc_up2" },
  [P_OUT] = { U_OUT2, "fc_out" },
};

typedef struct {
  bool on;
  float *out, *dout;                /* (C, N, h, w): the modulated block output */
  float *scale, *shift;             /* (N, C): SW_COND_FILM's, made from the FCBlocks */
  float *dscale, *dshift;           /* their gradients */
} CondPoint;

/* point p's time FCBlock is fc[FC_T + p], its class FCBlock fc[FC_C + p] */
enum { FC_T = 0, FC_C = N_POINTS, N_FC = 2 * N_POINTS };

struct _SwUnet {
  SwUnetConfig cfg;
  SwTensorTable table;
  float *params, *grads, *buffers;

  Unit units[N_UNITS];
  CondPoint points[N_POINTS];
  FcBlock fc[N_FC];
  bool has_fc[N_FC];
  SwConvGeom out_geom;              /* the final plain Conv(D -> C) */
  size_t out_w, out_b;
  size_t embed_w;                   /* (class_dim, embed_dim) when embed_dim > 0 */

  /* arena for the current batch size */
  int N, N_capacity;
  float *arena;
  size_t arena_floats;
  bool training;
  float bn_momentum;                /* the running statistics' step (layers.h) */
  float *x, *y, *dy;                /* (C, N, H, W) input, output and its gradient */
  float *pooled, *z, *dz;           /* (2D, N): AvgPool and GELU */
  float *cat1, *dcat1;              /* (4D, N, h, h) */
  float *cat2, *dcat2;              /* (2D, N, 2h, 2h) */
  float *cat3, *dcat3;              /* (2D, N, H, W) */
  float *tv, *cv;                   /* (N, 1) time, (N, class_dim) class */
  float *ev, *dev;                  /* (N, embed_dim): the class's embedding and its gradient */
  float *scratch1, *scratch2;       /* largest unit output, for backward */
  float *work;                      /* im2col columns */
  float *grads_end;                 /* end of the gradient part of the arena */
};

/* ---------------------------------------------------------------- names */

const char *
sw_unet_variant_name (SwUnetVariant v)
{
  switch (v)
    {
    case SW_UNET_UNCOND: return "uncond";
    case SW_UNET_TIME: return "time";
    case SW_UNET_CLASS: return "class";
    default: return "?";
    }
}

gboolean
sw_unet_variant_from_name (const char *name, SwUnetVariant *out)
{
  for (int v = SW_UNET_UNCOND; v <= SW_UNET_CLASS; v++)
    if (g_strcmp0 (name, sw_unet_variant_name (v)) == 0)
      {
        *out = v;
        return TRUE;
      }
  return FALSE;
}

const char *
sw_time_mod_name (SwTimeMod m)
{
  return m == SW_TIME_ADD ? "add" : "mul";
}

gboolean
sw_time_mod_from_name (const char *name, SwTimeMod *out)
{
  if (g_strcmp0 (name, "mul") == 0)
    *out = SW_TIME_MUL;
  else if (g_strcmp0 (name, "add") == 0)
    *out = SW_TIME_ADD;
  else
    return FALSE;
  return TRUE;
}

const char *
sw_cond_points_name (SwCondPoints p)
{
  switch (p)
    {
    case SW_COND_COURSE: return "course";
    case SW_COND_EVERY: return "every";
    case SW_COND_FILM: return "film";
    default: return "?";
    }
}

gboolean
sw_cond_points_from_name (const char *name, SwCondPoints *out)
{
  if (g_strcmp0 (name, "course") == 0)
    *out = SW_COND_COURSE;
  else if (g_strcmp0 (name, "every") == 0)
    *out = SW_COND_EVERY;
  else if (g_strcmp0 (name, "film") == 0)
    *out = SW_COND_FILM;
  else
    return FALSE;
  return TRUE;
}

gboolean
sw_unet_config_validate (const SwUnetConfig *cfg, GError **error)
{
  if (cfg->variant < SW_UNET_UNCOND || cfg->variant > SW_UNET_CLASS)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "UNet variant %d is unknown; accepted: uncond, time, class", cfg->variant);
      return FALSE;
    }
  if (cfg->time_mod != SW_TIME_MUL && cfg->time_mod != SW_TIME_ADD)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "time modulation %d is unknown; accepted: mul, add", cfg->time_mod);
      return FALSE;
    }
  if (cfg->cond != SW_COND_COURSE && cfg->cond != SW_COND_EVERY && cfg->cond != SW_COND_FILM)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "conditioning points %d are unknown; accepted: course, every, film", cfg->cond);
      return FALSE;
    }
  /* a time-only net is the write-up's own; only the prompt models need more */
  if (cfg->cond != SW_COND_COURSE && cfg->variant != SW_UNET_CLASS)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "conditioning “%s” is for the class variant, not %s; "
                   "accepted for %s: course", sw_cond_points_name (cfg->cond),
                   sw_unet_variant_name (cfg->variant), sw_unet_variant_name (cfg->variant));
      return FALSE;
    }
  if (cfg->D < 1 || cfg->D > 1024)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "hidden width D = %d is out of range; accepted: 1 to 1024", cfg->D);
      return FALSE;
    }
  if (cfg->channels != 1 && cfg->channels != 3)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "%d image channels are not supported; accepted: 1 (grey) or 3 (RGB)",
                   cfg->channels);
      return FALSE;
    }
  if (cfg->size < 8 || cfg->size > 128 || cfg->size % 4 != 0)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "image size %d is not supported; accepted: a multiple of 4 from 8 to 128 "
                   "(the models use 28 or 32)", cfg->size);
      return FALSE;
    }
  if (cfg->variant == SW_UNET_CLASS && (cfg->class_dim < 1 || cfg->class_dim > 65536))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "class vector width %d is out of range; accepted: 1 to 65536", cfg->class_dim);
      return FALSE;
    }
  if (cfg->embed_dim < 0 || cfg->embed_dim > 4096
      || (cfg->embed_dim > 0 && cfg->variant != SW_UNET_CLASS))
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                   "word embedding width %d does not fit a %s UNet; accepted: 0 (none), "
                   "or 1 to 4096 for the class variant", cfg->embed_dim,
                   sw_unet_variant_name (cfg->variant));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------- tensor table */

static size_t
add_tensor (SwUnet *net, bool buffer, const char *prefix, const char *suffix,
            int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
  return sw_tensor_table_add (&net->table, buffer, prefix, suffix, ndim, d0, d1, d2, d3);
}

static void
add_unit (SwUnet *net, int id, const char *prefix, bool transpose,
          int cin, int cout, int k, int stride, int pad, int H)
{
  Unit *u = &net->units[id];
  u->g = (SwConvGeom) { .cin = cin, .cout = cout, .k = k, .stride = stride, .pad = pad };
  u->transpose = transpose;
  u->H = u->W = H;
  u->Ho = u->Wo = transpose ? sw_conv_transpose_out_size (H, k, stride, pad)
                            : sw_conv_out_size (H, k, stride, pad);
  g_autofree char *conv = g_strdup_printf ("%s.conv", prefix);
  g_autofree char *bn = g_strdup_printf ("%s.bn", prefix);
  /* PyTorch weight layouts: Conv2d (Cout, Cin, k, k), ConvTranspose2d (Cin, Cout, k, k) */
  u->w = add_tensor (net, false, conv, "weight", 4, transpose ? cin : cout,
                     transpose ? cout : cin, k, k);
  u->b = add_tensor (net, false, conv, "bias", 1, cout, 0, 0, 0);
  u->gamma = add_tensor (net, false, bn, "weight", 1, cout, 0, 0, 0);
  u->beta = add_tensor (net, false, bn, "bias", 1, cout, 0, 0, 0);
  u->rmean = add_tensor (net, true, bn, "running_mean", 1, cout, 0, 0, 0);
  u->rvar = add_tensor (net, true, bn, "running_var", 1, cout, 0, 0, 0);
}

static void
add_conv_block (SwUnet *net, int first, const char *prefix, int cin, int cout, int H)
{
  g_autofree char *c1 = g_strdup_printf ("%s.c1", prefix);
  g_autofree char *c2 = g_strdup_printf ("%s.c2", prefix);
  add_unit (net, first, c1, false, cin, cout, 3, 1, 1, H);
  add_unit (net, first + 1, c2, false, cout, cout, 3, 1, 1, H);
}

static void
add_fc (SwUnet *net, int id, const char *prefix, int fin, int f, int fout)
{
  FcBlock *fc = &net->fc[id];
  g_autofree char *l1 = g_strdup_printf ("%s.l1", prefix);
  g_autofree char *l2 = g_strdup_printf ("%s.l2", prefix);
  fc->fin = fin;
  fc->f = f;
  fc->fout = fout;
  fc->w1 = add_tensor (net, false, l1, "weight", 2, f, fin, 0, 0);
  fc->b1 = add_tensor (net, false, l1, "bias", 1, f, 0, 0, 0);
  fc->w2 = add_tensor (net, false, l2, "weight", 2, fout, f, 0, 0);
  fc->b2 = add_tensor (net, false, l2, "bias", 1, fout, 0, 0, 0);
  net->has_fc[id] = true;
}

/* the time FCBlocks of POINTS, then their class FCBlocks */
static void
add_point_fcs (SwUnet *net, const int *points, int n)
{
  for (int i = 0; i < n; i++)
    {
      int p = points[i];
      g_autofree char *name = g_strdup_printf ("%s_t", point_defs[p].fc);
      int C = net->units[point_defs[p].unit].g.cout;
      add_fc (net, FC_T + p, name, 1, C, C);
    }
  for (int i = 0; net->cfg.variant == SW_UNET_CLASS && i < n; i++)
    {
      int p = points[i];
      g_autofree char *name = g_strdup_printf ("%s_c", point_defs[p].fc);
      int fin = net->cfg.embed_dim > 0 ? net->cfg.embed_dim : net->cfg.class_dim;
      int C = net->units[point_defs[p].unit].g.cout;
      add_fc (net, FC_C + p, name, fin, C, net->cfg.cond == SW_COND_FILM ? 2 * C : C);
    }
}

SwUnet *
sw_unet_new (const SwUnetConfig *cfg, GError **error)
{
  if (!sw_unet_config_validate (cfg, error))
    return NULL;

  SwUnet *net = g_new0 (SwUnet, 1);
  net->cfg = *cfg;
  const int D = cfg->D, C = cfg->channels, H = cfg->size, h = H / 4;

  /* the order of the table is the order of a PyTorch state_dict */
  add_conv_block (net, U_IN1, "in_block", C, D, H);
  add_unit (net, U_DOWN1, "down1.down", false, D, D, 3, 2, 1, H);
  add_conv_block (net, U_DOWN1_C1, "down1.block", D, D, H / 2);
  add_unit (net, U_DOWN2, "down2.down", false, D, 2 * D, 3, 2, 1, H / 2);
  add_conv_block (net, U_DOWN2_C1, "down2.block", 2 * D, 2 * D, h);
  add_unit (net, U_UNFLAT, "unflatten", true, 2 * D, 2 * D, h, h, 0, 1);
  add_unit (net, U_UP1, "up1.up", true, 4 * D, D, 4, 2, 1, h);
  add_conv_block (net, U_UP1_C1, "up1.block", D, D, 2 * h);
  add_unit (net, U_UP2, "up2.up", true, 2 * D, D, 4, 2, 1, 2 * h);
  add_conv_block (net, U_UP2_C1, "up2.block", D, D, H);
  add_conv_block (net, U_OUT1, "out_block", 2 * D, D, H);
  net->out_geom = (SwConvGeom) { .cin = D, .cout = C, .k = 3, .stride = 1, .pad = 1 };
  net->out_w = add_tensor (net, false, "out_conv", "weight", 4, C, D, 3, 3);
  net->out_b = add_tensor (net, false, "out_conv", "bias", 1, C, 0, 0, 0);
  if (cfg->variant != SW_UNET_UNCOND)
    {
      /* the course's fc1_t, fc2_t, fc1_c, fc2_c first and in its order, so
       * that a course net's table, and so its seeded initialisation, is the
       * same whatever the other points do */
      static const int course[] = { P_U0, P_UP1 }, more[] = { P_D1, P_D2, P_D3, P_UP2, P_OUT };
      net->points[P_U0].on = net->points[P_UP1].on = true;
      add_point_fcs (net, course, G_N_ELEMENTS (course));
      if (cfg->cond != SW_COND_COURSE)
        {
          for (size_t i = 0; i < G_N_ELEMENTS (more); i++)
            net->points[more[i]].on = true;
          add_point_fcs (net, more, G_N_ELEMENTS (more));
        }
    }
  /* last, so that the tables (and seeded initialisations) of the nets
   * before it are unchanged */
  if (cfg->embed_dim > 0)
    net->embed_w = add_tensor (net, false, "embed", "weight", 2, cfg->class_dim, cfg->embed_dim, 0, 0);

  net->params = g_new0 (float, net->table.n_params);
  net->grads = g_new0 (float, net->table.n_params);
  net->buffers = g_new0 (float, net->table.n_buffers);
  sw_unet_init_params (net, 0);
  net->bn_momentum = SW_BN_MOMENTUM;
  return net;
}

void
sw_unet_free (SwUnet *net)
{
  if (!net)
    return;
  g_free (net->params);
  g_free (net->grads);
  g_free (net->buffers);
  g_free (net->arena);
  g_free (net);
}

const SwUnetConfig *sw_unet_config (const SwUnet *net) { return &net->cfg; }
size_t sw_unet_num_params (const SwUnet *net) { return net->table.n_params; }
size_t sw_unet_num_buffers (const SwUnet *net) { return net->table.n_buffers; }
size_t sw_unet_n_tensors (const SwUnet *net) { return net->table.n; }
float *sw_unet_params (SwUnet *net) { return net->params; }
float *sw_unet_grads (SwUnet *net) { return net->grads; }
float *sw_unet_buffers (SwUnet *net) { return net->buffers; }

const SwTensorInfo *
sw_unet_tensor (const SwUnet *net, size_t i)
{
  return i < net->table.n ? &net->table.items[i] : NULL;
}

const SwTensorInfo *
sw_unet_find_tensor (const SwUnet *net, const char *name)
{
  return sw_tensor_table_find (&net->table, name);
}

float *
sw_unet_tensor_data (SwUnet *net, const SwTensorInfo *info)
{
  return (info->is_buffer ? net->buffers : net->params) + info->offset;
}

void
sw_unet_init_params (SwUnet *net, uint64_t seed)
{
  sw_tensor_table_init (&net->table, net->params, net->buffers, seed);
}

gboolean
sw_unet_tensor_holds_words (const SwUnet *net, const SwTensorInfo *info)
{
  if (net->cfg.variant != SW_UNET_CLASS || info->is_buffer)
    return FALSE;
  if (net->cfg.embed_dim > 0)
    return info->offset == net->embed_w && info->ndim == 2 && info->shape[0] == net->cfg.class_dim;
  for (int p = 0; p < N_POINTS; p++)
    if (net->has_fc[FC_C + p] && info->offset == net->fc[FC_C + p].w1 && info->ndim == 2
        && info->shape[1] == net->cfg.class_dim)
      return TRUE;
  return FALSE;
}

void
sw_unet_reset_bn_stats (SwUnet *net)
{
  for (size_t i = 0; i < net->table.n; i++)
    {
      const SwTensorInfo *info = &net->table.items[i];
      if (!info->is_buffer)
        continue;
      float v = g_str_has_suffix (info->name, ".running_var") ? 1.0f : 0.0f;
      for (size_t j = 0; j < info->numel; j++)
        net->buffers[info->offset + j] = v;
    }
}

void
sw_unet_set_bn_momentum (SwUnet *net, float momentum)
{
  net->bn_momentum = momentum;
}

/* ------------------------------------------------------------ arena */

static size_t
unit_out_floats (const Unit *u, int N)
{
  return (size_t) u->g.cout * N * u->Ho * u->Wo;
}

static size_t
unit_work_floats (const Unit *u, int N)
{
  return u->transpose ? sw_conv_transpose2d_work_floats (&u->g, N, u->H, u->W)
                      : sw_conv2d_work_floats (&u->g, N, u->H, u->W);
}

/* the point that modulates the output of UNIT, or -1 */
static int
point_after (const SwUnet *net, int unit)
{
  for (int p = 0; p < N_POINTS; p++)
    if (net->points[p].on && point_defs[p].unit == unit)
      return p;
  return -1;
}

/* the output of the block ending in UNIT as the rest of the net reads it
 * (modulated where a point follows), or with grad set its gradient */
static float *
block_out (SwUnet *net, int unit, bool grad)
{
  int p = point_after (net, unit);
  if (p >= 0)
    return grad ? net->points[p].dout : net->points[p].out;
  return grad ? net->units[unit].dout : net->units[unit].out;
}

/* Lays out every activation for batch N; with measure set, only counts.
 * Gradients come first so one memset clears them all. */
static size_t
layout (SwUnet *net, int N, float *base, bool measure)
{
  SwCarver cv = { .base = base, .measure = measure };
  const int D = net->cfg.D, C = net->cfg.channels, H = net->cfg.size, h = H / 4;
  const size_t img = (size_t) N * H * H, half = (size_t) N * (H / 2) * (H / 2), q = (size_t) N * h * h;

  /* --- gradients --- */
  for (int i = 0; i < N_UNITS; i++)
    net->units[i].dout = sw_carve (&cv, unit_out_floats (&net->units[i], N));
  for (int i = 0; i < N_FC; i++)
    if (net->has_fc[i])
      {
        net->fc[i].dh = sw_carve (&cv, (size_t) N * net->fc[i].f);
        net->fc[i].dg = sw_carve (&cv, (size_t) N * net->fc[i].f);
        net->fc[i].dout = sw_carve (&cv, (size_t) N * net->fc[i].fout);
      }
  const bool film = net->cfg.cond == SW_COND_FILM;
  for (int p = 0; p < N_POINTS; p++)
    if (net->points[p].on)
      {
        CondPoint *pt = &net->points[p];
        const size_t nc = (size_t) N * net->units[point_defs[p].unit].g.cout;
        pt->dout = sw_carve (&cv, unit_out_floats (&net->units[point_defs[p].unit], N));
        pt->dscale = film ? sw_carve (&cv, nc) : NULL;
        pt->dshift = film ? sw_carve (&cv, nc) : NULL;
      }
  net->dev = sw_carve (&cv, (size_t) N * MAX (net->cfg.embed_dim, 1));
  net->dz = sw_carve (&cv, (size_t) 2 * D * N);
  net->dcat1 = sw_carve (&cv, 4 * D * q);
  net->dcat2 = sw_carve (&cv, 2 * D * half);
  net->dcat3 = sw_carve (&cv, 2 * D * img);
  net->dy = sw_carve (&cv, C * img);
  size_t grads_floats = cv.used;

  /* --- forward values --- */
  net->x = sw_carve (&cv, C * img);
  net->y = sw_carve (&cv, C * img);
  net->tv = sw_carve (&cv, N);
  net->cv = sw_carve (&cv, (size_t) N * (net->cfg.class_dim > 0 ? net->cfg.class_dim : 1));
  net->ev = sw_carve (&cv, (size_t) N * MAX (net->cfg.embed_dim, 1));
  size_t biggest = 0, work = sw_conv2d_work_floats (&net->out_geom, N, H, H);
  for (int i = 0; i < N_UNITS; i++)
    {
      Unit *u = &net->units[i];
      size_t n = unit_out_floats (u, N);
      u->pre = sw_carve (&cv, n);
      u->out = sw_carve (&cv, n);
      u->mean = sw_carve (&cv, u->g.cout);
      u->rstd = sw_carve (&cv, u->g.cout);
      biggest = MAX (biggest, n);
      work = MAX (work, unit_work_floats (u, N));
    }
  for (int i = 0; i < N_FC; i++)
    if (net->has_fc[i])
      {
        net->fc[i].h = sw_carve (&cv, (size_t) N * net->fc[i].f);
        net->fc[i].g = sw_carve (&cv, (size_t) N * net->fc[i].f);
        net->fc[i].out = sw_carve (&cv, (size_t) N * net->fc[i].fout);
      }
  net->pooled = sw_carve (&cv, (size_t) 2 * D * N);
  net->z = sw_carve (&cv, (size_t) 2 * D * N);
  for (int p = 0; p < N_POINTS; p++)
    if (net->points[p].on)
      {
        CondPoint *pt = &net->points[p];
        const size_t nc = (size_t) N * net->units[point_defs[p].unit].g.cout;
        pt->out = sw_carve (&cv, unit_out_floats (&net->units[point_defs[p].unit], N));
        pt->scale = film ? sw_carve (&cv, nc) : NULL;
        pt->shift = film ? sw_carve (&cv, nc) : NULL;
      }
  net->cat1 = sw_carve (&cv, 4 * D * q);
  net->cat2 = sw_carve (&cv, 2 * D * half);
  net->cat3 = sw_carve (&cv, 2 * D * img);
  net->scratch1 = sw_carve (&cv, biggest);
  net->scratch2 = sw_carve (&cv, biggest);
  net->work = sw_carve (&cv, work);
  net->grads_end = measure ? NULL : base + grads_floats;

  if (!measure)
    {
      /* wire each unit to the tensor it reads */
      Unit *U = net->units;
      U[U_IN1].inp = net->x;               U[U_IN1].dinp = NULL;
      U[U_OUT1].inp = net->cat3;           U[U_OUT1].dinp = net->dcat3;
      U[U_DOWN1].inp = block_out (net, U_IN2, false);
      U[U_DOWN1].dinp = block_out (net, U_IN2, true);
      U[U_DOWN2].inp = block_out (net, U_DOWN1_C2, false);
      U[U_DOWN2].dinp = block_out (net, U_DOWN1_C2, true);
      U[U_UNFLAT].inp = net->z;            U[U_UNFLAT].dinp = net->dz;
      U[U_UP1].inp = net->cat1;            U[U_UP1].dinp = net->dcat1;
      U[U_UP2].inp = net->cat2;            U[U_UP2].dinp = net->dcat2;
      /* the second conv of each block reads the first, and so on */
      const int chain[] = { U_IN2, U_DOWN1_C1, U_DOWN1_C2, U_DOWN2_C1, U_DOWN2_C2,
                            U_UP1_C1, U_UP1_C2, U_UP2_C1, U_UP2_C2, U_OUT2 };
      for (size_t i = 0; i < G_N_ELEMENTS (chain); i++)
        {
          U[chain[i]].inp = U[chain[i] - 1].out;
          U[chain[i]].dinp = U[chain[i] - 1].dout;
        }
      for (int i = 0; i < N_FC; i++)
        net->fc[i].inp = i < FC_C ? net->tv : net->cfg.embed_dim > 0 ? net->ev : net->cv;
    }
  return cv.used;
}

static void
ensure_batch (SwUnet *net, int N)
{
  if (N == net->N)
    return;
  size_t need = layout (net, N, NULL, true);
  if (need > net->arena_floats)
    {
      g_free (net->arena);
      net->arena = g_new (float, need);
      net->arena_floats = need;
    }
  layout (net, N, net->arena, false);
  net->N = N;
}

size_t
sw_unet_activation_bytes (const SwUnet *net)
{
  return net->arena_floats * sizeof (float);
}

/* ------------------------------------------------------------ forward */

static void
unit_forward (SwUnet *net, Unit *u, int N)
{
  float *P = net->params, *B = net->buffers;
  if (u->transpose)
    sw_conv_transpose2d_forward (&u->g, N, u->H, u->W, u->inp, P + u->w, P + u->b, u->pre, net->work);
  else
    sw_conv2d_forward (&u->g, N, u->H, u->W, u->inp, P + u->w, P + u->b, u->pre, net->work);
  size_t n = unit_out_floats (u, N);
  /* BatchNorm into out, then GELU in place: pre-GELU values are recomputed
   * from pre in backward instead of being stored */
  sw_batchnorm_forward (u->g.cout, N * u->Ho * u->Wo, u->pre, P + u->gamma, P + u->beta,
                        B + u->rmean, B + u->rvar, net->training, net->bn_momentum,
                        u->mean, u->rstd, u->out);
  sw_gelu_forward (n, u->out, u->out);
}

static void
fc_forward (SwUnet *net, FcBlock *fc, int N)
{
  float *P = net->params;
  sw_linear_forward (N, fc->fin, fc->f, fc->inp, P + fc->w1, P + fc->b1, fc->h);
  sw_gelu_forward ((size_t) N * fc->f, fc->h, fc->g);
  sw_linear_forward (N, fc->f, fc->fout, fc->g, P + fc->w2, P + fc->b2, fc->out);
}

/* SW_COND_FILM's modulation of point P from its FCBlocks' outputs, the
 * class block's (N, 2C) being (scale, shift) around the identity:
 *   scale = 1 + c[:, :C],  shift = t + c[:, C:]
 * so that the prompt both scales and shifts, at every point, and a net
 * whose class blocks give 0 passes each block's output on unchanged. */
static void
film_forward (SwUnet *net, int p, int N)
{
  CondPoint *pt = &net->points[p];
  const FcBlock *t = &net->fc[FC_T + p], *c = &net->fc[FC_C + p];
  const int C = t->fout;
  for (int n = 0; n < N; n++)
    for (int k = 0; k < C; k++)
      {
        pt->scale[(size_t) n * C + k] = 1.0f + c->out[(size_t) n * 2 * C + k];
        pt->shift[(size_t) n * C + k] = t->out[(size_t) n * C + k] + c->out[(size_t) n * 2 * C + C + k];
      }
}

/* the gradients of film_forward's scale and shift into its FCBlocks' outputs */
static void
film_backward (SwUnet *net, int p, int N)
{
  const CondPoint *pt = &net->points[p];
  FcBlock *t = &net->fc[FC_T + p], *c = &net->fc[FC_C + p];
  const int C = t->fout;
  for (int n = 0; n < N; n++)
    for (int k = 0; k < C; k++)
      {
        float ds = pt->dscale[(size_t) n * C + k], db = pt->dshift[(size_t) n * C + k];
        c->dout[(size_t) n * 2 * C + k] += ds;
        c->dout[(size_t) n * 2 * C + C + k] += db;
        t->dout[(size_t) n * C + k] += db;
      }
}

/* scale and shift of point P's modulation, or with grad set their
 * gradients; NULL where the variant has none */
static void
modulation (SwUnet *net, int p, bool grad, float **scale, float **shift)
{
  FcBlock *t = &net->fc[FC_T + p], *c = &net->fc[FC_C + p];
  float *tv = grad ? t->dout : t->out, *cv = grad ? c->dout : c->out;
  *scale = *shift = NULL;
  if (net->cfg.cond == SW_COND_FILM)
    {
      CondPoint *pt = &net->points[p];
      *scale = grad ? pt->dscale : pt->scale;
      *shift = grad ? pt->dshift : pt->shift;
      return;
    }
  switch (net->cfg.variant)
    {
    case SW_UNET_UNCOND:
      break;
    case SW_UNET_TIME:
      if (net->cfg.time_mod == SW_TIME_MUL)
        *scale = tv;
      else
        *shift = tv;
      break;
    case SW_UNET_CLASS:
      *scale = cv;
      *shift = tv;
      break;
    }
}

/* units FIRST..LAST, then the modulation of the block's output where a
 * point follows it */
static void
block_forward (SwUnet *net, int first, int last, int N)
{
  for (int i = first; i <= last; i++)
    unit_forward (net, &net->units[i], N);
  int p = point_after (net, last);
  if (p >= 0)
    {
      const Unit *u = &net->units[last];
      float *scale, *shift;
      if (net->cfg.cond == SW_COND_FILM)
        film_forward (net, p, N);
      modulation (net, p, false, &scale, &shift);
      sw_modulate_forward (u->g.cout, N, u->Ho * u->Wo, u->out, scale, shift, net->points[p].out);
    }
}

void
sw_unet_forward (SwUnet *net, int N, const float *x, const float *t,
                 const float *c, bool training, float *out)
{
  g_return_if_fail (N >= 1);
  ensure_batch (net, N);
  net->training = training;
  const int D = net->cfg.D, C = net->cfg.channels, H = net->cfg.size, h = H / 4;

  sw_nchw_to_cnhw (N, C, H * H, x, net->x);
  if (net->cfg.variant != SW_UNET_UNCOND)
    for (int n = 0; n < N; n++)
      net->tv[n] = t ? t[n] : 0.0f;
  if (net->cfg.variant == SW_UNET_CLASS)
    {
      size_t nc = (size_t) N * net->cfg.class_dim;
      if (c)
        memcpy (net->cv, c, sizeof (float) * nc);
      else
        memset (net->cv, 0, sizeof (float) * nc);
      if (net->cfg.embed_dim > 0)
        sw_embedding_bag_forward (N, net->cfg.class_dim, net->cfg.embed_dim, net->cv,
                                  net->params + net->embed_w, net->ev);
    }
  for (int i = 0; i < N_FC; i++)
    if (net->has_fc[i])
      fc_forward (net, &net->fc[i], N);

  block_forward (net, U_IN1, U_IN2, N);                     /* d1 */
  block_forward (net, U_DOWN1, U_DOWN1_C2, N);              /* d2 */
  block_forward (net, U_DOWN2, U_DOWN2_C2, N);              /* d3 */
  sw_avgpool_forward (2 * D, N, h * h, block_out (net, U_DOWN2_C2, false), net->pooled);
  sw_gelu_forward ((size_t) 2 * D * N, net->pooled, net->z);
  block_forward (net, U_UNFLAT, U_UNFLAT, N);               /* u0 */
  sw_concat_forward (2 * D, 2 * D, N * h * h, block_out (net, U_DOWN2_C2, false),
                     block_out (net, U_UNFLAT, false), net->cat1);
  block_forward (net, U_UP1, U_UP1_C2, N);                  /* up1 */
  sw_concat_forward (D, D, N * 4 * h * h, block_out (net, U_DOWN1_C2, false),
                     block_out (net, U_UP1_C2, false), net->cat2);
  block_forward (net, U_UP2, U_UP2_C2, N);                  /* up2 */
  sw_concat_forward (D, D, N * H * H, block_out (net, U_IN2, false),
                     block_out (net, U_UP2_C2, false), net->cat3);
  block_forward (net, U_OUT1, U_OUT2, N);
  sw_conv2d_forward (&net->out_geom, N, H, H, block_out (net, U_OUT2, false),
                     net->params + net->out_w, net->params + net->out_b, net->y, net->work);
  sw_cnhw_to_nchw (N, C, H * H, net->y, out);
}

/* ----------------------------------------------------------- backward */

static void
unit_backward (SwUnet *net, Unit *u, int N)
{
  float *P = net->params, *G = net->grads;
  const int M = N * u->Ho * u->Wo;
  const size_t n = unit_out_floats (u, N);
  float *bn_out = net->scratch1, *dbn_out = net->scratch2;

  /* recompute BatchNorm's output, the GELU's input */
#pragma omp parallel for schedule(static)
  for (int c = 0; c < u->g.cout; c++)
    {
      float a = P[u->gamma + c] * u->rstd[c];
      float b = P[u->beta + c] - u->mean[c] * a;
      const float *x = u->pre + (size_t) c * M;
      float *y = bn_out + (size_t) c * M;
      for (int i = 0; i < M; i++)
        y[i] = a * x[i] + b;
    }
  memset (dbn_out, 0, sizeof (float) * n);
  sw_gelu_backward (n, bn_out, u->dout, dbn_out);
  float *dpre = bn_out;  /* bn_out is no longer needed */
  memset (dpre, 0, sizeof (float) * n);
  sw_batchnorm_backward (u->g.cout, M, u->pre, P + u->gamma, u->mean, u->rstd,
                         net->training, dbn_out, dpre, G + u->gamma, G + u->beta);
  if (u->transpose)
    sw_conv_transpose2d_backward (&u->g, N, u->H, u->W, u->inp, P + u->w, dpre,
                                  u->dinp, G + u->w, G + u->b, net->work);
  else
    sw_conv2d_backward (&u->g, N, u->H, u->W, u->inp, P + u->w, dpre,
                        u->dinp, G + u->w, G + u->b, net->work);
}

/* DINP, where not NULL, accumulates the gradient of the block's input */
static void
fc_backward (SwUnet *net, FcBlock *fc, int N, float *dinp)
{
  float *P = net->params, *G = net->grads;
  sw_linear_backward (N, fc->f, fc->fout, fc->g, P + fc->w2, fc->dout, fc->dg, G + fc->w2, G + fc->b2);
  sw_gelu_backward ((size_t) N * fc->f, fc->h, fc->dg, fc->dh);
  sw_linear_backward (N, fc->fin, fc->f, fc->inp, P + fc->w1, fc->dh, dinp, G + fc->w1, G + fc->b1);
}

void
sw_unet_zero_grad (SwUnet *net)
{
  memset (net->grads, 0, sizeof (float) * net->table.n_params);
}

/* the gradient through a point's modulation, if one follows the block,
 * then through units LAST..FIRST */
static void
block_backward (SwUnet *net, int first, int last, int N)
{
  int p = point_after (net, last);
  if (p >= 0)
    {
      Unit *u = &net->units[last];
      float *scale, *shift, *dscale, *dshift;
      modulation (net, p, false, &scale, &shift);
      modulation (net, p, true, &dscale, &dshift);
      sw_modulate_backward (u->g.cout, N, u->Ho * u->Wo, u->out, scale, net->points[p].dout,
                            u->dout, dscale, dshift);
      if (net->cfg.cond == SW_COND_FILM)
        film_backward (net, p, N);
    }
  for (int i = last; i >= first; i--)
    unit_backward (net, &net->units[i], N);
}

void
sw_unet_backward (SwUnet *net, const float *dout)
{
  const int N = net->N;
  g_return_if_fail (N >= 1);
  const int D = net->cfg.D, C = net->cfg.channels, H = net->cfg.size, h = H / 4;

  memset (net->arena, 0, sizeof (float) * (size_t) (net->grads_end - net->arena));
  sw_nchw_to_cnhw (N, C, H * H, dout, net->dy);

  sw_conv2d_backward (&net->out_geom, N, H, H, block_out (net, U_OUT2, false),
                      net->params + net->out_w, net->dy, block_out (net, U_OUT2, true),
                      net->grads + net->out_w, net->grads + net->out_b, net->work);
  block_backward (net, U_OUT1, U_OUT2, N);
  sw_concat_backward (D, D, N * H * H, net->dcat3, block_out (net, U_IN2, true),
                      block_out (net, U_UP2_C2, true));
  block_backward (net, U_UP2, U_UP2_C2, N);
  sw_concat_backward (D, D, N * 4 * h * h, net->dcat2, block_out (net, U_DOWN1_C2, true),
                      block_out (net, U_UP1_C2, true));
  block_backward (net, U_UP1, U_UP1_C2, N);
  sw_concat_backward (2 * D, 2 * D, N * h * h, net->dcat1, block_out (net, U_DOWN2_C2, true),
                      block_out (net, U_UNFLAT, true));
  block_backward (net, U_UNFLAT, U_UNFLAT, N);
  /* Flatten; the pool's output gradient borrows scratch2, free between units */
  {
    float *dpooled = net->scratch2;
    memset (dpooled, 0, sizeof (float) * 2 * D * N);
    sw_gelu_backward ((size_t) 2 * D * N, net->pooled, net->dz, dpooled);
    sw_avgpool_backward (2 * D, N, h * h, dpooled, block_out (net, U_DOWN2_C2, true));
  }
  /* d3, d2 and d1 now hold their skip's gradient and their reader's */
  block_backward (net, U_DOWN2, U_DOWN2_C2, N);
  block_backward (net, U_DOWN1, U_DOWN1_C2, N);
  block_backward (net, U_IN1, U_IN2, N);

  /* the time and class inputs are data: no gradient flows into them, but
   * the class FCBlocks' gradients meet in the word embedding's */
  const bool embed = net->cfg.embed_dim > 0;
  for (int i = 0; i < N_FC; i++)
    if (net->has_fc[i])
      fc_backward (net, &net->fc[i], N, embed && i >= FC_C ? net->dev : NULL);
  if (embed)
    sw_embedding_bag_backward (N, net->cfg.class_dim, net->cfg.embed_dim, net->cv, net->dev,
                               net->grads + net->embed_w);
}

double
sw_unet_forward_flops (const SwUnet *net)
{
  double flops = 0.0;
  for (int i = 0; i < N_UNITS; i++)
    {
      const Unit *u = &net->units[i];
      /* every output pixel of a conv, or every input pixel of a transposed
       * conv, costs cin*cout*k*k multiply-adds */
      double pixels = u->transpose ? (double) u->H * u->W : (double) u->Ho * u->Wo;
      flops += 2.0 * pixels * u->g.cin * u->g.cout * u->g.k * u->g.k;
    }
  const SwConvGeom *o = &net->out_geom;
  flops += 2.0 * net->cfg.size * net->cfg.size * o->cin * o->cout * 9;
  for (int i = 0; i < N_FC; i++)
    if (net->has_fc[i])
      flops += 2.0 * ((double) net->fc[i].fin * net->fc[i].f + (double) net->fc[i].f * net->fc[i].fout);
  /* the word embedding is a lookup of a prompt's few words: no FLOPs to speak of */
  return flops;
}
