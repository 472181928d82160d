/* Tests for the image and mask reader.
 *
 * Every fixture is written by the test itself, byte by byte, into a
 * temporary folder: binary PPM (P6) and PGM (P5), 24- and 32-bit BMP,
 * 32-bit TGA, and PNG with stored (uncompressed) deflate blocks, so that
 * the expected values follow from the pixels put in, with no other decoder
 * involved.  Expected values are pixel / 255 * 2 - 1 for images and
 * exactly 0 or 1 for masks.
 *
 * Bad inputs each fail with their own message: the test checks the
 * distinctive part of it. */
#include "io/image-io.h"
#include "io/png.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

static char *tmp_dir;

/* Helpers */

static float
expect (double pixel)
{
  return (float) (pixel / 255 * 2 - 1);
}

static void
assert_close (float got, float want, const char *what, int i)
{
  if (!G_APPROX_VALUE (got, want, 1e-5f))
    g_error ("%s[%d] is %.7f, expected %.7f", what, i, got, want);
}

static char *
write_file (const char *name, const void *data, size_t len)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

static void
put_le (GByteArray *b, guint32 v, int n)
{
  for (int i = 0; i < n; i++)
    {
      guint8 byte = (guint8) (v >> (8 * i));
      g_byte_array_append (b, &byte, 1);
    }
}

static void
put_be32 (GByteArray *b, guint32 v)
{
  guint8 be[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (b, be, 4);
}

/* Binary PNM: P6 (COMP 3) or P5 (COMP 1), PIX row-major from the top. */
static GByteArray *
pnm_bytes (int w, int h, int comp, const guint8 *pix)
{
  GByteArray *b = g_byte_array_new ();
  g_autofree char *header = g_strdup_printf ("P%d\n%d %d\n255\n", comp == 3 ? 6 : 5, w, h);
  g_byte_array_append (b, (const guint8 *) header, (guint) strlen (header));
  g_byte_array_append (b, pix, (guint) (w * h * comp));
  return b;
}

/* BMP with a 40-byte BITMAPINFOHEADER, uncompressed (BI_RGB): BPP 24 from
 * RGB pixels or 32 from RGBA ones (which stb_image reads with alpha unless
 * every alpha is 0).  Rows go bottom-up, in BGR(A) order, padded to 4
 * bytes. */
static GByteArray *
bmp_bytes (int w, int h, int bpp, const guint8 *pix)
{
  int comp = bpp / 8, stride = (w * comp + 3) & ~3;
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) "BM", 2);
  put_le (b, 14 + 40 + (guint32) (stride * h), 4);
  put_le (b, 0, 4);
  put_le (b, 14 + 40, 4);        /* offset of the pixels */
  put_le (b, 40, 4);
  put_le (b, (guint32) w, 4);
  put_le (b, (guint32) h, 4);    /* positive: bottom-up */
  put_le (b, 1, 2);              /* planes */
  put_le (b, (guint32) bpp, 2);
  put_le (b, 0, 4);              /* BI_RGB */
  put_le (b, (guint32) (stride * h), 4);
  put_le (b, 2835, 4);
  put_le (b, 2835, 4);
  put_le (b, 0, 4);
  put_le (b, 0, 4);
  for (int y = h - 1; y >= 0; y--)
    {
      for (int x = 0; x < w; x++)
        {
          const guint8 *p = pix + (y * w + x) * comp;
          guint8 q[4] = { p[2], p[1], p[0], comp == 4 ? p[3] : 0 };
          g_byte_array_append (b, q, (guint) comp);
        }
      put_le (b, 0, stride - w * comp);
    }
  return b;
}

/* Uncompressed 32-bit true-colour TGA from RGBA pixels, rows from the
 * top (descriptor bit 5), BGRA order, 8 alpha bits. */
static GByteArray *
tga_bytes (int w, int h, const guint8 *pix)
{
  GByteArray *b = g_byte_array_new ();
  guint8 head[12] = { 0, 0, 2 };  /* no id, no colour map, true colour */

  g_byte_array_append (b, head, sizeof head);
  put_le (b, (guint32) w, 2);
  put_le (b, (guint32) h, 2);
  put_le (b, 32, 1);
  put_le (b, 0x28, 1);
  for (int i = 0; i < w * h; i++)
    {
      const guint8 *p = pix + 4 * i;
      guint8 q[4] = { p[2], p[1], p[0], p[3] };
      g_byte_array_append (b, q, 4);
    }
  return b;
}

