/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-report.h"
#include "vp-store.h"

G_BEGIN_DECLS

/* The longest wait between two tries, in seconds (DESIGN §7). */
#define VP_OUTBOX_MAX_DELAY (6 * 3600)

/* One report revision waiting in, or sent from, the outbox. */
typedef struct {
  gint64  id;
  char   *period;
  guint   revision;
  char   *body;
  /* queued, sending, retry, delivered, needs_attention, superseded.
   * "sending" from the moment a try begins until an answer is recorded:
   * left so (a lost answer, a crash, a lock) it means "may have arrived". */
  char   *state;
  guint   attempts;
  gint64  next_attempt_at; /* unix time */
  int     last_status;     /* HTTP status, 0 when none */
  char   *last_error;
  char   *published_sha256;
} VpOutboxItem;

void          vp_outbox_item_free  (VpOutboxItem  *item);

gboolean      vp_outbox_has_period (VpStore       *store,
                                    const char    *period,
                                    gboolean      *released,
                                    GError       **error);
gboolean      vp_outbox_insert_release (VpStore   *store,
                                    VpReport      *report,
                                    GError       **error);
VpOutboxItem *vp_outbox_next_due   (VpStore       *store,
                                    gint64         now,
                                    GError       **error);
gboolean      vp_outbox_mark       (VpStore       *store,
                                    gint64         id,
                                    const char    *state,
                                    int            http_status,
                                    const char    *reason,
                                    gint64         next_attempt_at,
                                    GError       **error);
GPtrArray    *vp_outbox_list       (VpStore       *store,
                                    const char    *period,
                                    GError       **error);
gboolean      vp_outbox_mark_unconfirmed (VpStore *store,
                                    gint64         id,
                                    int            http_status,
                                    const char    *reason,
                                    gint64         next_attempt_at,
                                    GError       **error);
gboolean      vp_outbox_make_due   (VpStore       *store,
                                    gint64         id,
                                    GError       **error);
gint64        vp_outbox_backoff    (guint          attempts);
gint64        vp_outbox_retry_delay (guint         attempts,
                                    gint64         retry_after);
char         *vp_outbox_published_sha256 (const VpReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpOutboxItem, vp_outbox_item_free)

G_END_DECLS
