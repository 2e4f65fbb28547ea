/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-language-list.h"
#include "vp-location.h"
#include "vp-registration.h"
#include "vp-store-private.h"

G_DEFINE_QUARK (vp-registration-error-quark, vp_registration_error)

/* The Dutch explanation's version when a caller does not say which it
 * showed (the command line's demo, tests); the form passes the version of
 * the text it ships (ui/consent/nld.ini). */
#define DEFAULT_CONSENT_TEXT_VERSION "2026-2"

static gboolean
fail (GError     **error,
      int          code,
      const char  *message)
{
  g_set_error_literal (error, VP_REGISTRATION_ERROR, code, message);
  return FALSE;
}

gboolean
vp_registration_validate (const VpRegistration  *reg,
                          int                    current_year,
                          GError               **error)
{
  g_return_val_if_fail (reg != NULL, FALSE);

  if (reg->client_id == 0 && _vp_is_blank (reg->client_label))
    return fail (error, VP_REGISTRATION_ERROR_CLIENT,
                 _("Enter a label for the client, such as initials or a first name"));
  if (reg->client_label != NULL && g_utf8_strlen (reg->client_label, -1) > 64)
    return fail (error, VP_REGISTRATION_ERROR_CLIENT,
                 _("The client label may be at most 64 characters long"));
  if (!_vp_is_blank (reg->phone) && strspn (reg->phone, "+0123456789 -()") != strlen (reg->phone))
    return fail (error, VP_REGISTRATION_ERROR_CLIENT,
                 _("A phone number holds only digits, spaces, “+”, “-” and brackets"));
  if (reg->birth_year != 0 && (reg->birth_year < 1900 || reg->birth_year > current_year))
    return fail (error, VP_REGISTRATION_ERROR_BIRTH_YEAR,
                 _("The birth year must lie between 1900 and this year"));
  if (!vp_category_has_code (VP_CATEGORY_LOCATION_TYPE, reg->location_type))
    return fail (error, VP_REGISTRATION_ERROR_LOCATION, _("Choose the type of location"));
  if (!vp_category_has_code (VP_CATEGORY_CONTACT_KIND, reg->kind))
    return fail (error, VP_REGISTRATION_ERROR_KIND, _("Choose the kind of contact"));
  if (!vp_category_has_code (VP_CATEGORY_INITIATED_BY, reg->initiated_by))
    return fail (error, VP_REGISTRATION_ERROR_INITIATED_BY, _("Choose who initiated the contact"));
  if (reg->stage != NULL && !vp_category_has_code (VP_CATEGORY_STAGE, reg->stage))
    return fail (error, VP_REGISTRATION_ERROR_STAGE, _("Choose a stage from the list"));
  if (reg->stage != NULL && g_strcmp0 (reg->kind, "first") != 0)
    return fail (error, VP_REGISTRATION_ERROR_STAGE,
                 _("The stage is recorded for first contacts only"));
  if (reg->kind != NULL && g_str_equal (reg->kind, "first") && reg->client_id != 0)
    return fail (error, VP_REGISTRATION_ERROR_KIND,
                 _("This client has been seen before: register a follow-up"));
  if (reg->dutch_proficiency != NULL && !reg->language_consent)
    return fail (error, VP_REGISTRATION_ERROR_PROFICIENCY,
                 _("Dutch proficiency can only be recorded with the client’s consent"));
  if (reg->dutch_proficiency != NULL &&
      !vp_category_has_code (VP_CATEGORY_DUTCH_PROFICIENCY, reg->dutch_proficiency))
    return fail (error, VP_REGISTRATION_ERROR_PROFICIENCY, _("Choose a level of Dutch proficiency"));
  if (reg->preferred_language != NULL && !reg->language_consent)
    return fail (error, VP_REGISTRATION_ERROR_PROFICIENCY,
                 _("A preferred language can only be recorded with the client’s consent"));
  if (reg->preferred_language != NULL && !vp_is_language_code (reg->preferred_language))
    return fail (error, VP_REGISTRATION_ERROR_PROFICIENCY, _("Choose a language from the list"));
  if (reg->interpreter != NULL && !reg->interpreter_consent)
    return fail (error, VP_REGISTRATION_ERROR_INTERPRETER,
                 _("Interpreter use can only be recorded with the client’s consent"));
  if (reg->interpreter != NULL &&
      !vp_category_has_code (VP_CATEGORY_INTERPRETER_MODE, reg->interpreter))
    return fail (error, VP_REGISTRATION_ERROR_INTERPRETER, _("Choose how an interpreter was used"));
  return TRUE;
}

