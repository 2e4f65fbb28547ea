/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-outbox.h"
#include "vp-report.h"
#include "vp-store.h"

G_BEGIN_DECLS

/* One revision of a month: a queued, sent or superseded one from the
 * outbox, or the one that releasing the month now would queue. */
typedef struct {
  VpReport     *report;      /* NULL when a stored body could not be read */
  char         *json;        /* the exact bytes */
  char         *sha256;      /* what the revision not queued yet publishes */
  VpOutboxItem *item;        /* NULL for the revision not queued yet */
  char         *unreadable;  /* why report is NULL */
} VpReportRevision;

guint vp_report_revision_get_number (const VpReportRevision *revision);

#define VP_TYPE_REPORT_MONTH (vp_report_month_get_type ())
G_DECLARE_FINAL_TYPE (VpReportMonth, vp_report_month, VP, REPORT_MONTH, GObject)

void                    vp_report_month_build_async     (VpStore              *store,
                                                         const char           *period,
                                                         GDateTime            *now,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
VpReportMonth          *vp_report_month_build_finish    (GAsyncResult         *result,
                                                         GError              **error);

const char             *vp_report_month_get_period      (VpReportMonth        *self);
GDateTime              *vp_report_month_get_built_at    (VpReportMonth        *self);
gboolean                vp_report_month_is_due          (VpReportMonth        *self);
guint                   vp_report_month_get_grace_days  (VpReportMonth        *self);
guint                   vp_report_month_get_n_revisions (VpReportMonth        *self);
const VpReportRevision *vp_report_month_get_revision    (VpReportMonth        *self,
                                                         guint                 i);
const VpReportRevision *vp_report_month_get_preview     (VpReportMonth        *self);
const VpReportRevision *vp_report_month_get_latest      (VpReportMonth        *self);

G_END_DECLS
