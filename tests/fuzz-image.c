/* libFuzzer target: any byte string must either decode, as an image and
 * as a mask, to the promised shape and values, or fail with an SW_ERROR;
 * never crash, leak or read out of bounds.  Built only with clang
 * -fsanitize=fuzzer.
 *
 * stb_image's implementation is compiled in here instead of linked from
 * Debian's libstb, which is built without sanitizers: this way ASan and
 * UBSan check the decoder itself, and libFuzzer sees its branches.  It is
 * the same stb_image.h that libstb is built from.  UBSan only reports
 * unless told otherwise: run with UBSAN_OPTIONS=halt_on_error=1 so that
 * its findings count as crashes. */
#define STB_IMAGE_IMPLEMENTATION
/* image-io.c accepts up to 16384 x 16384, and decoding that much costs a
 * GiB and seconds per input: this copy refuses more than 1024 on a side
 * (some formats in the header, some when loading) to keep runs quick. */
#define STBI_MAX_DIMENSIONS 1024
#include <stb_image.h>

#include "io/image-io.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  gboolean resized;

  /* size 8 shrinks most inputs and 5 enlarges the tiniest; the length's
   * parity picks grey or colour */
  int channels = size % 2 ? 3 : 1;
  g_autofree float *image = sw_image_decode (data, size, channels, 8, "fuzz", &error);
  if (image == NULL)
    g_assert (error != NULL && error->domain == SW_ERROR);
  for (int i = 0; image != NULL && i < channels * 8 * 8; i++)
    g_assert (image[i] >= -1.0f && image[i] <= 1.0f);
  g_clear_error (&error);

  /* the same bytes decode the same way as a mask */
  g_autofree float *mask = sw_mask_decode (data, size, 5, "fuzz", &resized, &error);
  g_assert ((mask == NULL) == (image == NULL));
  if (mask == NULL)
    g_assert (error != NULL && error->domain == SW_ERROR);
  for (int i = 0; mask != NULL && i < 5 * 5; i++)
    g_assert (mask[i] == 0.0f || mask[i] == 1.0f);
  return 0;
}
