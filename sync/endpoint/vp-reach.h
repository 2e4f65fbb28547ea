/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-report.h"

G_BEGIN_DECLS

/* One figure added up over laptops, teams and months: the published values
 * plus, for each suppressed one, an estimate consistent with everything its
 * report publishes; and a range that is guaranteed to hold the true sum,
 * from the sums of each value's lowest and highest possible value. */
typedef struct {
  double value;     /* a fraction where estimates are in it */
  gint64 lo;
  gint64 hi;        /* VP_REPORT_UNBOUNDED when nothing bounds it */
  gint64 published; /* the part of value that was published exactly */
  guint  n_reports; /* reports that went into it */
} VpFigure;

/* A share part / (part + rest) with its guaranteed range; NAN when nothing
 * was counted. */
typedef struct {
  double value;
  double lo;
  double hi;
} VpShare;

void     vp_figure_add      (VpFigure       *sum,
                             const VpFigure *figure);
gboolean vp_figure_is_exact (const VpFigure *figure);
VpShare  vp_figure_share    (const VpFigure *part,
                             const VpFigure *rest);

/* Which reports a figure adds up: a set of teams (NULL for every team),
 * and months from..to inclusive (YYYY-MM). */
typedef struct {
  GHashTable *teams;
  char        from[8];
  char        to[8];
} VpReachFilter;

/* The received reports of one moment, each with the range and estimate of
 * every suppressed value (vp_disclosure_ranges(), the device's own code).
 * Ranges are computed once per report revision and kept across loads. */
typedef struct _VpReach VpReach;

VpReach   *vp_reach_new     (void);
void       vp_reach_free    (VpReach             *self);
void       vp_reach_load    (VpReach             *self,
                             GPtrArray           *stored);
GPtrArray *vp_reach_months  (VpReach             *self);
guint      vp_reach_count   (VpReach             *self,
                             const VpReachFilter *filter);
VpFigure   vp_reach_figure  (VpReach             *self,
                             const VpReachFilter *filter,
                             const char          *table,
                             const char          *row,
                             const char          *column);

/* The reports loaded, for a per-report listing: each VpReport carries its
 * team, installation and period, and after loading its ranges. */
GPtrArray *vp_reach_reports (VpReach             *self);

gboolean   vp_report_is_silent    (VpReport  *report);
void       vp_reach_impute_silent (GPtrArray *reports);

/* The figure of one value of one report. */
VpFigure   vp_report_figure (VpReport            *report,
                             const char          *table,
                             const char          *row,
                             const char          *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpReach, vp_reach_free)

G_END_DECLS
