/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-location.h"
#include "vp-store-private.h"

/* Locations are managed by the team leader. A location is never deleted,
 * only made inactive, so that contacts keep where they happened. */

void
vp_location_free (VpLocation *location)
{
  if (location == NULL)
    return;
  g_free (location->name);
  g_free (location->type);
  g_free (location);
}

static VpLocation *
location_from_row (sqlite3_stmt *stmt)
{
  VpLocation *location = g_new0 (VpLocation, 1);

  location->id = sqlite3_column_int64 (stmt, 0);
  location->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  location->type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  location->active = sqlite3_column_int (stmt, 3);
  return location;
}

GPtrArray *
vp_store_list_locations (VpStore   *store,
                         gboolean   active_only,
                         GError   **error)
{
  g_autoptr(GPtrArray) locations = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_location_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT id, name, type, active FROM location WHERE ?1 = 0 OR active = 1"
                           " ORDER BY active DESC, name COLLATE NOCASE", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int (stmt, 1, active_only);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (locations, location_from_row (stmt));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&locations);
}

VpLocation *
vp_store_get_location (VpStore  *store,
                       gint64    id,
                       GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  VpLocation *location = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT id, name, type, active FROM location WHERE id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        location = location_from_row (stmt);
    }
  sqlite3_finalize (stmt);
  if (location == NULL)
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("There is no such location"));
  return location;
}

static gboolean
check (VpStore     *store,
       const char  *name,
       const char  *type,
       GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));

  if (g_strcmp0 (vp_store_get_account_role (store), "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only a team leader can manage locations"));
      return FALSE;
    }
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Enter a name for the location"));
      return FALSE;
    }
  if (!vp_category_has_code (VP_CATEGORY_LOCATION_TYPE, type))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose the type of location"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
run (VpStore     *store,
     const char  *sql,
     gint64       id,
     const char  *name,
     const char  *type,
     gboolean     active,
     gint64      *row_id,
     GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 3, active);
      sqlite3_bind_int64 (stmt, 4, id);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  *row_id = id != 0 ? id : sqlite3_last_insert_rowid (vp_store_get_db (store));
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!vp_audit_append (store, id != 0 ? "change" : "create", "location", *row_id, "ok", error) ||
      !vp_store_commit (store, error))
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

gint64
vp_store_add_location (VpStore     *store,
                       const char  *name,
                       const char  *type,
                       GError     **error)
{
  gint64 id = 0;

  g_return_val_if_fail (VP_IS_STORE (store), 0);

  if (!check (store, name, type, error) ||
      !run (store, "INSERT INTO location (name, type, active) VALUES (?1, ?2, ?3)",
            0, name, type, TRUE, &id, error))
    return 0;
  return id;
}

gboolean
vp_store_update_location (VpStore     *store,
                          gint64       id,
                          const char  *name,
                          const char  *type,
                          gboolean     active,
                          GError     **error)
{
  gint64 row_id = 0;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (id > 0, FALSE);

  return check (store, name, type, error) &&
         run (store, "UPDATE location SET name = ?1, type = ?2, active = ?3 WHERE id = ?4",
              id, name, type, active, &row_id, error);
}
