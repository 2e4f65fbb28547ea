/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: the report page's parts, never for the rest of the app. */
#pragma once

#include "vp-report-page.h"
#include "vp-report-table-view.h"

G_BEGIN_DECLS

VpReportTableView *_vp_report_page_get_table_view (VpReportPage *self,
                                                   const char   *name);

G_END_DECLS
