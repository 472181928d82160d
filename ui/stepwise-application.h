/* stepwise-application.h: the application object — start-up, options,
 * application-wide actions and their shortcuts, the About window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STEPWISE_TYPE_APPLICATION (stepwise_application_get_type ())
G_DECLARE_FINAL_TYPE (StepwiseApplication, stepwise_application, STEPWISE, APPLICATION, AdwApplication)

StepwiseApplication *stepwise_application_new (void);
/* where the shipped models are: $STEPWISE_MODELDIR, else the installed
 * folder when it exists, else the source tree's resources/models */
const char          *stepwise_application_get_model_dir (void);
/* before any GSettings: with no session bus (neither $DBUS_SESSION_BUS_ADDRESS
 * nor RUNTIME_DIR/bus), settings go to GLib's keyfile backend, since dconf
 * could not write them */
void                 stepwise_application_keep_settings_without_bus (const char *runtime_dir);

G_END_DECLS
