/* cli-bench.h: what the parts of `stepwise-cli bench` share: the report
 * they write into, the clock, peak memory, and the timing loops of a
 * training step, a forward pass and a whole generation job. */
#pragma once

#include <glib.h>

#include "models/eps-model.h"
#include "models/unet.h"
#include "train/train-net.h"

typedef struct {
  GString *text;
  GString *json;
  double seconds;     /* time budget per measurement */
  SwCondPoints cond;  /* of the class UNets measured */
} SwBenchReport;

/* seconds on the monotonic clock */
double sw_bench_now (void);
/* peak resident memory since the last reset, in MiB */
double sw_bench_peak_rss_mib (void);
void   sw_bench_reset_peak_rss (void);
/* appends "KEY": VALUE to the JSON object */
void   sw_bench_json_field (SwBenchReport *r, const char *key, double value);

/* training steps of NET (borrowed) on N images X, times T and class
 * vectors C (NULL: none), the target X itself: forward, MSE, backward,
 * Adam; the first step untimed */
typedef struct {
  double images_per_s;
  double ms_per_step;
  double gflops;       /* backward counted as two forwards */
  double peak_rss_mib; /* since sw_bench_reset_peak_rss */
} SwBenchTrain;

SwBenchTrain sw_bench_train_run (const SwBenchReport *r, SwTrainNet *net, int N, const float *x,
                                 const float *t, const float *c);
/* "  train LABEL  images/s  VERSUS", then GFLOP/s (as a fraction of
 * SGEMM), ms/step and peak RSS; JSON fields KEY_images_per_s, _gflops,
 * _ms_per_step and _peak_rss_mib */
void         sw_bench_train_report (SwBenchReport *r, const char *label, const char *key,
                                    const SwBenchTrain *res, const char *versus, double sgemm);

/* ms of one inference forward of NET on N images (the first untimed) */
double sw_bench_forward_ms (const SwBenchReport *r, SwTrainNet *net, int N, const float *x,
                            const float *t, const float *c);
/* seconds of one whole job: one image from noise, 33 strided steps, CFG 7
 * (both passes in one batch of 2) for the prompt COND, as the app and
 * `generate` run it (a warm-up run first, untimed) */
double sw_bench_job_s (const SwBenchReport *r, SwEpsModel *m, const float *cond);
/* "  generate LABEL  s  ... than the target (TARGET_S s)"; JSON KEY */
void   sw_bench_generate_report (SwBenchReport *r, const char *label, const char *key, double s,
                                 double target_s);

/* the emoji-stage1 net's vocabulary: the emoji captions' words */
#define SW_BENCH_STAGE1_VOCAB 2424
/* "w0 w1 ... w{V-1}": a vocabulary of V words for an eps-model */
char  *sw_bench_vocabulary_meta (int V);

/* the stage I section (cli-bench-stage1.c): emoji-stage1's residual
 * attention UNet beside PyTorch running the reference's net, measured in
 * the same run */
void sw_bench_stage1 (SwBenchReport *r, double sgemm);
/* the cascade section (cli-bench-cascade.c): one prompt -> 64x64 through
 * both stages with the shipped defaults, each stage's ms per step beside
 * issue 24's budget of 1 s */
void sw_bench_cascade (SwBenchReport *r);