static guint32
crc32 (const guint8 *p, size_t n)
{
  guint32 c = 0xffffffffu;
  for (size_t i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
  return c ^ 0xffffffffu;
}

static void
png_chunk (GByteArray *b, const char *type, const guint8 *data, guint32 len)
{
  put_be32 (b, len);
  guint start = b->len;
  g_byte_array_append (b, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (b, data, len);
  put_be32 (b, crc32 (b->data + start, 4 + len));
}

/* 8-bit PNG, colour type 6 (RGBA, COMP 4) or 0 (grey, COMP 1); the zlib
 * stream is one stored block, so no compressor is needed. */
static GByteArray *
png_bytes (int w, int h, int comp, const guint8 *pix)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *b = g_byte_array_new ();
  g_autoptr (GByteArray) ihdr = g_byte_array_new ();
  g_autoptr (GByteArray) raw = g_byte_array_new ();
  g_autoptr (GByteArray) z = g_byte_array_new ();

  g_byte_array_append (b, signature, 8);
  put_be32 (ihdr, (guint32) w);
  put_be32 (ihdr, (guint32) h);
  guint8 rest[5] = { 8, comp == 4 ? 6 : 0, 0, 0, 0 };
  g_byte_array_append (ihdr, rest, 5);
  png_chunk (b, "IHDR", ihdr->data, ihdr->len);

  for (int y = 0; y < h; y++)
    {
      guint8 filter = 0;
      g_byte_array_append (raw, &filter, 1);
      g_byte_array_append (raw, pix + y * w * comp, (guint) (w * comp));
    }
  g_assert_cmpuint (raw->len, <, 65536);
  guint8 zhead[3] = { 0x78, 0x01, 0x01 };  /* zlib header, final stored block */
  g_byte_array_append (z, zhead, 3);
  put_le (z, raw->len, 2);
  put_le (z, ~raw->len & 0xffff, 2);
  g_byte_array_append (z, raw->data, raw->len);
  guint32 s1 = 1, s2 = 0;
  for (guint i = 0; i < raw->len; i++)
    {
      s1 = (s1 + raw->data[i]) % 65521;
      s2 = (s2 + s1) % 65521;
    }
  put_be32 (z, s2 << 16 | s1);
  png_chunk (b, "IDAT", z->data, z->len);
  png_chunk (b, "IEND", NULL, 0);
  return b;
}

/* Loads the fixture B as NAME, both from the file and from memory, and
 * checks that the two agree. */
static float *
load_image (const char *name, GByteArray *b, int channels, int size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_file (name, b->data, b->len);
  float *from_file = sw_image_load (path, channels, size, &error);
  g_assert_no_error (error);
  g_autofree float *from_memory = sw_image_decode (b->data, b->len, channels, size, name, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (from_file, channels * size * size * sizeof (float),
                   from_memory, channels * size * size * sizeof (float));
  return from_file;
}

static float *
load_mask (const char *name, GByteArray *b, int size, gboolean *resized)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_file (name, b->data, b->len);
  gboolean resized_memory = TRUE;
  float *from_file = sw_mask_load (path, size, resized, &error);
  g_assert_no_error (error);
  g_autofree float *from_memory = sw_mask_decode (b->data, b->len, size, name,
                                                  &resized_memory, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (from_file, size * size * sizeof (float),
                   from_memory, size * size * sizeof (float));
  if (resized != NULL)
    g_assert_cmpint (*resized, ==, resized_memory);
  return from_file;
}

/* Values */

/* One odd pixel in a uniform image lands at its own place in each plane,
 * with pixel / 255 * 2 - 1; the luminance of a colour for 1 channel. */
static void
test_colour_pixel (void)
{
  const int w = 4;
  guint8 pix[4 * 4 * 3];
  for (int i = 0; i < w * w; i++)
    memcpy (pix + 3 * i, (guint8[]) { 51, 102, 204 }, 3);
  memcpy (pix + 3 * (2 * w + 1), (guint8[]) { 255, 0, 17 }, 3);  /* x 1, y 2 */
  g_autoptr (GByteArray) b = pnm_bytes (w, w, 3, pix);

  g_autofree float *rgb = load_image ("colour.ppm", b, 3, w);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < w * w; i++)
      assert_close (rgb[c * w * w + i], expect (pix[3 * i + c]), "rgb", c * w * w + i);
  assert_close (rgb[0 * 16 + 9], 1.0f, "red at (1, 2)", 9);
  assert_close (rgb[1 * 16 + 9], -1.0f, "green at (1, 2)", 9);

  g_autofree float *grey = load_image ("colour.ppm", b, 1, w);
  assert_close (grey[0], expect (0.299 * 51 + 0.587 * 102 + 0.114 * 204), "grey", 0);
  assert_close (grey[9], expect (0.299 * 255 + 0.114 * 17), "grey", 9);
}

/* BMP stores rows bottom-up in BGR with padding: a 5-pixel-wide image has
 * a padded stride, and the top-left pixel must still come out top-left. */
static void
test_bmp (void)
{
  const int w = 5;
  guint8 pix[5 * 5 * 3];
  for (int i = 0; i < w * w; i++)
    memcpy (pix + 3 * i, (guint8[]) { 10, 20, 30 }, 3);
  memcpy (pix, (guint8[]) { 250, 128, 0 }, 3);
  g_autoptr (GByteArray) b = bmp_bytes (w, w, 24, pix);

  g_autofree float *rgb = load_image ("orient.bmp", b, 3, w);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < w * w; i++)
      assert_close (rgb[c * w * w + i], expect (pix[3 * i + c]), "rgb", c * w * w + i);
}

/* Thirds of distinct colours: of a 2:1 image only the centre third is
 * left, across or down. */
