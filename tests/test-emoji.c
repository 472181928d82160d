/* Tests for the emoji dataset's builder: the list of emoji-test.txt, the
 * captions of CLDR's annotations, the renderer and the build of a set.
 *
 * The fixtures in tests/emoji/ are excerpts of the real files (see their
 * comments).  The renderer draws from Debian's Noto Color Emoji; the
 * colours checked are those of its art (the yellow face, the red heart),
 * with margins wide enough for any scaling filter. */
#include "emoji-build.h"
#include "data/emoji-captions.h"
#include "data/emoji-list.h"
#include "emoji-render.h"

#include <string.h>

#include "test-util.h"

#define S SW_EMOJI_SIZE
#define PLANE (S * S)

/* Helpers */

static char *
fixture (const char *name)
{
  return g_build_filename (g_getenv ("STEPWISE_TEST_DATA"), "emoji", name, NULL);
}

/* TEXT written to a file NAME in a new temporary folder *DIR */
static char *
temp_file (char **dir, const char *name, const char *text)
{
  *dir = g_dir_make_tmp ("stepwise-emoji-XXXXXX", NULL);
  g_assert_nonnull (*dir);
  char *path = g_build_filename (*dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static SwEmojiRenderer *
open_font (void)
{
  if (!g_file_test (SW_EMOJI_FONT, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("fonts-noto-color-emoji is not installed");
      return NULL;
    }
  g_autoptr (GError) error = NULL;
  SwEmojiRenderer *r = sw_emoji_renderer_new (SW_EMOJI_FONT, &error);
  g_assert_no_error (error);
  return r;
}

/* channel C of pixel (X, Y) of a (3, S, S) image */
static int
px (const guint8 *rgb, int c, int x, int y)
{
  return rgb[c * PLANE + y * S + x];
}

/* The box of pixels that are not white */
static void
ink_box (const guint8 *rgb, int *x0, int *y0, int *x1, int *y1)
{
  *x0 = *y0 = S;
  *x1 = *y1 = -1;
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      if (px (rgb, 0, x, y) < 255 || px (rgb, 1, x, y) < 255 || px (rgb, 2, x, y) < 255)
        {
          *x0 = MIN (*x0, x);
          *x1 = MAX (*x1, x);
          *y0 = MIN (*y0, y);
          *y1 = MAX (*y1, y);
        }
}

/* emoji-test.txt */

static void
test_list (void)
{
  g_autofree char *path = fixture ("emoji-test.txt");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = NULL;

  g_assert_true (sw_emoji_list_load (path, &list, &error));
  g_assert_no_error (error);
  /* the unqualified heart and the skin-tone component are not taken */
  g_assert_cmpuint (list->len, ==, 8);
  const SwEmoji *heart = &g_array_index (list, SwEmoji, 1);
  g_assert_cmpstr (heart->codepoints, ==, "2764 FE0F");
  g_assert_cmpstr (heart->text, ==, "❤️");
  g_assert_cmpstr (heart->name, ==, "red heart");
  const SwEmoji *cook = &g_array_index (list, SwEmoji, 3);
  g_assert_cmpstr (cook->codepoints, ==, "1F468 200D 1F373");
  g_assert_cmpstr (cook->text, ==, "👨‍🍳");
  const SwEmoji *flag = &g_array_index (list, SwEmoji, 5);
  g_assert_cmpstr (flag->name, ==, "flag: United States");
}

typedef struct {
  const char *name;
  const char *text;
  SwErrorCode code;
  const char *says;
} BadList;

static const BadList bad_lists[] = {
  { "no-status", "# header\n1F600 # 😀 E1.0 grinning face\n", SW_ERROR_FORMAT,
    "line 2: expected “CODE POINTS ; STATUS # EMOJI E<version> NAME”" },
  { "not-hex", "1F60G ; fully-qualified # 😀 E1.0 grinning face\n", SW_ERROR_FORMAT,
    "line 1: “1F60G” is not a code point; expected hex such as 1F436" },
  { "too-large", "110000 ; fully-qualified # ? E1.0 beyond Unicode\n", SW_ERROR_FORMAT,
    "“110000” is not a code point" },
  { "surrogate", "D800 ; fully-qualified # ? E1.0 half a pair\n", SW_ERROR_FORMAT,
    "“D800” is not a code point" },
  { "no-code-points", " ; fully-qualified # ? E1.0 nothing\n", SW_ERROR_FORMAT,
    "line 1: no code points before the “;”" },
  { "no-name", "1F600 ; fully-qualified # 😀\n", SW_ERROR_FORMAT,
    "line 1: the comment lacks a name" },
  { "none", "# only comments\n2764 ; unqualified # ❤ E0.6 red heart\n", SW_ERROR_FORMAT,
    "lists no fully-qualified emoji" },
  { "not-utf8", "1F600 ; fully-qualified # \xff E1.0 grinning face\n", SW_ERROR_FORMAT,
    "not UTF-8 text" },
};

static void
test_list_malformed (gconstpointer data)
{
  const BadList *bad = data;
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_file (&dir, "emoji-test.txt", bad->text);
  g_autoptr (GError) error = NULL;
  GArray *list = NULL;

  g_assert_false (sw_emoji_list_load (path, &list, &error));
  g_assert_null (list);
  sw_test_assert_error (error, bad->code, bad->says);
  g_assert_nonnull (strstr (error->message, "emoji-test.txt”"));
  sw_test_remove_dir (dir);
}

static void
test_list_missing (void)
{
  g_autoptr (GError) error = NULL;
  GArray *list = NULL;
  g_assert_false (sw_emoji_list_load ("/nonexistent/emoji-test.txt", &list, &error));
  sw_test_assert_error (error, SW_ERROR_IO, "“/nonexistent/emoji-test.txt”: cannot read it");
}

/* CLDR annotations */

static SwEmojiCaptions *
fixture_captions (void)
{
  g_autofree char *en = fixture ("annotations-en.xml");
  g_autofree char *derived = fixture ("annotations-derived-en.xml");
  g_autoptr (GError) error = NULL;
  SwEmojiCaptions *c = sw_emoji_captions_new ();
  g_assert_true (sw_emoji_captions_load (c, en, &error));
  g_assert_true (sw_emoji_captions_load (c, derived, &error));
  g_assert_no_error (error);
  return c;
}

static void
expect_caption (const SwEmojiCaptions *c, const char *emoji, const char *want)
{
  g_autofree char *got = sw_emoji_captions_lookup (c, emoji);
  g_assert_cmpstr (got, ==, want);
}

static void
test_captions (void)
{
  g_autoptr (SwEmojiCaptions) c = fixture_captions ();

  expect_caption (c, "🐶", "dog face: dog, face, pet");
  /* a keyword that repeats the name is dropped */
  expect_caption (c, "😀", "grinning face: face, grin");
  /* CLDR's cp has no U+FE0F: with or without it, the same caption */
  expect_caption (c, "❤️", "red heart: heart");
  expect_caption (c, "❤", "red heart: heart");
  /* line breaks and runs of spaces become one space; entities decode */
  expect_caption (c, "⚫", "black circle: circle, geometric, shiny & round");
  /* from annotationsDerived */
  expect_caption (c, "👨‍🍳", "man cook: chef, cook, man");
  /* keywords from one file, the name from the other */
  expect_caption (c, "{", "open curly bracket: brace, bracket, curly brace");
  /* nothing on the flag */
  expect_caption (c, "🇺🇸", NULL);
  g_assert_cmpuint (sw_emoji_captions_count (c), ==, 6);
}

static void
test_captions_name_only (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_file (&dir, "en.xml",
    "<ldml><annotations>"
    "<annotation cp=\"🫎\" type=\"tts\">moose</annotation>"
    "<annotation cp=\"🪿\">goose | honk</annotation>"
    "</annotations></ldml>");
  g_autoptr (GError) error = NULL;
  g_autoptr (SwEmojiCaptions) c = sw_emoji_captions_new ();
  g_assert_true (sw_emoji_captions_load (c, path, &error));
  g_assert_no_error (error);
  expect_caption (c, "🫎", "moose");
  /* keywords without a name make no caption */
  expect_caption (c, "🪿", NULL);
  sw_test_remove_dir (dir);
}

typedef struct {
  const char *name;
  const char *xml;
  SwErrorCode code;
  const char *says;
} BadXml;

static const BadXml bad_xml[] = {
  { "unclosed", "<ldml><annotations><annotation cp=\"🐶\">dog</annotations></ldml>",
    SW_ERROR_FORMAT, "en.xml”: not well-formed XML: " },
  { "truncated", "<ldml><annotations>", SW_ERROR_FORMAT, "en.xml”: not well-formed XML: " },
  { "no-cp", "<ldml>\n<annotations>\n<annotation type=\"tts\">dog</annotation>\n</annotations></ldml>",
    SW_ERROR_FORMAT, "en.xml”: line 3: an <annotation> has no “cp” attribute" },
  { "nested", "<ldml><annotation cp=\"🐶\">dog <b>face</b></annotation></ldml>",
    SW_ERROR_FORMAT, "line 1: an <annotation> holds the element <b>; it holds only text" },
};

static void
test_captions_malformed (gconstpointer data)
{
  const BadXml *bad = data;
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_file (&dir, "en.xml", bad->xml);
  g_autoptr (GError) error = NULL;
  g_autoptr (SwEmojiCaptions) c = sw_emoji_captions_new ();

  g_assert_false (sw_emoji_captions_load (c, path, &error));
  sw_test_assert_error (error, bad->code, bad->says);
  /* a file that fails adds nothing */
  g_assert_cmpuint (sw_emoji_captions_count (c), ==, 0);
  sw_test_remove_dir (dir);
}

static void
test_captions_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SwEmojiCaptions) c = sw_emoji_captions_new ();
  g_assert_false (sw_emoji_captions_load (c, "/nonexistent/en.xml", &error));
  sw_test_assert_error (error, SW_ERROR_IO, "“/nonexistent/en.xml”: cannot read it");
}

/* The renderer */

static void
test_render_known (void)
{
  g_autoptr (SwEmojiRenderer) r = open_font ();
  if (r == NULL)
    return;
  g_autoptr (GError) error = NULL;
  guint8 face[3 * PLANE], heart[3 * PLANE];
  SwEmojiOutcome outcome;

  g_assert_true (sw_emoji_render (r, "😀", S, face, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SW_EMOJI_DRAWN);
  /* the face's yellow just under the top edge, on the middle column;
   * white in the corners */
  g_assert_cmpint (px (face, 0, 16, 5), >, 220);
  g_assert_cmpint (px (face, 1, 16, 5), >, 170);
  g_assert_cmpint (px (face, 2, 16, 5), <, 90);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (px (face, c, 0, 0), ==, 255);
  /* a round face: its ink box is SW_EMOJI_INK (30) pixels high and wide,
   * give or take a faint edge pixel, and centred */
  int x0, y0, x1, y1;
  ink_box (face, &x0, &y0, &x1, &y1);
  g_test_message ("😀 ink: x %d..%d, y %d..%d", x0, x1, y0, y1);
  g_assert_cmpint (x1 - x0 + 1, >=, SW_EMOJI_INK - 1);
  g_assert_cmpint (x1 - x0 + 1, <=, SW_EMOJI_INK + 1);
  g_assert_cmpint (y1 - y0 + 1, >=, SW_EMOJI_INK - 1);
  g_assert_cmpint (y1 - y0 + 1, <=, SW_EMOJI_INK + 1);
  g_assert_cmpint (ABS (x0 + x1 + 1 - S), <=, 1);
  g_assert_cmpint (ABS (y0 + y1 + 1 - S), <=, 1);

  /* the red heart, with U+FE0F as emoji-test.txt writes it: red in the
   * middle */
  g_assert_true (sw_emoji_render (r, "❤️", S, heart, &outcome, &error));
  g_assert_cmpint (outcome, ==, SW_EMOJI_DRAWN);
  g_assert_cmpint (px (heart, 0, 16, 16), >, 180);
  g_assert_cmpint (px (heart, 1, 16, 16), <, 90);
  g_assert_cmpint (px (heart, 2, 16, 16), <, 90);
  /* wider than high: the long side is the width */
  ink_box (heart, &x0, &y0, &x1, &y1);
  g_assert_cmpint (x1 - x0 + 1, >=, SW_EMOJI_INK - 1);
  g_assert_cmpint (y1 - y0 + 1, <, x1 - x0 + 1);
}

typedef struct {
  const char     *name;
  const char     *text;
  SwEmojiOutcome  outcome;
} Unusual;

static const Unusual unusual[] = {
  /* Emoji 16.0, newer than the font */
  { "missing", "\xf0\x9f\xab\xa9", SW_EMOJI_MISSING_GLYPH },
  /* a letter: the font has no Latin */
  { "letter", "A", SW_EMOJI_MISSING_GLYPH },
  /* dog ZWJ cat: no such ligature, so a dog and a cat */
  { "no-ligature", "🐶‍🐱", SW_EMOJI_MULTI_GLYPH },
  { "two-emoji", "🐶🐱", SW_EMOJI_MULTI_GLYPH },
  /* a missing part makes the whole sequence missing */
  { "part-missing", "🐶\xf0\x9f\xab\xa9", SW_EMOJI_MISSING_GLYPH },
  /* a sequence the font joins is one glyph, even one newer than
   * emoji-test.txt (Emoji 15.1's head shaking) */
  { "ligature", "👨‍🍳", SW_EMOJI_DRAWN },
  { "newer-ligature", "🙂‍↔️", SW_EMOJI_DRAWN },
  { "flag", "🇺🇸", SW_EMOJI_DRAWN },
};

static void
test_render_unusual (gconstpointer data)
{
  const Unusual *u = data;
  g_autoptr (SwEmojiRenderer) r = open_font ();
  if (r == NULL)
    return;
  g_autoptr (GError) error = NULL;
  guint8 rgb[3 * PLANE];
  SwEmojiOutcome outcome;

  memset (rgb, 0, sizeof rgb);
  g_assert_true (sw_emoji_render (r, u->text, S, rgb, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, u->outcome);
  if (outcome == SW_EMOJI_DRAWN)
    return;
  /* left white */
  for (size_t i = 0; i < sizeof rgb; i++)
    g_assert_cmpint (rgb[i], ==, 255);
}

static void
test_render_bad_font (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (sw_emoji_renderer_new ("/nonexistent/emoji.ttf", &error));
  sw_test_assert_error (error, SW_ERROR_IO, "“/nonexistent/emoji.ttf”: cannot open it as a font");
  g_clear_error (&error);

  g_autofree char *dir = NULL;
  g_autofree char *junk = temp_file (&dir, "junk.ttf", "not a font at all");
  g_assert_null (sw_emoji_renderer_new (junk, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "junk.ttf”: cannot open it as a font");
  sw_test_remove_dir (dir);

  /* an outline font has no colour bitmaps */
  const char *plain = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (!g_file_test (plain, G_FILE_TEST_EXISTS))
    return;
  g_clear_error (&error);
  g_assert_null (sw_emoji_renderer_new (plain, &error));
  sw_test_assert_error (error, SW_ERROR_FORMAT, "DejaVuSans.ttf”: has no colour bitmaps");
}

/* A set built from the fixtures */

/* the fixtures' emoji drawn by R at SIZE */
static SwEmojiSet *
fixture_set (SwEmojiRenderer *r, int size)
{
  g_autofree char *path = fixture ("emoji-test.txt");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = NULL;
  g_assert_true (sw_emoji_list_load (path, &list, &error));
  g_autoptr (SwEmojiCaptions) captions = fixture_captions ();
  SwEmojiSet *set = sw_emoji_set_build (r, captions, list, size, &error);
  g_assert_no_error (error);
  return set;
}

static void
test_build (void)
{
  g_autoptr (SwEmojiRenderer) r = open_font ();
  if (r == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (SwEmojiSet) set = fixture_set (r, S);
  g_assert_cmpint (set->n, ==, 6);
  g_assert_cmpint (set->n_missing, ==, 1);
  g_assert_cmpint (set->n_multi, ==, 1);
  g_assert_cmpint (set->n_blank, ==, 0);
  /* ⚫ */
  g_assert_cmpint (set->n_grey, ==, 1);
  /* the flag, which the fixtures do not annotate */
  g_assert_cmpint (set->n_unannotated, ==, 1);

  const char *captions_want[] = {
    "grinning face: face, grin", "red heart: heart", "dog face: dog, face, pet",
    "man cook: chef, cook, man", "black circle: circle, geometric, shiny & round",
    "flag: United States", NULL,
  };
  const char *codepoints_want[] = {
    "1F600", "2764 FE0F", "1F436", "1F468 200D 1F373", "26AB", "1F1FA 1F1F8", NULL,
  };
  g_assert_cmpstrv (set->captions, captions_want);
  g_assert_cmpstrv (set->codepoints, codepoints_want);

  /* image 1 is the heart, the same as drawn alone */
  guint8 heart[3 * PLANE];
  SwEmojiOutcome outcome;
  g_assert_true (sw_emoji_render (r, "❤️", S, heart, &outcome, &error));
  g_assert_cmpmem (set->pixels + 3 * PLANE, sizeof heart, heart, sizeof heart);
  /* image 4, the black circle: dark in the middle */
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (px (set->pixels + 4 * 3 * PLANE, c, 16, 16), <, 80);
}

/* The 64 px render shrunk to 16 px: each pixel the rounded mean of its
 * 4 x 4 block, the emoji still where they were */
static void
test_downsample (void)
{
  g_autoptr (SwEmojiRenderer) r = open_font ();
  if (r == NULL)
    return;
  g_autoptr (SwEmojiSet) set = fixture_set (r, 64);
  g_assert_cmpint (set->size, ==, 64);
  g_autofree guint8 *big = g_memdup2 (set->pixels, (size_t) set->n * 3 * 64 * 64);
  sw_emoji_set_downsample (set, 4);
  g_assert_cmpint (set->size, ==, 16);
  g_assert_cmpint (set->n, ==, 6);
  g_assert_cmpint (set->n_grey, ==, 1);   /* ⚫, still */
  for (int i = 0; i < set->n; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++)
          {
            int sum = 0;
            for (int k = 0; k < 16; k++)
              sum += big[((i * 3 + c) * 64 + 4 * y + k / 4) * 64 + 4 * x + k % 4];
            const int got = set->pixels[((i * 3 + c) * 16 + y) * 16 + x];
            g_assert_cmpint (ABS (16 * got - sum), <=, 8);
          }
  /* the heart red in the middle, the corners white */
  const guint8 *heart = set->pixels + 3 * 16 * 16;
  g_assert_cmpint (heart[8 * 16 + 8], >, 180);
  g_assert_cmpint (heart[256 + 8 * 16 + 8], <, 90);
  g_assert_cmpint (heart[0], ==, 255);
}

static void
test_licenses (void)
{
  if (!g_file_test ("/usr/share/doc/fonts-noto-color-emoji/copyright", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("fonts-noto-color-emoji is not installed");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *text = sw_emoji_licenses ("32 x 32", &error);
  g_assert_no_error (error);
  const char *must[] = {
    "scaled down to 32 x 32 and\ndrawn on white",
    "SIL OPEN FONT LICENSE Version 1.1", "Apache License", "Version 2.0, January 2004",
    "UNICODE, INC. LICENSE AGREEMENT", "Unicode-DFS-2016", "Google Inc.",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (must); i++)
    if (strstr (text, must[i]) == NULL)
      g_error ("LICENSES.txt lacks “%s”", must[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/emoji/list", test_list);
  g_test_add_func ("/emoji/downsample", test_downsample);
  g_test_add_func ("/emoji/list/missing", test_list_missing);
  SW_TEST_ADD_CASES ("/emoji/list/malformed", bad_lists, test_list_malformed);

  g_test_add_func ("/emoji/captions", test_captions);
  g_test_add_func ("/emoji/captions/name-only", test_captions_name_only);
  g_test_add_func ("/emoji/captions/missing", test_captions_missing);
  SW_TEST_ADD_CASES ("/emoji/captions/malformed", bad_xml, test_captions_malformed);

  g_test_add_func ("/emoji/render/known", test_render_known);
  SW_TEST_ADD_CASES ("/emoji/render", unusual, test_render_unusual);
  g_test_add_func ("/emoji/render/bad-font", test_render_bad_font);

  g_test_add_func ("/emoji/build", test_build);
  g_test_add_func ("/emoji/licenses", test_licenses);

  return g_test_run ();
}
