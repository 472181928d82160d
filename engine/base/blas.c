#include "base/blas.h"

#include <cblas.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENV_CHOICE "STEPWISE_BLAS_CHOICE"      /* set across our own re-exec */
#define ENV_DETECTED "STEPWISE_BLAS_DETECTED"

static char core_note[256] = "not set up: sw_blas_setup() was not called";

const char *
sw_blas_core_name (void)
{
  return openblas_get_corename ();
}

const char *
sw_blas_core_note (void)
{
  return core_note;
}

static gboolean
core_in (const char *core, const char * const *list)
{
  for (; *list; list++)
    if (g_ascii_strcasecmp (core, *list) == 0)
      return TRUE;
  return FALSE;
}

const char *
sw_blas_better_core (const char *detected, gboolean avx512, gboolean avx2_fma)
{
  /* cores with AVX2 kernels: OpenBLAS's choice is trusted */
  static const char * const modern[] = { "Haswell", "Zen", "SkylakeX", "Cooperlake",
                                         "SapphireRapids", NULL };
  if (core_in (detected, modern))
    return NULL;
  if (avx512)
    return "SkylakeX";
  if (avx2_fma)
    return "Haswell";
  return NULL;
}

static const char *
better_core_for_this_cpu (const char *detected)
{
  gboolean avx512 = FALSE, avx2_fma = FALSE;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
  avx512 = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
           && __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl");
  avx2_fma = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#endif
  return sw_blas_better_core (detected, avx512, avx2_fma);
}

/* A 37x29x41 product against a plain loop: catches kernels the CPU (or the
 * hypervisor) does not really run. */
static gboolean
gemm_agrees (void)
{
  enum { M = 37, N = 29, K = 41 };
  static float a[M * K], b[K * N], c[M * N];
  for (int i = 0; i < M * K; i++)
    a[i] = (float) ((i * 7919) % 97) / 97.0f - 0.5f;
  for (int i = 0; i < K * N; i++)
    b[i] = (float) ((i * 104729) % 89) / 89.0f - 0.5f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++)
      {
        double s = 0.0;
        for (int k = 0; k < K; k++)
          s += (double) a[i * K + k] * b[k * N + j];
        if (!(fabs (s - c[i * N + j]) <= 1e-4 * (1.0 + fabs (s))))
          return FALSE;
      }
  return TRUE;
}

static void
reexec (char **argv, const char *core)
{
  setenv ("OPENBLAS_CORETYPE", core, 1);
  execv ("/proc/self/exe", argv);
  /* exec failed: carry on with the kernels we have */
}

static void
one_thread_each (void)
{
  /* the engine splits work over the cores itself (parallel.h) */
  openblas_set_num_threads (1);
}

static void choose_core (char **argv);

static char wait_note[128] = "not set up: sw_blas_setup() was not called";

const char *
sw_wait_policy_note (void)
{
  return wait_note;
}

void
sw_blas_setup (char **argv)
{
  /* Idle OpenMP threads spin for a while by default: with another
   * process on the cores (a second run, the tests meson runs side by side,
   * an eval beside a training run) the spinning took a third of this
   * program's cycles and slowed both.  libgomp reads the policy while it
   * loads, so a restart makes it take effect (choose_core's, if it makes
   * one, else our own).  STEPWISE_WAIT_SET marks the value as ours. */
  const char *user = getenv ("OMP_WAIT_POLICY");
  gboolean ours = getenv ("STEPWISE_WAIT_SET") != NULL, restart = !user;
  if (!user)
    {
      setenv ("OMP_WAIT_POLICY", "passive", 1);
      setenv ("STEPWISE_WAIT_SET", "1", 1);
      ours = TRUE;
    }
  choose_core (argv);
  if (restart)
    execv ("/proc/self/exe", argv);
  /* children choose for themselves, as for the core */
  if (ours)
    {
      unsetenv ("OMP_WAIT_POLICY");
      unsetenv ("STEPWISE_WAIT_SET");
    }
  if (restart)
    g_strlcpy (wait_note, "OpenMP's default (could not restart to set passive)", sizeof wait_note);
  else if (ours)
    g_strlcpy (wait_note, "passive (set by Stepwise)", sizeof wait_note);
  else
    g_snprintf (wait_note, sizeof wait_note, "%s (set by the user)", user);
  one_thread_each ();
}

static void
choose_core (char **argv)
{
  const char *user = getenv ("OPENBLAS_CORETYPE");
  const char *choice = getenv (ENV_CHOICE);
  const char *detected = getenv (ENV_DETECTED);

  if (choice && detected)
    {
      /* we are the re-executed process */
      g_autofree char *was = g_strdup (detected);
      g_autofree char *chose = g_strdup (choice);
      unsetenv (ENV_CHOICE);
      unsetenv (ENV_DETECTED);
      if (strcmp (chose, "fallback") == 0)
        {
          g_snprintf (core_note, sizeof core_note,
                      "OpenBLAS's own choice %s: a faster core failed its GEMM check", was);
          return;
        }
      if (!gemm_agrees ())
        {
          setenv (ENV_CHOICE, "fallback", 1);
          setenv (ENV_DETECTED, was, 1);
          reexec (argv, was);
        }
      g_snprintf (core_note, sizeof core_note,
                  "chosen by Stepwise for this CPU (OpenBLAS detected %s)", was);
      unsetenv ("OPENBLAS_CORETYPE");  /* children choose for themselves */
      return;
    }
  if (user)
    {
      g_snprintf (core_note, sizeof core_note, "set by the user (OPENBLAS_CORETYPE=%s)", user);
      return;
    }
  const char *core = openblas_get_corename ();
  const char *better = better_core_for_this_cpu (core);
  if (!better)
    {
      g_snprintf (core_note, sizeof core_note, "detected by OpenBLAS");
      return;
    }
  setenv (ENV_CHOICE, better, 1);
  setenv (ENV_DETECTED, core, 1);
  reexec (argv, better);
  unsetenv (ENV_CHOICE);
  unsetenv (ENV_DETECTED);
  unsetenv ("OPENBLAS_CORETYPE");
  g_snprintf (core_note, sizeof core_note,
              "detected by OpenBLAS (could not restart with %s)", better);
}