static void
test_centre_crop (void)
{
  static const guint8 colour[3][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 } };
  const int n = 6;
  guint8 wide[18 * 6 * 3], tall[6 * 18 * 3];

  for (int y = 0; y < n; y++)
    for (int x = 0; x < 3 * n; x++)
      {
        memcpy (wide + 3 * (y * 3 * n + x), colour[x / n], 3);
        memcpy (tall + 3 * (x * n + y), colour[x / n], 3);
      }
  g_autoptr (GByteArray) bw = pnm_bytes (3 * n, n, 3, wide);
  g_autoptr (GByteArray) bt = pnm_bytes (n, 3 * n, 3, tall);
  g_autofree float *a = load_image ("wide.ppm", bw, 3, n);
  g_autofree float *b = load_image ("tall.ppm", bt, 3, n);

  for (int c = 0; c < 3; c++)
    for (int i = 0; i < n * n; i++)
      {
        assert_close (a[c * n * n + i], c == 1 ? 1.0f : -1.0f, "wide", c * n * n + i);
        assert_close (b[c * n * n + i], c == 1 ? 1.0f : -1.0f, "tall", c * n * n + i);
      }

  /* shrunk while cropped: still only the centre */
  g_autofree float *small = load_image ("wide.ppm", bw, 3, 4);
  for (int i = 0; i < 16; i++)
    assert_close (small[16 + i], 1.0f, "green", i);
}

/* Halving a checkerboard averages each 2 x 2 block of 2 black and 2 white
 * pixels to mid-grey, 0. */
static void
test_shrink_checkerboard (void)
{
  const int n = 8;
  guint8 pix[8 * 8];
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      pix[y * n + x] = (x + y) % 2 ? 255 : 0;
  g_autoptr (GByteArray) b = pnm_bytes (n, n, 1, pix);

  g_autofree float *grey = load_image ("checker.pgm", b, 1, n / 2);
  for (int i = 0; i < n * n / 4; i++)
    assert_close (grey[i], 0.0f, "grey", i);
  g_autofree float *rgb = load_image ("checker.pgm", b, 3, n / 2);
  for (int i = 0; i < 3 * n * n / 4; i++)
    assert_close (rgb[i], 0.0f, "rgb", i);
}

/* 6 -> 4 shrinks by 1.5: each output takes one whole source pixel and half
 * of its neighbour, weighted by the area covered.  Columns of 0, 50, ..,
 * 250 give (0 + 25) / 1.5, (25 + 100) / 1.5, (150 + 100) / 1.5 and
 * (100 + 250) / 1.5. */
static void
test_shrink_fractional (void)
{
  const int n = 6;
  static const double want[4] = { 25 / 1.5, 125 / 1.5, 250 / 1.5, 350 / 1.5 };
  guint8 pix[6 * 6];
  for (int i = 0; i < n * n; i++)
    pix[i] = (guint8) (50 * (i % n));
  g_autoptr (GByteArray) b = pnm_bytes (n, n, 1, pix);

  g_autofree float *grey = load_image ("columns.pgm", b, 1, 4);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      assert_close (grey[y * 4 + x], expect (want[x]), "grey", y * 4 + x);
}

/* Enlarging interpolates: every value stays within the source's range,
 * the corners keep the corner pixels, and a ramp stays monotonic. */
static void
test_enlarge (void)
{
  const int n = 4, size = 13;
  static const guint8 pix[16] = { 60, 200, 90, 120, 180, 70, 150, 100,
                                  110, 130, 190, 80, 65, 170, 95, 140 };
  g_autoptr (GByteArray) b = pnm_bytes (n, n, 1, pix);

  g_autofree float *grey = load_image ("bumps.pgm", b, 1, size);
  for (int i = 0; i < size * size; i++)
    if (grey[i] < expect (60) - 1e-6f || grey[i] > expect (200) + 1e-6f)
      g_error ("grey[%d] = %f is outside the source's range", i, grey[i]);
  assert_close (grey[0], expect (60), "corner", 0);
  assert_close (grey[size - 1], expect (120), "corner", size - 1);
  assert_close (grey[size * size - 1], expect (140), "corner", size * size - 1);

  guint8 ramp[16];
  for (int i = 0; i < 16; i++)
    ramp[i] = (guint8) (40 * (i % n) + 20);
  g_autoptr (GByteArray) br = pnm_bytes (n, n, 1, ramp);
  g_autofree float *up = load_image ("ramp.pgm", br, 1, 16);
  for (int y = 0; y < 16; y++)
    for (int x = 1; x < 16; x++)
      g_assert_cmpfloat (up[y * 16 + x], >=, up[y * 16 + x - 1]);
  /* output 7's centre is at source 7.5 * 4 / 16 - 0.5 = 1.375: 60 + 0.375 * 40 */
  assert_close (up[16 * 7 + 7], expect (75), "ramp", 7);
}

/* A grey image given for 3 channels is the same grey in each plane,
 * exactly; an image at its own size comes back unchanged. */
static void
test_grey_to_colour (void)
{
  guint8 pix[4 * 4];
  for (int i = 0; i < 16; i++)
    pix[i] = (guint8) (16 * i + 7);
  g_autoptr (GByteArray) b = pnm_bytes (4, 4, 1, pix);

  g_autofree float *rgb = load_image ("grey.pgm", b, 3, 4);
  g_autofree float *grey = load_image ("grey.pgm", b, 1, 4);
  for (int i = 0; i < 16; i++)
    {
      assert_close (grey[i], expect (pix[i]), "grey", i);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (rgb[c * 16 + i], ==, grey[i]);
    }
}

