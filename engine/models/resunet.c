/* The residual attention UNet: a list of layers built from the config
 * (ADM's input blocks, middle block and output blocks), one activation
 * arena, a forward that walks the list and a backward that walks it back. */
#include "models/resunet.h"
#include "nn/layers.h"
#include "nn/layers-adm.h"
#include "base/rng.h"

#include <math.h>
#include <string.h>

typedef enum {
  K_CONV,   /* 3x3 conv: the input conv */
  K_DOWN,   /* 3x3 stride-2 conv */
  K_UP,     /* nearest 2x, then 3x3 conv */
  K_CAT,    /* the path and a saved input-side output, concatenated */
  K_RES,    /* ResBlock */
  K_ATTN,   /* GroupNorm + self-attention */
  K_CROSS,  /* GroupNorm + cross-attention to the prompt's words */
  K_OUT,    /* GroupNorm -> SiLU -> 3x3 conv to the image's channels */
} Kind;

typedef struct {
  Kind kind;
  int cin, cout;          /* channels read from src and written */
  int H, Ho;              /* input and output grid sides */
  int src, skip;          /* the layers read: src (-1: the image), skip (K_CAT) */
  SwConvGeom g1, g2;      /* the conv (K_RES: both of them) */
  bool has_skip;          /* K_RES: a 1x1 conv on the residual path */
  /* parameter offsets: norm (every GroupNorm but AdaGN's), w1/b1 (the
   * conv, K_RES's first, the attentions' qkv or q), ew/eb (K_RES's
   * embedding projection), n2w/n2b (AdaGN's GroupNorm), w2/b2 (K_RES's
   * second conv, the attentions' output projection), sw/sb (K_RES's 1x1
   * skip), kvw/kvb (K_CROSS's keys and values) */
  size_t nw, nb, w1, b1, ew, eb, n2w, n2b, w2, b2, sw, sb, kvw, kvb;

  /* activations for the current batch, carved from the arena */
  float *out, *dout;      /* (cout, N, Ho, Ho) */
  float *a1;              /* the first GroupNorm's output (cin, N, H, H) */
  float *mean1, *rstd1;   /* (N, groups) */
  float *h1, *normed, *a2, *mask;  /* K_RES: conv1, GroupNorm, AdaGN output, dropout mask */
  float *mean2, *rstd2;
  float *e;               /* K_RES: (N, 2 cout) AdaGN's scale and shift */
  float *up;              /* K_UP: (cin, N, Ho, Ho) the upsampled input */
  float *qkv, *kv, *probs, *attn;  /* attention: qkv (K_CROSS: q) and kv, softmax, result */
} Layer;

/* enough for 4 levels of 4 blocks with self- and cross-attention at each */
#define MAX_LAYERS 160

struct _SwResunet {
  SwResunetConfig cfg;
  SwTensorTable table;
  float *params, *grads;
  Layer layers[MAX_LAYERS];
  int n_layers;
  size_t te1_w, te1_b, te2_w, te2_b;  /* time_embed.0 and .2 */
  size_t embed_w, lp_w, lp_b;          /* word embedding, pooled projection */
  size_t ae1_w, ae1_b, ae2_w, ae2_b;  /* aug_embed.0 and .2 */
  SwRng drop_rng;

  /* arena for the current batch size */
  int N;
  float *arena;
  size_t arena_floats;
  int *len, *word_ids;                 /* (N), (N, max_words) */
  bool dropped;                        /* the last forward drew dropout masks */
  float noise_scale, noise_from, noise_to;  /* sw_resunet_set_word_noise's */
  uint64_t *keys;                      /* (keyed) sw_resunet_key_rows's, for the next forward */
  int keyed;
  float *x, *dy;                       /* (C + cond_channels, N, H, W), (C, N, H, W) */
  float *tv, *temb;                    /* (N), (N, width) */
  float *sv, *semb, *aug_e1, *aug_s1; /* aug: (N), (N, width), MLP, SiLU (N, time_dim) */
  float *daug_e1, *daug_s1;
  float *e1, *s1, *emb, *emb_silu;     /* (N, time_dim): MLP, SiLU, emb, SiLU(emb) */
  float *de1, *ds1, *demb, *demb_silu;
  float *bag, *pooled, *dpooled;       /* (N, V), (N, E) */
  float *words, *dwords;               /* (N, max_words, E) */
  float *de;                           /* (N, 2 x widest) a ResBlock's dscale, dshift */
  float *T, *S1, *S2, *S3;             /* scratch the size of the largest map */
  float *work;                         /* convolution and attention work */
  float *grads_end;
};

/* ------------------------------------------------------------- config */

static int
level_width (const SwResunetConfig *cfg, int l)
{
  return cfg->width * cfg->mult[l];
}

