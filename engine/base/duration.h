/* duration.h: a length of time as a person reads it, for progress lines
 * and reports of the command line and the window alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SECONDS rounded to the second as "m:ss", or "h:mm:ss" from an hour on
 * (free with g_free) */
char *sw_format_duration (double seconds);

G_END_DECLS
