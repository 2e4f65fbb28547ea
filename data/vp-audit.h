/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* One entry of the audit log: who, what, which record (by id), when and
 * with what outcome, and where it says more, a detail in codes ("given:
 * language", "2026-10", "phone"). Never a name, label or other personal
 * value. */
typedef struct {
  gint64  id;
  char   *at;          /* UTC, ISO 8601 */
  gint64  account_id;  /* 0: the app itself */
  char   *role;
  char   *action;
  char   *record_type;
  gint64  record_id;
  char   *outcome;
  char   *detail;      /* NULL, or codes only (vp_audit_detail_is_valid()) */
  char   *prev_hash;
  char   *hash;
} VpAuditEntry;

void       vp_audit_entry_free      (VpAuditEntry  *entry);

gboolean   vp_audit_detail_is_valid (const char    *detail);
gboolean   vp_audit_append          (VpStore       *store,
                                     const char    *action,
                                     const char    *record_type,
                                     gint64         record_id,
                                     const char    *outcome,
                                     GError       **error);
gboolean   vp_audit_append_detail   (VpStore       *store,
                                     const char    *action,
                                     const char    *record_type,
                                     gint64         record_id,
                                     const char    *detail,
                                     const char    *outcome,
                                     GError       **error);
gboolean   vp_audit_append_as       (VpStore       *store,
                                     gint64         account_id,
                                     const char    *role,
                                     const char    *action,
                                     const char    *record_type,
                                     gint64         record_id,
                                     const char    *outcome,
                                     GError       **error);
GPtrArray *vp_audit_list            (VpStore       *store,
                                     const char    *action,
                                     gint64         account_id,
                                     guint          limit,
                                     GError       **error);
gboolean   vp_audit_verify          (VpStore       *store,
                                     gint64        *bad_entry,
                                     GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpAuditEntry, vp_audit_entry_free)

G_END_DECLS
