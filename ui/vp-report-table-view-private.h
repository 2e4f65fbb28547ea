/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: what a report table shows, never for the rest of the app. */
#pragma once

#include "vp-report-table-view.h"

G_BEGIN_DECLS

/* The text shown for a value; NULL codes are the totals. */
const char *_vp_report_table_view_get_text          (VpReportTableView *self,
                                                     const char        *row_code,
                                                     const char        *column_code);
gboolean    _vp_report_table_view_is_marked_changed (VpReportTableView *self,
                                                     const char        *row_code,
                                                     const char        *column_code);

G_END_DECLS
