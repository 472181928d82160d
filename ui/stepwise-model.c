#include "config.h"

#include "stepwise-model.h"

#include <glib/gi18n.h>
#include <string.h>

struct _StepwiseModel
{
  GObject     parent_instance;
  char       *path;      /* stage I's file */
  char       *sr_path;   /* stage II's, or NULL */
  char       *id;
  char       *name;
  SwCascade  *cascade;   /* stage II NULL for a model alone */
  char      **prompts;
  GMutex      lock;
};

G_DEFINE_FINAL_TYPE (StepwiseModel, stepwise_model, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_PATH, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
stepwise_model_finalize (GObject *object)
{
  StepwiseModel *self = STEPWISE_MODEL (object);
  g_free (self->path);
  g_free (self->sr_path);
  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->prompts);
  sw_cascade_free (self->cascade);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (stepwise_model_parent_class)->finalize (object);
}

static void
stepwise_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StepwiseModel *self = STEPWISE_MODEL (object);
  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stepwise_model_class_init (StepwiseModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = stepwise_model_finalize;
  object_class->get_property = stepwise_model_get_property;
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stepwise_model_init (StepwiseModel *self)
{
  g_mutex_init (&self->lock);
}

/* a file's name without ".safetensors" */
static char *
file_name (const char *path)
{
  char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".safetensors"))
    base[strlen (base) - strlen (".safetensors")] = '\0';
  return base;
}

/* the cascade's name: "Emoji, 16 → 64 (cascade)" for emoji-stage1 */
static char *
cascade_name (const char *stage1_name, const SwCascade *c)
{
  g_autofree char *stem = g_strdup (stage1_name);
  if (g_str_has_suffix (stem, "-stage1"))
    stem[strlen (stem) - strlen ("-stage1")] = '\0';
  if (g_ascii_islower (stem[0]))
    stem[0] = g_ascii_toupper (stem[0]);
  /* Translators: a cascade of two models in the model chooser: its name,
   * stage I's image side and stage II's, in pixels */
  return g_strdup_printf (_("%s, %d → %d (cascade)"), stem, c->stage1->height, c->stage2->height);
}

StepwiseModel *
stepwise_model_load_cascade (const char *path, const char *sr_path, GError **error)
{
  SwCascade *cascade = sw_cascade_load (path, sr_path, error);
  if (!cascade)
    return NULL;
  StepwiseModel *self = g_object_new (STEPWISE_TYPE_MODEL, NULL);
  self->path = g_strdup (path);
  self->name = file_name (path);
  self->id = g_strdup (path);
  if (sr_path)
    {
      self->sr_path = g_strdup (sr_path);
      g_autofree char *name = g_steal_pointer (&self->name);
      self->name = cascade_name (name, cascade);
      g_free (self->id);
      self->id = g_strconcat (path, "\n", sr_path, NULL);
    }
  self->cascade = cascade;
  SwEpsModel *eps = cascade->stage1;
  self->prompts = eps->prompts ? eps->prompts (eps) : NULL;
  if (!self->prompts)
    self->prompts = g_new0 (char *, 1);
  return self;
}

StepwiseModel *
stepwise_model_load (const char *path, GError **error)
{
  return stepwise_model_load_cascade (path, NULL, error);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  char **paths = task_data;
  GError *error = NULL;
  StepwiseModel *model = stepwise_model_load_cascade (paths[0], paths[1], &error);
  if (model)
    g_task_return_pointer (task, model, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
stepwise_model_load_cascade_async (const char *path, const char *sr_path, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, stepwise_model_load_cascade_async);
  char **paths = g_new0 (char *, 3);
  paths[0] = g_strdup (path);
  paths[1] = g_strdup (sr_path);
  g_task_set_task_data (task, paths, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, load_thread);
}

void
stepwise_model_load_async (const char *path, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  stepwise_model_load_cascade_async (path, NULL, cancellable, callback, user_data);
}

StepwiseModel *
stepwise_model_load_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

typedef struct {
  GPtrArray *models;    /* StepwiseModel */
  GStrv      skipped;   /* "name: why" */
} Scan;

static void
scan_free (Scan *scan)
{
  g_ptr_array_unref (scan->models);
  g_strfreev (scan->skipped);
  g_free (scan);
}

/* why a file is not a model the window runs: the engine's message, less
 * the path it starts with (the list names the file) */
static char *
skip_reason (const char *path, const char *name, const char *message)
{
  g_autofree char *quoted = g_strdup_printf ("“%s”: ", path);
  if (g_str_has_prefix (message, quoted))
    message += strlen (quoted);
  return g_strdup_printf ("%s: %s", name, message);
}

static void
scan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *dir = task_data;
  Scan *scan = g_new0 (Scan, 1);
  scan->models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name (d));)
    if (g_str_has_suffix (name, ".safetensors"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  /* each file's reason, and the stage II files a cascade takes */
  g_autoptr (GHashTable) skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < names->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr (GError) error = NULL;
      StepwiseModel *model = stepwise_model_load (path, &error);
      if (!model)
        {
          g_autofree char *name = file_name (path);
          g_hash_table_insert (skipped, g_strdup (path), skip_reason (path, name, error->message));
          continue;
        }
      /* a stage I model with its stage II beside it: the cascade first */
      g_autofree char *sr_path = sw_cascade_stage2_beside (path);
      StepwiseModel *cascade = sr_path ? stepwise_model_load_cascade (path, sr_path, NULL) : NULL;
      if (cascade)
        {
          g_ptr_array_add (scan->models, cascade);
          g_hash_table_add (taken, g_steal_pointer (&sr_path));
        }
      g_ptr_array_add (scan->models, model);
    }
  g_autoptr (GStrvBuilder) reasons = g_strv_builder_new ();
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      const char *why = g_hash_table_lookup (skipped, path);
      if (why && !g_hash_table_contains (taken, path))
        g_strv_builder_add (reasons, why);
    }
  scan->skipped = g_strv_builder_end (reasons);
  g_task_return_pointer (task, scan, (GDestroyNotify) scan_free);
}

void
stepwise_model_scan_async (const char *dir, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, stepwise_model_scan_async);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, scan_thread);
}

GPtrArray *
stepwise_model_scan_finish (GAsyncResult *result, GStrv *skipped, GError **error)
{
  Scan *scan = g_task_propagate_pointer (G_TASK (result), error);
  if (!scan)
    return NULL;
  GPtrArray *models = g_steal_pointer (&scan->models);
  if (skipped)
    *skipped = g_steal_pointer (&scan->skipped);
  g_strfreev (scan->skipped);
  g_free (scan);
  return models;
}

const char *
stepwise_model_get_path (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->path;
}

const char *
stepwise_model_get_name (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->name;
}

const char *
stepwise_model_get_sr_path (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->sr_path;
}

const char *
stepwise_model_get_id (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->id;
}

SwEpsModel *
stepwise_model_get_eps (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->cascade->stage1;
}

SwCascade *
stepwise_model_get_cascade (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->cascade;
}

SwEpsModel *
stepwise_model_get_output (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return self->cascade->stage2 ? self->cascade->stage2 : self->cascade->stage1;
}

const char * const *
stepwise_model_get_prompts (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return (const char * const *) self->prompts;
}

GMutex *
stepwise_model_get_lock (StepwiseModel *self)
{
  g_return_val_if_fail (STEPWISE_IS_MODEL (self), NULL);
  return &self->lock;
}
