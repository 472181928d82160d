#include "config.h"

#include "stepwise-application.h"

#include <glib/gi18n.h>

#include "stepwise-train-page.h"
#include "stepwise-window.h"

struct _StepwiseApplication
{
  AdwApplication parent_instance;
  char          *model;        /* --model */
  char          *prompt;       /* --prompt */
  char          *screenshot;   /* --screenshot (debugging) */
  int            mode;         /* --mode (debugging) */
  gboolean       generate;     /* --generate (debugging) */
  char          *page;         /* --page (debugging) */
  int            train_quick;  /* --train-quick (debugging) */
  GFile         *open_file;    /* an image given on the command line, for the canvas */
};

G_DEFINE_FINAL_TYPE (StepwiseApplication, stepwise_application, ADW_TYPE_APPLICATION)

const char *
stepwise_application_get_model_dir (void)
{
  const char *env = g_getenv ("STEPWISE_MODELDIR");
  if (env && *env)
    return env;
  if (g_file_test (STEPWISE_INSTALLED_MODELDIR, G_FILE_TEST_IS_DIR))
    return STEPWISE_INSTALLED_MODELDIR;
  return STEPWISE_SOURCE_MODELDIR;
}

/* --screenshot: save the window once it has drawn the job's end, then quit */
static gboolean
take_screenshot (gpointer data)
{
  StepwiseWindow *window = data;
  StepwiseApplication *self = STEPWISE_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  g_autoptr (GError) error = NULL;
  if (!stepwise_window_save_screenshot (window, self->screenshot, &error))
    g_printerr ("stepwise: %s\n", error->message);
  else
    g_print ("%s\n", self->screenshot);
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
on_job_finished (StepwiseJobRunner *runner, GBytes *result, GError *error, StepwiseWindow *window)
{
  StepwiseApplication *self = STEPWISE_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  if (self->screenshot)
    g_timeout_add (500, take_screenshot, window);   /* let the last frame draw */
}

/* --page train --train-quick N --screenshot: train on N images with a
 * small network and take the screenshot once the first epoch's samples
 * are shown and the second epoch's losses are coming in */
static gboolean
screenshot_when_trained (gpointer data)
{
  StepwiseWindow *window = data;
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  if (stepwise_train_page_get_error (page))
    take_screenshot (window);
  else if (stepwise_train_page_get_epochs_done (page) >= 1)
    g_timeout_add (1500, take_screenshot, window);   /* the next epoch under way */
  else
    return G_SOURCE_CONTINUE;
  return G_SOURCE_REMOVE;
}

static void
start_training (StepwiseWindow *window, StepwiseApplication *self)
{
  StepwiseTrainPage *page = stepwise_window_get_train_page (window);
  stepwise_train_page_set_quick (page, self->train_quick, 8);
  stepwise_train_page_set_epochs (page, 3);
  g_autofree char *folder = g_dir_make_tmp ("stepwise-train-XXXXXX", NULL);
  stepwise_train_page_set_folder (page, folder);
  gtk_widget_activate_action (GTK_WIDGET (page), "train.start", NULL);
  if (self->screenshot)
    g_timeout_add (200, screenshot_when_trained, window);
}

/* the canvas takes the model's geometry when a model arrives, so an image
 * given on the command line waits for it; it is read before this returns,
 * so that --generate runs on it */
static void
open_pending_file (StepwiseWindow *window, StepwiseApplication *self)
{
  if (self->open_file)
    stepwise_canvas_open_file_now (stepwise_window_get_canvas (window), self->open_file);
  g_clear_object (&self->open_file);
}

static void
on_model_ready (StepwiseWindow *window, GParamSpec *pspec, StepwiseApplication *self)
{
  if (!stepwise_window_get_model (window))
    return;
  g_signal_handlers_disconnect_by_func (window, on_model_ready, self);
  open_pending_file (window, self);
  if (self->generate)
    {
      g_signal_connect (stepwise_window_get_runner (window), "finished", G_CALLBACK (on_job_finished), window);
      g_action_group_activate_action (G_ACTION_GROUP (window), "generate", NULL);
    }
  else if (self->train_quick > 0)
    start_training (window, self);
  else if (self->screenshot)
    g_timeout_add (500, take_screenshot, window);
}

static void
stepwise_application_activate (GApplication *app)
{
  StepwiseApplication *self = STEPWISE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (!window)
    {
      StepwiseWindow *win = stepwise_window_new (GTK_APPLICATION (app), stepwise_application_get_model_dir ());
      if (self->model)
        stepwise_window_open_model (win, self->model);
      if (self->prompt)
        stepwise_window_set_prompt (win, self->prompt);
      if (self->mode > 0)
        stepwise_window_set_mode (win, (StepwiseMode) self->mode);
      if (self->page)
        stepwise_window_show_page (win, self->page);
      if (self->generate || self->screenshot || self->open_file)
        g_signal_connect (win, "notify::model", G_CALLBACK (on_model_ready), self);
      window = GTK_WINDOW (win);
    }
  else if (stepwise_window_get_model (STEPWISE_WINDOW (window)))
    open_pending_file (STEPWISE_WINDOW (window), self);
  gtk_window_present (window);
}

/* stepwise IMAGE: the image becomes the canvas's input (the first file;
 * the canvas holds one image) */
static void
stepwise_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  StepwiseApplication *self = STEPWISE_APPLICATION (app);
  if (n_files > 1)
    {
      g_autofree char *name = g_file_get_parse_name (files[0]);
      g_printerr ("stepwise: opening %s only; the canvas holds one image\n", name);
    }
  g_set_object (&self->open_file, files[0]);
  g_application_activate (app);
}

