/* json.h: a small, defensive JSON (RFC 8259) parser and string writer.
 *
 * Made for safetensors headers, which come from untrusted files: the parser
 * checks bounds on every byte, rejects invalid UTF-8, limits nesting depth,
 * and on error reports the byte offset and what was expected.  It never
 * reads past LEN and does not need a terminating NUL.
 *
 * Objects keep their members in file order, duplicates included, so callers
 * can reject duplicate keys with a message of their own. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "base/error.h"

G_BEGIN_DECLS

/* Deeper nesting than this is an error, which bounds the recursion. */
#define SW_JSON_MAX_DEPTH 64

typedef enum {
  SW_JSON_NULL,
  SW_JSON_BOOL,
  SW_JSON_NUMBER,
  SW_JSON_STRING,
  SW_JSON_ARRAY,
  SW_JSON_OBJECT,
} SwJsonType;

typedef struct _SwJson SwJson;

typedef struct {
  char   *key;       /* NUL-terminated; may also contain NULs (\u0000) */
  size_t  key_len;
  SwJson *value;
} SwJsonMember;

struct _SwJson {
  SwJsonType type;
  union {
    gboolean boolean;
    struct {
      double   value;
      gboolean is_int;     /* no fraction or exponent, and fits in int64 */
      int64_t  int_value;  /* exact, when is_int */
    } number;
    struct {
      char   *data;        /* NUL-terminated; may also contain NULs */
      size_t  len;
    } string;
    struct {
      SwJson **items;
      size_t   n;
    } array;
    struct {
      SwJsonMember *members;
      size_t        n;
    } object;
  };
};

/* Parses exactly one JSON value surrounded by optional whitespace.
 * On error returns NULL with SW_ERROR_FORMAT and a message of the form
 * "at byte N: what is wrong". */
SwJson *sw_json_parse (const char *text, size_t len, GError **error);
void    sw_json_free  (SwJson *node);

/* A short description for messages: -3, 2.5, “F64” (a string), an array,
 * null, ... */
char   *sw_json_describe (const SwJson *node);

/* Appends S (valid UTF-8) as a quoted, escaped JSON string. */
void    sw_json_append_string (GString *out, const char *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwJson, sw_json_free)

G_END_DECLS