gboolean
sw_resunet_config_validate (const SwResunetConfig *cfg, GError **error)
{
  SW_CHECK (cfg->channels == 1 || cfg->channels == 3,
            "resunet channels = %d; accepted: 1 (grey) or 3 (RGB)", cfg->channels);
  SW_CHECK (cfg->levels >= 1 && cfg->levels <= SW_RESUNET_MAX_LEVELS,
            "resunet levels = %d; accepted: 1 to %d", cfg->levels, SW_RESUNET_MAX_LEVELS);
  SW_CHECK (cfg->size >= 8 && cfg->size <= 128 && cfg->size % (1 << (cfg->levels - 1)) == 0,
            "resunet size = %d; accepted: 8 to 128, divisible by %d for %d levels",
            cfg->size, 1 << (cfg->levels - 1), cfg->levels);
  SW_CHECK (cfg->width >= 2 && cfg->width <= 512 && cfg->width % 2 == 0,
            "resunet width = %d; accepted: an even number from 2 to 512 "
            "(the timestep embedding's cosines and sines)", cfg->width);
  for (int l = 0; l < cfg->levels; l++)
    SW_CHECK (cfg->mult[l] >= 1 && cfg->mult[l] <= 8,
              "resunet mult[%d] = %d; accepted: 1 to 8", l, cfg->mult[l]);
  SW_CHECK (cfg->blocks >= 1 && cfg->blocks <= 4,
            "resunet blocks = %d; accepted: 1 to 4 per level", cfg->blocks);
  SW_CHECK (cfg->attn >> cfg->levels == 0,
            "resunet attention levels 0x%x name a level past the last (%d); "
            "accepted: levels 0 to %d", cfg->attn, cfg->levels - 1, cfg->levels - 1);
  SW_CHECK (cfg->groups >= 1, "resunet groups = %d; accepted: at least 1", cfg->groups);
  SW_CHECK (cfg->heads >= 1 && cfg->heads <= 64,
            "resunet heads = %d; accepted: 1 to 64", cfg->heads);
  for (int l = 0; l < cfg->levels; l++)
    {
      const int w = level_width (cfg, l);
      if (!sw_groupnorm_check (w, cfg->groups, error))
        {
          g_prefix_error (error, "resunet groups, level %d: ", l);
          return FALSE;
        }
      /* the middle block has attention at the last level whatever attn says */
      const bool attends = (cfg->attn >> l & 1) || l == cfg->levels - 1;
      SW_CHECK (!attends || w % cfg->heads == 0,
                "resunet heads = %d do not divide level %d's width %d; "
                "accepted: a head count that divides it", cfg->heads, l, w);
    }
  SW_CHECK (cfg->dropout >= 0.0f && cfg->dropout < 1.0f,
            "resunet dropout = %g; accepted: 0 to below 1", cfg->dropout);
  SW_CHECK (cfg->time_dim >= 1 && cfg->time_dim <= 4096,
            "resunet time_dim = %d; accepted: 1 to 4096", cfg->time_dim);
  SW_CHECK (cfg->cond_channels >= 0 && cfg->cond_channels <= 8,
            "resunet cond_channels = %d; accepted: 0 (no conditioning image) to 8",
            cfg->cond_channels);
  SW_CHECK (cfg->vocab >= 0 && cfg->vocab <= 65536,
            "resunet vocab = %d; accepted: 0 (no prompt) to 65536", cfg->vocab);
  if (cfg->vocab == 0)
    {
      SW_CHECK (!cfg->pool && !cfg->cross,
                "resunet pool and cross need a vocabulary (vocab is 0); "
                "accepted without one: neither");
      return TRUE;
    }
  SW_CHECK (cfg->pool || cfg->cross,
            "resunet vocab = %d but neither pool nor cross reads the prompt; "
            "accepted: pool, cross or both", cfg->vocab);
  SW_CHECK (cfg->embed_dim >= 1 && cfg->embed_dim <= 1024,
            "resunet embed_dim = %d; accepted: 1 to 1024", cfg->embed_dim);
  SW_CHECK (!cfg->cross || (cfg->max_words >= 1 && cfg->max_words <= 64),
            "resunet max_words = %d; accepted: 1 to 64", cfg->max_words);
  return TRUE;
}

/* -------------------------------------------------------------- build */

/* PREFIX.MODULE.LEAF (PREFIX.LEAF when MODULE is NULL) */
static size_t
add_param (SwResunet *net, const char *prefix, const char *module, const char *leaf, int ndim,
           int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
  g_autofree char *name = module ? g_strconcat (prefix, ".", module, NULL) : g_strdup (prefix);
  return sw_tensor_table_add (&net->table, false, name, leaf, ndim, d0, d1, d2, d3);
}

/* weight (cout, cin, k, k) and bias (cout) */
static void
add_conv (SwResunet *net, const char *prefix, const char *module, int cout, int cin, int k,
          size_t *w, size_t *b)
{
  *w = add_param (net, prefix, module, "weight", 4, cout, cin, k, k);
  *b = add_param (net, prefix, module, "bias", 1, cout, 0, 0, 0);
}

/* weight (fout, fin) and bias (fout) */
static void
add_linear (SwResunet *net, const char *prefix, const char *module, int fout, int fin,
            size_t *w, size_t *b)
{
  *w = add_param (net, prefix, module, "weight", 2, fout, fin, 0, 0);
  *b = add_param (net, prefix, module, "bias", 1, fout, 0, 0, 0);
}

static void
add_norm (SwResunet *net, const char *prefix, const char *module, int C, size_t *w, size_t *b)
{
  *w = add_param (net, prefix, module, "weight", 1, C, 0, 0, 0);
  *b = add_param (net, prefix, module, "bias", 1, C, 0, 0, 0);
}

static SwConvGeom
conv3 (int cin, int cout, int stride)
{
  return (SwConvGeom) { .cin = cin, .cout = cout, .k = 3, .stride = stride, .pad = 1 };
}

/* appends a layer reading SRC (cin channels at H x H) and returns its index */
static int
add_layer (SwResunet *net, Kind kind, int src, int cin, int cout, int H, int Ho)
{
  g_assert (net->n_layers < MAX_LAYERS);
  Layer *L = &net->layers[net->n_layers];
  *L = (Layer) { .kind = kind, .src = src, .skip = -1, .cin = cin, .cout = cout, .H = H, .Ho = Ho };
  return net->n_layers++;
}

/* each adds the layer and its parameters under the module name PREFIX,
 * reading layer SRC, and returns the new layer's index */

static int
add_res (SwResunet *net, const char *prefix, int src, int cin, int cout, int H)
{
  int i = add_layer (net, K_RES, src, cin, cout, H, H);
  Layer *L = &net->layers[i];
  add_norm (net, prefix, "in_layers.0", cin, &L->nw, &L->nb);
  add_conv (net, prefix, "in_layers.2", cout, cin, 3, &L->w1, &L->b1);
  add_linear (net, prefix, "emb_layers.1", 2 * cout, net->cfg.time_dim, &L->ew, &L->eb);
  add_norm (net, prefix, "out_layers.0", cout, &L->n2w, &L->n2b);
  add_conv (net, prefix, "out_layers.3", cout, cout, 3, &L->w2, &L->b2);
  L->has_skip = cin != cout;
  if (L->has_skip)
    add_conv (net, prefix, "skip_connection", cout, cin, 1, &L->sw, &L->sb);
  L->g1 = conv3 (cin, cout, 1);
  L->g2 = conv3 (cout, cout, 1);
  return i;
}

/* self-attention (K_ATTN: norm, qkv, proj_out) or cross-attention
 * (K_CROSS: norm, q, kv, proj_out) */
