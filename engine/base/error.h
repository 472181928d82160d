/* error.h: the engine's error domain.
 *
 * Engine functions that can fail on bad input take a GError ** and return
 * FALSE/NULL; they never abort.  Messages name the offending field or
 * tensor and say what is accepted. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SW_ERROR (sw_error_quark ())

typedef enum {
  SW_ERROR_IO,        /* could not read or write a file */
  SW_ERROR_FORMAT,    /* a file is not in the expected format */
  SW_ERROR_SHAPE,     /* a tensor has the wrong shape or is missing */
  SW_ERROR_INVALID,   /* a parameter is out of its accepted range */
  SW_ERROR_CANCELLED, /* the caller asked to stop */
} SwErrorCode;

GQuark sw_error_quark (void);

/* Sets ERROR to "“FILE”: message" with CODE and returns FALSE, for the
 * parsers of untrusted files. */
gboolean sw_file_error (GError **error, SwErrorCode code, const char *file,
                        const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* TEXT (a prompt, a word) to quote in a message: whole up to
 * SW_ERROR_QUOTE_MAX characters, else its start and "…", so that a
 * 100 KB prompt is not echoed whole.  Free with g_free. */
#define SW_ERROR_QUOTE_MAX 80
char    *sw_error_quote (const char *text);

/* In a validator taking GError **error and returning gboolean: unless
 * COND holds, set SW_ERROR_INVALID with the printf-style message and
 * return FALSE. */
#define SW_CHECK(cond, ...) \
  if (!(cond)) \
    { \
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, __VA_ARGS__); \
      return FALSE; \
    }

G_END_DECLS
