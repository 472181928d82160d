/* adam.h: Adam with PyTorch's defaults and ExponentialLR, and optionally
 * an exponential moving average of the weights.
 *
 * The moments m and v are one allocation each, laid out like the
 * parameters, so a step is one loop over every float; so is the average,
 * which diffusion models sample from because its weights are smoother than
 * the last step's (torch.optim.swa_utils.AveragedModel with an EMA). */
#pragma once

#include <stddef.h>

/* parameters [begin, end) whose rate is lr * scale: PyTorch's parameter
 * groups, for weights that a batch reaches rarely (a prompt word's vector
 * gets a gradient only from the few images whose caption has the word) */
typedef struct {
  size_t begin, end;
  float  scale;
} SwAdamGroup;

enum { SW_ADAM_MAX_GROUPS = 16 };

typedef struct {
  float lr;           /* current learning rate */
  float beta1, beta2; /* 0.9, 0.999 */
  float eps;          /* 1e-8 */
  float weight_decay; /* 0: PyTorch's default, L2 added to the gradient */
  long  step;         /* steps taken, for bias correction */
  size_t n;
  float *m, *v;
  float ema_decay;    /* per step; the average is off (ema NULL) until enabled */
  float *ema;         /* ema = d * ema + (1 - d) * params after a step, where
                       * d = min(ema_decay, (1 + step) / (10 + step)) */
  int n_groups;       /* ranges at a scaled rate, in order, disjoint; the rest at lr */
  SwAdamGroup groups[SW_ADAM_MAX_GROUPS];
} SwAdam;

void sw_adam_init (SwAdam *opt, size_t n, float lr);
void sw_adam_clear (SwAdam *opt);
void sw_adam_step (SwAdam *opt, float *params, const float *grads);
/* runs [BEGIN, END) at lr * SCALE; ranges are added in order, after the last */
void sw_adam_add_group (SwAdam *opt, size_t begin, size_t end, float scale);
/* starts (or, when on, re-sets the decay of) the average from PARAMS */
void sw_adam_enable_ema (SwAdam *opt, float decay, const float *params);

/* ExponentialLR: lr = lr0 * gamma^epoch, stepped once per epoch */
typedef struct {
  float lr0;
  float gamma;
} SwExponentialLR;

float sw_exponential_lr (const SwExponentialLR *sched, int epoch);
