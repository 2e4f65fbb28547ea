/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_REPORT_PAGE (vp_report_page_get_type ())
G_DECLARE_FINAL_TYPE (VpReportPage, vp_report_page, VP, REPORT_PAGE, GtkWidget)

void        vp_report_page_set_store  (VpReportPage *self,
                                       VpStore      *store);
void        vp_report_page_refresh    (VpReportPage *self);
void        vp_report_page_set_period (VpReportPage *self,
                                       const char   *period);
const char *vp_report_page_get_json   (VpReportPage *self);
gboolean    vp_report_page_is_busy    (VpReportPage *self);

G_END_DECLS
