/* The PNG figures: each kind is written, read back with cairo and checked
 * pixel by pixel where the layout is known, by what it must contain where
 * it depends on the font; then every error. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"
#include "figures.h"

static char *tmpdir;

static char *
temp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static cairo_surface_t *
load_png (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  int width, height;
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_png_size (path, &width, &height, &error));
  g_assert_no_error (error);
  g_assert_cmpint (width, ==, cairo_image_surface_get_width (surface));
  g_assert_cmpint (height, ==, cairo_image_surface_get_height (surface));
  return surface;
}

/* The pixel at (X, Y) as 0xRRGGBB. */
static guint32
pixel (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  return *(const guint32 *) (const void *) (data + (size_t) y * stride + 4 * (size_t) x) & 0xffffff;
}

static int
count_pixels (cairo_surface_t *surface, guint32 rgb)
{
  int count = 0;
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      count += pixel (surface, x, y) == rgb;
  return count;
}

/* Whether any pixel in the rectangle is dark grey, as text is. */
static gboolean
has_text (cairo_surface_t *surface, int x0, int y0, int x1, int y1)
{
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 p = pixel (surface, x, y);
        int r = p >> 16, g = (p >> 8) & 0xff, b = p & 0xff;
        if (r < 100 && abs (r - g) < 8 && abs (g - b) < 8)
          return TRUE;
      }
  return FALSE;
}

static guint32
grey (int v)
{
  return (guint32) v * 0x010101;
}

#define WHITE 0xffffff

static void
test_grid_pixels (void)
{
  /* 5 grey 4x3 images, 3 per row, doubled: 2 rows, the last cell empty */
  enum { N = 5, H = 3, W = 4, COLS = 3, SCALE = 2 };
  float images[N * H * W];
  for (int i = 0; i < N * H * W; i++)
    images[i] = i / 64.0f;
  images[1] = -0.5f;     /* clamped to black */
  images[2] = 7.0f;      /* clamped to white */
  images[3] = NAN;       /* black */
  g_autofree char *path = temp_path ("grid.png");
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_image_grid (path, images, N, 1, H, W, COLS, SCALE, NULL, NULL, &error));
  g_assert_no_error (error);

  cairo_surface_t *s = load_png (path);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, COLS * (W * SCALE + 2) + 2);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 2 * (H * SCALE + 2) + 2);
  /* Every pixel: white gaps and empty cell, each image pixel a crisp
   * SCALE x SCALE block of its grey. */
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      {
        int cx = (x - 2) % (W * SCALE + 2), cy = (y - 2) % (H * SCALE + 2);
        int i = (y - 2) / (H * SCALE + 2) * COLS + (x - 2) / (W * SCALE + 2);
        guint32 want = WHITE;
        if (x >= 2 && y >= 2 && cx < W * SCALE && cy < H * SCALE && i < N)
          {
            int at = i * H * W + cy / SCALE * W + cx / SCALE;
            int v = at == 1 || at == 3 ? 0 : at == 2 ? 255 : (int) (at / 64.0f * 255 + 0.5f);
            want = grey (v);
          }
        g_assert_cmphex (pixel (s, x, y), ==, want);
      }
  cairo_surface_destroy (s);
}

static void
test_grid_rgb (void)
{
  /* two 2x2 RGB images: image 1's bottom-right pixel is (0.2, 0.6, 1.0) */
  float images[2 * 3 * 4] = { 0 };
  images[12 + 0 * 4 + 3] = 0.2f;
  images[12 + 1 * 4 + 3] = 0.6f;
  images[12 + 2 * 4 + 3] = 1.0f;
  images[0] = 1.0f;  /* image 0's top-left pixel red */
  g_autofree char *path = temp_path ("rgb.png");
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_image_grid (path, images, 2, 3, 2, 2, 2, 3, NULL, NULL, &error));
  g_assert_no_error (error);
  cairo_surface_t *s = load_png (path);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 2 * (2 * 3 + 2) + 2);
  g_assert_cmphex (pixel (s, 2, 2), ==, 0xff0000);
  g_assert_cmphex (pixel (s, 4, 4), ==, 0xff0000);
  g_assert_cmphex (pixel (s, 5, 5), ==, 0x000000);
  /* image 1 starts at x = 2 + 8; its pixel (1, 1) covers 13..15 */
  g_assert_cmphex (pixel (s, 10 + 3, 2 + 3), ==, 0x3399ff);
  g_assert_cmphex (pixel (s, 10 + 5, 2 + 5), ==, 0x3399ff);
  g_assert_cmphex (pixel (s, 10 + 2, 2 + 3), ==, 0x000000);
  cairo_surface_destroy (s);
}

