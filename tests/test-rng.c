/* The random numbers are a fixed function of the seed. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

static void
test_known_stream (void)
{
  /* PCG32 reference: seed 42, stream 54 (pcg32-demo's first outputs) */
  SwRng r;
  sw_rng_init (&r, 42, 54);
  const uint32_t want[] = { 0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e };
  for (size_t i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmphex (sw_rng_u32 (&r), ==, want[i]);
}

static void
test_same_seed_same_numbers (void)
{
  SwRng a, b;
  sw_rng_init (&a, 7, 1);
  sw_rng_init (&b, 7, 1);
  float x[1000], y[1000];
  sw_rng_fill_normal (&a, x, 1000);
  sw_rng_fill_normal (&b, y, 1000);
  g_assert_cmpmem (x, sizeof x, y, sizeof y);
  sw_rng_init (&b, 8, 1);
  sw_rng_fill_normal (&b, y, 1000);
  g_assert_true (memcmp (x, y, sizeof x) != 0);
}

static void
test_normal_moments (void)
{
  SwRng r;
  sw_rng_init (&r, 123, 0);
  const int n = 200000;
  double s = 0, ss = 0, s4 = 0;
  for (int i = 0; i < n; i++)
    {
      double v = sw_rng_normal (&r);
      s += v;
      ss += v * v;
      s4 += v * v * v * v;
    }
  g_assert_cmpfloat (fabs (s / n), <, 0.01);
  g_assert_cmpfloat (fabs (ss / n - 1.0), <, 0.01);
  g_assert_cmpfloat (fabs (s4 / n - 3.0), <, 0.06);  /* Gaussian kurtosis */
}

static void
test_below_and_shuffle (void)
{
  SwRng r;
  sw_rng_init (&r, 5, 0);
  int counts[10] = { 0 };
  for (int i = 0; i < 100000; i++)
    counts[sw_rng_below (&r, 10)]++;
  for (int i = 0; i < 10; i++)
    g_assert_cmpint (abs (counts[i] - 10000), <, 500);
  int idx[50];
  for (int i = 0; i < 50; i++)
    idx[i] = i;
  sw_rng_shuffle (&r, idx, 50);
  int seen[50] = { 0 };
  for (int i = 0; i < 50; i++)
    seen[idx[i]]++;
  for (int i = 0; i < 50; i++)
    g_assert_cmpint (seen[i], ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rng/pcg32-reference", test_known_stream);
  g_test_add_func ("/rng/same-seed", test_same_seed_same_numbers);
  g_test_add_func ("/rng/normal-moments", test_normal_moments);
  g_test_add_func ("/rng/below-and-shuffle", test_below_and_shuffle);
  return g_test_run ();
}
