/* ddpm-linear.h: the Part B DDPM schedule (docs/math.md 2.5): T steps,
 * beta_t = linspace(beta1, beta2, T)[t-1] for t = 1..T, alpha_t = 1 - beta_t,
 * alpha_bar_t = prod_{s<=t} alpha_s, alpha_bar_0 = 1. */
#pragma once

typedef struct {
  int T;
  double *beta;       /* [0..T], beta[0] unused (0) */
  double *alpha_bar;  /* [0..T], alpha_bar[0] = 1 */
} SwDdpmLinear;

void sw_ddpm_linear_init (SwDdpmLinear *s, int T, double beta1, double beta2);
void sw_ddpm_linear_clear (SwDdpmLinear *s);
