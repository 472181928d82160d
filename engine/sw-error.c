#include "sw-error.h"

G_DEFINE_QUARK (stepwise-error-quark, sw_error)