/* N RGB images of one colour, (0.2, 0.6, 0.4): 0x339966. */
static float *
plain_images (int n, int H, int W)
{
  float *images = g_new (float, (size_t) n * 3 * H * W);
  for (int i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      for (int k = 0; k < H * W; k++)
        images[((size_t) i * 3 + c) * H * W + k] = (float[]) { 0.2f, 0.6f, 0.4f }[c];
  return images;
}

#define PLAIN 0x339966

/* The smallest x and y of any PLAIN pixel. */
static void
first_image_pixel (cairo_surface_t *s, int *x0, int *y0)
{
  *x0 = *y0 = G_MAXINT;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (pixel (s, x, y) == PLAIN)
        {
          *x0 = MIN (*x0, x);
          *y0 = MIN (*y0, y);
        }
}

static void
test_grid_labels (void)
{
  enum { N = 10, H = 7, W = 6, COLS = 4, SCALE = 4 };
  g_autofree float *images = plain_images (N, H, W);
  const char *rows[] = { "zero", NULL, "two" };
  g_autofree char *path = temp_path ("labelled.png");
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_image_grid (path, images, N, 3, H, W, COLS, SCALE, rows, "Samples", &error));
  g_assert_no_error (error);

  cairo_surface_t *s = load_png (path);
  int width = cairo_image_surface_get_width (s), height = cairo_image_surface_get_height (s);
  g_assert_cmpint (width, >, COLS * (W * SCALE + 2) + 2);
  g_assert_cmpint (height, >, 3 * (H * SCALE + 2) + 2);
  /* every image pixel is there, unblended, and nothing else has its colour */
  g_assert_cmpint (count_pixels (s, PLAIN), ==, N * H * W * SCALE * SCALE);
  int x0, y0;
  first_image_pixel (s, &x0, &y0);
  g_assert_cmphex (pixel (s, x0 + (W * SCALE + 2), y0 + 2 * (H * SCALE + 2)), ==, PLAIN);
  g_assert_cmphex (pixel (s, x0 + 2 * (W * SCALE + 2), y0 + 2 * (H * SCALE + 2)), ==, WHITE);
  g_assert_cmphex (pixel (s, x0 + 2 * (W * SCALE + 2) - 1, y0), ==, WHITE);
  /* the labels left of the images and the title above them */
  g_assert_true (has_text (s, 0, y0, x0, y0 + H * SCALE));
  g_assert_false (has_text (s, 0, y0 + H * SCALE + 2, x0, y0 + 2 * (H * SCALE + 2)));
  g_assert_true (has_text (s, 0, 0, width, y0));
  g_assert_cmphex (pixel (s, 0, 0), ==, WHITE);
  g_assert_cmphex (pixel (s, width - 1, height - 1), ==, WHITE);
  cairo_surface_destroy (s);
}

static void
test_grid_long_title (void)
{
  /* A title wider than the one image widens the figure instead of being
   * clipped. */
  g_autofree float *images = plain_images (1, 4, 4);
  g_autofree char *path = temp_path ("title.png");
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_image_grid (path, images, 1, 3, 4, 4, 1, 1, NULL,
                                       "A title much wider than the image", &error));
  g_assert_no_error (error);
  cairo_surface_t *s = load_png (path);
  int width = cairo_image_surface_get_width (s);
  g_assert_cmpint (width, >, 100);
  g_assert_cmpint (count_pixels (s, PLAIN), ==, 16);
  int x0, y0;
  first_image_pixel (s, &x0, &y0);
  g_assert_cmpint (abs (x0 + 2 - width / 2), <=, 2);  /* centred */
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    {
      g_assert_cmphex (pixel (s, 0, y), ==, WHITE);
      g_assert_cmphex (pixel (s, width - 1, y), ==, WHITE);
    }
  cairo_surface_destroy (s);
}