static int
add_attn (SwResunet *net, Kind kind, const char *prefix, int src, int C, int H)
{
  int i = add_layer (net, kind, src, C, C, H, H);
  Layer *L = &net->layers[i];
  add_norm (net, prefix, "norm", C, &L->nw, &L->nb);
  if (kind == K_ATTN)
    add_conv (net, prefix, "qkv", 3 * C, C, 1, &L->w1, &L->b1);
  else
    {
      add_conv (net, prefix, "q", C, C, 1, &L->w1, &L->b1);
      add_linear (net, prefix, "kv", 2 * C, net->cfg.embed_dim, &L->kvw, &L->kvb);
    }
  add_conv (net, prefix, "proj_out", C, C, 1, &L->w2, &L->b2);
  return i;
}

/* a block's attention (self, then cross when the net has it) after layer
 * SRC, as modules FIRST and FIRST + 1 of block PREFIX; returns the last
 * layer and advances *next past the modules added */
static int
add_attention (SwResunet *net, const char *prefix, int *next, int src, int C, int H)
{
  g_autofree char *self = g_strdup_printf ("%s.%d", prefix, (*next)++);
  src = add_attn (net, K_ATTN, self, src, C, H);
  if (net->cfg.cross)
    {
      g_autofree char *cross = g_strdup_printf ("%s.%d", prefix, (*next)++);
      src = add_attn (net, K_CROSS, cross, src, C, H);
    }
  return src;
}

static void
build (SwResunet *net)
{
  const SwResunetConfig *cfg = &net->cfg;
  const int last = cfg->levels - 1;
  int H = cfg->size, ch = level_width (cfg, 0);
  int saved[MAX_LAYERS], n_saved = 0, block = 0, prev;

  add_linear (net, "time_embed.0", NULL, cfg->time_dim, cfg->width, &net->te1_w, &net->te1_b);
  add_linear (net, "time_embed.2", NULL, cfg->time_dim, cfg->time_dim, &net->te2_w, &net->te2_b);
  if (cfg->vocab > 0)
    net->embed_w = add_param (net, "embed", NULL, "weight", 2, cfg->vocab, cfg->embed_dim, 0, 0);
  if (cfg->pool)
    add_linear (net, "label_proj", NULL, cfg->time_dim, cfg->embed_dim, &net->lp_w, &net->lp_b);
  if (cfg->aug)
    {
      add_linear (net, "aug_embed.0", NULL, cfg->time_dim, cfg->width, &net->ae1_w, &net->ae1_b);
      add_linear (net, "aug_embed.2", NULL, cfg->time_dim, cfg->time_dim, &net->ae2_w, &net->ae2_b);
    }

  /* the conditioning image joins x as more input channels */
  const int cin = cfg->channels + cfg->cond_channels;
  prev = add_layer (net, K_CONV, -1, cin, ch, H, H);
  add_conv (net, "input_blocks.0.0", NULL, ch, cin, 3, &net->layers[prev].w1, &net->layers[prev].b1);
  net->layers[prev].g1 = conv3 (cin, ch, 1);
  saved[n_saved++] = prev;
  for (int l = 0; l <= last; l++)
    {
      for (int b = 0; b < cfg->blocks; b++)
        {
          g_autofree char *blk = g_strdup_printf ("input_blocks.%d", ++block);
          g_autofree char *res = g_strconcat (blk, ".0", NULL);
          int next = 1;
          prev = add_res (net, res, prev, ch, level_width (cfg, l), H);
          ch = level_width (cfg, l);
          if (cfg->attn >> l & 1)
            prev = add_attention (net, blk, &next, prev, ch, H);
          saved[n_saved++] = prev;
        }
      if (l < last)
        {
          g_autofree char *op = g_strdup_printf ("input_blocks.%d.0.op", ++block);
          prev = add_layer (net, K_DOWN, prev, ch, ch, H, H / 2);
          add_conv (net, op, NULL, ch, ch, 3, &net->layers[prev].w1, &net->layers[prev].b1);
          net->layers[prev].g1 = conv3 (ch, ch, 2);
          saved[n_saved++] = prev;
          H /= 2;
        }
    }

  int next = 1;
  prev = add_res (net, "middle_block.0", prev, ch, ch, H);
  prev = add_attention (net, "middle_block", &next, prev, ch, H);
  g_autofree char *mid = g_strdup_printf ("middle_block.%d", next);
  prev = add_res (net, mid, prev, ch, ch, H);

  block = 0;
  for (int l = last; l >= 0; l--)
    for (int b = 0; b <= cfg->blocks; b++)
      {
        g_autofree char *blk = g_strdup_printf ("output_blocks.%d", block++);
        g_autofree char *res = g_strconcat (blk, ".0", NULL);
        const int skip = saved[--n_saved], ich = net->layers[skip].cout;
        prev = add_layer (net, K_CAT, prev, ch, ch + ich, H, H);
        net->layers[prev].skip = skip;
        prev = add_res (net, res, prev, ch + ich, level_width (cfg, l), H);
        ch = level_width (cfg, l);
        next = 1;
        if (cfg->attn >> l & 1)
          prev = add_attention (net, blk, &next, prev, ch, H);
        if (l > 0 && b == cfg->blocks)
          {
            g_autofree char *conv = g_strdup_printf ("%s.%d.conv", blk, next);
            prev = add_layer (net, K_UP, prev, ch, ch, H, 2 * H);
            add_conv (net, conv, NULL, ch, ch, 3, &net->layers[prev].w1, &net->layers[prev].b1);
            net->layers[prev].g1 = conv3 (ch, ch, 1);
            H *= 2;
          }
      }

  prev = add_layer (net, K_OUT, prev, ch, cfg->channels, H, H);
  add_norm (net, "out.0", NULL, ch, &net->layers[prev].nw, &net->layers[prev].nb);
  add_conv (net, "out.2", NULL, cfg->channels, ch, 3, &net->layers[prev].w1, &net->layers[prev].b1);
  net->layers[prev].g1 = conv3 (ch, cfg->channels, 1);
}

SwResunet *
sw_resunet_new (const SwResunetConfig *cfg, GError **error)
{
  if (!sw_resunet_config_validate (cfg, error))
    return NULL;
  SwResunet *net = g_new0 (SwResunet, 1);
  net->cfg = *cfg;
  build (net);
  net->params = g_new0 (float, net->table.n_params);
  net->grads = g_new0 (float, net->table.n_params);
  sw_resunet_init_params (net, 0);
  sw_resunet_seed_dropout (net, 0);
  return net;
}

void
sw_resunet_free (SwResunet *net)
{
  if (!net)
    return;
  g_free (net->params);
  g_free (net->grads);
  g_free (net->arena);
  g_free (net->len);
  g_free (net->word_ids);
  g_free (net->keys);
  g_free (net);
}

