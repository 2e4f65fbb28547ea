/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CONTACT_DIALOG (vp_contact_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpContactDialog, vp_contact_dialog, VP, CONTACT_DIALOG, AdwMessageDialog)

VpContactDialog *vp_contact_dialog_new (GtkWindow  *parent,
                                        VpStore    *store,
                                        gint64      contact_id,
                                        GError    **error);

G_END_DECLS
