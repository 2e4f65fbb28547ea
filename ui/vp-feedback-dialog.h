/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-referral.h"

G_BEGIN_DECLS

#define VP_TYPE_FEEDBACK_DIALOG (vp_feedback_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpFeedbackDialog, vp_feedback_dialog, VP, FEEDBACK_DIALOG, AdwMessageDialog)

GtkWidget *vp_feedback_dialog_new (GtkWindow        *parent,
                                   const VpReferral *referral);

G_END_DECLS
