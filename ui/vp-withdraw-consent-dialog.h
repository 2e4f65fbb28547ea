/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_WITHDRAW_CONSENT_DIALOG (vp_withdraw_consent_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpWithdrawConsentDialog, vp_withdraw_consent_dialog, VP, WITHDRAW_CONSENT_DIALOG,
                      AdwMessageDialog)

GtkWidget *vp_withdraw_consent_dialog_new (GtkWindow  *parent,
                                           VpStore    *store,
                                           gint64      client_id,
                                           const char *category);

G_END_DECLS
