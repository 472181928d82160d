/* cosine-schedule.h: the schedule lives in models/ (the eps-model turns a
 * v-prediction into the noise with it); this name stays for the callers
 * that include it from here. */
#pragma once

#include "models/cosine-schedule.h"