static void
test_table (void)
{
  enum { ROWS = 2, COLS = 3, H = 5, W = 4 };
  g_autofree float *images = plain_images (ROWS * COLS, H, W);
  const char *rows[] = { "a", "b" };
  const char *cols[] = { "σ = 0.1", "σ = 0.5", "σ = 1.0" };
  g_autoptr (GError) error = NULL;

  /* Big enough images keep the 2 px gap. */
  g_autofree char *path = temp_path ("table.png");
  g_assert_true (sw_figure_image_table (path, images, ROWS, COLS, 3, H, W, 16, rows, cols, "Noise",
                                        &error));
  g_assert_no_error (error);
  cairo_surface_t *s = load_png (path);
  g_assert_cmpint (count_pixels (s, PLAIN), ==, ROWS * COLS * H * W * 16 * 16);
  int x0, y0;
  first_image_pixel (s, &x0, &y0);
  g_assert_cmphex (pixel (s, x0 + W * 16 + 2, y0 + H * 16 + 2), ==, PLAIN);
  g_assert_cmphex (pixel (s, x0 + W * 16 + 1, y0), ==, WHITE);
  g_assert_true (has_text (s, x0, 0, x0 + W * 16, y0));   /* a column label */
  g_assert_true (has_text (s, 0, y0, x0, y0 + H * 16));   /* a row label */
  cairo_surface_destroy (s);

  /* Tiny images: the columns widen to their labels, images centred. */
  g_autofree char *small = temp_path ("table-small.png");
  g_assert_true (sw_figure_image_table (small, images, ROWS, COLS, 3, H, W, 1, rows, cols, NULL,
                                        &error));
  g_assert_no_error (error);
  s = load_png (small);
  g_assert_cmpint (count_pixels (s, PLAIN), ==, ROWS * COLS * H * W);
  first_image_pixel (s, &x0, &y0);
  int pitch = 0;
  for (int x = x0 + W; x < cairo_image_surface_get_width (s) && pitch == 0; x++)
    if (pixel (s, x, y0) == PLAIN)
      pitch = x - x0;
  g_assert_cmpint (pitch, >, 30);
  g_assert_cmphex (pixel (s, x0 + 2 * pitch, y0 + H - 1), ==, PLAIN);
  cairo_surface_destroy (s);
}

/* The series colour: strongly blue, not grey, not the light background. */
static gboolean
is_series (guint32 p)
{
  int r = p >> 16, b = p & 0xff;
  return r < 90 && b > r + 60;
}

static gboolean
is_light_series (guint32 p)
{
  int r = p >> 16, b = p & 0xff;
  return r > 140 && r < 220 && b > r + 25;
}

static void
test_loss_curve (void)
{
  /* 200 steps decaying from 1 to 0.01, with points a log axis cannot show,
   * and their means over 4 "epochs" in front */
  enum { N = 200 };
  float batch[N], epoch[4] = { 0 };
  for (int i = 0; i < N; i++)
    {
      batch[i] = powf (0.01f, i / (N - 1.0f)) * (1 + 0.2f * sinf (i * 1.7f));
      epoch[i / 50] += batch[i] / 50;
    }
  batch[17] = NAN;
  batch[18] = 0;
  batch[60] = -1;
  batch[61] = INFINITY;
  g_autofree char *path = temp_path ("loss.png");
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_figure_loss_curve (path, "Training loss", "step", "loss", epoch, 4, batch, N,
                                       &error));
  g_assert_no_error (error);

  cairo_surface_t *s = load_png (path);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 500);
  g_assert_cmphex (pixel (s, 0, 0), ==, WHITE);
  g_assert_cmphex (pixel (s, 799, 499), ==, WHITE);
  g_assert_cmphex (pixel (s, 799, 0), ==, WHITE);
  /* The mean curve falls: its pixels in the left of the plot lie higher
   * (smaller y) than those in the right; the batch curve shows behind. */
  double left_y = 0, right_y = 0;
  int left_n = 0, right_n = 0, light = 0;
  for (int y = 40; y < 440; y++)
    for (int x = 100; x < 780; x++)
      {
        guint32 p = pixel (s, x, y);
        light += is_light_series (p);
        if (!is_series (p))
          continue;
        if (x < 300)
          left_y += y, left_n++;
        else if (x > 600)
          right_y += y, right_n++;
      }
  g_assert_cmpint (left_n, >, 20);
  g_assert_cmpint (right_n, >, 20);
  g_assert_cmpfloat (left_y / left_n + 50, <, right_y / right_n);
  g_assert_cmpint (light, >, 300);
  /* tick labels left of the plot and below it, the title above */
  g_assert_true (has_text (s, 0, 60, 70, 420));
  g_assert_true (has_text (s, 100, 440, 780, 475));
  g_assert_true (has_text (s, 200, 0, 600, 35));
  cairo_surface_destroy (s);
}