/* Binary PNM is read by Stepwise itself: 16-bit samples (big-endian,
 * maxval over 255) and other maxvals scale to 0..255, comments may sit
 * between the header's fields.  16-bit P6 given for 1 channel and 16-bit
 * P5 for 3 are the conversions that over-read in stb_image 2.27. */
static void
test_pnm_variants (void)
{
  /* 65535, 0, 13107 (a fifth: 51) and 32768 (128.0002: 128) */
  static const guint8 p6_16[] = "P6\n2 2\n65535\n"
    "\xff\xff\x00\x00\x33\x33" "\x00\x00\xff\xff\x80\x00"
    "\x33\x33\x33\x33\x33\x33" "\x80\x00\x80\x00\x80\x00";
  static const guint8 want6[4][3] = { { 255, 0, 51 }, { 0, 255, 128 },
                                      { 51, 51, 51 }, { 128, 128, 128 } };
  g_autoptr (GByteArray) b6 = g_byte_array_new ();
  g_byte_array_append (b6, p6_16, sizeof p6_16 - 1);
  /* 2 x 2 to 4 x 4: nearest to each corner is that corner's pixel */
  g_autofree float *rgb = load_image ("deep.ppm", b6, 3, 4);
  g_autofree float *grey = load_image ("deep.ppm", b6, 1, 4);
  static const int corner[4] = { 0, 3, 12, 15 };
  for (int k = 0; k < 4; k++)
    {
      for (int c = 0; c < 3; c++)
        assert_close (rgb[c * 16 + corner[k]], expect (want6[k][c]), "rgb", c * 16 + corner[k]);
      assert_close (grey[corner[k]],
                    expect (0.299 * want6[k][0] + 0.587 * want6[k][1] + 0.114 * want6[k][2]),
                    "grey", corner[k]);
    }

  static const guint8 p5_16[] = "P5 2 2 65535 \xff\xff\x00\x00\x33\x33\x80\x00";
  g_autoptr (GByteArray) b5 = g_byte_array_new ();
  g_byte_array_append (b5, p5_16, sizeof p5_16 - 1);
  g_autofree float *rgb5 = load_image ("deep.pgm", b5, 3, 4);
  static const guint8 want5[4] = { 255, 0, 51, 128 };
  for (int k = 0; k < 4; k++)
    for (int c = 0; c < 3; c++)
      assert_close (rgb5[c * 16 + corner[k]], expect (want5[k]), "rgb", c * 16 + corner[k]);

  /* maxval 15, comments, and a sample over maxval (taken as maxval) */
  static const guint8 p5_15[] = "P5\n# by hand\n2 # width\n2\n#\n15\n\x0f\x05\x00\x63";
  g_autoptr (GByteArray) b15 = g_byte_array_new ();
  g_byte_array_append (b15, p5_15, sizeof p5_15 - 1);
  g_autofree float *g15 = load_image ("fifteen.pgm", b15, 1, 4);
  static const guint8 want15[4] = { 255, 85, 0, 255 };
  for (int k = 0; k < 4; k++)
    assert_close (g15[corner[k]], expect (want15[k]), "grey", corner[k]);
}

/* The smallest baseline JPEG: 8 x 8 grey, one DC and one AC Huffman
 * table of a single 1-bit code each (difference 0, end of block), so that
 * its one block is flat 128.  SCAN is what goes between SOS and EOI,
 * EXTRA is put after the tables and TAIL after EOI. */
static GByteArray *
jpeg_bytes (const guint8 *extra, size_t extra_len, const guint8 *scan, size_t scan_len,
            const guint8 *tail, size_t tail_len)
{
  static const guint8 head[] = {
    0xff, 0xd8,
    0xff, 0xc0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0,             /* SOF0 */
    0xff, 0xc4, 0, 20, 0x00, 1, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0, /* DHT DC 0 */
    0xff, 0xc4, 0, 20, 0x10, 1, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0, /* DHT AC 0 */
  };
  static const guint8 sos[] = { 0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0 };
  static const guint8 eoi[] = { 0xff, 0xd9 };
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, head, sizeof head);
  /* DQT: all ones */
  g_byte_array_append (b, (const guint8[]) { 0xff, 0xdb, 0, 67, 0 }, 5);
  for (int i = 0; i < 64; i++)
    g_byte_array_append (b, (const guint8[]) { 1 }, 1);
  g_byte_array_append (b, extra, (guint) extra_len);
  g_byte_array_append (b, sos, sizeof sos);
  g_byte_array_append (b, scan, (guint) scan_len);
  g_byte_array_append (b, eoi, sizeof eoi);
  g_byte_array_append (b, tail, (guint) tail_len);
  return b;
}

/* A Huffman table that lists 255 + 255 codes, more than the 256 one
 * holds: stb_image 2.27 would write past it. */
static const guint8 bad_dht[] = { 0xff, 0xc4, 0, 19, 0x00, 255, 255,
                                  0,0,0,0,0,0,0,0,0,0,0,0,0,0 };

