/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-outbox.h"
#include "vp-report-json.h"
#include "vp-store-private.h"

void
vp_outbox_item_free (VpOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->period);
  g_free (item->body);
  g_free (item->state);
  g_free (item->last_error);
  g_free (item->published_sha256);
  g_free (item);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

#define ITEM_COLUMNS \
  "id, period, revision, body, state, attempts, next_attempt_at, last_status, last_error," \
  " published_sha256"

static VpOutboxItem *
item_from_row (sqlite3_stmt *stmt)
{
  VpOutboxItem *item = g_new0 (VpOutboxItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->period = column_dup (stmt, 1);
  item->revision = (guint) sqlite3_column_int (stmt, 2);
  item->body = column_dup (stmt, 3);
  item->state = column_dup (stmt, 4);
  item->attempts = (guint) sqlite3_column_int (stmt, 5);
  item->next_attempt_at = sqlite3_column_int64 (stmt, 6);
  item->last_status = sqlite3_column_int (stmt, 7);
  item->last_error = column_dup (stmt, 8);
  item->published_sha256 = column_dup (stmt, 9);
  return item;
}

/* Identifies what a report publishes, regardless of its number and time. */
char *
vp_outbox_published_sha256 (const VpReport *report)
{
  g_autofree char *published = vp_report_published_json (report);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, published, -1);
}

/* Whether anything was ever queued for the month: a month is released
 * once, so then it is never built again. */
gboolean
vp_outbox_has_period (VpStore     *store,
                      const char  *period,
                      gboolean    *released,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  *released = FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT 1 FROM outbox WHERE period = ? LIMIT 1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, period, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *released = TRUE;
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

/* Queues the month's one release. The caller holds the write transaction
 * in which it checked vp_outbox_has_period() and built the report, so that
 * two builders can never both release a month (the UNIQUE constraint on
 * period and revision backs that up). */
gboolean
vp_outbox_insert_release (VpStore   *store,
                          VpReport  *report,
                          GError   **error)
{
  g_autofree char *sha = vp_outbox_published_sha256 (report);
  g_autofree char *body = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  report->revision = 1;
  body = vp_report_to_json (report);
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO outbox (period, revision, body, published_sha256, created_at)"
                           " VALUES (?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, report->period, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, (int) report->revision);
      sqlite3_bind_text (stmt, 3, body, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, sha, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, created, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

/* A row left in "sending" (by a crash, a lock or a lost answer) may have
 * arrived, and is due again like any other: the endpoint makes every
 * retry safe, and its answer settles the question. */
VpOutboxItem *
vp_outbox_next_due (VpStore  *store,
                    gint64    now,
                    GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  VpOutboxItem *item = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT " ITEM_COLUMNS " FROM outbox"
                           " WHERE state IN ('queued', 'sending', 'retry') AND next_attempt_at <= ?"
                           " ORDER BY period, revision LIMIT 1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          item = item_from_row (stmt);
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    vp_store_set_sqlite_error (store, rc, error);
  return item;
}

/* A delivered or superseded entry is never marked "sending" again (a second
 * sender may have read the outbox before the first one finished), and
 * marking an entry that matches nothing is an error, not a silent no-op. */
gboolean
vp_outbox_mark (VpStore     *store,
                gint64       id,
                const char  *state,
                int          http_status,
                const char  *reason,
                gint64       next_attempt_at,
                GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE outbox SET state = ?2,"
                           "  attempts = attempts + (?2 <> 'sending'),"
                           "  last_status = ?3, last_error = ?4, next_attempt_at = ?5,"
                           "  delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 ELSE delivered_at END"
                           " WHERE id = ?1"
                           "  AND NOT (?2 = 'sending' AND state IN ('delivered', 'superseded'))",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, state, -1, SQLITE_TRANSIENT);
      if (http_status > 0)
        sqlite3_bind_int (stmt, 3, http_status);
      if (reason != NULL)
        sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, next_attempt_at);
      sqlite3_bind_text (stmt, 6, stamp, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  if (sqlite3_changes (vp_store_get_db (store)) == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           g_str_equal (state, "sending")
                           ? _("This report has already been sent or replaced")
                           : _("This report is no longer in the outbox"));
      return FALSE;
    }
  return TRUE;
}

/* A try whose answer never came (#13): the whole request had left, so the
 * endpoint may have stored it. The row stays "sending", which from the
 * moment a try begins until an answer is recorded means "may have
 * arrived", and is due again at @next_attempt_at: the endpoint answers
 * 200 to the same bytes, which settles it. */
gboolean
vp_outbox_mark_unconfirmed (VpStore     *store,
                            gint64       id,
                            int          http_status,
                            const char  *reason,
                            gint64       next_attempt_at,
                            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                           "  last_status = ?2, last_error = ?3, next_attempt_at = ?4"
                           " WHERE id = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (http_status > 0)
        sqlite3_bind_int (stmt, 2, http_status);
      sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, next_attempt_at);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

/* Send Now: the revision is due at once. One that may have arrived keeps
 * its state and its reason (the try settles it); one that was refused or
 * waits is queued afresh. Delivered and superseded rows are left alone. */
gboolean
vp_outbox_make_due (VpStore     *store,
                    gint64       id,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE outbox SET next_attempt_at = 0,"
                           "  last_status = CASE WHEN state = 'sending' THEN last_status END,"
                           "  last_error = CASE WHEN state = 'sending' THEN last_error END,"
                           "  state = CASE WHEN state = 'sending' THEN 'sending' ELSE 'queued' END"
                           " WHERE id = ?1 AND state NOT IN ('delivered', 'superseded')", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

/* Newest first; all periods when period is NULL. */
GPtrArray *
vp_outbox_list (VpStore     *store,
                const char  *period,
                GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_outbox_item_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT " ITEM_COLUMNS " FROM outbox WHERE ?1 IS NULL OR period = ?1"
                           " ORDER BY period DESC, revision DESC", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (period != NULL)
        sqlite3_bind_text (stmt, 1, period, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (items, item_from_row (stmt));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

/* 30 s doubling to 6 h, with jitter so that many laptops coming back online
 * together do not knock at the same second. */
gint64
vp_outbox_backoff (guint attempts)
{
  gint64 delay = 30;

  for (guint i = 1; i < attempts && delay < VP_OUTBOX_MAX_DELAY; i++)
    delay *= 2;
  delay = MIN (delay, VP_OUTBOX_MAX_DELAY);
  return delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

/* The wait before the next try after @attempts tries: the backoff, or
 * what the endpoint asked for in Retry-After (@retry_after seconds, 0 for
 * none) when that is longer, so that a try never comes sooner than asked,
 * up to the backoff's bound of 6 h. Laptops told the same moment are
 * spread over a tenth of the wait after it, never before it. */
gint64
vp_outbox_retry_delay (guint  attempts,
                       gint64 retry_after)
{
  gint64 delay = vp_outbox_backoff (attempts);

  if (retry_after > delay)
    {
      retry_after = MIN (retry_after, VP_OUTBOX_MAX_DELAY);
      delay = retry_after + g_random_int_range (0, (gint32) (retry_after / 10) + 1);
    }
  return MIN (delay, VP_OUTBOX_MAX_DELAY);
}
