/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-store-impl.h"

/* The team's settings: key and value rows in the store's meta table. */

/* A setting: TRUE with NULL in *value when it is not set, FALSE when it
 * could not be read (the store busy, an I/O error), which is not the same. */
gboolean
vp_store_read_setting (VpStore     *self,
                       const char  *key,
                       char       **value,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;
  if (self->db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    vp_store_set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* For values with a default: NULL both when not set and when unreadable.
 * Where the difference matters, use vp_store_read_setting(). */
char *
vp_store_get_setting (VpStore    *self,
                      const char *key)
{
  char *value = NULL;

  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  vp_store_read_setting (self, key, &value, NULL);
  return value;
}

gboolean
vp_store_set_setting (VpStore     *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (self->db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (value == NULL)
    rc = sqlite3_prepare_v2 (self->db, "DELETE FROM meta WHERE key = ?1", -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (value != NULL)
        sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (self, rc, error);
  return TRUE;
}
