/* run-folder.h: a training run's folder as something two programs share
 * (issue 23, D2, D3, D8): an advisory lock so that one run at a time
 * writes it, whether it already holds a run, moving such a run aside
 * (never deleting it), and the temporary files an interrupted save left.
 * The training run (train-run.h) takes the lock for its whole length. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates FOLDER if missing and takes an advisory lock (flock) on it,
 * held until sw_run_folder_unlock.  Another process, or another run in
 * this one, holding it is an error that says the folder is in use.
 * Returns the lock's descriptor, or -1. */
int      sw_run_folder_lock (const char *folder, GError **error);
void     sw_run_folder_unlock (int lock);

/* TRUE when FOLDER holds a checkpoint, a model or loss logs */
gboolean sw_run_folder_holds_run (const char *folder);

/* Renames FOLDER to the first of FOLDER.old, FOLDER.old-2, … not taken, and
 * returns that path; nothing is deleted.  A run writing FOLDER (its
 * lock held) is an error. */
char    *sw_run_folder_move_aside (const char *folder, GError **error);

/* Removes the temporary files (NAME.XXXXXX) an interrupted save of the
 * checkpoint or the model left in FOLDER; call it with the lock held. */
void     sw_run_folder_remove_leftovers (const char *folder);

G_END_DECLS
