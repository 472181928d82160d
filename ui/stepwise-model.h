/* stepwise-model.h: an engine model (SwEpsModel) as a GObject, so lists,
 * drop-downs and running jobs can hold references to it; or a cascade
 * (diffusion/cascade.h): a stage I model and the stage II model that
 * makes its images bigger, one model to the window.  Loading happens
 * on a worker thread; one job at a time runs a model (its lock). */
#pragma once

#include <gio/gio.h>

#include "diffusion/cascade.h"
#include "models/eps-model.h"

G_BEGIN_DECLS

#define STEPWISE_TYPE_MODEL (stepwise_model_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseModel, stepwise_model, STEPWISE, MODEL, GObject)

/* blocking: call it from a worker thread */
StepwiseModel *stepwise_model_load        (const char *path, GError **error);
/* the cascade of stage I's file PATH and stage II's SR_PATH (NULL: PATH
 * alone, as stepwise_model_load) */
StepwiseModel *stepwise_model_load_cascade (const char *path, const char *sr_path, GError **error);
void           stepwise_model_load_async  (const char *path, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
/* the same for the cascade of PATH and SR_PATH (NULL: PATH alone) */
void           stepwise_model_load_cascade_async (const char *path, const char *sr_path,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
StepwiseModel *stepwise_model_load_finish (GAsyncResult *result, GError **error);

/* Every model of DIR (*.safetensors, sorted by name) that loads as a
 * generation model, on a worker thread.  Finishes with a GPtrArray of
 * StepwiseModel, and in SKIPPED (when not NULL) each other file as
 * "name: why it cannot run", from the engine's message (a classifier, a
 * Part B model, a stage II model before the cascade runs it). */
void           stepwise_model_scan_async  (const char *dir, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
GPtrArray     *stepwise_model_scan_finish (GAsyncResult *result, GStrv *skipped, GError **error);

/* stage I's file */
const char    *stepwise_model_get_path    (StepwiseModel *self);
/* stage II's file, NULL for a model alone */
const char    *stepwise_model_get_sr_path (StepwiseModel *self);
/* what tells models apart (the last-model setting): the path, or for a
 * cascade both paths, a newline between them */
const char    *stepwise_model_get_id      (StepwiseModel *self);
/* the file name without ".safetensors"; for a cascade, a name such as
 * "Emoji, 16 → 64 (cascade)" */
const char    *stepwise_model_get_name    (StepwiseModel *self);
/* stage I: the model a job's prompt, start preview and canvas follow */
SwEpsModel    *stepwise_model_get_eps     (StepwiseModel *self);
/* the cascade every job runs through (stage II NULL for a model alone) */
SwCascade     *stepwise_model_get_cascade (StepwiseModel *self);
/* the model whose images a job gives: stage II's for a cascade */
SwEpsModel    *stepwise_model_get_output  (StepwiseModel *self);
/* the prompts the model knows, NULL-terminated */
const char * const *stepwise_model_get_prompts (StepwiseModel *self);
/* held by whoever runs the model: the engine's activations are per model */
GMutex        *stepwise_model_get_lock    (StepwiseModel *self);

G_END_DECLS
