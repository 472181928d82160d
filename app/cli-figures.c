/* stepwise-cli figures OUTDIR: the write-up's Part A figures on a
 * Stepwise model or cascade, with an index.html that lays them out with
 * captions.
 *
 * On the cascade (--sr, or the shipped stage II without --model, as the
 * Part A commands take it: sw_cli_cascade_setup) every sampling figure
 * goes through both stages at stage II's side, and the inputs are drawn
 * there; the forward process and the denoising lab (noise, blur,
 * onestep, the comparison) show stage I's estimates at its own side, the
 * commands that make them running one model.
 *
 * It writes its inputs first (a held-out test image, two sketches drawn
 * with cairo strokes, a mask) as PNG files beside the figures, then runs
 * the same commands a user would, so every figure can be redone by hand
 * with the command shown under it. */
#include <cairo.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli-common.h"
#include "cli-job.h"
#include "data/dataset.h"
#include "data/sr-pairs.h"
#include "io/output-file.h"
#include "figures.h"
#include "diffusion/gaussian-blur.h"

#define CMD "figures"

/* the prompts each figure uses, per training set */
typedef struct {
  const char *dataset;
  int         test_class;        /* labelled sets: the first held-out image of this class */
  const char *test_caption;      /* captioned sets: the first image whose caption starts so */
  const char *img2img;
  const char *inpaint;
  const char *anagram[3][3];     /* prompt, prompt2, view */
  const char *hybrid[2][2];      /* far, close */
  int         sketches;          /* the first of write_sketch's two drawings */
  const char *sketch[2][2];      /* what each sketch is, and its SDEdit prompt (NULL: none) */
  const char *samples[4];        /* captioned sets: prompts sampled one figure each */
} Prompts;

static const Prompts prompt_sets[] = {
  { "fashion", 9, NULL, "a sneaker", "an ankle boot",
    { { "a t-shirt", "trousers", "flip" }, { "a dress", "a bag", "rotate180" },
      { "a sneaker", "a pullover", "negate" } },
    { { "a bag", "a sneaker" }, { "a dress", "a sandal" } },
    0, { { "a rough boot", NULL }, { "a rough t-shirt", NULL } }, { NULL } },
  /* the write-up's prompts where the emoji captions have them (its
   * campfire is an alias of fire) */
  { "emoji", -1, "cat face", "dog", "dog",
    { { "old man", "campfire", "flip" }, { "skull", "rocket", "rotate180" },
      { "snowman", "fire", "negate" } },
    { { "skull", "fire" }, { "strawberry", "tree" } },
    2, { { "a rough red strawberry", "strawberry" }, { "a rough yellow smiley", "smiling face" } },
    { "dog", "old man", "pencil", "sunset" } },
};

typedef struct {
  GString    *html;
  const char *dir;
  char       *model;
  const char *sr;      /* stage II's file, given to the commands that run the cascade; or NULL */
  gint64      seed;
  gboolean    ok;
} Report;

/* PATH as index.html shows it: relative to the working directory when it
 * lies under it, so that pages made in a checkout do not name the
 * machine's folders */
static char *
shown_path (const char *path)
{
  g_autofree char *cwd = g_get_current_dir ();
  const size_t n = strlen (cwd);
  if (g_path_is_absolute (path) && strncmp (path, cwd, n) == 0 && path[n] == G_DIR_SEPARATOR)
    return g_shell_quote (path + n + 1);
  return g_shell_quote (path);
}

/* runs "stepwise-cli ARGS... --model M [--sr SR] --seed S" writing OUT
 * in the report's folder, and adds it to index.html with CAPTION */
