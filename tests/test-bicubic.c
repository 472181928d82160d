/* Bicubic upsampling (data/bicubic.h) and the super-resolution metrics
 * (eval/sr-metrics.h) that stepwise-cli eval-sr scores with: a constant
 * image stays constant, a linear ramp comes back exactly away from the
 * borders, one pixel worked by hand from Keys' formula, the kernel's
 * values at its knots; PSNR and the gradient energy on images whose
 * answers are known. */
#include <glib.h>
#include <math.h>

#include "data/bicubic.h"
#include "eval/sr-metrics.h"

/* every output of a constant image is that constant: the four weights
 * sum to 1 at every phase */
static void
test_constant (void)
{
  enum { P = 2, s = 5, F = 4, S = s * F };
  float lo[P * s * s], up[P * S * S];
  for (int i = 0; i < P * s * s; i++)
    lo[i] = i < s * s ? 0.3f : -0.7f;
  sw_bicubic_upsample (P, s, F, lo, up);
  for (int i = 0; i < P * S * S; i++)
    g_assert_cmpfloat_with_epsilon (up[i], i < S * S ? 0.3f : -0.7f, 1e-6f);
}

/* lo(y, x) = 2x - y + 1 comes back as the same plane on the output's
 * half-pixel grid, u = (X + 0.5) / F - 0.5, wherever no tap is clamped */
static void
test_ramp (void)
{
  enum { s = 8, F = 4, S = s * F };
  float lo[s * s], up[S * S];
  for (int y = 0; y < s; y++)
    for (int x = 0; x < s; x++)
      lo[y * s + x] = 2.0f * x - y + 1.0f;
  sw_bicubic_upsample (1, s, F, lo, up);
  int checked = 0;
  for (int Y = 0; Y < S; Y++)
    for (int X = 0; X < S; X++)
      {
        const double u = (X + 0.5) / F - 0.5, v = (Y + 0.5) / F - 0.5;
        /* the taps floor(u) - 1 .. floor(u) + 2 all inside the image */
        if (floor (u) < 1 || floor (u) + 2 > s - 1 || floor (v) < 1 || floor (v) + 2 > s - 1)
          continue;
        g_assert_cmpfloat_with_epsilon (up[Y * S + X], 2.0 * u - v + 1.0, 1e-5);
        checked++;
      }
  g_assert_cmpint (checked, >, S * S / 3);
}

/* Keys' kernel, a = -0.5: 1 at 0, 0 at the other knots, and W(0.75) =
 * 1.5 (0.75)^3 - 2.5 (0.75)^2 + 1 = 29/128 by hand */
static void
test_kernel (void)
{
  g_assert_cmpfloat (sw_bicubic_weight (0.0), ==, 1.0);
  g_assert_cmpfloat (sw_bicubic_weight (1.0), ==, 0.0);
  g_assert_cmpfloat (sw_bicubic_weight (-2.0), ==, 0.0);
  g_assert_cmpfloat (sw_bicubic_weight (0.75), ==, 29.0 / 128.0);
  /* the outer lobe: -0.5 (1.25^3 - 5 * 1.25^2 + 8 * 1.25 - 4) = -0.0703125 */
  g_assert_cmpfloat (sw_bicubic_weight (-1.25), ==, -0.0703125);
}

/* a single 1 at (2, 2) of a 4x4 image, upsampled 2x: output (3, 3)
 * reads the grid at 1.25 on both axes, so its taps are 0..3 at distances
 * 1.25, 0.25, 0.75, 1.75, and the 1 at 2 weighs W(0.75) on each axis:
 * (29/128)^2 = 841/16384 */
static void
test_one_value (void)
{
  float lo[16] = { 0 }, up[64];
  lo[2 * 4 + 2] = 1.0f;
  sw_bicubic_upsample (1, 4, 2, lo, up);
  g_assert_cmpfloat (up[3 * 8 + 3], ==, 841.0f / 16384.0f);
  /* (4, 4) reads the grid at 1.75: the 1 at 2 is 0.25 away on each axis */
  const double w = sw_bicubic_weight (0.25);
  g_assert_cmpfloat_with_epsilon (up[4 * 8 + 4], w * w, 1e-7);
}

/* PSNR of a known MSE and of identical images; the gradient energy of
 * a vertical edge, of that edge blurred over two pixels (half of it:
 * the mean |dx| would not have fallen) and of a flat image */
static void
test_metrics (void)
{
  const float a[4] = { 0.0f, 0.5f, 1.0f, 0.25f }, b[4] = { 0.1f, 0.4f, 1.0f, 0.25f };
  g_assert_cmpfloat_with_epsilon (sw_mse (4, a, b), 0.02 / 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (sw_psnr (0.01), 20.0, 1e-12);
  g_assert_cmpfloat (sw_psnr (sw_mse (4, a, a)), ==, SW_PSNR_MAX);
  /* 3x3, one channel, columns 0 0 1: dx^2 is 1 on 3 of the 6 horizontal
   * pairs, dy 0; columns 0 0.5 1: dx^2 0.25 on all 6 */
  const float edge[9] = { 0, 0, 1, 0, 0, 1, 0, 0, 1 };
  const float blurred[9] = { 0, 0.5f, 1, 0, 0.5f, 1, 0, 0.5f, 1 };
  const float flat[9] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
  g_assert_cmpfloat_with_epsilon (sw_gradient_energy (1, 3, 3, edge), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (sw_gradient_energy (1, 3, 3, blurred), 0.25, 1e-12);
  g_assert_cmpfloat (sw_gradient_energy (1, 3, 3, flat), ==, 0.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bicubic/constant", test_constant);
  g_test_add_func ("/bicubic/ramp", test_ramp);
  g_test_add_func ("/bicubic/kernel", test_kernel);
  g_test_add_func ("/bicubic/one-value", test_one_value);
  g_test_add_func ("/bicubic/metrics", test_metrics);
  return g_test_run ();
}
