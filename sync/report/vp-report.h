/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-report-schema.h"
#include "vp-report-validate.h"

G_BEGIN_DECLS

/* One table of the reach report. Every published number is a "variable":
 * the cells row by row, then the row totals, the column totals and the grand
 * total. One-dimensional tables have cells and a grand total only. */
typedef struct {
  const VpReportTableDef *def;
  GPtrArray  *rows;       /* codes (char *) */
  GPtrArray  *columns;    /* codes (char *); one unnamed column for 1-D tables */
  guint       n_vars;
  gint64     *value;      /* contacts counted */
  guint      *n_clients;  /* distinct clients behind each value */
  gboolean   *suppressed;
  GHashTable **client_sets; /* only while aggregating */
  gboolean    absent;     /* a parsed revision that did not have this table */
  gint64     *lo;         /* after vp_disclosure_ranges(): what each value */
  gint64     *hi;         /* can be given what was published (hi may be */
  double     *estimate;   /* VP_REPORT_UNBOUNDED), and one consistent value */
} VpReportTable;

#define VP_REPORT_UNBOUNDED G_MAXINT64

typedef struct {
  char      *team;
  char      *installation;
  char      *municipality;
  char      *period;       /* YYYY-MM */
  char      *generated_at; /* UTC, ISO 8601 */
  guint      revision;
  guint      k;
  GPtrArray *tables;       /* VpReportTable * */
  guint      n_clients;    /* distinct clients behind the whole month */
  GHashTable *month_clients; /* only while aggregating */
} VpReport;

gboolean       vp_report_table_is_2d         (const VpReportTable *table);
guint          vp_report_table_cell          (const VpReportTable *table,
                                              guint                row,
                                              guint                column);
guint          vp_report_table_row_total     (const VpReportTable *table,
                                              guint                row);
guint          vp_report_table_column_total  (const VpReportTable *table,
                                              guint                column);
guint          vp_report_table_grand_total   (const VpReportTable *table);
gboolean       vp_report_table_is_total      (const VpReportTable *table,
                                              guint                var);
VpReportTable *vp_report_find_table          (VpReport            *report,
                                              const char          *name);

/* One contact of the month, as the report sees it: category codes only,
 * NULL where a value was not filled in or its consent is missing. Every
 * contact counts in `contacts` and `interpreter_use`; a first contact also
 * counts in the four first-contact tables. */
typedef struct {
  gint64      client_id;
  const char *location_type;
  const char *kind;              /* "first" or "follow_up" */
  const char *initiated_by;
  const char *age_band;          /* at the contact */
  const char *dutch_proficiency;
  const char *stage;
  const char *interpreter_mode;
  const char *language;          /* the first preferred language */
} VpReportContact;

/* One referral made in the month, with its feedback status on the day the
 * month fell due. */
typedef struct {
  gint64      client_id;
  const char *category;
  const char *feedback_status;
} VpReportReferral;

VpReport      *vp_report_new                 (const char          *period,
                                              guint                k);
void           vp_report_add_contact         (VpReport            *report,
                                              const VpReportContact *contact);
void           vp_report_add_referral        (VpReport            *report,
                                              const VpReportReferral *referral);
gboolean       vp_report_finish              (VpReport            *report,
                                              GError             **error);

VpReport      *vp_report_new_from_json       (const char          *json,
                                              GError             **error);

void           vp_report_free                (VpReport            *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpReport, vp_report_free)

G_END_DECLS
