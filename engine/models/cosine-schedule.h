/* cosine-schedule.h: the Part A noise schedule (docs/math.md 1.1.5) and its
 * strided timesteps (docs/math.md 1.2.4).
 *
 * alpha_bar(s) = cos^2(((s + 0.008) / 1.008) pi/2); for i = 0..T-1,
 * beta_i = min(1 - alpha_bar((i+1)/T) / alpha_bar(i/T), 0.999) and
 * alpha_bar_t = prod_{i<=t} (1 - beta_i): diffusers' "squaredcos_cap_v2",
 * indexed by t in [0, T-1]. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SW_COSINE_T 1000

/* ALPHA_BAR: T values, alpha_bar[t] for t = 0..T-1 */
void sw_cosine_alpha_bar (int T, double *alpha_bar);

/* The timesteps of a STEPS-update sampler, from the top of the schedule
 * down to 0 (docs/math.md 1.2.4): stride = (T-1) / STEPS (integer
 * division), TS[k] = (STEPS - k) * stride for k = 0..STEPS when that
 * starts within one stride of T-1 (STEPS = 33 with T = 1000 gives 990,
 * 960, ..., 30, 0); otherwise TS[k] = round((STEPS - k) (T-1) / STEPS),
 * from T-1 (500 steps: 999, 997, 995, ...).  TS holds STEPS + 1 values,
 * strictly decreasing.  STEPS must lie in 1..T-1. */
void sw_strided_timesteps (int T, int steps, int *ts);

/* The start index (0..STEPS-1) of a STEPS-update sampler whose timestep is
 * nearest T_START (the higher on a tie): where a job from an image keeps
 * starting when its step count changes, so that raising the steps does
 * not move its start towards pure noise. */
int  sw_strided_index (int T, int steps, int t_start);

G_END_DECLS
