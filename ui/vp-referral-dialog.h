/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-referral.h"

G_BEGIN_DECLS

#define VP_TYPE_REFERRAL_DIALOG (vp_referral_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpReferralDialog, vp_referral_dialog, VP, REFERRAL_DIALOG, AdwMessageDialog)

GtkWidget *vp_referral_dialog_new (GtkWindow          *parent,
                                   const char * const *organisations,
                                   const VpReferral   *existing);

G_END_DECLS
