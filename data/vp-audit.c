/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-store-private.h"

/* The audit log is append-only (triggers refuse UPDATE and DELETE) and
 * hash-chained: each entry's hash covers its own fields and the previous
 * entry's hash, so altering or removing one entry breaks every hash after
 * it. Callers append inside the transaction of the action they log.
 *
 * An entry may carry a detail in codes (schema 6). Entries without one
 * keep the first form of the hash ("vindplaats-audit/1"), so every entry
 * written before the column existed still verifies; an entry with a
 * detail is hashed in the second form, which adds it. The form follows
 * from the stored detail, and each form starts with its own name, so
 * adding, removing or changing a detail afterwards breaks the hash like
 * any other change. */

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

void
vp_audit_entry_free (VpAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->role);
  g_free (entry->action);
  g_free (entry->record_type);
  g_free (entry->outcome);
  g_free (entry->detail);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

static char *
entry_hash (const VpAuditEntry *e)
{
  g_autoptr(GString) text = g_string_new (e->detail != NULL ? "vindplaats-audit/2\n" : "vindplaats-audit/1\n");

  g_string_append_printf (text, "%s\n%" G_GINT64_FORMAT "\n%s\n%" G_GINT64_FORMAT
                          "\n%s\n%s\n%s\n%" G_GINT64_FORMAT "\n%s",
                          e->prev_hash, e->id, e->at, e->account_id,
                          e->role != NULL ? e->role : "", e->action,
                          e->record_type != NULL ? e->record_type : "", e->record_id, e->outcome);
  if (e->detail != NULL)
    g_string_append_printf (text, "\n%s", e->detail);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, (gssize) text->len);
}

/* Codes only: 1 to 64 of a-z, 0-9 and ":.-_" (the schema checks the
 * same), so that no name, label or phone number can be put in one. */
gboolean
vp_audit_detail_is_valid (const char *detail)
{
  gsize n = detail != NULL ? strlen (detail) : 0;

  if (n < 1 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_islower (detail[i]) && !g_ascii_isdigit (detail[i]) && strchr (":.-_", detail[i]) == NULL)
      return FALSE;
  return TRUE;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static gboolean
last_entry (sqlite3  *db,
            gint64   *id,
            char    **hash)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *id = 0;
  *hash = g_strdup (GENESIS_HASH);
  rc = sqlite3_prepare_v2 (db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      g_free (*hash);
      *hash = column_dup (stmt, 1);
      rc = SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
append_entry (VpStore     *store,
              gint64       account_id,
              const char  *role,
              const char  *action,
              const char  *record_type,
              gint64       record_id,
              const char  *detail,
              const char  *outcome,
              GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  sqlite3 *db = vp_store_get_db (store);
  VpAuditEntry e = { 0 };
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  sqlite3_stmt *stmt = NULL;
  gint64 last_id = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (action != NULL && outcome != NULL, FALSE);

  if (detail != NULL && !vp_audit_detail_is_valid (detail))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("An audit entry’s detail may hold codes only"));
      return FALSE;
    }
  if (db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (!last_entry (db, &last_id, &prev))
    return vp_store_set_sqlite_error (store, sqlite3_errcode (db), error);

  e.id = last_id + 1;
  e.at = at;
  e.account_id = account_id;
  e.role = (char *) role;
  e.action = (char *) action;
  e.record_type = (char *) record_type;
  e.record_id = record_id;
  e.outcome = (char *) outcome;
  e.detail = (char *) detail;
  e.prev_hash = prev;
  hash = entry_hash (&e);

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO audit_log (id, at, account_id, role, action, record_type,"
                           "                       record_id, outcome, prev_hash, hash, detail)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, e.id);
      sqlite3_bind_text (stmt, 2, at, -1, SQLITE_STATIC);
      if (account_id != 0)
        sqlite3_bind_int64 (stmt, 3, account_id);
      sqlite3_bind_text (stmt, 4, role, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, action, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, record_type, -1, SQLITE_STATIC);
      if (record_type != NULL)
        sqlite3_bind_int64 (stmt, 7, record_id);
      sqlite3_bind_text (stmt, 8, outcome, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, prev, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 10, hash, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 11, detail, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

gboolean
vp_audit_append_as (VpStore     *store,
                    gint64       account_id,
                    const char  *role,
                    const char  *action,
                    const char  *record_type,
                    gint64       record_id,
                    const char  *outcome,
                    GError     **error)
{
  return append_entry (store, account_id, role, action, record_type, record_id, NULL, outcome, error);
}

/* Logs an action of the account that unlocked the store. */
gboolean
vp_audit_append (VpStore     *store,
                 const char  *action,
                 const char  *record_type,
                 gint64       record_id,
                 const char  *outcome,
                 GError     **error)
{
  return vp_audit_append_detail (store, action, record_type, record_id, NULL, outcome, error);
}

/* The same, saying more in @detail: codes only (vp_audit_detail_is_valid()),
 * such as "withdrawn:language" or "2026-10"; NULL for none. */
gboolean
vp_audit_append_detail (VpStore     *store,
                        const char  *action,
                        const char  *record_type,
                        gint64       record_id,
                        const char  *detail,
                        const char  *outcome,
                        GError     **error)
{
  return append_entry (store, vp_store_get_account_id (store), vp_store_get_account_role (store),
                       action, record_type, record_id, detail, outcome, error);
}

#define ENTRY_COLUMNS \
  "id, at, account_id, role, action, record_type, record_id, outcome, prev_hash, hash, detail"

static VpAuditEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  VpAuditEntry *e = g_new0 (VpAuditEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->at = column_dup (stmt, 1);
  e->account_id = sqlite3_column_int64 (stmt, 2);
  e->role = column_dup (stmt, 3);
  e->action = column_dup (stmt, 4);
  e->record_type = column_dup (stmt, 5);
  e->record_id = sqlite3_column_int64 (stmt, 6);
  e->outcome = column_dup (stmt, 7);
  e->prev_hash = column_dup (stmt, 8);
  e->hash = column_dup (stmt, 9);
  e->detail = column_dup (stmt, 10);
  return e;
}

/* Newest first, optionally filtered by action and account (0: any). */
GPtrArray *
vp_audit_list (VpStore     *store,
               const char  *action,
               gint64       account_id,
               guint        limit,
               GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_audit_entry_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT " ENTRY_COLUMNS " FROM audit_log"
                           " WHERE (?1 IS NULL OR action = ?1) AND (?2 = 0 OR account_id = ?2)"
                           " ORDER BY id DESC LIMIT ?3", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, action, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, account_id);
      sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (entries, entry_from_row (stmt));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

/* Walks the chain from the oldest entry kept. The first entry's previous
 * hash is taken as the anchor, since entries older than five years may
 * have been removed. On a break, *bad_entry names the first entry whose
 * hash or link does not hold. */
gboolean
vp_audit_verify (VpStore  *store,
                 gint64   *bad_entry,
                 GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *expected_prev = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  *bad_entry = 0;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT " ENTRY_COLUMNS " FROM audit_log ORDER BY id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        g_autoptr(VpAuditEntry) e = entry_from_row (stmt);
        g_autofree char *hash = entry_hash (e);

        if ((expected_prev != NULL && g_strcmp0 (e->prev_hash, expected_prev) != 0) ||
            g_strcmp0 (hash, e->hash) != 0)
          {
            g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);

            *bad_entry = e->id;
            sqlite3_finalize (stmt);
            g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
                         _("The audit log has been altered at entry %s"), number);
            return FALSE;
          }
        g_free (expected_prev);
        expected_prev = g_steal_pointer (&e->hash);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}
