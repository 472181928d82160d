/* safetensors.h: read and write the safetensors checkpoint format.
 *
 * Layout (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header size N, then N bytes of JSON
 *   { "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 *     ..., "__metadata__": {"key": "string value", ...} }
 * then the raw little-endian tensor data; offsets are relative to the end of
 * the header.  Stepwise writes F32 or F16 and reads F32, F16 and BF16,
 * always handing float32 to the caller.
 *
 * Loading trusts nothing: every size, offset, dtype and shape is checked and
 * an error names the tensor or field that is wrong. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "base/error.h"

G_BEGIN_DECLS

#define SW_ST_MAX_DIMS 8

typedef enum {
  SW_DTYPE_F32,
  SW_DTYPE_F16,
  SW_DTYPE_BF16,
} SwDtype;

/* One tensor to write: float32 data in row-major order. */
typedef struct {
  const char  *name;
  int          ndim;
  int64_t      shape[SW_ST_MAX_DIMS];
  const float *data;
} SwStTensorIn;

/* One tensor as found in a file. */
typedef struct {
  char    *name;
  SwDtype  dtype;
  int      ndim;
  int64_t  shape[SW_ST_MAX_DIMS];
  uint64_t begin, end;     /* byte offsets into the data section */
} SwStEntry;

typedef struct _SwStFile SwStFile;

/* Writes atomically: a temporary file beside PATH, fsync, rename.
 * META is a NULL-terminated list of key, value string pairs (may be NULL).
 * DTYPE is SW_DTYPE_F32 or SW_DTYPE_F16 (values converted with rounding to
 * nearest even). Tensors are stored in the order given. */
gboolean sw_safetensors_save (const char          *path,
                              const SwStTensorIn  *tensors,
                              size_t               n_tensors,
                              const char * const  *meta,
                              SwDtype              dtype,
                              GError             **error);

/* Reads and validates the whole file (header, every entry, offsets:
 * in range, not overlapping, sizes matching dtype x shape). */
SwStFile        *sw_safetensors_open  (const char *path, GError **error);
/* Same, from a buffer in memory (copied). NAME is used in messages. */
SwStFile        *sw_safetensors_open_bytes (const void *data, size_t size,
                                            const char *name, GError **error);
void             sw_safetensors_close (SwStFile *file);

size_t           sw_safetensors_n_tensors (const SwStFile *file);
const SwStEntry *sw_safetensors_entry     (const SwStFile *file, size_t i);
const SwStEntry *sw_safetensors_find      (const SwStFile *file, const char *name);
/* NULL when the key is absent */
const char      *sw_safetensors_meta      (const SwStFile *file, const char *key);
/* metadata KEY as an integer in [LO, HI]; an error names the file, the key
 * and the accepted range when it is missing or not such an integer */
gboolean         sw_safetensors_meta_int  (const SwStFile *file, const char *key,
                                           int lo, int hi, int *out, GError **error);
/* every metadata key, in file order (free with g_strfreev) */
char           **sw_safetensors_meta_keys (const SwStFile *file);

/* Copies tensor NAME into DST as float32, converting from its dtype.
 * Fails with an error naming the tensor if it is missing or its shape is not
 * exactly SHAPE[0..ndim). */
gboolean sw_safetensors_read_f32 (const SwStFile *file,
                                  const char     *name,
                                  int             ndim,
                                  const int64_t  *shape,
                                  float          *dst,
                                  GError        **error);

/* sw_safetensors_read_f32 for a model's weights, which must be finite: a
 * NaN or an infinity (one is enough to make every image black) is an
 * error naming the tensor and saying the file is damaged. */
gboolean sw_safetensors_read_finite (const SwStFile *file,
                                     const char     *name,
                                     int             ndim,
                                     const int64_t  *shape,
                                     float          *dst,
                                     GError        **error);

/* Half-precision conversions (IEEE binary16 and bfloat16), exposed for tests */
float    sw_f16_to_f32  (uint16_t h);
uint16_t sw_f32_to_f16  (float f);
float    sw_bf16_to_f32 (uint16_t h);
/* Rounds the N floats of X to the nearest binary16 value, in place: the
 * weights exactly as an F16 file will hold them, to measure before saving. */
void     sw_f16_round   (float *x, size_t n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwStFile, sw_safetensors_close)

G_END_DECLS