const SwResunetConfig *sw_resunet_config (const SwResunet *net) { return &net->cfg; }

SwResunet *
sw_resunet_new_at_size (const SwResunet *net, int size, GError **error)
{
  SwResunetConfig cfg = net->cfg;
  cfg.size = size;
  SwResunet *other = sw_resunet_new (&cfg, error);
  if (other)   /* the same tensors at the same offsets: no shape depends on the side */
    memcpy (other->params, net->params, sizeof (float) * net->table.n_params);
  return other;
}
size_t sw_resunet_num_params (const SwResunet *net) { return net->table.n_params; }
size_t sw_resunet_n_tensors (const SwResunet *net) { return net->table.n; }
float *sw_resunet_params (SwResunet *net) { return net->params; }
float *sw_resunet_grads (SwResunet *net) { return net->grads; }

const SwTensorInfo *
sw_resunet_tensor (const SwResunet *net, size_t i)
{
  return i < net->table.n ? &net->table.items[i] : NULL;
}

const SwTensorInfo *
sw_resunet_find_tensor (const SwResunet *net, const char *name)
{
  return sw_tensor_table_find (&net->table, name);
}

/* whether the layer reads its input through a GroupNorm of its own */
static bool
has_input_norm (Kind kind)
{
  return kind == K_RES || kind == K_ATTN || kind == K_CROSS || kind == K_OUT;
}

static void
fill (float *p, size_t n, float v)
{
  for (size_t i = 0; i < n; i++)
    p[i] = v;
}

void
sw_resunet_init_params (SwResunet *net, uint64_t seed)
{
  sw_tensor_table_init (&net->table, net->params, NULL, seed);
  float *P = net->params;
  for (int i = 0; i < net->n_layers; i++)
    {
      const Layer *L = &net->layers[i];
      if (has_input_norm (L->kind))
        {
          fill (P + L->nw, L->cin, 1.0f);
          fill (P + L->nb, L->cin, 0.0f);
        }
      if (L->kind == K_RES)
        {
          fill (P + L->n2w, L->cout, 1.0f);
          fill (P + L->n2b, L->cout, 0.0f);
        }
      /* ADM's zero modules: a ResBlock's last conv, an attention's output
       * projection, the output conv */
      if (L->kind == K_RES || L->kind == K_ATTN || L->kind == K_CROSS)
        {
          const size_t k = L->kind == K_RES ? 9 : 1;
          fill (P + L->w2, (size_t) L->cout * L->cout * k, 0.0f);
          fill (P + L->b2, L->cout, 0.0f);
        }
      if (L->kind == K_OUT)
        {
          fill (P + L->w1, (size_t) L->cout * L->cin * 9, 0.0f);
          fill (P + L->b1, L->cout, 0.0f);
        }
    }
}

void
sw_resunet_seed_dropout (SwResunet *net, uint64_t seed)
{
  sw_rng_init (&net->drop_rng, seed, 0xd40f);
}

/* ------------------------------------------------------------- arena */

static size_t
map_floats (int C, int N, int H)
{
  return (size_t) C * N * H * H;
}

static const float *
layer_in (const SwResunet *net, const Layer *L)
{
  return L->src < 0 ? net->x : net->layers[L->src].out;
}

static float *
layer_din (SwResunet *net, const Layer *L)
{
  return L->src < 0 ? NULL : net->layers[L->src].dout;
}

static SwAttnGeom
attn_geom (const SwResunet *net, const Layer *L, int N)
{
  return (SwAttnGeom) { .C = L->cout, .N = N, .HW = L->H * L->H, .heads = net->cfg.heads,
                        .L = net->cfg.max_words, .E = net->cfg.embed_dim };
}

/* Lays out every activation for batch N; with measure set, only counts.
 * Gradients come first so one memset clears them all. */
