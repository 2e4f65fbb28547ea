/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Correcting or deleting a saved contact (#15): once the Undo toast is
 * gone, a coach can still put right a wrong place or stage, or remove a
 * contact entered by mistake. Each is one transaction with its audit
 * entry. A month already released keeps the figures it was sent with
 * (each month is released once); the report page says so. */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-consent.h"
#include "vp-contact-edit.h"
#include "vp-location.h"
#include "vp-registration.h"
#include "vp-store-private.h"

#define MAX_NOTES_CHARS 2000

void
vp_contact_record_free (VpContactRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->client_label);
  g_free (record->kind);
  g_free (record->occurred_at);
  g_free (record->location_type);
  g_free (record->initiated_by);
  g_free (record->stage);
  g_free (record->interpreter);
  g_free (record->notes);
  g_free (record);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  return text != NULL ? g_strdup (text) : NULL;
}

/* Reading a contact to correct it is a read of personal data: audited. */
VpContactRecord *
vp_store_get_contact (VpStore  *store,
                      gint64    contact_id,
                      GError  **error)
{
  g_autoptr(VpContactRecord) record = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (!vp_store_is_open (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return NULL;
    }
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT c.id, c.client_id, cl.label, c.kind, c.occurred_at, c.location_id,"
                           "  c.location_type, c.initiated_by, c.stage, c.interpreter, c.notes,"
                           "  EXISTS (SELECT 1 FROM consent WHERE client_id = c.client_id"
                           "          AND category = 'interpreter' AND withdrawn_at IS NULL)"
                           " FROM contact c JOIN client cl ON cl.id = c.client_id WHERE c.id = ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, contact_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          record = g_new0 (VpContactRecord, 1);
          record->id = sqlite3_column_int64 (stmt, 0);
          record->client_id = sqlite3_column_int64 (stmt, 1);
          record->client_label = column_dup (stmt, 2);
          record->kind = column_dup (stmt, 3);
          record->occurred_at = column_dup (stmt, 4);
          record->location_id = sqlite3_column_int64 (stmt, 5);
          record->location_type = column_dup (stmt, 6);
          record->initiated_by = column_dup (stmt, 7);
          record->stage = column_dup (stmt, 8);
          record->interpreter = column_dup (stmt, 9);
          record->notes = column_dup (stmt, 10);
          record->interpreter_consent = sqlite3_column_int (stmt, 11) != 0;
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  if (record == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("The contact no longer exists"));
      return NULL;
    }
  if (!vp_audit_append (store, "read", "contact", contact_id, "ok", error))
    return NULL;
  return g_steal_pointer (&record);
}

static gboolean
fail (GError     **error,
      int          code,
      const char  *message)
{
  g_set_error_literal (error, VP_REGISTRATION_ERROR, code, message);
  return FALSE;
}

/* The same rules as at registration, for the fields that can change. */
static gboolean
validate (const VpContactRecord  *record,
          GError                **error)
{
  if (!vp_category_has_code (VP_CATEGORY_LOCATION_TYPE, record->location_type))
    return fail (error, VP_REGISTRATION_ERROR_LOCATION, _("Choose the type of location"));
  if (!vp_category_has_code (VP_CATEGORY_INITIATED_BY, record->initiated_by))
    return fail (error, VP_REGISTRATION_ERROR_INITIATED_BY, _("Choose who initiated the contact"));
  if (record->stage != NULL && !vp_category_has_code (VP_CATEGORY_STAGE, record->stage))
    return fail (error, VP_REGISTRATION_ERROR_STAGE, _("Choose a stage from the list"));
  if (record->interpreter != NULL &&
      !vp_category_has_code (VP_CATEGORY_INTERPRETER_MODE, record->interpreter))
    return fail (error, VP_REGISTRATION_ERROR_INTERPRETER, _("Choose how an interpreter was used"));
  if (record->notes != NULL && g_utf8_strlen (record->notes, -1) > MAX_NOTES_CHARS)
    return fail (error, VP_REGISTRATION_ERROR_CLIENT, _("Notes may be at most 2,000 characters long"));
  return TRUE;
}

/* Stage and interpreter are checked against the stored contact and
 * consent inside the statement, so a consent withdrawn meanwhile cannot
 * be overtaken by a correction typed before it. */
gboolean
vp_store_update_contact (VpStore                *store,
                         const VpContactRecord  *record,
                         GError                **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;
  int changed;

  g_autoptr(VpLocation) location = NULL;
  VpContactRecord with_location;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  /* As at registration: a named location decides the type. */
  if (record->location_id != 0)
    {
      location = vp_store_get_location (store, record->location_id, NULL);
      if (location == NULL)
        return fail (error, VP_REGISTRATION_ERROR_LOCATION, _("Choose the location from the list"));
      with_location = *record;
      with_location.location_type = location->type;
      record = &with_location;
    }
  if (!validate (record, error))
    return FALSE;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE contact SET location_id = nullif (?2, 0), location_type = ?3,"
                           "  initiated_by = ?4, stage = ?5, interpreter = ?6, notes = nullif (?7, '')"
                           " WHERE id = ?1"
                           "  AND (?5 IS NULL OR kind = 'first')"
                           "  AND (?6 IS NULL OR EXISTS (SELECT 1 FROM consent WHERE client_id = contact.client_id"
                           "       AND category = 'interpreter' AND withdrawn_at IS NULL))",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, record->id);
      sqlite3_bind_int64 (stmt, 2, record->location_id);
      sqlite3_bind_text (stmt, 3, record->location_type, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, record->initiated_by, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, record->stage, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, record->interpreter, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, record->notes, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  changed = sqlite3_changes (vp_store_get_db (store));
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      goto rollback;
    }
  if (changed == 0)
    {
      /* Gone, or a stage on a follow-up, or interpreter use without consent. */
      if (record->interpreter != NULL && !vp_store_has_consent (store, record->client_id, "interpreter"))
        fail (error, VP_REGISTRATION_ERROR_INTERPRETER,
              _("Interpreter use can only be recorded with the client’s consent"));
      else if (record->stage != NULL && g_strcmp0 (record->kind, "first") != 0)
        fail (error, VP_REGISTRATION_ERROR_STAGE, _("The stage is recorded for first contacts only"));
      else
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("The contact no longer exists"));
      goto rollback;
    }
  if (!vp_audit_append (store, "change", "contact", record->id, "ok", error) ||
      !vp_store_commit (store, error))
    goto rollback;
  return TRUE;

rollback:
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

/* A contact entered by mistake: as Undo does, and a client left without
 * contacts goes with it. */
gboolean
vp_store_delete_contact (VpStore  *store,
                         gint64    contact_id,
                         GError  **error)
{
  return vp_store_undo_registration (store, contact_id, error);
}
