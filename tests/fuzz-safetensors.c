/* libFuzzer target: any byte string must either load, with every tensor
 * then readable at its own shape, or fail with an error; never crash, leak
 * or read out of bounds.  Built only with clang -fsanitize=fuzzer. */
#include "io/safetensors.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SwStFile) file = sw_safetensors_open_bytes (data, size, "fuzz", &error);

  if (file == NULL)
    {
      g_assert (error != NULL && error->domain == SW_ERROR);
      return 0;
    }
  for (size_t i = 0; i < sw_safetensors_n_tensors (file); i++)
    {
      const SwStEntry *e = sw_safetensors_entry (file, i);
      /* Validation guarantees the bytes exist, so this is at most twice
       * the input size (F16 and BF16 widen to float). */
      g_autofree float *dst = g_new (float, (e->end - e->begin) / 2 + 1);

      if (!sw_safetensors_read_f32 (file, e->name, e->ndim, e->shape, dst, &error))
        g_error ("tensor “%s” validated but did not read: %s", e->name, error->message);
      g_assert (sw_safetensors_find (file, e->name) == e);
    }
  sw_safetensors_meta (file, "");
  return 0;
}
