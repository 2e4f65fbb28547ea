/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_SYNC_ERROR (vp_sync_error_quark ())

typedef enum {
  VP_SYNC_ERROR_NOT_CONFIGURED,
  VP_SYNC_ERROR_NOT_DUE,
  VP_SYNC_ERROR_CHANGED,
  VP_SYNC_ERROR_INVALID_LABEL,
  VP_SYNC_ERROR_INVALID_PIN,
  VP_SYNC_ERROR_NOT_REPORTER,  /* a team laptop that does not report for the team */
} VpSyncError;

/* The most Unicode characters an installation label may have. */
#define VP_INSTALLATION_LABEL_MAX_CHARS 64

GQuark   vp_sync_error_quark        (void);

char    *vp_sync_check_installation_label (const char  *text,
                                           GError     **error);
char    *vp_sync_get_installation_label   (VpStore     *store);
gboolean vp_sync_set_installation_label   (VpStore     *store,
                                           const char  *text,
                                           GError     **error);

guint    vp_sync_get_k              (VpStore       *store);
guint    vp_sync_get_grace_days     (VpStore       *store);
gboolean vp_sync_is_period_due      (const char    *period,
                                     GDateTime     *now,
                                     guint          grace_days);
GPtrArray *vp_sync_due_periods      (VpStore       *store,
                                     GDateTime     *now,
                                     GError       **error);
gboolean vp_sync_release_period     (VpStore       *store,
                                     const char    *period,
                                     GDateTime     *now,
                                     const char    *expected_sha256,
                                     gboolean      *released,
                                     GError       **error);
/* FALSE on a team's laptop that does not send the team's report. */
gboolean vp_sync_reports_here       (VpStore       *store);
gboolean vp_sync_queue_due_reports  (VpStore       *store,
                                     GDateTime     *now,
                                     guint         *n_queued,
                                     GError       **error);
void     vp_sync_queue_due_reports_async  (VpStore             *store,
                                          GDateTime           *now,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean vp_sync_queue_due_reports_finish (VpStore            *store,
                                          GAsyncResult       *result,
                                          guint              *n_queued,
                                          GError            **error);
gboolean vp_sync_send_due           (VpStore       *store,
                                     GDateTime     *now,
                                     guint         *n_delivered,
                                     GError       **error);
void     vp_sync_send_due_async     (VpStore       *store,
                                     GCancellable  *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer       user_data);
gboolean vp_sync_send_due_finish    (VpStore       *store,
                                     GAsyncResult  *result,
                                     guint         *n_delivered,
                                     GError       **error);

G_END_DECLS
