/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-languages.h"
#include "vp-store-private.h"

/* Language needs are consent-bound: without standing language consent the
 * store's trigger refuses them. Preferred languages are kept as a
 * comma-separated list of codes. */
gboolean
vp_store_set_language_needs (VpStore            *store,
                             gint64              client_id,
                             const char         *dutch_proficiency,
                             const char * const *codes,
                             GError            **error)
{
  g_autofree char *joined = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (dutch_proficiency != NULL &&
      !vp_category_has_code (VP_CATEGORY_DUTCH_PROFICIENCY, dutch_proficiency))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose a level of Dutch proficiency"));
      return FALSE;
    }
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    if (!vp_is_language_code (codes[i]))
      {
        g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("“%s” is not a known language"), codes[i]);
        return FALSE;
      }
  joined = codes != NULL && codes[0] != NULL ? g_strjoinv (",", (GStrv) codes) : NULL;

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO language_need (client_id, dutch_proficiency, preferred_languages)"
                           " VALUES (?1, ?2, ?3) ON CONFLICT (client_id) DO UPDATE SET"
                           " dutch_proficiency = excluded.dutch_proficiency,"
                           " preferred_languages = excluded.preferred_languages", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      sqlite3_bind_text (stmt, 2, dutch_proficiency, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, joined, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                             _("Language needs can only be recorded with the client’s consent"));
      else
        vp_store_set_sqlite_error (store, rc, error);
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!vp_audit_append (store, "change", "client", client_id, "ok", error) ||
      !vp_store_commit (store, error))
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

GStrv
vp_store_get_preferred_languages (VpStore *store,
                                  gint64   client_id)
{
  sqlite3_stmt *stmt = NULL;
  GStrv codes = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT preferred_languages FROM language_need WHERE client_id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        codes = g_strsplit ((const char *) sqlite3_column_text (stmt, 0), ",", -1);
    }
  sqlite3_finalize (stmt);
  return codes != NULL ? codes : g_new0 (char *, 1);
}

/* The code, or NULL when not recorded (or consent is not given). */
char *
vp_store_get_dutch_proficiency (VpStore *store,
                                gint64   client_id)
{
  sqlite3_stmt *stmt = NULL;
  char *level = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT dutch_proficiency FROM language_need WHERE client_id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        level = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return level;
}
