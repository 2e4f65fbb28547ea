/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-audit.h"
#include "vp-consent.h"
#include "vp-store-private.h"

/* Giving and withdrawing consent, and erasing a client. The rules that
 * matter most live in the schema: consent-bound values are refused without
 * standing consent, and withdrawing removes them in the same statement. */

void
vp_consent_free (VpConsent *consent)
{
  if (consent == NULL)
    return;
  g_free (consent->category);
  g_free (consent->given_at);
  g_free (consent->method);
  g_free (consent->explanation_language);
  g_free (consent->text_version);
  g_free (consent->withdrawn_at);
  g_free (consent);
}

static gboolean
is_category (const char *category)
{
  return g_strcmp0 (category, "language") == 0 || g_strcmp0 (category, "interpreter") == 0 ||
         g_strcmp0 (category, "referral") == 0;
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
}

/* @detail: "given:CATEGORY" or "withdrawn:CATEGORY", for the audit log. */
static gboolean
finish (VpStore     *store,
        int          rc,
        gint64       record_id,
        const char  *detail,
        GError     **error)
{
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!vp_audit_append_detail (store, "change", "consent", record_id, detail, "ok", error) ||
      !vp_store_commit (store, error))
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
vp_store_give_consent (VpStore     *store,
                       gint64       client_id,
                       const char  *category,
                       const char  *method,
                       const char  *explanation_language,
                       const char  *text_version,
                       GError     **error)
{
  g_autofree char *now = now_text ();
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!is_category (category) ||
      (g_strcmp0 (method, "verbal") != 0 && g_strcmp0 (method, "written") != 0) ||
      explanation_language == NULL || text_version == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Record how consent was given and in which language it was explained"));
      return FALSE;
    }
  if (vp_store_has_consent (store, client_id, category))
    return TRUE;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO consent (client_id, category, given_at, method,"
                           "                     explanation_language, text_version)"
                           " VALUES (?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      sqlite3_bind_text (stmt, 2, category, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, method, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, explanation_language, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, text_version, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  detail = g_strconcat ("given:", category, NULL);
  return finish (store, rc, sqlite3_last_insert_rowid (vp_store_get_db (store)), detail, error);
}

/* As easy as giving: one call, and the category's values are gone at once
 * (the consent_withdrawn trigger), so no report not yet sent counts them. */
gboolean
vp_store_withdraw_consent (VpStore     *store,
                           gint64       client_id,
                           const char  *category,
                           GError     **error)
{
  g_autofree char *now = now_text ();
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 consent_id = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE consent SET withdrawn_at = ?3"
                           " WHERE client_id = ?1 AND category = ?2 AND withdrawn_at IS NULL"
                           " RETURNING id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      sqlite3_bind_text (stmt, 2, category, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        consent_id = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_finalize (stmt);
  detail = is_category (category) ? g_strconcat ("withdrawn:", category, NULL) : NULL;
  return finish (store, rc, consent_id, detail, error);
}

gboolean
vp_store_has_consent (VpStore    *store,
                      gint64      client_id,
                      const char *category)
{
  sqlite3_stmt *stmt = NULL;
  gboolean has = FALSE;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT 1 FROM consent WHERE client_id = ? AND category = ?"
                          " AND withdrawn_at IS NULL", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      sqlite3_bind_text (stmt, 2, category, -1, SQLITE_TRANSIENT);
      has = sqlite3_step (stmt) == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  return has;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* Every consent ever given, withdrawn ones included, oldest first. */
GPtrArray *
vp_store_list_consents (VpStore  *store,
                        gint64    client_id,
                        GError  **error)
{
  g_autoptr(GPtrArray) consents = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_consent_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT id, category, given_at, method, explanation_language, text_version,"
                           "       withdrawn_at FROM consent WHERE client_id = ? ORDER BY id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          VpConsent *c = g_new0 (VpConsent, 1);

          c->id = sqlite3_column_int64 (stmt, 0);
          c->category = column_dup (stmt, 1);
          c->given_at = column_dup (stmt, 2);
          c->method = column_dup (stmt, 3);
          c->explanation_language = column_dup (stmt, 4);
          c->text_version = column_dup (stmt, 5);
          c->withdrawn_at = column_dup (stmt, 6);
          g_ptr_array_add (consents, c);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&consents);
}

/* The client's right to erasure: everything that belongs to the client
 * goes (ON DELETE CASCADE; secure_delete overwrites the pages). */
gboolean
vp_store_erase_client (VpStore  *store,
                       gint64    client_id,
                       GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), "DELETE FROM client WHERE id = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE && sqlite3_changes (vp_store_get_db (store)) == 0)
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("There is no such client"));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!vp_audit_append (store, "delete", "client", client_id, "ok", error) ||
      !vp_store_commit (store, error))
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}