static void
figure (Report *r, const char *out, const char *caption, const char *first, ...)
{
  if (!r->ok)
    return;
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) shown = g_string_new ("stepwise-cli");
  gboolean positional_model = FALSE;   /* sample takes the model as its argument */
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    {
      if (strcmp (a, "MODEL") == 0)
        {
          positional_model = TRUE;
          g_ptr_array_add (args, g_strdup (r->model));
          g_autofree char *q = shown_path (r->model);
          g_string_append_printf (shown, " %s", q);
          continue;
        }
      /* inputs and outputs live in the report's folder */
      gboolean file = g_str_has_suffix (a, ".png");
      g_ptr_array_add (args, file ? g_build_filename (r->dir, a, NULL) : g_strdup (a));
      g_autofree char *q = g_shell_quote (a);
      g_string_append_printf (shown, " %s", strchr (a, ' ') || !*a ? q : a);
    }
  va_end (ap);
  g_ptr_array_add (args, g_strdup ("--out"));
  g_ptr_array_add (args, g_build_filename (r->dir, out, NULL));
  g_string_append_printf (shown, " --out %s", out);
  if (!positional_model)
    {
      g_ptr_array_add (args, g_strdup ("--model"));
      g_ptr_array_add (args, g_strdup (r->model));
      /* shown too, so that the command redoes the figure on this model
       * rather than on the default one */
      g_autofree char *q = shown_path (r->model);
      g_string_append_printf (shown, " --model %s", q);
    }
  g_ptr_array_add (args, g_strdup ("--seed"));
  g_ptr_array_add (args, g_strdup_printf ("%" G_GINT64_FORMAT, r->seed));
  g_string_append_printf (shown, " --seed %" G_GINT64_FORMAT, r->seed);

  /* the commands that run the cascade (sw_cli_cascade_setup) */
  static const struct { const char *name; int (*run) (int, char **); gboolean cascade; } commands[] = {
    { "noise", sw_cli_noise, FALSE }, { "onestep", sw_cli_onestep, FALSE },
    { "blur", sw_cli_blur, FALSE }, { "trajectory", sw_cli_trajectory, TRUE },
    { "generate", sw_cli_generate, TRUE }, { "sample", sw_cli_sample, FALSE },
    { "sdedit", sw_cli_sdedit, TRUE }, { "img2img", sw_cli_img2img, TRUE },
    { "inpaint", sw_cli_inpaint, TRUE }, { "anagram", sw_cli_anagram, TRUE },
    { "hybrid", sw_cli_hybrid, TRUE },
  };
  size_t k = 0;
  while (k < G_N_ELEMENTS (commands) && strcmp (first, commands[k].name) != 0)
    k++;
  g_assert (k < G_N_ELEMENTS (commands));
  if (r->sr && commands[k].cascade)
    {
      g_ptr_array_add (args, g_strdup ("--sr"));
      g_ptr_array_add (args, g_strdup (r->sr));
      g_autofree char *q = shown_path (r->sr);
      g_string_append_printf (shown, " --sr %s", q);
    }
  g_ptr_array_add (args, NULL);
  /* GOption drops what it parsed from argv: hand it a shallow copy, the
   * strings stay owned by ARGS */
  g_autofree char **argv = g_memdup2 (args->pdata, sizeof (char *) * args->len);
  int argc = (int) args->len - 1;
  fprintf (stderr, "%s\n", shown->str);
  int status = commands[k].run (argc, argv);
  if (status != 0)
    {
      r->ok = FALSE;
      return;
    }
  g_autofree char *cap = g_markup_escape_text (caption, -1);
  g_autofree char *cmd = g_markup_escape_text (shown->str, -1);
  g_string_append_printf (r->html, "<figure><img src=\"%s\" alt=\"\"><figcaption>%s"
                          "<br><code>%s</code></figcaption></figure>\n", out, cap, cmd);
}

static void
section (Report *r, const char *title, const char *text)
{
  g_autofree char *t = g_markup_escape_text (title, -1), *p = g_markup_escape_text (text, -1);
  g_string_append_printf (r->html, "<h2>%s</h2>\n<p>%s</p>\n", t, p);
}

/* rough sketches at 4x the model's size, drawn in a 28-unit square; the
 * loader shrinks them as it would a user's drawing. 0 and 1 are white
 * strokes on black like Fashion-MNIST, 2 and 3 colour on white like the
 * emoji. */