static size_t
layout (SwResunet *net, int N, float *base, bool measure)
{
  SwCarver cv = { .base = base, .measure = measure };
  const SwResunetConfig *cfg = &net->cfg;
  const int G = cfg->groups, tdim = cfg->time_dim, L = cfg->max_words;
  const size_t img = map_floats (cfg->channels, N, cfg->size);
  const size_t inp = map_floats (cfg->channels + cfg->cond_channels, N, cfg->size);
  int widest = 1;
  for (int i = 0; i < net->n_layers; i++)
    widest = MAX (widest, net->layers[i].cout);

  /* --- gradients --- */
  for (int i = 0; i < net->n_layers; i++)
    net->layers[i].dout = sw_carve (&cv, map_floats (net->layers[i].cout, N, net->layers[i].Ho));
  net->de1 = sw_carve (&cv, (size_t) N * tdim);
  net->ds1 = sw_carve (&cv, (size_t) N * tdim);
  net->demb = sw_carve (&cv, (size_t) N * tdim);
  net->demb_silu = sw_carve (&cv, (size_t) N * tdim);
  net->daug_e1 = sw_carve (&cv, (size_t) N * (cfg->aug ? tdim : 1));
  net->daug_s1 = sw_carve (&cv, (size_t) N * (cfg->aug ? tdim : 1));
  net->dpooled = sw_carve (&cv, (size_t) N * MAX (cfg->embed_dim, 1));
  net->dwords = sw_carve (&cv, (size_t) N * (cfg->cross ? L * cfg->embed_dim : 1));
  net->dy = sw_carve (&cv, img);
  size_t grads_floats = cv.used;

  /* --- forward values and scratch --- */
  net->x = sw_carve (&cv, inp);
  net->tv = sw_carve (&cv, N);
  net->sv = sw_carve (&cv, N);
  net->semb = sw_carve (&cv, (size_t) N * (cfg->aug ? cfg->width : 1));
  net->aug_e1 = sw_carve (&cv, (size_t) N * (cfg->aug ? tdim : 1));
  net->aug_s1 = sw_carve (&cv, (size_t) N * (cfg->aug ? tdim : 1));
  net->temb = sw_carve (&cv, (size_t) N * cfg->width);
  net->e1 = sw_carve (&cv, (size_t) N * tdim);
  net->s1 = sw_carve (&cv, (size_t) N * tdim);
  net->emb = sw_carve (&cv, (size_t) N * tdim);
  net->emb_silu = sw_carve (&cv, (size_t) N * tdim);
  net->bag = sw_carve (&cv, (size_t) N * MAX (cfg->vocab, 1));
  net->pooled = sw_carve (&cv, (size_t) N * MAX (cfg->embed_dim, 1));
  net->words = sw_carve (&cv, (size_t) N * (cfg->cross ? L * cfg->embed_dim : 1));
  net->de = sw_carve (&cv, (size_t) N * 2 * widest);
  size_t biggest = 0, work = 0;
  for (int i = 0; i < net->n_layers; i++)
    {
      Layer *Ly = &net->layers[i];
      const size_t in = map_floats (Ly->cin, N, Ly->H), out = map_floats (Ly->cout, N, Ly->Ho);
      const SwAttnGeom ag = attn_geom (net, Ly, N);
      Ly->out = sw_carve (&cv, out);
      if (has_input_norm (Ly->kind))
        {
          Ly->a1 = sw_carve (&cv, in);
          Ly->mean1 = sw_carve (&cv, (size_t) N * G);
          Ly->rstd1 = sw_carve (&cv, (size_t) N * G);
        }
      biggest = MAX (biggest, MAX (map_floats (Ly->cin, N, Ly->Ho), MAX (in, out)));
      switch (Ly->kind)
        {
        case K_CONV:
        case K_DOWN:
          work = MAX (work, sw_conv2d_work_floats (&Ly->g1, N, Ly->H, Ly->H));
          break;
        case K_UP:
          Ly->up = sw_carve (&cv, map_floats (Ly->cin, N, Ly->Ho));
          work = MAX (work, sw_conv2d_work_floats (&Ly->g1, N, Ly->Ho, Ly->Ho));
          break;
        case K_CAT:
          break;
        case K_RES:
          Ly->h1 = sw_carve (&cv, out);
          Ly->normed = sw_carve (&cv, out);
          Ly->a2 = sw_carve (&cv, out);
          Ly->mask = cfg->dropout > 0.0f ? sw_carve (&cv, out) : NULL;
          Ly->mean2 = sw_carve (&cv, (size_t) N * G);
          Ly->rstd2 = sw_carve (&cv, (size_t) N * G);
          Ly->e = sw_carve (&cv, (size_t) N * 2 * Ly->cout);
          work = MAX (work, sw_conv2d_work_floats (&Ly->g2, N, Ly->H, Ly->H));
          work = MAX (work, sw_conv2d_work_floats (&Ly->g1, N, Ly->H, Ly->H));
          break;
        case K_OUT:
          work = MAX (work, sw_conv2d_work_floats (&Ly->g1, N, Ly->H, Ly->H));
          break;
        case K_ATTN:
        case K_CROSS:
          Ly->attn = sw_carve (&cv, out);
          if (Ly->kind == K_ATTN)
            {
              Ly->qkv = sw_carve (&cv, 3 * out);
              Ly->probs = sw_carve (&cv, (size_t) N * cfg->heads * ag.HW * ag.HW);
              work = MAX (work, sw_self_attention_work_floats (&ag));
            }
          else
            {
              Ly->qkv = sw_carve (&cv, out);
              Ly->kv = sw_carve (&cv, (size_t) 2 * Ly->cout * N * L);
              Ly->probs = sw_carve (&cv, (size_t) N * cfg->heads * ag.HW * L);
              work = MAX (work, sw_cross_attention_work_floats (&ag));
            }
          break;
        }
    }
  net->T = sw_carve (&cv, biggest);
  net->S1 = sw_carve (&cv, biggest);
  net->S2 = sw_carve (&cv, biggest);
  net->S3 = sw_carve (&cv, biggest);
  net->work = sw_carve (&cv, work);
  net->grads_end = measure ? NULL : base + grads_floats;
  return cv.used;
}

static void
ensure_batch (SwResunet *net, int N)
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
  net->len = g_renew (int, net->len, N);
  net->word_ids = g_renew (int, net->word_ids, (size_t) N * MAX (net->cfg.max_words, 1));
  net->N = N;
}

size_t
sw_resunet_activation_bytes (const SwResunet *net)
{
  return net->arena_floats * sizeof (float);
}

/* ------------------------------------------------------------ forward */

void
sw_resunet_set_word_noise (SwResunet *net, float scale, float from, float to)
{
  g_return_if_fail (scale >= 0.0f && from >= 0.0f && from < to);
  net->noise_scale = scale;
  net->noise_from = from;
  net->noise_to = to;
}

float
sw_resunet_word_noise (const SwResunet *net)
{
  return net->noise_scale;
}

void
sw_resunet_key_rows (SwResunet *net, int N, const uint64_t *keys)
{
  net->keys = g_renew (uint64_t, net->keys, N);
  memcpy (net->keys, keys, sizeof (uint64_t) * N);
  net->keyed = N;
}

/* W (n floats): sqrt(g) w + scale sqrt(1 - g) z, brought back to the mean
 * and spread W had, as CADS rescales its noised condition (psi 1) */
static void
anneal_words (float *w, size_t n, float g, float scale, SwRng *rng)
{
  double m0 = 0.0, v0 = 0.0, m1 = 0.0, v1 = 0.0;
  for (size_t i = 0; i < n; i++)
    m0 += w[i];
  m0 /= (double) n;
  for (size_t i = 0; i < n; i++)
    v0 += (w[i] - m0) * (w[i] - m0);
  const float a = sqrtf (g), b = scale * sqrtf (1.0f - g);
  for (size_t i = 0; i < n; i++)
    {
      w[i] = a * w[i] + b * sw_rng_normal (rng);
      m1 += w[i];
    }
  m1 /= (double) n;
  for (size_t i = 0; i < n; i++)
    v1 += (w[i] - m1) * (w[i] - m1);
  const double k = v1 > 0.0 ? sqrt (v0 / v1) : 0.0;
  for (size_t i = 0; i < n; i++)
    w[i] = (float) ((w[i] - m1) * k + m0);
}

/* row n's word vectors annealed as sw_resunet_set_word_noise says, the
 * noise drawn from its key's stream for timestep T */
static void
noise_words (SwResunet *net, int n, float t)
{
  const int L = net->cfg.max_words, E = net->cfg.embed_dim, k = net->len[n];
  if (net->noise_scale <= 0.0f || k == 0 || t <= net->noise_from)
    return;
  const float g = t >= net->noise_to ? 0.0f : (net->noise_to - t) / (net->noise_to - net->noise_from);
  SwRng rng;
  sw_rng_init (&rng, net->keys[n], (uint64_t) lrintf (t));
  anneal_words (net->words + (size_t) n * L * E, (size_t) k * E, g, net->noise_scale, &rng);
}

