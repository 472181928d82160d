/* emoji-captions.c: CLDR annotation files → "name: keyword, keyword"
 * captions (emoji-captions.h), parsed with GMarkup. */
#include "data/emoji-captions.h"

#include <string.h>

#define FE0F_UTF8 "\xef\xb8\x8f"

/* What CLDR says of one emoji; either field may be NULL. */
typedef struct {
  char *name;       /* the type="tts" annotation: "dog face" */
  char *keywords;   /* the other one, as written: "dog | face | pet" */
} Entry;

struct _SwEmojiCaptions {
  GHashTable *entries;   /* emoji without U+FE0F → Entry */
};

/* One file being parsed: its entries, merged into the captions only once
 * the whole file has parsed. */
typedef struct {
  GHashTable *entries;
  const char *file;
  gboolean    in_annotation;
  char       *cp;
  gboolean    tts;
  GString    *text;
} Parse;

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->name);
  g_free (e->keywords);
  g_free (e);
}

static GHashTable *
entries_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
}

/* EMOJI with every U+FE0F removed */
static char *
strip_fe0f (const char *emoji)
{
  GString *s = g_string_new (emoji);
  g_string_replace (s, FE0F_UTF8, "", 0);
  return g_string_free (s, FALSE);
}

/* TEXT with runs of white space (line breaks included) made one space and
 * none at either end, so that a caption is always one line */
static char *
one_line (const char *text)
{
  g_auto (GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  GString *s = g_string_new (NULL);
  for (char **w = words; *w; w++)
    if (**w)
      g_string_append_printf (s, "%s%s", s->len ? " " : "", *w);
  return g_string_free (s, FALSE);
}

SwEmojiCaptions *
sw_emoji_captions_new (void)
{
  SwEmojiCaptions *c = g_new0 (SwEmojiCaptions, 1);
  c->entries = entries_new ();
  return c;
}

void
sw_emoji_captions_free (SwEmojiCaptions *c)
{
  if (c == NULL)
    return;
  g_hash_table_unref (c->entries);
  g_free (c);
}

static gboolean
markup_error (GMarkupParseContext *ctx, const Parse *p, GError **error, const char *fmt, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
markup_error (GMarkupParseContext *ctx, const Parse *p, GError **error, const char *fmt, ...)
{
  int line;
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_markup_parse_context_get_position (ctx, &line, NULL);
  return sw_file_error (error, SW_ERROR_FORMAT, p->file, "line %d: %s", line, msg);
}

static void
on_start (GMarkupParseContext *ctx, const char *element, const char **names,
          const char **values, gpointer user_data, GError **error)
{
  Parse *p = user_data;
  if (p->in_annotation)
    {
      markup_error (ctx, p, error, "an <annotation> holds the element <%s>; it holds only text",
                    element);
      return;
    }
  if (strcmp (element, "annotation") != 0)
    return;

  const char *cp = NULL, *type = NULL;
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], "cp") == 0)
      cp = values[i];
    else if (strcmp (names[i], "type") == 0)
      type = values[i];
  if (cp == NULL || cp[0] == '\0')
    {
      markup_error (ctx, p, error, "an <annotation> has no “cp” attribute naming its emoji");
      return;
    }
  p->in_annotation = TRUE;
  p->cp = strip_fe0f (cp);
  p->tts = g_strcmp0 (type, "tts") == 0;
  g_string_truncate (p->text, 0);
}

static void
on_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data,
         GError **error)
{
  Parse *p = user_data;
  if (p->in_annotation)
    g_string_append_len (p->text, text, (gssize) len);
}

static void
on_end (GMarkupParseContext *ctx, const char *element, gpointer user_data, GError **error)
{
  Parse *p = user_data;
  if (!p->in_annotation)
    return;
  p->in_annotation = FALSE;

  g_autofree char *cp = g_steal_pointer (&p->cp);
  Entry *e = g_hash_table_lookup (p->entries, cp);
  if (e == NULL)
    {
      e = g_new0 (Entry, 1);
      g_hash_table_insert (p->entries, g_strdup (cp), e);
    }
  /* within a file, as across files, the first word on an emoji stands */
  char **field = p->tts ? &e->name : &e->keywords;
  if (*field == NULL)
    *field = one_line (p->text->str);
}

/* Moves what FROM says into C, where C says nothing yet. */
static void
merge (SwEmojiCaptions *c, GHashTable *from)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, from);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      Entry *src = value, *dst = g_hash_table_lookup (c->entries, key);
      if (dst == NULL)
        {
          g_hash_table_iter_steal (&it);
          g_hash_table_insert (c->entries, key, src);
          continue;
        }
      if (dst->name == NULL)
        dst->name = g_steal_pointer (&src->name);
      if (dst->keywords == NULL)
        dst->keywords = g_steal_pointer (&src->keywords);
    }
}

gboolean
sw_emoji_captions_load (SwEmojiCaptions *c, const char *path, GError **error)
{
  g_return_val_if_fail (c != NULL && path != NULL, FALSE);

  g_autofree char *file = g_filename_display_name (path);
  g_autofree char *xml = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &xml, &len, &local))
    return sw_file_error (error, SW_ERROR_IO, file, "cannot read it: %s", local->message);

  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr (GHashTable) entries = entries_new ();
  g_autoptr (GString) text = g_string_new (NULL);
  Parse p = { .entries = entries, .file = file, .text = text };
  g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, 0, &p, NULL);
  gboolean ok = g_markup_parse_context_parse (ctx, xml, (gssize) len, &local)
                && g_markup_parse_context_end_parse (ctx, &local);
  g_free (p.cp);
  if (!ok)
    {
      /* our own errors already name the file; GMarkup's give the line */
      if (local->domain == SW_ERROR)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        sw_file_error (error, SW_ERROR_FORMAT, file, "not well-formed XML: %s", local->message);
      return FALSE;
    }
  merge (c, entries);
  return TRUE;
}

guint
sw_emoji_captions_count (const SwEmojiCaptions *c)
{
  guint n = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, c->entries);
  while (g_hash_table_iter_next (&it, NULL, &value))
    n += ((Entry *) value)->name != NULL;
  return n;
}

char *
sw_emoji_captions_lookup (const SwEmojiCaptions *c, const char *emoji)
{
  g_return_val_if_fail (c != NULL && emoji != NULL, NULL);

  g_autofree char *key = strip_fe0f (emoji);
  const Entry *e = g_hash_table_lookup (c->entries, key);
  if (e == NULL || e->name == NULL || e->name[0] == '\0')
    return NULL;

  GString *caption = g_string_new (e->name);
  g_auto (GStrv) keywords = g_strsplit (e->keywords ? e->keywords : "", "|", -1);
  int n = 0;
  for (char **k = keywords; *k; k++)
    {
      g_strstrip (*k);
      if (**k == '\0' || strcmp (*k, e->name) == 0)
        continue;
      g_string_append_printf (caption, "%s%s", n++ ? ", " : ": ", *k);
    }
  return g_string_free (caption, FALSE);
}
