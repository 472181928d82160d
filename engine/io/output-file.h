/* output-file.h: where a file the user names for output is written
 * (issue 23, D6).  Every writer puts the new contents in a temporary file
 * and renames it over the old one; that rename must land on a regular
 * file or a new path only: a link is written through to its target (the
 * link stays), and a device, pipe or folder is refused, never replaced. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The path a write to PATH replaces: PATH itself, or the target its
 * links lead to; an error when that is neither a regular file nor
 * missing. */
char     *sw_output_target (const char *path, GError **error);

/* Writes LEN bytes of DATA to PATH's target, atomically (temporary file,
 * sync, rename). */
gboolean  sw_output_write (const char *path, const void *data, size_t len, GError **error);

G_END_DECLS
