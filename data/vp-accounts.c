/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-keyslots.h"
#include "vp-store-private.h"

/* Accounts and their key slots. The database row and the audit entry are
 * written in one transaction, and the key file is rewritten (atomically)
 * before that transaction commits, so a failure leaves both as they were. */

void
vp_account_free (VpAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->name);
  g_free (account->role);
  g_free (account);
}

gboolean
vp_store_check_passphrase (const char  *passphrase,
                           GError     **error)
{
  if (passphrase == NULL || g_utf8_strlen (passphrase, -1) < 10)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("The passphrase must be at least 10 characters long"));
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
list_accounts (VpStore     *store,
               const char  *where,
               GError     **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_account_free);
  g_autofree char *sql = g_strdup_printf ("SELECT id, name, role, active, removed_at IS NOT NULL FROM account"
                                          " WHERE %s ORDER BY removed_at IS NOT NULL, name COLLATE NOCASE", where);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        VpAccount *account = g_new0 (VpAccount, 1);

        account->id = sqlite3_column_int64 (stmt, 0);
        account->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        account->role = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
        account->active = sqlite3_column_int (stmt, 3);
        account->removed = sqlite3_column_int (stmt, 4);
        g_ptr_array_add (accounts, account);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

/* The accounts of this laptop: those that can unlock it. */
GPtrArray *
vp_store_list_accounts (VpStore  *store,
                        GError  **error)
{
  return list_accounts (store, "team_device IS NULL", error);
}

/* Everyone whose work this laptop holds: its own accounts and, in a team,
 * the colleagues on the team's other laptops (#16), for filtering by coach. */
GPtrArray *
vp_store_list_colleagues (VpStore  *store,
                          GError  **error)
{
  return list_accounts (store, "1", error);
}

static char *
account_name (VpStore *store,
              gint64   account_id)
{
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  if (sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT name FROM account WHERE id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, account_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return name;
}

/* Replaces every passphrase slot of the account with one new slot, or with
 * none when passphrase is NULL. The recovery slot is left alone. */
static gboolean
rewrite_slots (VpStore     *store,
               gint64       account_id,
               const char  *passphrase,
               GError     **error)
{
  g_autofree char *path = _vp_store_keys_path (store);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (path, error);

  if (slots == NULL)
    return FALSE;
  for (guint i = slots->len; i > 0; i--)
    {
      const VpKeySlot *slot = g_ptr_array_index (slots, i - 1);
      if (slot->account_id == account_id && g_str_equal (slot->kind, "passphrase"))
        g_ptr_array_remove_index (slots, i - 1);
    }
  if (passphrase != NULL)
    {
      VpKeySlot *slot = vp_key_slot_new_wrapped (_vp_store_get_key (store), NULL, "passphrase",
                                                 account_id, passphrase,
                                                 VP_SCRYPT_DEFAULT_N_LOG2, error);
      if (slot == NULL)
        return FALSE;
      g_autofree char *name = account_name (store, account_id);

      vp_key_slot_set_name (slot, name);
      g_ptr_array_add (slots, slot);
    }
  return vp_key_slots_save (path, slots, error);
}

static gboolean
finish (VpStore   *store,
        gboolean   ok,
        GError   **error)
{
  if (ok && vp_store_commit (store, error))
    return TRUE;
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
run_update (VpStore    *store,
            const char *sql,
            gint64      id,
            GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  if (sqlite3_changes (vp_store_get_db (store)) == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND,
                           _("There is no such account"));
      return FALSE;
    }
  return TRUE;
}

/* The one refusal of this file; the checks are vp_store_require_team_leader(). */
static gboolean
require_team_leader (VpStore  *store,
                     GError  **error)
{
  return vp_store_require_team_leader (store, _("Only a team leader can manage accounts"), error);
}

gint64
vp_store_add_account (VpStore     *store,
                      const char  *name,
                      const char  *role,
                      const char  *passphrase,
                      GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), 0);

  if (!require_team_leader (store, error))
    return 0;
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Enter a name for the account"));
      return 0;
    }
  if (g_strcmp0 (role, "coach") != 0 && g_strcmp0 (role, "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose a role for the account"));
      return 0;
    }
  if (!vp_store_check_passphrase (passphrase, error) ||
      !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return 0;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO account (name, role, created_at) VALUES (?, ?, ?)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, role, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, created, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (vp_store_get_db (store));
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      finish (store, FALSE, NULL);
      return 0;
    }

  if (!finish (store,
               vp_audit_append (store, "account_added", "account", id, "ok", error) &&
               rewrite_slots (store, id, passphrase, error),
               error))
    return 0;
  return id;
}

