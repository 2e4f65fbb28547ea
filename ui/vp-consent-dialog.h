/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_CONSENT_DIALOG (vp_consent_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpConsentDialog, vp_consent_dialog, VP, CONSENT_DIALOG, AdwMessageDialog)

GtkWidget  *vp_consent_dialog_new          (GtkWindow       *parent,
                                            const char      *category,
                                            const char      *language,
                                            guint            retention_months);
const char *vp_consent_dialog_get_category (VpConsentDialog *self);

G_END_DECLS
