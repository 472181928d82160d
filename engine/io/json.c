#include "io/json.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

typedef struct {
  const char *text;
  size_t      len;
  size_t      pos;
  GError    **error;
} Parser;

static SwJson *parse_value (Parser *p, int depth);

static gboolean parse_fail (Parser *p, size_t at, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
parse_fail (Parser *p, size_t at, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *reason = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (p->error, SW_ERROR, SW_ERROR_FORMAT, "at byte %zu: %s", at, reason);
  return FALSE;
}

static gboolean
at_end (const Parser *p)
{
  return p->pos >= p->len;
}

static guchar
peek (const Parser *p)
{
  return at_end (p) ? 0 : (guchar) p->text[p->pos];
}

static gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

static void
skip_whitespace (Parser *p)
{
  for (guchar c = peek (p); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek (p))
    p->pos++;
}

/* Names the byte at the current position for "unexpected ..." messages;
 * NULs and non-ASCII bytes are shown as hex, never printed raw. */
static gboolean
fail_unexpected (Parser *p, const char *expected)
{
  guchar c = peek (p);

  if (at_end (p))
    return parse_fail (p, p->pos, "unexpected end of input, expected %s", expected);
  if (c >= 0x20 && c < 0x7f)
    return parse_fail (p, p->pos, "unexpected ‘%c’, expected %s", c, expected);
  return parse_fail (p, p->pos, "unexpected byte 0x%02X, expected %s", c, expected);
}

static SwJson *
node_new (SwJsonType type)
{
  SwJson *node = g_new0 (SwJson, 1);
  node->type = type;
  return node;
}

static gboolean
parse_literal (Parser *p, const char *word)
{
  size_t n = strlen (word);

  if (p->len - p->pos < n || memcmp (p->text + p->pos, word, n) != 0)
    return fail_unexpected (p, "a JSON value");
  p->pos += n;
  return TRUE;
}

static int
hex_value (guchar c)
{
  if (is_digit (c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the XXXX of a \uXXXX escape; p->pos is just past the 'u'. */
static gboolean
parse_hex4 (Parser *p, gunichar *out)
{
  *out = 0;
  for (int i = 0; i < 4; i++)
    {
      int v = hex_value (peek (p));
      if (v < 0)
        return fail_unexpected (p, "four hex digits after \\u");
      *out = (*out << 4) | (gunichar) v;
      p->pos++;
    }
  return TRUE;
}

/* A \u escape, including a UTF-16 surrogate pair written as two escapes.
 * P->pos is on the 'u'. */
static gboolean
parse_unicode_escape (Parser *p, GString *out)
{
  size_t start = p->pos - 1;
  gunichar c, low;

  p->pos++;
  if (!parse_hex4 (p, &c))
    return FALSE;
  if (c >= 0xDC00 && c <= 0xDFFF)
    return parse_fail (p, start, "lone low surrogate \\u%04X", c);
  if (c >= 0xD800 && c <= 0xDBFF)
    {
      if (p->len - p->pos < 2 || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u')
        return parse_fail (p, start, "high surrogate \\u%04X is not followed by a low surrogate", c);
      p->pos += 2;
      if (!parse_hex4 (p, &low))
        return FALSE;
      if (low < 0xDC00 || low > 0xDFFF)
        return parse_fail (p, start, "high surrogate \\u%04X is followed by \\u%04X, not a low surrogate", c, low);
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
    }
  g_string_append_unichar (out, c);
  return TRUE;
}

static gboolean
parse_escape (Parser *p, GString *out)
{
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  guchar c;
  const char *hit;

  p->pos++;  /* the backslash */
  c = peek (p);
  if (c == 'u')
    return parse_unicode_escape (p, out);
  hit = c != 0 ? strchr (from, c) : NULL;
  if (hit == NULL)
    return fail_unexpected (p, "an escape: one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
  g_string_append_c (out, to[hit - from]);
  p->pos++;
  return TRUE;
}

/* A string; p->pos is on the opening quote.  *OUT is NUL-terminated and
 * *OUT_LEN counts any NULs that came from \u0000 escapes. */
static gboolean
parse_string (Parser *p, char **out, size_t *out_len)
{
  size_t start = p->pos;
  g_autoptr(GString) s = g_string_new (NULL);

  p->pos++;
  for (;;)
    {
      guchar c = peek (p);
      size_t run = p->pos;
      const char *bad;

      if (at_end (p))
        return parse_fail (p, start, "unterminated string");
      if (c == '"')
        break;
      if (c == '\\')
        {
          if (!parse_escape (p, s))
            return FALSE;
          continue;
        }
      if (c < 0x20)
        return parse_fail (p, p->pos, "control character 0x%02X in a string must be escaped", c);

      /* Copy a run of plain characters, checking that it is UTF-8. */
      while (!at_end (p) && peek (p) != '"' && peek (p) != '\\' && peek (p) >= 0x20)
        p->pos++;
      if (!g_utf8_validate_len (p->text + run, p->pos - run, &bad))
        return parse_fail (p, (size_t) (bad - p->text), "invalid UTF-8 in a string");
      g_string_append_len (s, p->text + run, (gssize) (p->pos - run));
    }
  p->pos++;
  *out_len = s->len;
  *out = g_string_free (g_steal_pointer (&s), FALSE);
  return TRUE;
}

static gboolean
scan_digits (Parser *p, const char *where)
{
  if (!is_digit (peek (p)))
    return fail_unexpected (p, where);
  while (is_digit (peek (p)))
    p->pos++;
  return TRUE;
}

/* Follows the RFC 8259 grammar exactly: no leading zeros, no leading '+',
 * no bare '.', no NaN or Infinity. */
static SwJson *
parse_number (Parser *p)
{
  size_t start = p->pos;
  gboolean is_int = TRUE;
  g_autofree char *literal = NULL;
  SwJson *node;

  if (peek (p) == '-')
    p->pos++;
  if (peek (p) == '0')
    {
      p->pos++;
      if (is_digit (peek (p)))
        {
          parse_fail (p, start, "leading zeros are not allowed in numbers");
          return NULL;
        }
    }
  else if (!scan_digits (p, "a digit"))
    return NULL;
  if (peek (p) == '.')
    {
      p->pos++;
      is_int = FALSE;
      if (!scan_digits (p, "a digit after the decimal point"))
        return NULL;
    }
  if (peek (p) == 'e' || peek (p) == 'E')
    {
      p->pos++;
      is_int = FALSE;
      if (peek (p) == '+' || peek (p) == '-')
        p->pos++;
      if (!scan_digits (p, "a digit in the exponent"))
        return NULL;
    }

  literal = g_strndup (p->text + start, p->pos - start);
  node = node_new (SW_JSON_NUMBER);
  node->number.value = g_ascii_strtod (literal, NULL);
  if (is_int)
    {
      errno = 0;
      node->number.int_value = g_ascii_strtoll (literal, NULL, 10);
      node->number.is_int = errno == 0;
    }
  return node;
}

static SwJson *
parse_array (Parser *p, int depth)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) sw_json_free);
  SwJson *node;
  gsize n;

  p->pos++;
  skip_whitespace (p);
  if (peek (p) != ']')
    for (;;)
      {
        SwJson *item = parse_value (p, depth);
        if (item == NULL)
          return NULL;
        g_ptr_array_add (items, item);
        skip_whitespace (p);
        if (peek (p) == ']')
          break;
        if (peek (p) != ',')
          {
            fail_unexpected (p, "‘,’ or ‘]’ in an array");
            return NULL;
          }
        p->pos++;
      }
  p->pos++;

  node = node_new (SW_JSON_ARRAY);
  node->array.items = (SwJson **) g_ptr_array_steal (items, &n);
  node->array.n = n;
  return node;
}

static void
member_clear (SwJsonMember *member)
{
  g_free (member->key);
  sw_json_free (member->value);
}

static SwJson *
parse_object (Parser *p, int depth)
{
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (SwJsonMember));
  SwJson *node;
  gsize n;

  g_array_set_clear_func (members, (GDestroyNotify) member_clear);
  p->pos++;
  skip_whitespace (p);
  if (peek (p) != '}')
    for (;;)
      {
        SwJsonMember member = { 0 };

        skip_whitespace (p);
        if (peek (p) != '"')
          {
            fail_unexpected (p, "a string key in an object");
            return NULL;
          }
        if (!parse_string (p, &member.key, &member.key_len))
          return NULL;
        skip_whitespace (p);
        if (peek (p) != ':')
          {
            g_free (member.key);
            fail_unexpected (p, "‘:’ after an object key");
            return NULL;
          }
        p->pos++;
        member.value = parse_value (p, depth);
        g_array_append_val (members, member);  /* freed with the array on error */
        if (member.value == NULL)
          return NULL;
        skip_whitespace (p);
        if (peek (p) == '}')
          break;
        if (peek (p) != ',')
          {
            fail_unexpected (p, "‘,’ or ‘}’ in an object");
            return NULL;
          }
        p->pos++;
      }
  p->pos++;

  node = node_new (SW_JSON_OBJECT);
  node->object.members = g_array_steal (members, &n);
  node->object.n = n;
  return node;
}

/* DEPTH counts the arrays and objects around this value. */
static SwJson *
parse_value (Parser *p, int depth)
{
  SwJson *node;
  guchar c;

  skip_whitespace (p);
  c = peek (p);
  if (c == '[' || c == '{')
    {
      if (depth >= SW_JSON_MAX_DEPTH)
        {
          parse_fail (p, p->pos, "arrays and objects nested deeper than %d levels",
                      SW_JSON_MAX_DEPTH);
          return NULL;
        }
      return c == '[' ? parse_array (p, depth + 1) : parse_object (p, depth + 1);
    }
  if (c == '"')
    {
      node = node_new (SW_JSON_STRING);
      if (!parse_string (p, &node->string.data, &node->string.len))
        g_clear_pointer (&node, sw_json_free);
      return node;
    }
  if (c == '-' || is_digit (c))
    return parse_number (p);
  if (c == 't' || c == 'f')
    {
      if (!parse_literal (p, c == 't' ? "true" : "false"))
        return NULL;
      node = node_new (SW_JSON_BOOL);
      node->boolean = c == 't';
      return node;
    }
  if (c == 'n')
    return parse_literal (p, "null") ? node_new (SW_JSON_NULL) : NULL;
  fail_unexpected (p, "a JSON value");
  return NULL;
}

SwJson *
sw_json_parse (const char *text, size_t len, GError **error)
{
  Parser p = { text, len, 0, error };
  g_autoptr(SwJson) root = NULL;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  root = parse_value (&p, 0);
  if (root == NULL)
    return NULL;
  skip_whitespace (&p);
  if (!at_end (&p))
    {
      fail_unexpected (&p, "nothing after the JSON value");
      return NULL;
    }
  return g_steal_pointer (&root);
}

void
sw_json_free (SwJson *node)
{
  if (node == NULL)
    return;
  switch (node->type)
    {
    case SW_JSON_STRING:
      g_free (node->string.data);
      break;
    case SW_JSON_ARRAY:
      for (size_t i = 0; i < node->array.n; i++)
        sw_json_free (node->array.items[i]);
      g_free (node->array.items);
      break;
    case SW_JSON_OBJECT:
      for (size_t i = 0; i < node->object.n; i++)
        member_clear (&node->object.members[i]);
      g_free (node->object.members);
      break;
    case SW_JSON_NULL:
    case SW_JSON_BOOL:
    case SW_JSON_NUMBER:
      break;
    }
  g_free (node);
}

char *
sw_json_describe (const SwJson *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (node->type)
    {
    case SW_JSON_NULL:
      return g_strdup ("null");
    case SW_JSON_BOOL:
      return g_strdup (node->boolean ? "true" : "false");
    case SW_JSON_NUMBER:
      if (node->number.is_int)
        return g_strdup_printf ("%" G_GINT64_FORMAT, node->number.int_value);
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", node->number.value));
    case SW_JSON_STRING:
      /* keep messages readable whatever the file holds */
      if (g_utf8_strlen (node->string.data, -1) > 40)
        {
          g_autofree char *start = g_utf8_substring (node->string.data, 0, 40);
          return g_strdup_printf ("“%s…”", start);
        }
      return g_strdup_printf ("“%s”", node->string.data);
    case SW_JSON_ARRAY:
      return g_strdup ("an array");
    case SW_JSON_OBJECT:
      return g_strdup ("an object");
    }
  g_return_val_if_reached (NULL);
}

void
sw_json_append_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *c = s; *c != '\0'; c++)
    switch (*c)
      {
      case '"':  g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if ((guchar) *c < 0x20)
          g_string_append_printf (out, "\\u%04x", (guint) (guchar) *c);
        else
          g_string_append_c (out, *c);
      }
  g_string_append_c (out, '"');
}
