/* stepwise-export.h: the trajectory a StepwiseScrubber holds, as files —
 * a strip PNG (x_t on the top row, the predicted x0 below, one column per
 * step) and an animated PNG (x_t and x0 side by side, a frame per step).
 * Both carry the job's settings META as text chunks. */
#pragma once

#include "stepwise-scrubber.h"

G_BEGIN_DECLS

/* the most columns a strip has; longer trajectories are sampled evenly,
 * first and last step always included */
#define STEPWISE_EXPORT_MAX_COLUMNS 40

GBytes *stepwise_export_strip     (StepwiseScrubber *scrubber, int channels, int height, int width,
                                   GHashTable *meta, GError **error);
/* one frame per frame of the scrubber */
GBytes *stepwise_export_animation (StepwiseScrubber *scrubber, int channels, int height, int width,
                                   GHashTable *meta, GError **error);

G_END_DECLS
