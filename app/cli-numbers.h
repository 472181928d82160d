/* cli-numbers.h: every numeric option of stepwise-cli, parsed in one
 * place with its range (issue 23, D7).  sw_cli_parse (cli-common.h) turns
 * each G_OPTION_ARG_INT, _INT64 and _DOUBLE entry into one that parses its
 * value whole, refuses NaN and infinities, and checks it against the
 * option's range here, so that an out-of-range value is an error naming
 * the option and the range instead of being replaced by a default. */
#pragma once

#include <glib.h>

typedef struct SwCliNumbers SwCliNumbers;

/* A copy of ENTRIES with the numeric ones checked, for CMD's group
 * (g_option_group_add_entries) with the returned SwCliNumbers as its
 * user data; NULL with ERROR when a numeric option has no range. */
SwCliNumbers *sw_cli_numbers_new (const char *cmd, const GOptionEntry *entries, GError **error);
const GOptionEntry *sw_cli_numbers_entries (const SwCliNumbers *numbers);
void          sw_cli_numbers_free (SwCliNumbers *numbers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SwCliNumbers, sw_cli_numbers_free)
