/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_AUDIT_PAGE (vp_audit_page_get_type ())
G_DECLARE_FINAL_TYPE (VpAuditPage, vp_audit_page, VP, AUDIT_PAGE, GtkWidget)

void  vp_audit_page_set_store   (VpAuditPage *self,
                                 VpStore     *store);
void  vp_audit_page_refresh     (VpAuditPage *self);
guint vp_audit_page_get_n_shown (VpAuditPage *self);

G_END_DECLS