/* emb from the timestep and the prompt; the words cross-attention reads,
 * annealed when the rows are keyed */
static void
cond_forward (SwResunet *net, int N, const float *t, const float *c, const float *s, bool keyed)
{
  const SwResunetConfig *cfg = &net->cfg;
  const int tdim = cfg->time_dim, V = cfg->vocab, E = cfg->embed_dim;
  float *P = net->params;
  memcpy (net->tv, t, sizeof (float) * N);
  sw_timestep_embedding (N, cfg->width, net->tv, net->temb);
  sw_linear_forward (N, cfg->width, tdim, net->temb, P + net->te1_w, P + net->te1_b, net->e1);
  sw_silu_forward ((size_t) N * tdim, net->e1, net->s1);
  sw_linear_forward (N, tdim, tdim, net->s1, P + net->te2_w, P + net->te2_b, net->emb);
  if (cfg->aug)
    {
      /* the noise level's MLP adds into emb; its output goes through
       * emb_silu, free until the end */
      memcpy (net->sv, s, sizeof (float) * N);
      sw_timestep_embedding (N, cfg->width, net->sv, net->semb);
      sw_linear_forward (N, cfg->width, tdim, net->semb, P + net->ae1_w, P + net->ae1_b, net->aug_e1);
      sw_silu_forward ((size_t) N * tdim, net->aug_e1, net->aug_s1);
      sw_linear_forward (N, tdim, tdim, net->aug_s1, P + net->ae2_w, P + net->ae2_b, net->emb_silu);
      for (size_t i = 0; i < (size_t) N * tdim; i++)
        net->emb[i] += net->emb_silu[i];
    }
  if (V > 0)
    {
      if (c)
        memcpy (net->bag, c, sizeof (float) * N * V);
      else
        memset (net->bag, 0, sizeof (float) * N * V);
    }
  if (cfg->pool)
    {
      /* the projection goes through emb_silu, free until the end */
      sw_embedding_bag_forward (N, V, E, net->bag, P + net->embed_w, net->pooled);
      sw_linear_forward (N, E, tdim, net->pooled, P + net->lp_w, P + net->lp_b, net->emb_silu);
      for (size_t i = 0; i < (size_t) N * tdim; i++)
        net->emb[i] += net->emb_silu[i];
    }
  if (cfg->cross)
    {
      const int L = cfg->max_words;
      memset (net->words, 0, sizeof (float) * N * L * E);
      for (int n = 0; n < N; n++)
        {
          int k = 0;
          for (int v = 0; v < V && k < L; v++)
            if (net->bag[(size_t) n * V + v] != 0.0f)
              {
                net->word_ids[n * L + k] = v;
                memcpy (net->words + ((size_t) n * L + k) * E, P + net->embed_w + (size_t) v * E,
                        sizeof (float) * E);
                k++;
              }
          net->len[n] = k;
          if (keyed)
            noise_words (net, n, t[n]);
        }
    }
  sw_silu_forward ((size_t) N * tdim, net->emb, net->emb_silu);
}

static void
res_forward (SwResunet *net, Layer *L, int N)
{
  const float *P = net->params, *x = layer_in (net, L);
  const int HW = L->H * L->H, G = net->cfg.groups;
  const size_t M = (size_t) N * HW;
  sw_groupnorm_forward (L->cin, N, HW, G, x, P + L->nw, P + L->nb, L->mean1, L->rstd1, L->a1);
  sw_silu_forward (L->cin * M, L->a1, net->T);
  sw_conv2d_forward (&L->g1, N, L->H, L->H, net->T, P + L->w1, P + L->b1, L->h1, net->work);
  sw_linear_forward (N, net->cfg.time_dim, 2 * L->cout, net->emb_silu, P + L->ew, P + L->eb, L->e);
  sw_adagn_forward (L->cout, N, HW, G, L->h1, P + L->n2w, P + L->n2b, L->e,
                    L->mean2, L->rstd2, L->normed, L->a2);
  sw_silu_forward (L->cout * M, L->a2, net->T);
  if (net->dropped)
    sw_dropout_forward (L->cout * M, net->cfg.dropout, &net->drop_rng, net->T, L->mask, net->T);
  sw_conv2d_forward (&L->g2, N, L->H, L->H, net->T, P + L->w2, P + L->b2, L->out, net->work);
  const float *skip = x;
  if (L->has_skip)
    {
      sw_pointwise_forward (L->cin, L->cout, M, x, P + L->sw, P + L->sb, net->T);
      skip = net->T;
    }
  for (size_t i = 0; i < L->cout * M; i++)
    L->out[i] += skip[i];
}

static void
layer_forward (SwResunet *net, Layer *L, int N)
{
  const float *P = net->params, *x = layer_in (net, L);
  const int HW = L->H * L->H, G = net->cfg.groups;
  const SwAttnGeom ag = attn_geom (net, L, N);
  switch (L->kind)
    {
    case K_CONV:
    case K_DOWN:
      sw_conv2d_forward (&L->g1, N, L->H, L->H, x, P + L->w1, P + L->b1, L->out, net->work);
      break;
    case K_UP:
      sw_upsample2x_forward (L->cin * N, L->H, L->H, x, L->up);
      sw_conv2d_forward (&L->g1, N, L->Ho, L->Ho, L->up, P + L->w1, P + L->b1, L->out, net->work);
      break;
    case K_CAT:
      sw_concat_forward (L->cin, L->cout - L->cin, N * HW, x, net->layers[L->skip].out, L->out);
      break;
    case K_RES:
      res_forward (net, L, N);
      break;
    case K_ATTN:
      sw_groupnorm_forward (L->cin, N, HW, G, x, P + L->nw, P + L->nb, L->mean1, L->rstd1, L->a1);
      sw_self_attention_forward (&ag, x, L->a1, P + L->w1, P + L->b1, P + L->w2, P + L->b2,
                                 L->qkv, L->probs, L->attn, L->out);
      break;
    case K_CROSS:
      sw_groupnorm_forward (L->cin, N, HW, G, x, P + L->nw, P + L->nb, L->mean1, L->rstd1, L->a1);
      sw_cross_attention_forward (&ag, x, L->a1, net->words, net->len, P + L->w1, P + L->b1,
                                  P + L->kvw, P + L->kvb, P + L->w2, P + L->b2,
                                  L->qkv, L->kv, L->probs, L->attn, L->out);
      break;
    case K_OUT:
      sw_groupnorm_forward (L->cin, N, HW, G, x, P + L->nw, P + L->nb, L->mean1, L->rstd1, L->a1);
      sw_silu_forward (map_floats (L->cin, N, L->H), L->a1, net->T);
      sw_conv2d_forward (&L->g1, N, L->H, L->H, net->T, P + L->w1, P + L->b1, L->out, net->work);
      break;
    }
}

