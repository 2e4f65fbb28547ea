/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the tests only: hooks that the app itself never calls. */
#pragma once

#include "vp-window.h"
#include "vp-idle-monitor.h"

G_BEGIN_DECLS

/* The monitor behind auto-lock, to check it at a given time. */
VpIdleMonitor *_vp_window_get_idle_monitor (VpWindow *self);

G_END_DECLS