static int
step_once (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

/* A follow-up without a chosen client is matched on label and birth year;
 * the most recently created match wins. */
static gboolean
find_client (VpStore              *store,
             const VpRegistration *reg,
             gint64               *client_id,
             GError              **error)
{
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (vp_store_get_db (store),
                      "SELECT id FROM client WHERE label = ?1 COLLATE NOCASE"
                      " AND birth_year IS ?2 ORDER BY id DESC LIMIT 1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, reg->client_label, -1, SQLITE_TRANSIENT);
  if (reg->birth_year != 0)
    sqlite3_bind_int (stmt, 2, reg->birth_year);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *client_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (*client_id == 0)
    return fail (error, VP_REGISTRATION_ERROR_CLIENT,
                 _("No earlier client has this label and birth year: register a first contact"));
  return TRUE;
}

static int
insert_client (sqlite3              *db,
               const VpRegistration *reg,
               const char           *now,
               gint64               *client_id)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *label = g_strstrip (g_strdup (reg->client_label));
  int rc;

  sqlite3_prepare_v2 (db, "INSERT INTO client (label, birth_year, created_at, phone) VALUES (?, ?, ?, ?)",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  if (reg->birth_year != 0)
    sqlite3_bind_int (stmt, 2, reg->birth_year);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  if (!_vp_is_blank (reg->phone))
    {
      g_autofree char *phone = g_strstrip (g_strdup (reg->phone));
      sqlite3_bind_text (stmt, 4, phone, -1, SQLITE_TRANSIENT);
    }
  rc = step_once (stmt);
  *client_id = sqlite3_last_insert_rowid (db);
  return rc;
}

/* Consent given in the form is verbal, explained in Dutch, with the text
 * version the form shows; the client page records other ways. */
static int
record_consent (sqlite3              *db,
                const VpRegistration *reg,
                gint64                client_id,
                const char           *category,
                const char           *now)
{
  const char *version = reg->consent_text_version != NULL ? reg->consent_text_version
                                                          : DEFAULT_CONSENT_TEXT_VERSION;
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (db,
                      "INSERT INTO consent (client_id, category, given_at, method,"
                      "                     explanation_language, text_version)"
                      " SELECT ?1, ?4, ?2, 'verbal', 'nld', ?3"
                      " WHERE NOT EXISTS (SELECT 1 FROM consent WHERE client_id = ?1"
                      "   AND category = ?4 AND withdrawn_at IS NULL)",
                      -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, client_id);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, category, -1, SQLITE_STATIC);
  return step_once (stmt);
}

static int
record_language (sqlite3              *db,
                 const VpRegistration *reg,
                 gint64                client_id,
                 const char           *now)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = record_consent (db, reg, client_id, "language", now);
  if (rc != SQLITE_DONE || (reg->dutch_proficiency == NULL && reg->preferred_language == NULL))
    return rc;

  /* A preferred language given at the contact goes first in the client's
   * list; the others keep their order after it. A field not given keeps
   * what the client's page recorded. */
  sqlite3_prepare_v2 (db,
                      "INSERT INTO language_need (client_id, dutch_proficiency, preferred_languages)"
                      " VALUES (?1, ?2, ?3) ON CONFLICT (client_id) DO UPDATE SET"
                      "  dutch_proficiency = coalesce (excluded.dutch_proficiency, dutch_proficiency),"
                      "  preferred_languages = CASE WHEN ?3 IS NULL THEN preferred_languages"
                      "    ELSE ?3 || coalesce (',' || nullif (trim (replace ("
                      "      ',' || coalesce (preferred_languages, '') || ',', ',' || ?3 || ',', ','),"
                      "      ','), ''), '') END",
                      -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, client_id);
  sqlite3_bind_text (stmt, 2, reg->dutch_proficiency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, reg->preferred_language, -1, SQLITE_TRANSIENT);
  return step_once (stmt);
}