static void
test_loss_curve_shapes (void)
{
  /* A flat curve, a single point, 60 decades, and a tenth of one: each
   * draws, with its points inside the plot. */
  float flat[10], wide[100], narrow[50], one = 0.25f;
  for (int i = 0; i < 10; i++)
    flat[i] = 0.5f;
  for (int i = 0; i < 100; i++)
    wide[i] = powf (10, 30 - 0.6f * i);
  for (int i = 0; i < 50; i++)
    narrow[i] = 0.031f + 0.0003f * (i % 7);
  const struct {
    const float *v;
    size_t n;
  } cases[] = { { flat, 10 }, { &one, 1 }, { wide, 100 }, { narrow, 50 } };
  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *name = g_strdup_printf ("shape-%zu.png", c);
      g_autofree char *path = temp_path (name);
      g_autoptr (GError) error = NULL;
      g_assert_true (sw_figure_loss_curve (path, NULL, NULL, NULL, cases[c].v, cases[c].n, NULL, 0,
                                           &error));
      g_assert_no_error (error);
      cairo_surface_t *s = load_png (path);
      int series = 0;
      for (int y = 0; y < 500; y++)
        for (int x = 0; x < 800; x++)
          series += is_series (pixel (s, x, y));
      g_assert_cmpint (series, >, 20);
      g_assert_true (has_text (s, 0, 0, 80, 500));   /* y tick labels */
      cairo_surface_destroy (s);
    }
}

static void
assert_error (GError *error, int code, const char *part)
{
  g_assert_error (error, SW_ERROR, code);
  if (strstr (error->message, part) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, part);
}

static void
test_loss_curve_errors (void)
{
  g_autofree char *path = temp_path ("bad-loss.png");
  float bad[] = { NAN, 0, -1, INFINITY, -INFINITY };
  float good[] = { 1, 0.5f };
  GError *error = NULL;

  g_assert_false (sw_figure_loss_curve (path, NULL, NULL, NULL, good, 0, NULL, 0, &error));
  assert_error (error, SW_ERROR_INVALID, "at least one value");
  g_clear_error (&error);
  g_assert_false (sw_figure_loss_curve (path, NULL, NULL, NULL, bad, 5, bad, 2, &error));
  assert_error (error, SW_ERROR_INVALID, "none of the 7 loss values is finite and positive");
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_autofree char *missing = g_build_filename (tmpdir, "no-such-folder", "loss.png", NULL);
  g_assert_false (sw_figure_loss_curve (missing, NULL, NULL, NULL, good, 2, NULL, 0, &error));
  assert_error (error, SW_ERROR_IO, missing);
  g_clear_error (&error);
}

