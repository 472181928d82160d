/* stepwise-history.c: a GPtrArray of results behind GListModel; the disk
 * follows through a one-thread pool, so writes happen in the order they
 * were asked for and the main loop never waits on them. */
#include "stepwise-history.h"

#include <glib/gstdio.h>
#include <string.h>

#define INDEX_NAME "index"

struct _StepwiseHistory
{
  GObject      parent_instance;
  char        *dir;
  GPtrArray   *items;     /* StepwiseResult, newest first */
  GThreadPool *writer;    /* one thread: Write */
  gboolean     loaded;
  guint        counter;
};

static void list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StepwiseHistory, stepwise_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_init))

enum { PROP_0, PROP_LOADED, N_PROPS };
static GParamSpec *properties[N_PROPS];

static StepwiseHistory *default_history;

/* ---- writing ---- */

typedef struct {
  char   *path;
  GBytes *contents;   /* NULL: delete PATH */
} Write;

static void
write_free (Write *w)
{
  g_free (w->path);
  g_clear_pointer (&w->contents, g_bytes_unref);
  g_free (w);
}

static void
write_run (gpointer data, gpointer user_data)
{
  Write *w = data;
  g_autoptr (GError) error = NULL;
  if (!w->contents)
    g_unlink (w->path);
  else
    {
      g_autofree char *dir = g_path_get_dirname (w->path);
      g_mkdir_with_parents (dir, 0700);
      /* a temporary file in the same folder, renamed over PATH */
      if (!g_file_set_contents (w->path, g_bytes_get_data (w->contents, NULL),
                                g_bytes_get_size (w->contents), &error))
        g_printerr ("stepwise: could not keep the history: %s\n", error->message);
    }
  write_free (w);
}

static void
queue (StepwiseHistory *self, const char *name, GBytes *contents)
{
  Write *w = g_new0 (Write, 1);
  w->path = g_build_filename (self->dir, name, NULL);
  w->contents = contents;
  g_thread_pool_push (self->writer, w, NULL);
}

static void
queue_index (StepwiseHistory *self)
{
  GString *index = g_string_new (NULL);
  for (guint i = 0; i < self->items->len; i++)
    g_string_append_printf (index, "%s\n", stepwise_result_get_file_name (self->items->pdata[i]));
  queue (self, INDEX_NAME, g_string_free_to_bytes (index));
}

void
stepwise_history_add (StepwiseHistory *self, StepwiseResult *result)
{
  g_return_if_fail (STEPWISE_IS_HISTORY (self));
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = stepwise_result_to_png (result, 1, &error);
  if (!png)
    {
      g_printerr ("stepwise: %s\n", error->message);
      return;
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("%s-%06d-%u.png", stamp, g_date_time_get_microsecond (now),
                                           self->counter++);
  stepwise_result_set_file_name (result, name);
  queue (self, name, g_steal_pointer (&png));
  g_ptr_array_insert (self->items, 0, g_object_ref (result));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  guint removed = 0;
  while (self->items->len > STEPWISE_HISTORY_MAX)
    {
      StepwiseResult *old = self->items->pdata[self->items->len - 1];
      queue (self, stepwise_result_get_file_name (old), NULL);
      g_ptr_array_remove_index (self->items, self->items->len - 1);
      removed++;
    }
  queue_index (self);
  if (removed)
    g_list_model_items_changed (G_LIST_MODEL (self), self->items->len, removed, 0);
}

void
stepwise_history_flush (StepwiseHistory *self)
{
  g_return_if_fail (STEPWISE_IS_HISTORY (self));
  g_thread_pool_free (self->writer, FALSE, TRUE);
  self->writer = g_thread_pool_new (write_run, NULL, 1, FALSE, NULL);
}

/* ---- reading ---- */

/* on a worker: the results the index names, skipping files that are gone
 * or damaged */
static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *dir = task_data;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *index_path = g_build_filename (dir, INDEX_NAME, NULL);
  g_autofree char *index = NULL;
  if (g_file_get_contents (index_path, &index, NULL, NULL))
    {
      g_auto (GStrv) names = g_strsplit (index, "\n", -1);
      for (int i = 0; names[i] && found->len < STEPWISE_HISTORY_MAX; i++)
        {
          const char *name = names[i];
          if (!*name || strchr (name, '/') || name[0] == '.')
            continue;
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autofree char *data = NULL;
          gsize len;
          if (!g_file_get_contents (path, &data, &len, NULL))
            continue;
          StepwiseResult *result = stepwise_result_new_from_png ((const guint8 *) data, len, path, NULL);
          if (!result)
            continue;
          stepwise_result_set_file_name (result, name);
          g_ptr_array_add (found, result);
        }
    }
  g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StepwiseHistory *self = STEPWISE_HISTORY (source);
  g_autoptr (GPtrArray) found = g_task_propagate_pointer (G_TASK (res), NULL);
  const guint before = self->items->len;
  guint added = 0;
  /* results added while loading are newer: they stay first */
  for (guint i = 0; found && i < found->len && self->items->len < STEPWISE_HISTORY_MAX; i++, added++)
    g_ptr_array_add (self->items, g_object_ref (found->pdata[i]));
  self->loaded = TRUE;
  if (before > 0)
    queue_index (self);
  if (added)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

StepwiseHistory *
stepwise_history_new (const char *dir)
{
  StepwiseHistory *self = g_object_new (STEPWISE_TYPE_HISTORY, NULL);
  self->dir = g_strdup (dir);
  g_autoptr (GTask) task = g_task_new (self, NULL, loaded, NULL);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, load_thread);
  return self;
}

StepwiseHistory *
stepwise_history_dup_default (void)
{
  if (default_history)
    return g_object_ref (default_history);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "stepwise", "history", NULL);
  default_history = stepwise_history_new (dir);
  g_object_add_weak_pointer (G_OBJECT (default_history), (gpointer *) &default_history);
  return default_history;
}

gboolean
stepwise_history_get_loaded (StepwiseHistory *self)
{
  g_return_val_if_fail (STEPWISE_IS_HISTORY (self), FALSE);
  return self->loaded;
}

const char *
stepwise_history_get_dir (StepwiseHistory *self)
{
  g_return_val_if_fail (STEPWISE_IS_HISTORY (self), NULL);
  return self->dir;
}

/* ---- GListModel ---- */

static GType
get_item_type (GListModel *model)
{
  return STEPWISE_TYPE_RESULT;
}

static guint
get_n_items (GListModel *model)
{
  return STEPWISE_HISTORY (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  StepwiseHistory *self = STEPWISE_HISTORY (model);
  return position < self->items->len ? g_object_ref (self->items->pdata[position]) : NULL;
}

static void
list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
stepwise_history_finalize (GObject *object)
{
  StepwiseHistory *self = STEPWISE_HISTORY (object);
  g_thread_pool_free (self->writer, FALSE, TRUE);   /* the last writes land */
  g_ptr_array_unref (self->items);
  g_free (self->dir);
  G_OBJECT_CLASS (stepwise_history_parent_class)->finalize (object);
}

static void
stepwise_history_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, STEPWISE_HISTORY (object)->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_history_class_init (StepwiseHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = stepwise_history_finalize;
  object_class->get_property = stepwise_history_get_property;
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stepwise_history_init (StepwiseHistory *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->writer = g_thread_pool_new (write_run, NULL, 1, FALSE, NULL);
}
