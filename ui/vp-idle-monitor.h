/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VP_TYPE_IDLE_MONITOR (vp_idle_monitor_get_type ())
G_DECLARE_FINAL_TYPE (VpIdleMonitor, vp_idle_monitor, VP, IDLE_MONITOR, GObject)

VpIdleMonitor *vp_idle_monitor_new         (GtkWidget     *widget);
void           vp_idle_monitor_set_timeout (VpIdleMonitor *self,
                                            guint          minutes);
void           vp_idle_monitor_poke        (VpIdleMonitor *self);
gboolean       vp_idle_monitor_check       (VpIdleMonitor *self,
                                            gint64         now_usec);

G_END_DECLS