static void
test_grid_errors (void)
{
  g_autofree char *path = temp_path ("bad-grid.png");
  g_autofree float *images = plain_images (4, 28, 28);
  const struct {
    int n, C, H, W, cols, scale;
    const char *message;
  } cases[] = {
    { 0, 1, 28, 28, 4, 1, "at least one image" },
    { -3, 1, 28, 28, 4, 1, "at least one image" },
    { 4, 1, 28, 28, 0, 1, "at least one column" },
    { 4, 2, 28, 28, 4, 1, "accepted are 1 (grey) and 3 (RGB)" },
    { 4, 4, 28, 28, 4, 1, "accepted are 1 (grey) and 3 (RGB)" },
    { 4, 1, 0, 28, 4, 1, "accepted are 1 to 16384 on a side" },
    { 4, 1, 28, 28, 4, 0, "accepted are 1 to 64" },
    { 4, 1, 28, 28, 4, 65, "accepted are 1 to 64" },
    { 4, 1, 28, 28, 10, 64, "at most 16384 are accepted on a side" },
    { 1, 1, 16384, 1, 1, 2, "at most 16384 are accepted on a side" },
    { 4, 1, 28, 28, G_MAXINT, 1, "at most 16384 are accepted on a side" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_false (sw_figure_image_grid (path, images, cases[i].n, cases[i].C, cases[i].H,
                                            cases[i].W, cases[i].cols, cases[i].scale, NULL, NULL,
                                            &error));
      assert_error (error, SW_ERROR_INVALID, cases[i].message);
      g_error_free (error);
    }

  GError *error = NULL;
  g_assert_false (sw_figure_image_table (path, images, 0, 4, 1, 28, 28, 1, NULL, NULL, NULL, &error));
  assert_error (error, SW_ERROR_INVALID, "at least one row and one column");
  g_clear_error (&error);
  g_assert_false (sw_figure_image_table (path, images, 2, -1, 1, 28, 28, 1, NULL, NULL, NULL, &error));
  assert_error (error, SW_ERROR_INVALID, "at least one row and one column");
  g_clear_error (&error);
  g_assert_false (sw_figure_image_table (path, images, G_MAXINT, G_MAXINT, 1, 28, 28, 1, NULL, NULL,
                                         NULL, &error));
  assert_error (error, SW_ERROR_INVALID, "at most 16384 are accepted on a side");
  g_clear_error (&error);
  g_assert_false (sw_figure_image_table (path, images, 2, 2, 3, 28, 28, 0, NULL, NULL, NULL, &error));
  assert_error (error, SW_ERROR_INVALID, "accepted are 1 to 64");
  g_clear_error (&error);
  /* labels too long for any figure */
  g_autofree char *huge = g_strnfill (3000, 'W');
  const char *labels[] = { huge, huge };
  g_assert_false (sw_figure_image_table (path, images, 2, 2, 3, 28, 28, 1, labels, NULL, NULL, &error));
  assert_error (error, SW_ERROR_INVALID, "shorter labels");
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in DIR, sorted, joined by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
test_atomic_write (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "atomic", NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_autofree char *path = g_build_filename (dir, "figure.png", NULL);
  g_autofree float *images = plain_images (2, 3, 3);
  g_autoptr (GError) error = NULL;
  int width, height;

  g_assert_true (sw_figure_image_grid (path, images, 2, 3, 3, 3, 2, 1, NULL, NULL, &error));
  g_assert_true (sw_figure_png_size (path, &width, &height, &error));
  g_assert_cmpint (width, ==, 12);
  /* replaced whole, and no temporary file is left beside it */
  g_assert_true (sw_figure_image_grid (path, images, 2, 3, 3, 3, 1, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sw_figure_png_size (path, &width, &height, &error));
  g_assert_cmpint (width, ==, 7);
  g_assert_cmpint (height, ==, 12);
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "figure.png");

  /* a folder in the way is refused (output-file.h), no temporary file left */
  g_autofree char *blocked = g_build_filename (dir, "blocked.png", NULL);
  g_assert_cmpint (g_mkdir (blocked, 0755), ==, 0);
  g_assert_false (sw_figure_image_grid (blocked, images, 2, 3, 3, 3, 1, 1, NULL, NULL, &error));
  assert_error (error, SW_ERROR_IO, "blocked.png");
  g_clear_error (&error);
  g_autofree char *after = list_dir (dir);
  g_assert_cmpstr (after, ==, "blocked.png figure.png");
  g_assert_cmpint (g_rmdir (blocked), ==, 0);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_png_size_errors (void)
{
  g_autofree char *text = temp_path ("not-a.png");
  g_autofree char *truncated = temp_path ("truncated.png");
  g_autofree char *missing = temp_path ("missing.png");
  g_autofree char *good = temp_path ("good.png");
  float one = 0.5f;
  GError *error = NULL;
  g_assert_true (sw_figure_image_grid (good, &one, 1, 1, 1, 1, 1, 1, NULL, NULL, &error));
  g_autofree char *bytes = NULL;
  gsize size;
  g_assert_true (g_file_get_contents (good, &bytes, &size, NULL));
  g_assert_true (g_file_set_contents (truncated, bytes, 20, NULL));
  g_assert_true (g_file_set_contents (text, "hello, not an image, but long enough", -1, NULL));

  g_assert_false (sw_figure_png_size (missing, NULL, NULL, &error));
  assert_error (error, SW_ERROR_IO, "missing.png");
  g_clear_error (&error);
  g_assert_false (sw_figure_png_size (text, NULL, NULL, &error));
  assert_error (error, SW_ERROR_FORMAT, "not a PNG file");
  g_clear_error (&error);
  g_assert_false (sw_figure_png_size (truncated, NULL, NULL, &error));
  assert_error (error, SW_ERROR_FORMAT, "not a PNG file");
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  tmpdir = g_dir_make_tmp ("stepwise-figures-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/figures/grid/pixels", test_grid_pixels);
  g_test_add_func ("/figures/grid/rgb", test_grid_rgb);
  g_test_add_func ("/figures/grid/labels", test_grid_labels);
  g_test_add_func ("/figures/grid/long-title", test_grid_long_title);
  g_test_add_func ("/figures/grid/errors", test_grid_errors);
  g_test_add_func ("/figures/table", test_table);
  g_test_add_func ("/figures/loss/curve", test_loss_curve);
  g_test_add_func ("/figures/loss/shapes", test_loss_curve_shapes);
  g_test_add_func ("/figures/loss/errors", test_loss_curve_errors);
  g_test_add_func ("/figures/atomic-write", test_atomic_write);
  g_test_add_func ("/figures/png-size/errors", test_png_size_errors);
  int status = g_test_run ();

  sw_test_remove_dir (tmpdir);
  g_free (tmpdir);
  return status;
}