static void
draw_sketch (cairo_t *cr, int which)
{
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_source_rgb (cr, which < 2 ? 0 : 1, which < 2 ? 0 : 1, which < 2 ? 0 : 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
  cairo_set_line_width (cr, 2.5);
  switch (which)
    {
    case 0:
      /* a boot: a shaft and a foot, filled, with a wobbly outline */
      cairo_move_to (cr, 9, 4);
      cairo_line_to (cr, 16, 4.5);
      cairo_line_to (cr, 16.5, 15);
      cairo_curve_to (cr, 19, 17, 24, 17.5, 25, 20);
      cairo_line_to (cr, 25, 23.5);
      cairo_line_to (cr, 4, 23);
      cairo_line_to (cr, 5, 17);
      cairo_close_path (cr);
      cairo_fill_preserve (cr);
      cairo_stroke (cr);
      break;
    case 1:
      /* a t-shirt outline with sleeves, hollow in the middle */
      cairo_move_to (cr, 10, 4);
      cairo_curve_to (cr, 12, 7, 16, 7, 18, 4);
      cairo_line_to (cr, 25, 8);
      cairo_line_to (cr, 22.5, 13);
      cairo_line_to (cr, 20, 11.5);
      cairo_line_to (cr, 20.5, 24);
      cairo_line_to (cr, 7.5, 24);
      cairo_line_to (cr, 8, 11.5);
      cairo_line_to (cr, 5.5, 13);
      cairo_line_to (cr, 3, 8);
      cairo_close_path (cr);
      cairo_stroke (cr);
      cairo_rectangle (cr, 10, 12, 8, 9);
      cairo_fill (cr);
      break;
    case 2:
      /* a strawberry: a lopsided red heart, a few pale seeds, green leaves */
      cairo_move_to (cr, 14, 8);
      cairo_curve_to (cr, 8, 5, 3, 9, 5, 15);
      cairo_curve_to (cr, 7, 20, 11, 24, 14.5, 26);
      cairo_curve_to (cr, 18, 23, 22, 20, 23.5, 14);
      cairo_curve_to (cr, 24.5, 8, 19, 5.5, 14, 8);
      cairo_set_source_rgb (cr, 0.86, 0.1, 0.12);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 1, 0.85, 0.5);
      for (int k = 0; k < 7; k++)
        {
          cairo_arc (cr, 9 + (k * 5) % 11, 12 + (k * 3) % 10, 0.6, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      cairo_set_source_rgb (cr, 0.2, 0.6, 0.15);
      cairo_move_to (cr, 9, 6.5);
      cairo_line_to (cr, 14, 9);
      cairo_line_to (cr, 19, 6);
      cairo_line_to (cr, 14.5, 4.5);
      cairo_close_path (cr);
      cairo_fill (cr);
      cairo_move_to (cr, 14, 6);
      cairo_line_to (cr, 15, 2);
      cairo_stroke (cr);
      break;
    default:
      /* a smiley: a yellow disc, two dark eyes, a smile */
      cairo_arc (cr, 14, 14.5, 11.5, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, 1, 0.8, 0.15);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.3, 0.2, 0.1);
      cairo_arc (cr, 10, 11, 1.5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_arc (cr, 18.5, 11.5, 1.5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_line_width (cr, 1.6);
      cairo_arc (cr, 14, 14, 6.5, 0.2 * G_PI, 0.85 * G_PI);
      cairo_stroke (cr);
      break;
    }
}

static gboolean
write_sketch (const char *path, int which, int channels, int size, GError **error)
{
  const int S = 4 * size;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, S, S);
  cairo_t *cr = cairo_create (s);
  cairo_scale (cr, S / 28.0, S / 28.0);
  draw_sketch (cr, which);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  const guint32 *px = (const guint32 *) (const void *) cairo_image_surface_get_data (s);
  const int stride = cairo_image_surface_get_stride (s) / 4;
  g_autofree float *image = g_new (float, (size_t) channels * S * S);
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        {
          /* RGB24 is 0x00RRGGBB; one channel is the blue byte, grey anyway */
          const int shift = channels == 1 ? 0 : 16 - 8 * c;
          image[((size_t) c * S + y) * S + x] = ((px[y * stride + x] >> shift) & 0xff) / 255.0f;
        }
  cairo_surface_destroy (s);
  return sw_figure_image (path, image, channels, S, S, error);
}

/* noisy at ts[10] = 690, then the iterative, one-step and blur estimates */
static void
compare_figure (Report *r, SwEpsModel *m, const float *image, GError **error)
{
  if (!r->ok)
    return;
  const size_t img = (size_t) m->channels * m->height * m->width;
  g_autofree float *table = g_new (float, 5 * img);
  memcpy (table, image, sizeof (float) * img);
  SwJob job;
  sw_job_init (&job);
  job.seed = (uint64_t) r->seed;
  job.image = image;
  job.i_start = 10;
  /* the noisy image is where the iterative job starts, as in the window's lab */
  const int t = sw_job_start (m, &job, 0, NULL, table + img);
  sw_one_step (m, t, table + img, NULL, 1.0f, table + 3 * img);
  sw_lab_blur (m->channels, m->height, m->width, table + img, table + 4 * img);
  g_autofree char *path = g_build_filename (r->dir, "denoise-compare.png", NULL);
  const char *cols[] = { "original", "noisy, t = 690", "iterative", "one-step", "blurred" };
  if (!sw_job_run (m, &job, table + 2 * img, NULL, NULL, NULL, error)
      || !sw_cli_write_table (path, m, table, 1, 5, NULL, cols, "denoising from t = 690 three ways", error))
    {
      r->ok = FALSE;
      return;
    }
  g_string_append (r->html, "<figure><img src=\"denoise-compare.png\" alt=\"\"><figcaption>The test "
                   "image noised to t = 690, then denoised iteratively from i_start = 10 (33 strided steps, "
                   "no prompt), in one step, and by a Gaussian blur (kernel 5, sigma 1.5).</figcaption></figure>\n");
}

int
sw_cli_figures (int argc, char **argv)
{
  /* the cascade's options as the Part A commands take them, the others
   * left at their defaults */
  g_auto (SwCliJobOptions) o = { .cascade = TRUE, .count = 1, .guidance = -1.0,
                                 .stage2 = SW_CLI_SR_OPTIONS_UNSET };
  gint64 seed = 0;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &o.model, SW_CLI_CASCADE_MODEL_HELP, "FILE" },
    { "sr", 0, 0, G_OPTION_ARG_FILENAME, &o.sr, SW_CLI_SR_HELP, "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed for every figure (default 0)", "N" },
    { NULL }
  };
  if (!sw_cli_parse (CMD, "OUTDIR — the write-up's Part A figures and an index.html", NULL, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    return sw_cli_failf (CMD, "give the folder to write the figures to");
  if (seed < 0)
    return sw_cli_failf (CMD, "--seed %" G_GINT64_FORMAT " is out of range; accepted: 0 or more", seed);
  const char *dir = argv[1];
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return sw_cli_failf (CMD, "cannot make the folder “%s”: %s", dir, g_strerror (errno));

  g_autoptr (GError) error = NULL;
  g_autoptr (SwCascade) c = NULL;
  SwCascadeJob cj;
  if (!sw_cli_cascade_setup (&o, &c, &cj, &error))
    return sw_cli_fail (CMD, error);
  /* the prompts and the lab are stage I's; the inputs at the output's side */
  const char *path = o.model;
  SwEpsModel *m = c->stage1, *big = sw_cascade_output (c, &cj);
  const Prompts *p = NULL;
  /* a set's prompts serve its images at every size (emoji16 is emoji's) */
  for (size_t k = 0; k < G_N_ELEMENTS (prompt_sets); k++)
    if (g_strcmp0 (m->dataset, sw_dataset_at_size (prompt_sets[k].dataset, m->width)) == 0)
      p = &prompt_sets[k];
  if (!p)
    return sw_cli_failf (CMD, "“%s” was trained on “%s”; figures knows the prompts for: fashion, emoji (at 32, 64 or 16 px)",
                         path, m->dataset);

  /* the inputs: a held-out image, two sketches, a mask over the top half */
  SwDataset *test = sw_dataset_load (big->dataset, SW_SPLIT_TEST, &error);
  if (!test)
    return sw_cli_fail (CMD, error);
  const size_t img = (size_t) big->channels * big->height * big->width;
  g_autofree float *image = g_new (float, img), *unit = g_new (float, img);
  int index = 0;
  while (index < test->n - 1 && (test->labels ? test->labels[index] != p->test_class
                                             : !g_str_has_prefix (test->captions[index], p->test_caption)))
    index++;
  memcpy (unit, test->images + (size_t) index * img, sizeof (float) * img);
  sw_dataset_free (test);
  for (size_t j = 0; j < img; j++)
    image[j] = 2.0f * unit[j] - 1.0f;
  g_autofree float *mask = g_new0 (float, img);
  for (int j = 0; j < big->height / 2 * big->width; j++)
    mask[j] = 1.0f;
  /* the comparison's image at stage I's side, as the cascade shrinks it */
  g_autofree float *small = NULL;
  if (big != m)
    {
      small = g_new (float, (size_t) m->channels * m->height * m->width);
      sw_sr_area_downsample (m->channels, big->height, big->height / m->height, image, small);
    }
  g_autofree char *test_png = g_build_filename (dir, "test.png", NULL);
  g_autofree char *mask_png = g_build_filename (dir, "mask.png", NULL);
  g_autofree char *sketch1 = g_build_filename (dir, "sketch-1.png", NULL);
  g_autofree char *sketch2 = g_build_filename (dir, "sketch-2.png", NULL);
  if (!sw_figure_image (test_png, unit, big->channels, big->height, big->width, &error)
      || !sw_figure_image (mask_png, mask, 1, big->height, big->width, &error)
      || !write_sketch (sketch1, p->sketches, big->channels, big->width, &error)
      || !write_sketch (sketch2, p->sketches + 1, big->channels, big->width, &error))
    return sw_cli_fail (CMD, error);

  g_autofree char *seed_text = g_strdup_printf ("%" G_GINT64_FORMAT, seed);
  Report r = { g_string_new (NULL), dir, g_strdup (path), big != m ? o.sr : NULL, seed, TRUE };
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *sr_base = r.sr ? g_path_get_basename (r.sr) : NULL;
  g_autofree char *on = r.sr ? g_strdup_printf ("the cascade %s → %s", base, sr_base) : g_strdup (base);
  g_autofree char *cascade_note = r.sr
    ? g_strdup_printf ("<p>Every sampling figure runs through the cascade: stage I draws at %dx%d, "
                       "then stage II draws at %dx%d beside its image (%d steps from t = %d, its noise level %d), "
                       "and the inputs are at %dx%d. The forward process, the blur, the one-step "
                       "estimates and the comparison of the three denoisers show stage I alone at "
                       "%dx%d, the inputs shrunk to it.</p>\n",
                       m->width, m->height, big->width, big->height, cj.sr_steps, cj.sr_from, cj.sr_level,
                       big->width, big->height, m->width, m->height)
    : g_strdup ("");
  g_string_append_printf (r.html,
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Stepwise: Part A figures</title>\n"
    "<style>body{font-family:sans-serif;max-width:70em;margin:auto;padding:1em}"
    "img{image-rendering:pixelated;max-width:100%%}figure{margin:1em 0}"
    "figcaption{color:#444}code{font-size:85%%}.in img{width:112px;border:1px solid #ccc}</style>\n"
    "</head><body>\n<h1>Part A figures on %s</h1>\n"
    "<p>The algorithms of the write-up's Part A (forward process, denoising, CFG, SDEdit, "
    "inpainting, image-to-image, visual anagrams, hybrid images), run by Stepwise on its own "
    "DDPM (cosine schedule, 1000 steps, 33 strided steps from t = 990) with seed %s. "
    "Each figure shows the command that redoes it.</p>\n%s"
    "<div class=\"in\"><figure><img src=\"test.png\" alt=\"\"><figcaption>test image</figcaption></figure>"
    "<figure><img src=\"sketch-1.png\" alt=\"\"><figcaption>sketch 1</figcaption></figure>"
    "<figure><img src=\"sketch-2.png\" alt=\"\"><figcaption>sketch 2</figcaption></figure>"
    "<figure><img src=\"mask.png\" alt=\"\"><figcaption>mask</figcaption></figure></div>\n",
    on, seed_text, cascade_note);

  section (&r, "Forward process", "x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps at t = 250, 500, 750.");
  figure (&r, "forward.png", "The test image noised to t = 250, 500 and 750.",
          "noise", "test.png", "--t", "250,500,750", NULL);
  section (&r, "Denoising", "Classical blur against one-step and iterative denoising.");
  figure (&r, "blur.png", "Gaussian blur of the noisy images (kernel 5, sigma 1.5).",
          "blur", "test.png", "--t", "250,500,750", NULL);
  figure (&r, "onestep.png", "One-step estimates of x0 (no prompt).",
          "onestep", "test.png", "--t", "250,500,750", "--guidance", "1", NULL);
  figure (&r, "iterative.png", "Iterative denoising from i_start = 10 (t = 690), every 5th step: "
          "x_t above, the predicted x0 below.",
          "trajectory", "test.png", "--i-start", "10", "--every", "5", "--guidance", "1", NULL);
  compare_figure (&r, m, small ? small : image, &error);
  section (&r, "Sampling", "From pure noise: 5 samples without a prompt or guidance, then "
           "prompts with and without classifier-free guidance (scale 7).");
  figure (&r, "samples-no-cfg.png", "5 samples, no prompt, no guidance.",
          "generate", "--count", "5", "--guidance", "1", NULL);
  if (!p->samples[0])
    {
      figure (&r, "samples-cond.png", "5 samples per class, conditional estimate alone (guidance 1).",
              "sample", "--per-class", "5", "--guidance", "1", "--steps", "33", "MODEL", NULL);
      figure (&r, "samples-cfg.png", "5 samples per class with CFG, scale 7.",
              "sample", "--per-class", "5", "--guidance", "7", "--steps", "33", "MODEL", NULL);
    }
  for (int k = 0; k < (int) G_N_ELEMENTS (p->samples) && p->samples[k]; k++)
    for (int cfg = 0; cfg < 2; cfg++)
      {
        g_autofree char *out = g_strdup_printf ("samples-%s-%d.png", cfg ? "cfg" : "cond", k + 1);
        g_autofree char *cap = g_strdup_printf (cfg ? "“%s”, 5 samples with CFG, scale 7."
                                                    : "“%s”, 5 samples, conditional estimate alone (guidance 1).",
                                                p->samples[k]);
        figure (&r, out, cap, "generate", "--prompt", p->samples[k], "--count", "5",
                "--guidance", cfg ? "7" : "1", NULL);
      }
  section (&r, "SDEdit", "The image noised to ts[i_start] and denoised with CFG: small i_start keeps "
           "little of it, large i_start keeps much.");
  figure (&r, "sdedit-test.png", "SDEdit of the test image.", "sdedit", "test.png", NULL);
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *out = g_strdup_printf ("sdedit-sketch-%d.png", k + 1);
      g_autofree char *in = g_strdup_printf ("sketch-%d.png", k + 1);
      const char *prompt = p->sketch[k][1];
      g_autofree char *cap = prompt ? g_strdup_printf ("SDEdit of sketch %d (%s), prompt “%s”.", k + 1,
                                                       p->sketch[k][0], prompt)
                                    : g_strdup_printf ("SDEdit of sketch %d (%s).", k + 1, p->sketch[k][0]);
      if (prompt)
        figure (&r, out, cap, "sdedit", in, "--prompt", prompt, NULL);
      else
        figure (&r, out, cap, "sdedit", in, NULL);
    }
  section (&r, "Inpainting", "RePaint: the top half regenerated, the rest kept.");
  g_autofree char *inpaint_caption = g_strdup_printf ("The top half of the test image regenerated, prompt “%s”.", p->inpaint);
  figure (&r, "inpaint.png", inpaint_caption, "inpaint", "test.png", "mask.png", "--prompt", p->inpaint, NULL);
  section (&r, "Text-conditional image-to-image", "SDEdit with a prompt.");
  g_autofree char *img2img_caption = g_strdup_printf ("The test image turned into “%s”.", p->img2img);
  figure (&r, "img2img.png", img2img_caption, "img2img", "test.png", "--prompt", p->img2img, NULL);
  section (&r, "Visual anagrams", "One image that reads as one prompt upright and as another in a second view.");
  for (int k = 0; k < 3; k++)
    {
      g_autofree char *out = g_strdup_printf ("anagram-%d.png", k + 1);
      g_autofree char *cap = g_strdup_printf ("“%s”, and “%s” (%s).", p->anagram[k][0], p->anagram[k][1], p->anagram[k][2]);
      figure (&r, out, cap, "anagram", "--prompt", p->anagram[k][0], "--prompt2", p->anagram[k][1],
              "--view", p->anagram[k][2], "--count", "4", NULL);
    }
  section (&r, "Hybrid images", "Low frequencies of one prompt's estimate plus high frequencies of another's; "
           "the second row shows the low-pass, what is seen from afar.");
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *out = g_strdup_printf ("hybrid-%d.png", k + 1);
      g_autofree char *cap = g_strdup_printf ("“%s” from afar, “%s” close up.", p->hybrid[k][0], p->hybrid[k][1]);
      figure (&r, out, cap, "hybrid", "--prompt", p->hybrid[k][0], "--prompt2", p->hybrid[k][1],
              "--count", "4", NULL);
    }
  g_string_append (r.html, "</body></html>\n");

  int status = 0;
  if (!r.ok)
    status = error ? sw_cli_fail (CMD, error) : 1;
  else
    {
      g_autofree char *index_html = g_build_filename (dir, "index.html", NULL);
      if (!sw_output_write (index_html, r.html->str, r.html->len, &error))
        status = sw_cli_fail (CMD, error);
      else
        printf ("%s\n", index_html);
    }
  g_string_free (r.html, TRUE);
  g_free (r.model);
  return status;
}