void
sw_resunet_forward (SwResunet *net, int N, const float *x, const float *t,
                    const float *c, bool training, float *out)
{
  sw_resunet_forward_cond (net, N, x, t, c, NULL, NULL, training, out);
}

void
sw_resunet_forward_cond (SwResunet *net, int N, const float *x, const float *t,
                         const float *c, const float *cond, const float *s,
                         bool training, float *out)
{
  const SwResunetConfig *cfg = &net->cfg;
  g_return_if_fail (N >= 1 && x && t && out);
  g_return_if_fail (cfg->cond_channels == 0 || cond);
  g_return_if_fail (!cfg->aug || s);
  ensure_batch (net, N);
  const int C = cfg->channels, HW = cfg->size * cfg->size;
  net->dropped = training && cfg->dropout > 0.0f;
  sw_nchw_to_cnhw (N, C, HW, x, net->x);
  /* (C, N, H, W) is channel-major: the concatenation is what follows */
  if (cfg->cond_channels > 0)
    sw_nchw_to_cnhw (N, cfg->cond_channels, HW, cond, net->x + (size_t) C * N * HW);
  /* keys serve the forward they were given for, and never training */
  cond_forward (net, N, t, c, s, !training && net->keyed == N);
  net->keyed = 0;
  for (int i = 0; i < net->n_layers; i++)
    layer_forward (net, &net->layers[i], N);
  sw_cnhw_to_nchw (N, C, HW, net->layers[net->n_layers - 1].out, out);
}

/* ----------------------------------------------------------- backward */

static void
swap (float **a, float **b)
{
  float *t = *a;
  *a = *b;
  *b = t;
}

/* The gradient moves between the scratch maps S1 and S2: g holds it,
 * spare is cleared for the next step to add into. */
static void
res_backward (SwResunet *net, Layer *L, int N)
{
  const float *P = net->params, *x = layer_in (net, L);
  float *G_ = net->grads, *dx = layer_din (net, L);
  const int HW = L->H * L->H, G = net->cfg.groups;
  const size_t M = (size_t) N * HW, nin = L->cin * M, nout = L->cout * M;
  float *g = net->S1, *spare = net->S2;

  if (L->has_skip)
    sw_pointwise_backward (L->cin, L->cout, M, x, P + L->sw, L->dout, dx, G_ + L->sw, G_ + L->sb);
  else
    for (size_t i = 0; i < nout; i++)
      dx[i] += L->dout[i];

  /* the second conv's input, recomputed */
  sw_silu_forward (nout, L->a2, net->T);
  if (net->dropped)
    for (size_t i = 0; i < nout; i++)
      net->T[i] *= L->mask[i];
  memset (g, 0, sizeof (float) * nout);
  sw_conv2d_backward (&L->g2, N, L->H, L->H, net->T, P + L->w2, L->dout, g,
                      G_ + L->w2, G_ + L->b2, net->work);
  if (net->dropped)
    {
      memset (spare, 0, sizeof (float) * nout);
      sw_dropout_backward (nout, L->mask, g, spare);
      swap (&g, &spare);
    }
  memset (spare, 0, sizeof (float) * nout);
  sw_silu_backward (nout, L->a2, g, spare);
  swap (&g, &spare);
  memset (spare, 0, sizeof (float) * nout);
  memset (net->de, 0, sizeof (float) * N * 2 * L->cout);
  sw_adagn_backward (L->cout, N, HW, G, L->h1, P + L->n2w, L->e, L->mean2, L->rstd2, L->normed,
                     g, spare, G_ + L->n2w, G_ + L->n2b, net->de, net->S3);
  swap (&g, &spare);
  sw_linear_backward (N, net->cfg.time_dim, 2 * L->cout, net->emb_silu, P + L->ew, net->de,
                      net->demb_silu, G_ + L->ew, G_ + L->eb);
  /* the first conv's input, recomputed */
  sw_silu_forward (nin, L->a1, net->T);
  memset (spare, 0, sizeof (float) * nin);
  sw_conv2d_backward (&L->g1, N, L->H, L->H, net->T, P + L->w1, g, spare,
                      G_ + L->w1, G_ + L->b1, net->work);
  swap (&g, &spare);
  memset (spare, 0, sizeof (float) * nin);
  sw_silu_backward (nin, L->a1, g, spare);
  sw_groupnorm_backward (L->cin, N, HW, G, x, P + L->nw, L->mean1, L->rstd1, spare,
                         dx, G_ + L->nw, G_ + L->nb);
}