gboolean
vp_store_set_account_active (VpStore   *store,
                             gint64     account_id,
                             gboolean   active,
                             GError   **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!require_team_leader (store, error))
    return FALSE;
  if (account_id == vp_store_get_account_id (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("You cannot disable your own account"));
      return FALSE;
    }
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  return finish (store,
                 run_update (store, active ? "UPDATE account SET active = 1 WHERE id = ? AND removed_at IS NULL"
                                           : "UPDATE account SET active = 0 WHERE id = ? AND removed_at IS NULL",
                             account_id, error) &&
                 vp_audit_append (store, active ? "account_enabled" : "account_disabled",
                                  "account", account_id, "ok", error),
                 error);
}

/* The row stays, so that contacts and audit entries keep their author; the
 * key slot goes, so the account can never unlock again. */
gboolean
vp_store_remove_account (VpStore  *store,
                         gint64    account_id,
                         GError  **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *sql = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!require_team_leader (store, error))
    return FALSE;
  if (account_id == vp_store_get_account_id (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("You cannot remove your own account"));
      return FALSE;
    }
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  return finish (store,
                 run_update (store, "UPDATE account SET active = 0, removed_at = datetime ('now')"
                                    " WHERE id = ? AND removed_at IS NULL", account_id, error) &&
                 vp_audit_append (store, "account_removed", "account", account_id, "ok", error) &&
                 rewrite_slots (store, account_id, NULL, error),
                 error);
}

/* A team leader gives a coach who forgot a passphrase a new one. */
gboolean
vp_store_reset_passphrase (VpStore     *store,
                           gint64       account_id,
                           const char  *new_passphrase,
                           GError     **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  /* After a recovery-key unlock the team leader sets their own. */
  if (!(vp_store_needs_new_passphrase (store) && account_id == vp_store_get_account_id (store)) &&
      !require_team_leader (store, error))
    return FALSE;
  if (!vp_store_check_passphrase (new_passphrase, error) ||
      !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!finish (store,
               run_update (store, "UPDATE account SET id = id WHERE id = ? AND removed_at IS NULL",
                           account_id, error) &&
               vp_audit_append (store, "passphrase_reset", "account", account_id, "ok", error) &&
               rewrite_slots (store, account_id, new_passphrase, error),
               error))
    return FALSE;
  if (account_id == vp_store_get_account_id (store))
    _vp_store_set_recovered (store, FALSE);
  return TRUE;
}

/* Changing a passphrase rewrites one key slot, never the database. */
gboolean
vp_store_change_passphrase (VpStore     *store,
                            const char  *old_passphrase,
                            const char  *new_passphrase,
                            GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) slots = NULL;
  gint64 self_id;
  gboolean verified = FALSE;
  guint8 key[VP_DATA_KEY_LEN];

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_store_is_open (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  self_id = vp_store_get_account_id (store);
  path = _vp_store_keys_path (store);
  slots = vp_key_slots_load (path, error);
  if (slots == NULL)
    return FALSE;
  for (guint i = 0; i < slots->len && !verified; i++)
    {
      const VpKeySlot *slot = g_ptr_array_index (slots, i);
      if (slot->account_id == self_id && g_str_equal (slot->kind, "passphrase"))
        verified = vp_key_slot_unwrap (slot, old_passphrase, key, NULL);
    }
  vp_wipe (key, sizeof key);
  if (!verified)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                           _("The current passphrase is not correct"));
      return FALSE;
    }
  if (!vp_store_check_passphrase (new_passphrase, error) ||
      !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  return finish (store,
                 vp_audit_append (store, "passphrase_changed", "account", self_id, "ok", error) &&
                 rewrite_slots (store, self_id, new_passphrase, error),
                 error);
}
