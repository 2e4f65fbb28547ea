/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-referral.h"

G_BEGIN_DECLS

#define VP_TYPE_REVIEW_DIALOG (vp_review_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpReviewDialog, vp_review_dialog, VP, REVIEW_DIALOG, AdwMessageDialog)

GtkWidget  *vp_review_dialog_new         (GtkWindow        *parent,
                                          const VpReferral *referral);
gint64      vp_review_dialog_get_referral_id (VpReviewDialog *self);
const char *vp_review_dialog_get_note    (VpReviewDialog   *self);

G_END_DECLS