static void
layer_backward (SwResunet *net, Layer *L, int N)
{
  const float *P = net->params, *x = layer_in (net, L);
  float *G_ = net->grads, *dx = layer_din (net, L);
  const int HW = L->H * L->H, G = net->cfg.groups;
  const size_t nin = map_floats (L->cin, N, L->H);
  const SwAttnGeom ag = attn_geom (net, L, N);
  float *dnorm = net->S1;
  switch (L->kind)
    {
    case K_CONV:
    case K_DOWN:
      sw_conv2d_backward (&L->g1, N, L->H, L->H, x, P + L->w1, L->dout, dx,
                          G_ + L->w1, G_ + L->b1, net->work);
      return;
    case K_UP:
      memset (net->S1, 0, sizeof (float) * map_floats (L->cin, N, L->Ho));
      sw_conv2d_backward (&L->g1, N, L->Ho, L->Ho, L->up, P + L->w1, L->dout, net->S1,
                          G_ + L->w1, G_ + L->b1, net->work);
      sw_upsample2x_backward (L->cin * N, L->H, L->H, net->S1, dx);
      return;
    case K_CAT:
      sw_concat_backward (L->cin, L->cout - L->cin, N * HW, L->dout, dx, net->layers[L->skip].dout);
      return;
    case K_RES:
      res_backward (net, L, N);
      return;
    case K_ATTN:
      memset (dnorm, 0, sizeof (float) * nin);
      sw_self_attention_backward (&ag, L->a1, P + L->w1, P + L->w2, L->qkv, L->probs, L->attn,
                                  L->dout, dx, dnorm, G_ + L->w1, G_ + L->b1,
                                  G_ + L->w2, G_ + L->b2, net->work);
      break;
    case K_CROSS:
      memset (dnorm, 0, sizeof (float) * nin);
      sw_cross_attention_backward (&ag, L->a1, net->words, P + L->w1, P + L->kvw, P + L->w2,
                                   L->qkv, L->kv, L->probs, L->attn, L->dout, dx, dnorm,
                                   net->dwords, G_ + L->w1, G_ + L->b1, G_ + L->kvw, G_ + L->kvb,
                                   G_ + L->w2, G_ + L->b2, net->work);
      break;
    case K_OUT:
      sw_silu_forward (nin, L->a1, net->T);
      memset (net->S2, 0, sizeof (float) * nin);
      sw_conv2d_backward (&L->g1, N, L->H, L->H, net->T, P + L->w1, L->dout, net->S2,
                          G_ + L->w1, G_ + L->b1, net->work);
      memset (dnorm, 0, sizeof (float) * nin);
      sw_silu_backward (nin, L->a1, net->S2, dnorm);
      break;
    }
  /* the attentions and the output read their input through GroupNorm */
  sw_groupnorm_backward (L->cin, N, HW, G, x, P + L->nw, L->mean1, L->rstd1, dnorm,
                         dx, G_ + L->nw, G_ + L->nb);
}

/* from emb's gradient back to the time MLP's and the word embedding's */
static void
cond_backward (SwResunet *net, int N)
{
  const SwResunetConfig *cfg = &net->cfg;
  const int tdim = cfg->time_dim, V = cfg->vocab, E = cfg->embed_dim;
  const float *P = net->params;
  float *G_ = net->grads;
  sw_silu_backward ((size_t) N * tdim, net->emb, net->demb_silu, net->demb);
  sw_linear_backward (N, tdim, tdim, net->s1, P + net->te2_w, net->demb, net->ds1,
                      G_ + net->te2_w, G_ + net->te2_b);
  sw_silu_backward ((size_t) N * tdim, net->e1, net->ds1, net->de1);
  /* the timestep is data: no gradient into it */
  sw_linear_backward (N, cfg->width, tdim, net->temb, P + net->te1_w, net->de1, NULL,
                      G_ + net->te1_w, G_ + net->te1_b);
  if (cfg->aug)
    {
      sw_linear_backward (N, tdim, tdim, net->aug_s1, P + net->ae2_w, net->demb, net->daug_s1,
                          G_ + net->ae2_w, G_ + net->ae2_b);
      sw_silu_backward ((size_t) N * tdim, net->aug_e1, net->daug_s1, net->daug_e1);
      /* the noise level is data too */
      sw_linear_backward (N, cfg->width, tdim, net->semb, P + net->ae1_w, net->daug_e1, NULL,
                          G_ + net->ae1_w, G_ + net->ae1_b);
    }
  if (cfg->pool)
    {
      sw_linear_backward (N, E, tdim, net->pooled, P + net->lp_w, net->demb, net->dpooled,
                          G_ + net->lp_w, G_ + net->lp_b);
      sw_embedding_bag_backward (N, V, E, net->bag, net->dpooled, G_ + net->embed_w);
    }
  if (cfg->cross)
    for (int n = 0; n < N; n++)
      for (int k = 0; k < net->len[n]; k++)
        {
          const size_t j = (size_t) n * cfg->max_words + k;
          float *dw = G_ + net->embed_w + (size_t) net->word_ids[j] * E;
          for (int e = 0; e < E; e++)
            dw[e] += net->dwords[j * E + e];
        }
}

void
sw_resunet_zero_grad (SwResunet *net)
{
  memset (net->grads, 0, sizeof (float) * net->table.n_params);
}

void
sw_resunet_backward (SwResunet *net, const float *dout)
{
  const int N = net->N;
  g_return_if_fail (N >= 1);
  const int C = net->cfg.channels, HW = net->cfg.size * net->cfg.size;
  memset (net->arena, 0, sizeof (float) * (size_t) (net->grads_end - net->arena));
  sw_nchw_to_cnhw (N, C, HW, dout, net->layers[net->n_layers - 1].dout);
  for (int i = net->n_layers - 1; i >= 0; i--)
    layer_backward (net, &net->layers[i], N);
  cond_backward (net, N);
}

/* ------------------------------------------------------------ FLOPs */

double
sw_resunet_forward_flops (const SwResunet *net)
{
  const SwResunetConfig *cfg = &net->cfg;
  double f = 2.0 * ((double) cfg->width * cfg->time_dim + (double) cfg->time_dim * cfg->time_dim);
  if (cfg->pool)
    f += 2.0 * cfg->embed_dim * cfg->time_dim;
  if (cfg->aug)
    f += 2.0 * ((double) cfg->width * cfg->time_dim + (double) cfg->time_dim * cfg->time_dim);
  for (int i = 0; i < net->n_layers; i++)
    {
      const Layer *L = &net->layers[i];
      const double in = (double) L->H * L->H, out = (double) L->Ho * L->Ho, C = L->cout;
      const double Lw = cfg->max_words;
      switch (L->kind)
        {
        case K_CONV:
        case K_DOWN:
        case K_UP:
        case K_OUT:
          f += 2.0 * out * L->cin * L->cout * 9;
          break;
        case K_CAT:
          break;
        case K_RES:
          f += 2.0 * in * 9 * ((double) L->cin * C + C * C) + 2.0 * cfg->time_dim * 2 * C;
          if (L->has_skip)
            f += 2.0 * in * L->cin * C;
          break;
        case K_ATTN:
          /* qkv and projection, then QKᵀ and PV */
          f += 2.0 * in * 4 * C * C + 2.0 * 2 * in * in * C;
          break;
        case K_CROSS:
          f += 2.0 * in * 2 * C * C + 2.0 * Lw * cfg->embed_dim * 2 * C + 2.0 * 2 * in * Lw * C;
          break;
        }
    }
  return f;
}
