/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-report.h"

G_BEGIN_DECLS

#define VP_TYPE_REPORT_TABLE_VIEW (vp_report_table_view_get_type ())
G_DECLARE_FINAL_TYPE (VpReportTableView, vp_report_table_view, VP, REPORT_TABLE_VIEW, GtkWidget)

GtkWidget  *vp_report_table_view_new      (void);
void        vp_report_table_view_set_table (VpReportTableView   *self,
                                            const VpReportTable *table,
                                            const VpReportTable *previous,
                                            guint                previous_revision);
const char *vp_report_table_view_get_name (VpReportTableView   *self);

G_END_DECLS
