/* classifier.h: the small image classifier behind the built-in quality score.
 *
 *   conv1 (C -> 32, k3 s2 p1) -> GELU -> conv2 (32 -> 64, k3 s2 p1) -> GELU
 *   -> flatten -> fc1 (64 * H/4 * W/4 -> 128) -> GELU -> fc2 (128 -> classes)
 *
 * The 128 values after fc1's GELU are the features whose Fréchet distance
 * (frechet.h) compares generated images with real ones.  No BatchNorm, so
 * training and evaluation run the same forward.
 *
 * Verbs, as in llm.c and unet.h: new, init_params, forward, zero_grad,
 * backward, free.  Parameters and gradients each live in one allocation,
 * named by the tensor table with the state_dict keys of a PyTorch port
 * ("conv1.weight", ..., "fc2.bias"). */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "base/error.h"
#include "io/safetensors.h"  /* SwDtype */
#include "models/unet.h"  /* SwTensorInfo */

G_BEGIN_DECLS

#define SW_CLASSIFIER_FORMAT "stepwise-classifier"
#define SW_CLASSIFIER_VERSION "1"
#define SW_CLASSIFIER_FEATURES 128

typedef struct {
  int channels;   /* 1 (grey) or 3 (RGB) */
  int size;       /* square images, 4 to 128 pixels */
  int n_classes;  /* 2 to 256 (labels are bytes) */
} SwClassifierConfig;

/* What a saved classifier records beside its weights. */
typedef struct {
  char   *dataset;        /* the data it learnt, e.g. "fashion" */
  char  **class_names;    /* n_classes names, NULL-terminated; no commas */
  int     epochs;         /* epochs trained */
  double  test_accuracy;  /* share of the test split it classifies right */
} SwClassifierRecord;

typedef struct _SwClassifier SwClassifier;

/* Called after every training step; return FALSE to stop training, which
 * then fails with SW_ERROR_CANCELLED. */
typedef gboolean (*SwClassifierProgress) (int epoch, int epochs, int step, int steps,
                                          float loss, gpointer user_data);

gboolean      sw_classifier_config_validate (const SwClassifierConfig *cfg, GError **error);
SwClassifier *sw_classifier_new (const SwClassifierConfig *cfg, GError **error);
void          sw_classifier_free (SwClassifier *c);
const SwClassifierConfig *sw_classifier_config (const SwClassifier *c);

/* PyTorch's default initialisation (uniform +-1/sqrt(fan_in)), seeded. */
void     sw_classifier_init_params (SwClassifier *c, uint64_t seed);

size_t              sw_classifier_num_params (const SwClassifier *c);
size_t              sw_classifier_n_tensors (const SwClassifier *c);
const SwTensorInfo *sw_classifier_tensor (const SwClassifier *c, size_t i);
const SwTensorInfo *sw_classifier_find_tensor (const SwClassifier *c, const char *name);
float              *sw_classifier_params (SwClassifier *c);
float              *sw_classifier_grads (SwClassifier *c);

/* x (N, C, H, W) in [0, 1] -> logits (N, n_classes); features (N, 128) is
 * filled when not NULL.  Grows the activation memory for N on demand. */
void     sw_classifier_forward (SwClassifier *c, int N, const float *x, float *logits,
                                float *features);
void     sw_classifier_zero_grad (SwClassifier *c);
/* dlogits (N, n_classes) for the last forward; accumulates into the
 * parameter gradients. */
void     sw_classifier_backward (SwClassifier *c, const float *dlogits);

/* Runs images (n, C, H, W) through the net BATCH at a time; logits
 * (n, n_classes) and features (n, 128) are filled where not NULL. */
void     sw_classifier_predict (SwClassifier *c, int n, const float *images, int batch,
                                float *logits, float *features);
/* The index of the largest of K logits (the first, on a tie). */
int      sw_classifier_top_class (const float *logits, int K);
/* Share of the n images whose largest logit is their label. */
double   sw_classifier_accuracy (SwClassifier *c, int n, const float *images,
                                 const uint8_t *labels, int batch);

/* Legibility, for samples that have no requested class: the share of the
 * n rows of LOGITS (n, K) whose softmax gives the top class at least
 * P_MIN.  TOP (K), when not NULL, receives how many rows have each class on
 * top, confident or not (how the samples spread over the classes). */
double   sw_classifier_confident_share (const float *logits, int n, int K, double p_min,
                                        int *top);

/* Adam (PyTorch's defaults, learning rate LR) on the softmax cross-entropy,
 * from the current parameters, over EPOCHS passes through images (n, C, H, W)
 * and labels (n), shuffled afresh each epoch from SEED; the last batch of an
 * epoch may be smaller.  The same seed gives the same weights for a given
 * thread count.  CB may be NULL. */
gboolean sw_classifier_train (SwClassifier *c, const float *images, const uint8_t *labels,
                              int n, int epochs, int batch, float lr, uint64_t seed,
                              SwClassifierProgress cb, gpointer user_data, GError **error);

/* A safetensors file of DTYPE (F32, or F16 as shipped: sw_f16_round gives
 * the weights it will hold) with the architecture and REC in __metadata__:
 * format, format_version, channels, size, n_classes, dataset, class_names
 * (comma-joined), epochs, test_accuracy.  Written atomically. */
gboolean      sw_classifier_save (SwClassifier *c, const char *path,
                                  const SwClassifierRecord *rec, SwDtype dtype, GError **error);
/* Builds the classifier the file describes and fills it; REC (optional)
 * receives the record (free with sw_classifier_record_clear). */
SwClassifier *sw_classifier_load (const char *path, SwClassifierRecord *rec, GError **error);
void          sw_classifier_record_clear (SwClassifierRecord *rec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwClassifier, sw_classifier_free)

G_END_DECLS
