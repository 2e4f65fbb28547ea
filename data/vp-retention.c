/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include "vp-audit.h"
#include "vp-retention.h"
#include "vp-store-private.h"

/* Clients with no contact for the retention period are erased with
 * everything that belongs to them (contacts, consents, language needs go by
 * ON DELETE CASCADE; secure_delete overwrites the freed pages). Each erasure
 * is audited as the app's own action, by client id only. */

/* The team's period; the default when none (or none valid) is set, but
 * FALSE when it cannot be read: erasing with the default, which may be
 * shorter, would erase what the team keeps. */
static gboolean
read_retention_months (VpStore  *store,
                       guint    *months,
                       GError  **error)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (!vp_store_read_setting (store, "retention_months", &text, error))
    return FALSE;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 600, &value, NULL))
    value = VP_RETENTION_DEFAULT_MONTHS;
  *months = (guint) value;
  return TRUE;
}

/* For showing: the default also when the setting cannot be read. */
guint
vp_store_get_retention_months (VpStore *store)
{
  guint months = VP_RETENTION_DEFAULT_MONTHS;

  read_retention_months (store, &months, NULL);
  return months;
}

/* Erasing many clients changes pages all over the contact table and its
 * indexes; in the store's small page cache each one would be read (and
 * decrypted) and written (encrypted) again and again. The erasure, not
 * the search before it, gets a larger cache, given back when it is done
 * (#14: 20,000 clients in seconds instead of minutes). */
#define ERASURE_CACHE_SIZE "-65536" /* KiB */

static gint64
cache_size (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 size = -2000; /* SQLite's default */

  if (sqlite3_prepare_v2 (db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    size = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return size;
}

/* The clients without contact since limit; a client without any contact
 * counts from when it was created. */
static int
find_expired (sqlite3    *db,
              const char *limit,
              GArray     *ids)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT cl.id FROM client cl"
                           " WHERE coalesce ((SELECT max (occurred_at) FROM contact c"
                           "                  WHERE c.client_id = cl.id), cl.created_at) < ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, limit, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

/* Each client with everything of theirs, each erasure audited. */
static gboolean
erase (VpStore  *store,
       GArray   *ids,
       GError  **error)
{
  sqlite3 *db = vp_store_get_db (store);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      sqlite3_stmt *stmt = NULL;
      int rc;

      rc = sqlite3_prepare_v2 (db, "DELETE FROM client WHERE id = ?", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return vp_store_set_sqlite_error (store, rc, error);
      if (!vp_audit_append_as (store, 0, NULL, "retention_erasure", "client", id, "ok", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
erase_with_cache (VpStore  *store,
                  GArray   *ids,
                  GError  **error)
{
  sqlite3 *db = vp_store_get_db (store);
  g_autofree char *restore = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache_size (db));
  gboolean ok;

  vp_store_exec (store, "PRAGMA cache_size = " ERASURE_CACHE_SIZE, NULL);
  ok = erase (store, ids, error);
  vp_store_exec (store, restore, NULL);
  return ok;
}

gboolean
vp_store_apply_retention (VpStore    *store,
                          GDateTime  *now,
                          guint      *n_erased,
                          GError    **error)
{
  g_autoptr(GDateTime) cutoff = NULL;
  g_autofree char *limit = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint months = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (n_erased != NULL)
    *n_erased = 0;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  /* Read in the same transaction as the erasure it decides. */
  if (!read_retention_months (store, &months, error))
    goto rollback;
  cutoff = g_date_time_add_months (now, -(int) months);
  limit = g_date_time_format (cutoff, "%Y-%m-%dT%H:%M:%S");

  rc = find_expired (vp_store_get_db (store), limit, ids);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      goto rollback;
    }
  if ((ids->len > 0 && !erase_with_cache (store, ids, error)) ||
      !vp_store_commit (store, error))
    goto rollback;
  if (n_erased != NULL)
    *n_erased = ids->len;
  return TRUE;

rollback:
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}
