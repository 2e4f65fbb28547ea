/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-keyslots.h"
#include "vp-schema.h"
#include "vp-store-impl.h"

/* Creating a team's store: the set-up checked, the database made with its
 * first account, and the first key slots. */

/* Empty or white space only. */
gboolean
_vp_is_blank (const char *s)
{
  for (; s != NULL && *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
validate_code (const char  *value,
               const char  *what,
               GError     **error)
{
  if (_vp_is_blank (value))
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("%s is required"), what);
      return FALSE;
    }
  return TRUE;
}

gboolean
vp_store_validate_setup (const VpStoreSetup  *setup,
                         GError             **error)
{
  const char *m = setup->municipality_code;

  if (!validate_code (setup->team_code, _("A team code"), error) ||
      !validate_code (setup->account_name, _("Your name"), error))
    return FALSE;

  for (const char *p = setup->team_code; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      {
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                             _("The team code may hold only letters, digits, “-” and “_”"));
        return FALSE;
      }
  if (strlen (setup->team_code) > 32)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("The team code may be at most 32 characters long"));
      return FALSE;
    }

  if (m == NULL || strlen (m) != 6 || m[0] != 'G' || m[1] != 'M' ||
      !g_ascii_isdigit (m[2]) || !g_ascii_isdigit (m[3]) ||
      !g_ascii_isdigit (m[4]) || !g_ascii_isdigit (m[5]))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("The municipality code is GM followed by four digits, for example GM0344"));
      return FALSE;
    }

  return vp_store_check_passphrase (setup->passphrase, error);
}

static gboolean
write_initial_rows (VpStore            *self,
                    const VpStoreSetup *setup,
                    GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  guint8 id_bytes[16];
  g_autofree char *installation = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!vp_random_bytes (id_bytes, sizeof id_bytes, error))
    return FALSE;
  installation = g_compute_checksum_for_data (G_CHECKSUM_MD5, id_bytes, sizeof id_bytes);

  if (!vp_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO account (name, role, created_at) VALUES (?, 'team_leader', ?)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, setup->account_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, created, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  self->account_id = sqlite3_last_insert_rowid (self->db);

  if (rc != SQLITE_DONE ||
      !vp_store_set_setting (self, "team_code", setup->team_code, error) ||
      !vp_store_set_setting (self, "municipality_code", setup->municipality_code, error) ||
      !vp_store_set_setting (self, "installation_id", installation, error) ||
      !vp_store_set_setting (self, "created_at", created, error))
    {
      if (rc != SQLITE_DONE)
        vp_store_set_sqlite_error (self, rc, error);
      vp_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return vp_store_exec (self, "COMMIT", error);
}

static void
remove_store_files (const char *dir)
{
  static const char *names[] = { VP_STORE_DB_NAME, VP_STORE_DB_NAME "-wal", VP_STORE_DB_NAME "-shm", VP_STORE_KEYS_NAME };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
}

static gboolean
save_new_slots (const char    *dir,
                const guint8  *key,
                const char    *name,
                gint64         account_id,
                const char    *passphrase,
                const char    *recovery_key,
                GError       **error)
{
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_key_slot_free);
  g_autofree char *keys_path = g_build_filename (dir, VP_STORE_KEYS_NAME, NULL);
  VpKeySlot *slot;

  slot = vp_key_slot_new_wrapped (key, NULL, "passphrase", account_id, passphrase,
                                  VP_SCRYPT_DEFAULT_N_LOG2, error);
  if (slot == NULL)
    return FALSE;
  vp_key_slot_set_name (slot, name);
  g_ptr_array_add (slots, slot);
  slot = vp_key_slot_new_wrapped (key, NULL, "recovery", account_id, recovery_key,
                                  VP_SCRYPT_DEFAULT_N_LOG2, error);
  if (slot == NULL)
    return FALSE;
  g_ptr_array_add (slots, slot);
  return vp_key_slots_save (keys_path, slots, error);
}

/* Creates the team's store with its first account, a team leader. The
 * recovery key is returned once, for the team leader to print or save: it
 * is stored nowhere but in its own key slot. */
VpStore *
vp_store_create (const char          *dir,
                 const VpStoreSetup  *setup,
                 char               **recovery_key,
                 GError             **error)
{
  return _vp_store_create_at_version (dir, setup, vp_schema_current_version (), recovery_key, error);
}

VpStore *
_vp_store_create_at_version (const char          *dir,
                             const VpStoreSetup  *setup,
                             guint                version,
                             char               **recovery_key,
                             GError             **error)
{
  g_autoptr(VpStore) self = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(VpSecureKey) key = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (setup != NULL, NULL);
  g_return_val_if_fail (version >= 1, NULL);

  if (!_vp_data_check_protected (error) ||
      !vp_store_validate_setup (setup, error))
    return NULL;
  if (vp_store_exists (dir))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_EXISTS,
                           _("A store already exists in this folder"));
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The folder for the store could not be created: %s"), g_strerror (saved_errno));
      return NULL;
    }

  key = _vp_secure_key_new (error);
  if (key == NULL)
    return NULL;
  recovery = vp_recovery_key_generate (error);
  if (recovery == NULL || !vp_random_bytes (key, VP_DATA_KEY_LEN, error))
    goto fail;

  self = g_object_new (VP_TYPE_STORE, NULL);
  self->dir = g_strdup (dir);
  self->db = _vp_store_open_keyed (dir, key, TRUE, error);
  if (self->db == NULL ||
      !vp_schema_migrate (self->db, version, error) ||
      !write_initial_rows (self, setup, error) ||
      !save_new_slots (dir, key, setup->account_name, self->account_id, setup->passphrase, recovery, error) ||
      !_vp_store_load_identity (self, error))
    goto fail;

  self->key = g_steal_pointer (&key);
  if (recovery_key != NULL)
    *recovery_key = g_steal_pointer (&recovery);
  else
    vp_wipe (recovery, strlen (recovery));
  return g_steal_pointer (&self);

fail:
  if (recovery != NULL)
    vp_wipe (recovery, strlen (recovery));
  if (self != NULL && self->db != NULL)
    vp_store_close (self);
  remove_store_files (dir);
  return NULL;
}
