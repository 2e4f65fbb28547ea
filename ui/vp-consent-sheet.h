/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_CONSENT_SHEET (vp_consent_sheet_get_type ())
G_DECLARE_FINAL_TYPE (VpConsentSheet, vp_consent_sheet, VP, CONSENT_SHEET, AdwWindow)

VpConsentSheet *vp_consent_sheet_new          (GtkWindow      *parent,
                                               const char     *category,
                                               guint           retention_months);
void            vp_consent_sheet_set_language (VpConsentSheet *self,
                                               const char     *language);
const char     *vp_consent_sheet_get_language (VpConsentSheet *self);
const char     *vp_consent_sheet_get_version  (VpConsentSheet *self);
const char     *vp_consent_sheet_get_text     (VpConsentSheet *self);

G_END_DECLS
