/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-categories.h"

G_BEGIN_DECLS

#define VP_REPORT_SCHEMA "vindplaats.reach/1"
#define VP_REPORT_MIN_K 5

/* A dimension is either a fixed category of DESIGN §6 (plus "not_recorded")
 * or, for languages, any ISO 639-3 code. */
typedef struct {
  const char *name;
  int         category; /* a VpCategory, or -1 for ISO 639-3 languages */
} VpReportDimension;

typedef struct {
  const char              *name;
  const VpReportDimension *rows;
  const VpReportDimension *columns; /* NULL for one-dimensional tables */
  gboolean                 rows_not_recorded;    /* rows end with not_recorded */
  gboolean                 columns_not_recorded; /* columns end with not_recorded */
} VpReportTableDef;

const VpReportTableDef *vp_report_table_defs       (guint      *n_defs);
const VpReportTableDef *vp_report_table_def_lookup (const char *name);
gboolean                vp_report_dimension_accepts (const VpReportDimension *dim,
                                                     const char              *code);
gboolean                vp_report_is_period         (const char *period);

G_END_DECLS
