#include "cli-numbers.h"

#include <math.h>
#include <string.h>

#include "base/error.h"

typedef struct {
  const char *name;      /* the long option, or "COMMAND/option" for one command's own */
  double      min, max;  /* max INFINITY: no upper bound */
  gboolean    min_open, max_open;
} Range;

/* Every numeric option's accepted values.  A few are narrowed again
 * later against a model (a start index against its steps); none is
 * widened. */
static const Range ranges[] = {
  { "seed", 0, INFINITY },
  { "steps", 1, 999 },
  { "sr-steps", 1, 999 },
  { "sr-guidance", 0, 100 },
  { "sr-noise", 0, 999 },
  { "sr-from", 0, 999 },
  { "eval-sr/from", 0, 999 },
  { "stage", 1, 2 },
  { "sample-steps", 1, 999 },
  { "guidance", 0, 100 },
  { "guide-after", 0, 1, .max_open = TRUE },
  { "count", 1, 1000 },
  { "sample/count", 1, 10000 },
  { "sample/per-class", 1, 1000 },
  { "eval/per-class", 2, 10000 },
  { "per-prompt", 1, 100 },
  { "caption-loss", 0, 100000 },
  { "images", 1, 32 },
  { "eval-sr/images", 1, 1000 },
  { "figure-level", 0, 999 },
  { "epochs", 1, 10000 },
  { "train-classifier/epochs", 1, 1000 },
  { "batch", 2, 4096 },
  { "train-classifier/batch", 1, 4096 },
  { "lr", 0, 1, .min_open = TRUE },
  { "D", 1, 1024 },
  { "embed", 0, 4096 },
  { "gamma", 0, 1 },
  { "ema", 0, 1, .max_open = TRUE },
  { "word-lr", 0, 1000, .min_open = TRUE },
  { "repeat-rare", 0, 1 },
  { "weight-decay", 0, 1, .max_open = TRUE },
  { "min-snr", 0, 1000 },
  { "warmup", 0, 1000000 },
  { "minutes", 0, 10000, .min_open = TRUE },
  { "width", 2, 512 },
  { "blocks", 1, 4 },
  { "crop", 8, 128 },
  { "aug-max", 0, 999 },
  { "heads", 1, 64 },
  { "cross", 0, 2 },
  { "word-noise", 0, 1 },
  { "export/word-noise", 0, 1, .min_open = TRUE },
  { "sigma", 0, 10 },
  { "blur/sigma", 0, 100, .min_open = TRUE },
  { "p-uncond", 0, 1 },
  { "limit", 2, INFINITY },
  { "kernel", 1, 255 },
  { "every", 1, 1000 },
  { "i-start", 0, 998 },
  { "seconds", 0, 600, .min_open = TRUE },
};

typedef struct {
  const GOptionEntry *entry;   /* the caller's, with its type and variable */
  const Range        *range;
} Slot;

struct SwCliNumbers {
  GArray *entries;   /* GOptionEntry, the numeric ones turned into callbacks */
  GArray *slots;     /* Slot */
};

static const Range *
find_range (const char *cmd, const char *name)
{
  g_autofree char *own = g_strdup_printf ("%s/%s", cmd, name);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (strcmp (ranges[i].name, own) == 0)
      return &ranges[i];
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (strcmp (ranges[i].name, name) == 0)
      return &ranges[i];
  return NULL;
}

static char *
describe (const Range *r)
{
  if (isinf (r->max))
    return r->min_open ? g_strdup_printf ("more than %g", r->min) : g_strdup_printf ("%g or more", r->min);
  if (r->min_open)
    return g_strdup_printf ("more than %g, at most %g", r->min, r->max);
  if (r->max_open)
    return g_strdup_printf ("%g to less than %g", r->min, r->max);
  return g_strdup_printf ("%g to %g", r->min, r->max);
}

static gboolean
in_range (const Range *r, double v)
{
  return (r->min_open ? v > r->min : v >= r->min) && (r->max_open ? v < r->max : v <= r->max);
}

static gboolean
parse_number (const char *option, const char *value, gpointer data, GError **error)
{
  SwCliNumbers *numbers = data;
  const Slot *slot = NULL;
  for (guint i = 0; i < numbers->slots->len && !slot; i++)
    {
      const Slot *s = &g_array_index (numbers->slots, Slot, i);
      if (option[1] == '-' ? strcmp (option + 2, s->entry->long_name) == 0
                           : option[1] == s->entry->short_name && option[2] == '\0')
        slot = s;
    }
  g_return_val_if_fail (slot != NULL, FALSE);
  const char *name = slot->entry->long_name;
  g_autofree char *accepted = describe (slot->range);
  double v;
  gint64 whole = 0;
  const gboolean integer = slot->entry->arg != G_OPTION_ARG_DOUBLE;
  if (integer)
    {
      if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &whole, NULL))
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "--%s “%s” is not a whole number; accepted: %s",
                       name, value, accepted);
          return FALSE;
        }
      v = (double) whole;
    }
  else
    {
      char *end = NULL;
      v = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0')
        {
          g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "--%s “%s” is not a number; accepted: %s",
                       name, value, accepted);
          return FALSE;
        }
    }
  const double type_max = slot->entry->arg == G_OPTION_ARG_INT ? (double) G_MAXINT : INFINITY;
  if (!isfinite (v) || !in_range (slot->range, v) || v > type_max)
    {
      g_set_error (error, SW_ERROR, SW_ERROR_INVALID, "--%s %s is out of range; accepted: %s", name, value,
                   accepted);
      return FALSE;
    }
  switch (slot->entry->arg)
    {
    case G_OPTION_ARG_INT:
      *(int *) slot->entry->arg_data = (int) whole;
      break;
    case G_OPTION_ARG_INT64:
      *(gint64 *) slot->entry->arg_data = whole;
      break;
    default:
      *(double *) slot->entry->arg_data = v;
      break;
    }
  return TRUE;
}

SwCliNumbers *
sw_cli_numbers_new (const char *cmd, const GOptionEntry *entries, GError **error)
{
  g_autoptr (SwCliNumbers) numbers = g_new0 (SwCliNumbers, 1);
  numbers->entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  numbers->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  for (const GOptionEntry *e = entries; e && e->long_name; e++)
    {
      GOptionEntry copy = *e;
      if (e->arg == G_OPTION_ARG_INT || e->arg == G_OPTION_ARG_INT64 || e->arg == G_OPTION_ARG_DOUBLE)
        {
          const Slot slot = { e, find_range (cmd, e->long_name) };
          if (!slot.range)
            {
              g_set_error (error, SW_ERROR, SW_ERROR_INVALID,
                           "--%s has no range in app/cli-numbers.c", e->long_name);
              return NULL;
            }
          g_array_append_val (numbers->slots, slot);
          copy.arg = G_OPTION_ARG_CALLBACK;
          copy.arg_data = (gpointer) parse_number;
        }
      g_array_append_val (numbers->entries, copy);
    }
  return g_steal_pointer (&numbers);
}

const GOptionEntry *
sw_cli_numbers_entries (const SwCliNumbers *numbers)
{
  return (const GOptionEntry *) numbers->entries->data;
}

void
sw_cli_numbers_free (SwCliNumbers *numbers)
{
  if (!numbers)
    return;
  if (numbers->entries)
    g_array_unref (numbers->entries);
  if (numbers->slots)
    g_array_unref (numbers->slots);
  g_free (numbers);
}