/* A JPEG decodes (grey, so exactly 128 in every plane), and the Huffman
 * check looks only where a decoder would: not inside a comment, not after
 * EOI. */
static void
test_jpeg (void)
{
  static const guint8 data[] = { 0x3f };  /* bits 0 0, then padding */
  guint8 comment[4 + sizeof bad_dht] = { 0xff, 0xfe, 0, 2 + sizeof bad_dht };
  memcpy (comment + 4, bad_dht, sizeof bad_dht);
  g_autoptr (GByteArray) plain = jpeg_bytes (NULL, 0, data, 1, NULL, 0);
  g_autoptr (GByteArray) commented = jpeg_bytes (comment, sizeof comment, data, 1, NULL, 0);
  g_autoptr (GByteArray) trailed = jpeg_bytes (NULL, 0, data, 1, bad_dht, sizeof bad_dht);
  GByteArray *files[] = { plain, commented, trailed };

  for (size_t f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree float *rgb = load_image ("flat.jpg", files[f], 3, 8);
      for (int i = 0; i < 3 * 64; i++)
        assert_close (rgb[i], expect (128), "rgb", i);
    }
}

/* Alpha */

typedef GByteArray *(*RgbaWriter) (int w, int h, const guint8 *rgba);

static GByteArray *write_bmp32 (int w, int h, const guint8 *p) { return bmp_bytes (w, h, 32, p); }
static GByteArray *write_tga32 (int w, int h, const guint8 *p) { return tga_bytes (w, h, p); }
static GByteArray *write_png32 (int w, int h, const guint8 *p) { return png_bytes (w, h, 4, p); }

static const struct {
  const char *name;
  RgbaWriter  write;
} rgba_formats[] = {
  { "alpha.bmp", write_bmp32 },
  { "alpha.tga", write_tga32 },
  { "alpha.png", write_png32 },
};

/* A 4 x 4 RGBA image: the left half transparent, the right half opaque;
 * transparent red at the top, transparent white below, opaque blue, and
 * one half-transparent black pixel at (3, 3). */
static void
alpha_pixels (guint8 rgba[4 * 4 * 4])
{
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      {
        guint8 *p = rgba + 4 * (y * 4 + x);
        if (x < 2)
          memcpy (p, y < 2 ? (guint8[]) { 255, 0, 0, 0 } : (guint8[]) { 255, 255, 255, 0 }, 4);
        else
          memcpy (p, (guint8[]) { 0, 0, 255, 255 }, 4);
      }
  memcpy (rgba + 4 * 15, (guint8[]) { 0, 0, 0, 51 }, 4);
}

/* For images, transparency is white whatever colour hides under it. */
static void
test_alpha_image (void)
{
  guint8 rgba[4 * 4 * 4];
  alpha_pixels (rgba);
  for (size_t f = 0; f < G_N_ELEMENTS (rgba_formats); f++)
    {
      g_test_message ("%s", rgba_formats[f].name);
      g_autoptr (GByteArray) b = rgba_formats[f].write (4, 4, rgba);
      g_autofree float *rgb = load_image (rgba_formats[f].name, b, 3, 4);
      for (int c = 0; c < 3; c++)
        for (int i = 0; i < 15; i++)
          assert_close (rgb[c * 16 + i], i % 4 < 2 || c == 2 ? 1.0f : -1.0f, "rgb", c * 16 + i);
      /* black at alpha 0.2 over white */
      for (int c = 0; c < 3; c++)
        assert_close (rgb[c * 16 + 15], expect (255 * 0.8), "rgb", c * 16 + 15);
    }
}

/* For masks, transparency is black, keep: transparent white must not
 * regenerate, opaque blue (grey 29) keeps too, and opaque white does. */
static void
test_alpha_mask (void)
{
  guint8 rgba[4 * 4 * 4];
  alpha_pixels (rgba);
  memcpy (rgba + 4 * 2, (guint8[]) { 255, 255, 255, 255 }, 4);  /* (2, 0) */
  for (size_t f = 0; f < G_N_ELEMENTS (rgba_formats); f++)
    {
      g_test_message ("%s", rgba_formats[f].name);
      g_autoptr (GByteArray) b = rgba_formats[f].write (4, 4, rgba);
      gboolean resized = TRUE;
      g_autofree float *mask = load_mask (rgba_formats[f].name, b, 4, &resized);
      g_assert_false (resized);
      for (int i = 0; i < 16; i++)
        g_assert_cmpfloat (mask[i], ==, i == 2 ? 1.0f : 0.0f);
    }
}

/* Masks */

/* Grey levels threshold at half: below is 0 (keep), from half up is 1
 * (regenerate), nothing in between, at any size; *resized says whether
 * the file was already SIZE x SIZE. */
