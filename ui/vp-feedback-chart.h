/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "vp-referral.h"

G_BEGIN_DECLS

#define VP_TYPE_FEEDBACK_CHART (vp_feedback_chart_get_type ())
G_DECLARE_FINAL_TYPE (VpFeedbackChart, vp_feedback_chart, VP, FEEDBACK_CHART, GtkWidget)

void        vp_feedback_chart_set_counts  (VpFeedbackChart *self,
                                           GArray          *counts);
void        vp_feedback_chart_set_error   (VpFeedbackChart *self,
                                           const char      *message);
const char *vp_feedback_chart_get_summary (VpFeedbackChart *self);
gboolean    vp_feedback_chart_is_empty    (VpFeedbackChart *self);

G_END_DECLS