static int
stepwise_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  StepwiseApplication *self = STEPWISE_APPLICATION (app);
  g_variant_dict_lookup (options, "model", "^ay", &self->model);
  g_variant_dict_lookup (options, "prompt", "s", &self->prompt);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  g_variant_dict_lookup (options, "mode", "i", &self->mode);
  self->generate = g_variant_dict_contains (options, "generate");
  g_variant_dict_lookup (options, "page", "s", &self->page);
  g_variant_dict_lookup (options, "train-quick", "i", &self->train_quick);
  if (self->mode < 0 || self->mode > STEPWISE_MODE_DENOISE_LAB)
    {
      g_printerr ("stepwise: --mode %d is out of range; accepted: 0 to %d\n", self->mode,
                  STEPWISE_MODE_DENOISE_LAB);
      return 2;
    }
  return G_APPLICATION_CLASS (stepwise_application_parent_class)->handle_local_options (app, options);
}

/* dconf writes over the session bus.  With no bus (a bare X server, an ssh
 * session) every write fails and dconf puts the saved value back, so a
 * --prompt or a typed setting snapped back.  GLib's keyfile backend
 * ($XDG_CONFIG_HOME/glib-2.0/settings/keyfile) keeps them instead. */
void
stepwise_application_keep_settings_without_bus (const char *runtime_dir)
{
  if (g_getenv ("GSETTINGS_BACKEND") || g_getenv ("DBUS_SESSION_BUS_ADDRESS"))
    return;
  g_autofree char *socket = g_build_filename (runtime_dir, "bus", NULL);
  if (!g_file_test (socket, G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Stepwise authors", NULL };
  GtkWidget *about = adw_about_window_new ();
  g_object_set (about,
                "transient-for", gtk_application_get_active_window (app),
                "application-name", _("Stepwise"),
                "application-icon", APPLICATION_ID,
                "version", PACKAGE_VERSION,
                "developer-name", _("The Stepwise authors"),
                "developers", developers,
                "comments", _("Watch a diffusion model draw, step by step. Every model it runs is one it trained itself, offline, on an ordinary computer."),
                "license-type", GTK_LICENSE_GPL_3_0,
                "website", "https://github.com/stepwise/stepwise",
                "issue-url", "https://github.com/stepwise/stepwise/issues",
                /* Translators: put your names here, one a line */
                "translator-credits", _("translator-credits"),
                NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  /* close the windows so they save their state */
  for (GList *l = gtk_application_get_windows (app); l;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (app));
}

static const GActionEntry app_entries[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
stepwise_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (stepwise_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.generate", { "<Control>Return", "<Control>KP_Enter", NULL } },
    { "win.cancel", { "Escape", NULL } },
    { "win.randomize-seed", { "<Control>r", NULL } },
    { "win.new-seed", { "<Control><Shift>r", NULL } },
    { "win.open-model", { "<Control>o", NULL } },
    { "win.play", { "<Control>space", NULL } },
    { "win.show-x0", { "<Control>t", NULL } },
    { "win.use-result", { "<Control>u", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.export-strip", { "<Control>e", NULL } },
    { "win.export-animation", { "<Control><Shift>e", NULL } },
    { "win.open-result", { "<Control><Alt>o", NULL } },
  };
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
stepwise_application_shutdown (GApplication *app)
{
  stepwise_train_page_stop_all ();   /* within a batch or a sampling step */
  G_APPLICATION_CLASS (stepwise_application_parent_class)->shutdown (app);
}

static void
stepwise_application_finalize (GObject *object)
{
  StepwiseApplication *self = STEPWISE_APPLICATION (object);
  g_free (self->model);
  g_free (self->prompt);
  g_free (self->screenshot);
  g_free (self->page);
  g_clear_object (&self->open_file);
  G_OBJECT_CLASS (stepwise_application_parent_class)->finalize (object);
}

static void
stepwise_application_class_init (StepwiseApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  object_class->finalize = stepwise_application_finalize;
  app_class->activate = stepwise_application_activate;
  app_class->open = stepwise_application_open;
  app_class->startup = stepwise_application_startup;
  app_class->shutdown = stepwise_application_shutdown;
  app_class->handle_local_options = stepwise_application_handle_local_options;
}

static void
stepwise_application_init (StepwiseApplication *self)
{
  static const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL, N_("Open this model file"), N_("FILE") },
    { "prompt", 'p', 0, G_OPTION_ARG_STRING, NULL, N_("Start with this prompt"), N_("TEXT") },
    { "generate", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL, "Generate once the model is loaded", NULL },
    { "mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, NULL, "Select mode N (0 = Generate)", "N" },
    { "page", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL, "Show page NAME (create, train)", "NAME" },
    { "train-quick", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, NULL,
      "Start training on the first N images with a small network", "N" },
    { "screenshot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, NULL,
      "Save the window as a PNG (after the job with --generate) and quit", "FILE" },
    { NULL }
  };
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Watch a diffusion model draw, step by step."));
}

StepwiseApplication *
stepwise_application_new (void)
{
  return g_object_new (STEPWISE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/stepwise/Stepwise",
                       NULL);
}