static void
test_mask_threshold (void)
{
  static const guint8 level[4] = { 0, 100, 200, 255 };
  guint8 pix[8 * 8];
  for (int i = 0; i < 64; i++)
    pix[i] = level[(i % 8) / 2];
  g_autoptr (GByteArray) b = pnm_bytes (8, 8, 1, pix);
  gboolean resized = TRUE;

  g_autofree float *same = load_mask ("mask.pgm", b, 8, &resized);
  g_assert_false (resized);
  for (int i = 0; i < 64; i++)
    g_assert_cmpfloat (same[i], ==, (i % 8) >= 4 ? 1.0f : 0.0f);

  g_autofree float *half = load_mask ("mask.pgm", b, 4, &resized);
  g_assert_true (resized);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (half[i], ==, (i % 4) >= 2 ? 1.0f : 0.0f);

  g_autofree float *up = load_mask ("mask.pgm", b, 21, &resized);
  g_assert_true (resized);
  for (int i = 0; i < 21 * 21; i++)
    g_assert_true (up[i] == 0.0f || up[i] == 1.0f);

  /* resized may be NULL, and a non-square file of the right height is
   * still resized (cropped) */
  g_autoptr (GByteArray) wide = pnm_bytes (8, 4, 1, pix);
  g_autofree float *cropped = load_mask ("wide-mask.pgm", wide, 4, NULL);
  gboolean r = FALSE;
  g_autofree float *again = load_mask ("wide-mask.pgm", wide, 4, &r);
  g_assert_true (r);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (cropped[i], ==, (i % 4) >= 2 ? 1.0f : 0.0f);

  /* a colour mask is grey first: luminance of pure green is 150 */
  guint8 green[4 * 4 * 3] = { 0 };
  for (int i = 0; i < 16; i++)
    green[3 * i + 1] = 255;
  g_autoptr (GByteArray) bg = pnm_bytes (4, 4, 3, green);
  g_autofree float *gm = load_mask ("green-mask.ppm", bg, 4, NULL);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (gm[i], ==, 1.0f);
}

/* Bad input */

static void
assert_image_fails (const char *name, const void *data, size_t len,
                    SwErrorCode code, const char *says)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) mask_error = NULL;
  g_autoptr (GError) memory_error = NULL;
  g_autofree char *path = write_file (name, data, len);
  gboolean resized = TRUE;

  g_test_message ("%s", name);
  g_assert_null (sw_image_load (path, 3, 64, &error));
  sw_test_assert_error (error, code, says);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_null (sw_mask_load (path, 64, &resized, &mask_error));
  sw_test_assert_error (mask_error, code, says);
  g_assert_false (resized);
  g_assert_null (sw_image_decode (data, len, 1, 64, name, &memory_error));
  sw_test_assert_error (memory_error, code, says);
}