static int
insert_contact (VpStore              *store,
                const VpRegistration *reg,
                gint64                client_id,
                const char           *when,
                const char           *entered,
                gint64               *contact_id)
{
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  sqlite3_prepare_v2 (db,
                      "INSERT INTO contact (client_id, account_id, location_id, location_type,"
                      "                     occurred_at, kind, initiated_by, stage, notes, interpreter,"
                      "                     entered_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, client_id);
  sqlite3_bind_int64 (stmt, 2, vp_store_get_account_id (store));
  if (reg->location_id != 0)
    sqlite3_bind_int64 (stmt, 3, reg->location_id);
  sqlite3_bind_text (stmt, 4, reg->location_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, when, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, reg->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, reg->initiated_by, -1, SQLITE_TRANSIENT);
  if (reg->stage != NULL)
    sqlite3_bind_text (stmt, 8, reg->stage, -1, SQLITE_TRANSIENT);
  if (!_vp_is_blank (reg->notes))
    sqlite3_bind_text (stmt, 9, reg->notes, -1, SQLITE_TRANSIENT);
  if (reg->interpreter != NULL)
    sqlite3_bind_text (stmt, 10, reg->interpreter, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, entered, -1, SQLITE_TRANSIENT);
  rc = step_once (stmt);
  *contact_id = sqlite3_last_insert_rowid (db);
  return rc;
}

gboolean
vp_store_save_registration (VpStore               *store,
                            const VpRegistration  *reg,
                            gint64                *contact_id,
                            GError               **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *when = g_date_time_format (reg->occurred_at != NULL ? reg->occurred_at : now,
                                              "%Y-%m-%dT%H:%M:%S");
  /* When it was typed in decides which month's report counts it. */
  g_autofree char *entered = g_date_time_format (reg->entered_at != NULL ? reg->entered_at : now,
                                                 "%Y-%m-%dT%H:%M:%S");
  sqlite3 *db;
  gint64 client_id = reg->client_id;
  gint64 new_contact = 0;
  int rc = SQLITE_DONE;

  g_autoptr(VpLocation) location = NULL;
  VpRegistration with_location;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (reg != NULL, FALSE);

  /* A named location decides the type; the type is kept on the contact so
   * that a later change to the location does not rewrite history. */
  if (reg->location_id != 0)
    {
      location = vp_store_get_location (store, reg->location_id, NULL);
      if (location == NULL)
        return fail (error, VP_REGISTRATION_ERROR_LOCATION, _("Choose the location from the list"));
      with_location = *reg;
      with_location.location_type = location->type;
      reg = &with_location;
    }

  if (!vp_registration_validate (reg, g_date_time_get_year (now), error))
    return FALSE;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  db = vp_store_get_db (store);

  if (client_id == 0 && g_str_equal (reg->kind, "follow_up"))
    {
      if (!find_client (store, reg, &client_id, error))
        goto rollback;
    }
  else if (client_id == 0)
    rc = insert_client (db, reg, now_text, &client_id);

  if (rc == SQLITE_DONE && reg->language_consent)
    rc = record_language (db, reg, client_id, now_text);
  if (rc == SQLITE_DONE && reg->interpreter_consent)
    rc = record_consent (db, reg, client_id, "interpreter", now_text);
  if (rc == SQLITE_DONE)
    rc = insert_contact (store, reg, client_id, when, entered, &new_contact);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      goto rollback;
    }
  if ((reg->client_id == 0 && g_str_equal (reg->kind, "first") &&
       !vp_audit_append (store, "create", "client", client_id, "ok", error)) ||
      !vp_audit_append (store, "create", "contact", new_contact, "ok", error))
    goto rollback;
  if (!vp_store_commit (store, error))
    goto rollback;

  if (contact_id != NULL)
    *contact_id = new_contact;
  return TRUE;

rollback:
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

/* Undo right after saving: the contact goes, and so does a client that was
 * made for it and has no other contact. Audited like any deletion. */
gboolean
vp_store_undo_registration (VpStore  *store,
                            gint64    contact_id,
                            GError  **error)
{
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  gint64 client_id = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (db, "DELETE FROM contact WHERE id = ? RETURNING client_id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, contact_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        client_id = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE && client_id != 0)
    {
      rc = sqlite3_prepare_v2 (db, "DELETE FROM client WHERE id = ?1 AND NOT EXISTS"
                                   " (SELECT 1 FROM contact WHERE client_id = ?1)", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, client_id);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      goto rollback;
    }
  if (client_id == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("The contact no longer exists"));
      goto rollback;
    }
  if (!vp_audit_append (store, "delete", "contact", contact_id, "ok", error) ||
      !vp_store_commit (store, error))
    goto rollback;
  return TRUE;

rollback:
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}
