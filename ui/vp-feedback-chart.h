/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VP_TYPE_FEEDBACK_CHART (vp_feedback_chart_get_type ())
G_DECLARE_FINAL_TYPE (VpFeedbackChart, vp_feedback_chart, VP, FEEDBACK_CHART, GtkWidget)

void        vp_feedback_chart_set_shares  (VpFeedbackChart *self,
                                           GArray          *shares);
const char *vp_feedback_chart_get_summary (VpFeedbackChart *self);

G_END_DECLS