static void
test_bad_files (void)
{
  static const guint8 pix[4 * 4 * 4] = { 0 };
  g_autoptr (GByteArray) png = png_bytes (4, 4, 4, pix);
  const char *text = "Stepwise: a GNOME diffusion-model app\n";
  const char *huge = "P6 100000 100000 255\n";
  const char *wide = "P6\n16385 2\n255\n";
  const char *zero = "P5 0 5 255\n";

  assert_image_fails ("empty.png", "", 0, SW_ERROR_FORMAT, "is empty");
  assert_image_fails ("notes.txt", text, strlen (text), SW_ERROR_FORMAT,
                      "notes.txt”: not an image Stepwise can read (PNG, JPEG,");
  /* the signature and half of IHDR: no header to read */
  assert_image_fails ("cut.png", png->data, 20, SW_ERROR_FORMAT, "not an image Stepwise can read");
  /* the whole IHDR and nothing after: the header reads, the pixels don't */
  assert_image_fails ("header-only.png", png->data, 33, SW_ERROR_FORMAT,
                      "4 x 4 image's header reads, but its pixels do not");
  /* an unknown critical PNG chunk: stb_image's reason quotes its type,
   * here "\nA\x01\xff", which must not reach the one-line message raw */
  g_autoptr (GByteArray) odd = g_byte_array_new ();
  g_byte_array_append (odd, png->data, 33);
  png_chunk (odd, "\nA\x01\xff", NULL, 0);
  assert_image_fails ("odd-chunk.png", odd->data, odd->len, SW_ERROR_FORMAT,
                      "pixels do not (?A?? PNG chunk not known)");
  /* IDAT cut in the middle */
  assert_image_fails ("half.png", png->data, png->len / 2, SW_ERROR_FORMAT,
                      "may be truncated or damaged");
  assert_image_fails ("huge.ppm", huge, strlen (huge), SW_ERROR_FORMAT,
                      "100000 x 100000 pixels; images of more than 16384 pixels on a side");
  /* 20000 x 20000 PNGs, colour (type 2) and grey (type 0): both the size
   * limit, not "unknown image type" (issue 23, D9) */
  for (guint8 type = 0; type <= 2; type += 2)
    {
      const guint8 png[33] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                               0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, type, 0, 0, 0 };
      assert_image_fails ("huge.png", (const char *) png, sizeof png, SW_ERROR_FORMAT,
                          "20000 x 20000 pixels; images of more than 16384 pixels on a side");
    }
  assert_image_fails ("wide.ppm", wide, strlen (wide), SW_ERROR_FORMAT, "16385 x 2 pixels");
  assert_image_fails ("zero.pgm", zero, strlen (zero), SW_ERROR_FORMAT, "0 x 5 pixels");

  /* PNM headers and data; what follows a bad header does not matter */
  static const struct {
    const char *name, *bytes, *says;
  } pnm[] = {
    { "short.ppm", "P6 4 4 255\n0123456789", "the 4 x 4 image needs 48 bytes of pixels, and the file has 10" },
    { "short16.pgm", "P5 2 1 256\n\x01\x02\x03", "needs 4 bytes of pixels, and the file has 3" },
    { "no-data.pgm", "P5 4 4 255", "needs 16 bytes of pixels, and the file has 0" },
    { "no-height.pgm", "P5 4\n", "has no height where one is due" },
    { "letters.ppm", "P6 four 4 255\n", "has no width" },
    { "maxval0.pgm", "P5 1 1 0\n", "maximum value is 0; it must be 1 to 65535" },
    { "maxval-big.pgm", "P5 1 1 70000\n", "maximum value is 70000" },
    { "digits.ppm", "P6 1234567890 2 255\n", "width has more than 9 digits" },
    { "glued.pgm", "P5 1 1 255x", "followed by byte 0x78" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (pnm); i++)
    assert_image_fails (pnm[i].name, pnm[i].bytes, strlen (pnm[i].bytes), SW_ERROR_FORMAT,
                        pnm[i].says);

  /* too many Huffman codes, among the tables or after the scan's data */
  static const guint8 data[] = { 0x3f, 0xff, 0x00, 0x12 };
  g_autoptr (GByteArray) header_dht = jpeg_bytes (bad_dht, sizeof bad_dht, data, 1, NULL, 0);
  g_autoptr (GByteArray) late_dht = jpeg_bytes (NULL, 0, data, sizeof data, NULL, 0);
  g_byte_array_remove_range (late_dht, late_dht->len - 2, 2);
  g_byte_array_append (late_dht, bad_dht, sizeof bad_dht);
  assert_image_fails ("huffman.jpg", header_dht->data, header_dht->len, SW_ERROR_FORMAT,
                      "a JPEG Huffman table lists 510 codes, and one holds at most 256");
  /* stb_image takes fill bytes before SOI, so the check must too */
  g_autoptr (GByteArray) filled = g_byte_array_new ();
  g_byte_array_append (filled, (const guint8[]) { 0xff, 0xff, 0xff }, 3);
  g_byte_array_append (filled, header_dht->data, header_dht->len);
  assert_image_fails ("filled.jpg", filled->data, filled->len, SW_ERROR_FORMAT, "lists 510 codes");
  assert_image_fails ("late-huffman.jpg", late_dht->data, late_dht->len, SW_ERROR_FORMAT,
                      "lists 510 codes");

  /* a scan that uses AC table 1, which no DHT defines */
  g_autoptr (GByteArray) undefined = jpeg_bytes (NULL, 0, data, 1, NULL, 0);
  static const guint8 sos[] = { 0xff, 0xda, 0, 8, 1, 1, 0x00 };
  guint8 *at = memmem (undefined->data, undefined->len, sos, sizeof sos);
  g_assert_nonnull (at);
  at[6] = 0x01;
  assert_image_fails ("undefined.jpg", undefined->data, undefined->len, SW_ERROR_FORMAT,
                      "a JPEG scan uses AC Huffman table 1, which the file does not define");
}

/* A file over the limit is refused by its size, before it is read: a
 * sparse file costs no disk. */
static void
test_too_big_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "big.ppm", NULL);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) SW_IMAGE_MAX_BYTES + 1), ==, 0);
  close (fd);

  g_assert_null (sw_image_load (path, 3, 64, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "more than 256 MiB are not accepted");
  g_unlink (path);
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) mask_error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "nowhere.png", NULL);
  gboolean resized = TRUE;

  g_assert_null (sw_image_load (path, 3, 64, &error));
  sw_test_assert_error (error, SW_ERROR_IO, "nowhere.png");
  g_assert_null (sw_mask_load (path, 64, &resized, &mask_error));
  sw_test_assert_error (mask_error, SW_ERROR_IO, "nowhere.png");
  g_assert_false (resized);

  /* a folder or a device is not a file: /dev/zero would never end */
  g_clear_error (&error);
  g_assert_null (sw_image_load (tmp_dir, 3, 64, &error));
  sw_test_assert_error (error, SW_ERROR_IO, "not a regular file");
  g_clear_error (&error);
  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_assert_null (sw_image_load ("/dev/zero", 3, 64, &error));
      sw_test_assert_error (error, SW_ERROR_IO, "“/dev/zero”: not a regular file");
    }
}

/* Bad arguments are refused before the file is looked at. */
static void
test_bad_arguments (void)
{
  static const guint8 pix[4 * 4] = { 0 };
  g_autoptr (GByteArray) b = pnm_bytes (4, 4, 1, pix);
  g_autofree char *path = write_file ("ok.pgm", b->data, b->len);
  static const struct {
    int         channels, size;
    const char *says;
  } bad[] = {
    { 2, 64, "2 channels are not accepted; an image is read with 1 (grey) or 3 (RGB)" },
    { 0, 64, "0 channels" },
    { 4, 64, "4 channels" },
    { 3, 2, "size 2 is not accepted; images are resized to between 4 and 1024 pixels square" },
    { 3, 3, "size 3" },
    { 1, 1025, "size 1025" },
    { 1, -8, "size -8" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) memory_error = NULL;
      g_assert_null (sw_image_load (path, bad[i].channels, bad[i].size, &error));
      sw_test_assert_error (error, SW_ERROR_INVALID, bad[i].says);
      g_assert_null (sw_image_decode (b->data, b->len, bad[i].channels, bad[i].size, "ok.pgm",
                                      &memory_error));
      sw_test_assert_error (memory_error, SW_ERROR_INVALID, bad[i].says);
    }

  g_autoptr (GError) error = NULL;
  gboolean resized = TRUE;
  g_assert_null (sw_mask_load (path, 2, &resized, &error));
  sw_test_assert_error (error, SW_ERROR_INVALID, "size 2");
  g_assert_false (resized);
  g_clear_error (&error);
  g_assert_null (sw_mask_decode (NULL, 0, 4, "nothing", NULL, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "is empty");
  g_clear_error (&error);

  /* the extremes of the range are accepted */
  g_autofree float *small = sw_image_decode (b->data, b->len, 1, SW_IMAGE_MIN_SIZE, "ok.pgm", &error);
  g_assert_no_error (error);
  g_autofree float *large = sw_image_decode (b->data, b->len, 3, SW_IMAGE_MAX_SIZE, "ok.pgm", &error);
  g_assert_no_error (error);
  for (int i = 0; i < 3 * SW_IMAGE_MAX_SIZE * SW_IMAGE_MAX_SIZE; i++)
    g_assert_cmpfloat (large[i], ==, -1.0f);
}

/* a written image decodes to its pixels and carries its text; text
 * added to a PNG from elsewhere reads back, the pixels untouched */
static void
test_png_write_and_add_text (void)
{
  float image[3 * 8 * 8];
  for (guint i = 0; i < G_N_ELEMENTS (image); i++)
    image[i] = (float) (i % 17) / 8.0f - 1.0f;
  g_autoptr (GHashTable) text = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (text, "stepwise.prompt", "a boot");
  g_autofree char *dir = g_dir_make_tmp ("stepwise-png-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "image.png", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (sw_png_write_image (path, image, 3, 8, 8, text, &error));
  g_assert_no_error (error);
  g_autofree float *back = sw_image_load (path, 3, 8, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (image); i++)
    g_assert_cmpfloat_with_epsilon (back[i], image[i], 1.0f / 255.0f + 1e-6f);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_autoptr (GHashTable) read = sw_png_read_text ((const guint8 *) data, len, NULL, NULL, NULL, &error);
  g_assert_cmpstr (g_hash_table_lookup (read, "stepwise.prompt"), ==, "a boot");

  guint8 grey[16];
  for (guint i = 0; i < sizeof grey; i++)
    grey[i] = (guint8) (16 * i);
  g_autoptr (GBytes) bare = sw_png_encode (grey, 4, 4, 1, NULL, &error);
  g_autoptr (GHashTable) more = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (more, "stepwise.seed", "7");
  g_autoptr (GBytes) added = sw_png_add_text (g_bytes_get_data (bare, NULL), g_bytes_get_size (bare), more,
                                              &error);
  g_assert_no_error (error);
  int w, h, c;
  g_autoptr (GHashTable) got = sw_png_read_text (g_bytes_get_data (added, NULL), g_bytes_get_size (added),
                                                 &w, &h, &c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w, ==, 4);
  g_assert_cmpint (h, ==, 4);
  g_assert_cmpint (c, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (got, "stepwise.seed"), ==, "7");
  g_autofree float *pixels = sw_image_decode (g_bytes_get_data (added, NULL), g_bytes_get_size (added), 1, 4,
                                              "added.png", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < sizeof grey; i++)
    g_assert_cmpfloat_with_epsilon (pixels[i], grey[i] / 127.5f - 1.0f, 1e-5f);
  /* what is not a PNG gets no text */
  g_assert_null (sw_png_add_text ((const guint8 *) "GIF89a", 6, more, &error));
  g_assert_error (error, SW_ERROR, SW_ERROR_FORMAT);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("stepwise-image-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/image/colour-pixel", test_colour_pixel);
  g_test_add_func ("/image/bmp", test_bmp);
  g_test_add_func ("/image/centre-crop", test_centre_crop);
  g_test_add_func ("/image/shrink-checkerboard", test_shrink_checkerboard);
  g_test_add_func ("/image/shrink-fractional", test_shrink_fractional);
  g_test_add_func ("/image/enlarge", test_enlarge);
  g_test_add_func ("/image/grey-to-colour", test_grey_to_colour);
  g_test_add_func ("/image/pnm-variants", test_pnm_variants);
  g_test_add_func ("/image/jpeg", test_jpeg);
  g_test_add_func ("/image/alpha-image", test_alpha_image);
  g_test_add_func ("/image/alpha-mask", test_alpha_mask);
  g_test_add_func ("/image/mask-threshold", test_mask_threshold);
  g_test_add_func ("/image/bad-files", test_bad_files);
  g_test_add_func ("/image/too-big-file", test_too_big_file);
  g_test_add_func ("/image/missing-file", test_missing_file);
  g_test_add_func ("/image/bad-arguments", test_bad_arguments);
  g_test_add_func ("/image/png-write-and-add-text", test_png_write_and_add_text);

  status = g_test_run ();
  sw_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
