/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "vp-keyslots.h"
#include "vp-store.h"

#define KEY_FILE_FORMAT 1

void
vp_wipe (gpointer buf,
         gsize    len)
{
  if (buf != NULL && len > 0)
    OPENSSL_cleanse (buf, len);
}

gboolean
vp_random_bytes (guint8  *buf,
                 gsize    len,
                 GError **error)
{
  if (RAND_bytes (buf, (int) len) != 1)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("The system could not provide random numbers"));
      return FALSE;
    }
  return TRUE;
}

void
vp_key_slot_free (VpKeySlot *slot)
{
  if (slot == NULL)
    return;
  g_free (slot->id);
  g_free (slot->kind);
  g_free (slot->name_hash);
  vp_wipe (slot, sizeof *slot);
  g_free (slot);
}

static gboolean
derive (const char *passphrase,
        const VpKeySlot *slot,
        guint8 out[32],
        GError **error)
{
  guint64 n = G_GUINT64_CONSTANT (1) << slot->n_log2;
  /* scrypt needs 128 * r * N bytes; allow twice that so raised parameters work. */
  guint64 maxmem = 256 * (guint64) slot->r * n + (1 << 20);

  if (EVP_PBE_scrypt (passphrase, strlen (passphrase),
                      slot->salt, sizeof slot->salt,
                      n, slot->r, slot->p, maxmem, out, 32) != 1)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("The passphrase could not be processed (out of memory?)"));
      return FALSE;
    }
  return TRUE;
}

/* The slot's identity and parameters are authenticated along with the key,
 * so a slot cannot be weakened or moved to another account unnoticed. */
static char *
slot_aad (const VpKeySlot *slot)
{
  return g_strdup_printf ("vindplaats-slot/1|%s|%s|%" G_GINT64_FORMAT "|%u|%u|%u",
                          slot->id, slot->kind, slot->account_id,
                          slot->n_log2, slot->r, slot->p);
}

static gboolean
gcm (gboolean      encrypt,
     const guint8  key[32],
     VpKeySlot    *slot,
     guint8       *data_key)
{
  g_autofree char *aad = slot_aad (slot);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  guint8 out[VP_DATA_KEY_LEN];
  int len = 0, fin = 0;
  gboolean ok;

  ok = ctx != NULL
       && EVP_CipherInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL, encrypt) == 1
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof slot->nonce, NULL) == 1
       && EVP_CipherInit_ex (ctx, NULL, NULL, key, slot->nonce, encrypt) == 1
       && EVP_CipherUpdate (ctx, NULL, &len, (const guint8 *) aad, (int) strlen (aad)) == 1;
  if (ok && encrypt)
    ok = EVP_CipherUpdate (ctx, out, &len, data_key, VP_DATA_KEY_LEN) == 1
         && EVP_CipherFinal_ex (ctx, out + len, &fin) == 1
         && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, sizeof slot->tag, slot->tag) == 1;
  else if (ok)
    ok = EVP_CipherUpdate (ctx, out, &len, slot->wrapped, VP_DATA_KEY_LEN) == 1
         && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, sizeof slot->tag, slot->tag) == 1
         && EVP_CipherFinal_ex (ctx, out + len, &fin) == 1;

  if (ok)
    memcpy (encrypt ? slot->wrapped : data_key, out, VP_DATA_KEY_LEN);
  vp_wipe (out, sizeof out);
  EVP_CIPHER_CTX_free (ctx);
  return ok;
}

/* A NULL id makes a new random one; rewrapping a slot keeps its id. */
VpKeySlot *
vp_key_slot_new_wrapped (const guint8 *data_key,
                         const char   *id,
                         const char   *kind,
                         gint64        account_id,
                         const char   *passphrase,
                         guint         n_log2,
                         GError      **error)
{
  g_autoptr(VpKeySlot) slot = g_new0 (VpKeySlot, 1);
  guint8 id_bytes[8];
  guint8 kek[32];
  gboolean ok;

  g_return_val_if_fail (data_key != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  if (!vp_random_bytes (id_bytes, sizeof id_bytes, error) ||
      !vp_random_bytes (slot->salt, sizeof slot->salt, error) ||
      !vp_random_bytes (slot->nonce, sizeof slot->nonce, error))
    return NULL;

  slot->id = id != NULL ? g_strdup (id)
                        : g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x",
                                           id_bytes[0], id_bytes[1], id_bytes[2], id_bytes[3],
                                           id_bytes[4], id_bytes[5], id_bytes[6], id_bytes[7]);
  slot->kind = g_strdup (kind);
  slot->account_id = account_id;
  slot->n_log2 = MAX (n_log2, 10);
  slot->r = VP_SCRYPT_DEFAULT_R;
  slot->p = VP_SCRYPT_DEFAULT_P;

  if (!derive (passphrase, slot, kek, error))
    return NULL;
  ok = gcm (TRUE, kek, slot, (guint8 *) data_key);
  vp_wipe (kek, sizeof kek);
  if (!ok)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("The key could not be protected"));
      return NULL;
    }
  return g_steal_pointer (&slot);
}

gboolean
vp_key_slot_unwrap (const VpKeySlot *slot,
                    const char      *passphrase,
                    guint8          *data_key_out,
                    GError         **error)
{
  VpKeySlot copy = *slot;
  guint8 kek[32];
  gboolean ok;

  if (!derive (passphrase, slot, kek, error))
    return FALSE;
  ok = gcm (FALSE, kek, &copy, data_key_out);
  vp_wipe (kek, sizeof kek);
  if (!ok)
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                         _("The passphrase is not correct"));
  return ok;
}

/* Names match whatever their case or surrounding spaces. */
static char *
name_hash (const VpKeySlot *slot,
           const char      *name)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autofree char *folded = g_utf8_casefold (trimmed, -1);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) "vindplaats-account-name/1", -1);
  g_checksum_update (sum, slot->salt, sizeof slot->salt);
  g_checksum_update (sum, (const guchar *) folded, -1);
  return g_strdup (g_checksum_get_string (sum));
}

void
vp_key_slot_set_name (VpKeySlot  *slot,
                      const char *name)
{
  g_free (slot->name_hash);
  slot->name_hash = name != NULL ? name_hash (slot, name) : NULL;
}

gboolean
vp_key_slot_has_name (const VpKeySlot *slot,
                      const char      *name)
{
  g_autofree char *hash = NULL;

  if (slot->name_hash == NULL || name == NULL)
    return FALSE;
  hash = name_hash (slot, name);
  return g_str_equal (hash, slot->name_hash);
}

/* Crockford's base32: no I, L, O or U, so a key read aloud or typed from
 * paper is hard to get wrong. */
static const char recovery_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define RECOVERY_BYTES 20 /* 160 bits: 32 characters */
#define RECOVERY_GROUPS 8
#define RECOVERY_KEY_LEN (RECOVERY_GROUPS * 5 - 1) /* XXXX-…-XXXX */

/* Recovery keys are built in a buffer of their final size, never grown (a
 * string that grows by realloc leaves partial copies in freed memory), and
 * wiped before it is freed on every path. The caller wipes what it gets. */
static char *
recovery_buffer_new (void)
{
  return g_malloc0 (RECOVERY_KEY_LEN + 1);
}

static void
recovery_buffer_free (char *key)
{
  vp_wipe (key, RECOVERY_KEY_LEN + 1);
  g_free (key);
}

/* Appends one character, with a dash between groups of four; FALSE when
 * the key is full. */
static gboolean
recovery_append (char  *key,
                 gsize *len,
                 char   c)
{
  if (*len > 0 && *len % 5 == 4)
    {
      if (*len >= RECOVERY_KEY_LEN)
        return FALSE;
      key[(*len)++] = '-';
    }
  if (*len >= RECOVERY_KEY_LEN)
    return FALSE;
  key[(*len)++] = c;
  return TRUE;
}

/* A recovery key as shown and printed: eight groups of four characters. */
char *
vp_recovery_key_generate (GError **error)
{
  guint8 bytes[RECOVERY_BYTES];
  char *key;
  gsize len = 0;
  guint bits = 0, acc = 0;

  if (!vp_random_bytes (bytes, sizeof bytes, error))
    return NULL;
  key = recovery_buffer_new ();
  for (guint i = 0; i < sizeof bytes; i++)
    {
      acc = (acc << 8) | bytes[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          recovery_append (key, &len, recovery_alphabet[(acc >> bits) & 31]);
        }
    }
  vp_wipe (bytes, sizeof bytes);
  g_assert (len == RECOVERY_KEY_LEN);
  return key;
}

/* Accepts what people type: any case, spaces or dashes, and the letters
 * that look like digits. Returns NULL when it cannot be a recovery key. */
char *
vp_recovery_key_normalize (const char *text)
{
  char *key = recovery_buffer_new ();
  gsize len = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t')
        continue;
      if (c == 'O')
        c = '0';
      else if (c == 'I' || c == 'L')
        c = '1';
      if (strchr (recovery_alphabet, c) == NULL || c == '\0' ||
          !recovery_append (key, &len, c))
        {
          recovery_buffer_free (key);
          return NULL;
        }
    }
  if (len != RECOVERY_KEY_LEN)
    {
      recovery_buffer_free (key);
      return NULL;
    }
  return key;
}

static gboolean
get_bytes (GKeyFile   *kf,
           const char *group,
           const char *key,
           guint8     *out,
           gsize       len)
{
  g_autofree char *b64 = g_key_file_get_string (kf, group, key, NULL);
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;

  if (b64 == NULL)
    return FALSE;
  raw = g_base64_decode (b64, &raw_len);
  if (raw_len != len)
    return FALSE;
  memcpy (out, raw, len);
  return TRUE;
}

static VpKeySlot *
slot_from_group (GKeyFile   *kf,
                 const char *group)
{
  g_autoptr(VpKeySlot) slot = g_new0 (VpKeySlot, 1);
  g_autoptr(GError) error = NULL;

  slot->id = g_strdup (group + strlen ("slot "));
  slot->kind = g_key_file_get_string (kf, group, "kind", NULL);
  slot->name_hash = g_key_file_get_string (kf, group, "name-hash", NULL);
  slot->failures = (guint) g_key_file_get_integer (kf, group, "failed-attempts", NULL);
  slot->last_failure = g_key_file_get_int64 (kf, group, "last-failure", NULL);
  slot->account_id = g_key_file_get_int64 (kf, group, "account", &error);
  if (error == NULL)
    slot->n_log2 = (guint) g_key_file_get_integer (kf, group, "scrypt-n-log2", &error);
  if (error == NULL)
    slot->r = (guint) g_key_file_get_integer (kf, group, "scrypt-r", &error);
  if (error == NULL)
    slot->p = (guint) g_key_file_get_integer (kf, group, "scrypt-p", &error);

  if (error != NULL || slot->kind == NULL ||
      slot->n_log2 < 10 || slot->n_log2 > 24 || slot->r < 1 || slot->r > 64 ||
      slot->p < 1 || slot->p > 16 ||
      !get_bytes (kf, group, "salt", slot->salt, sizeof slot->salt) ||
      !get_bytes (kf, group, "nonce", slot->nonce, sizeof slot->nonce) ||
      !get_bytes (kf, group, "wrapped-key", slot->wrapped, sizeof slot->wrapped) ||
      !get_bytes (kf, group, "tag", slot->tag, sizeof slot->tag))
    return NULL;
  return g_steal_pointer (&slot);
}

GPtrArray *
vp_key_slots_load (const char  *path,
                   GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_key_slot_free);
  g_auto(GStrv) groups = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_KEYS_MISSING,
                   _("The key file of this store is missing or unreadable: %s"),
                   local_error->message);
      return NULL;
    }
  if (g_key_file_get_integer (kf, "store", "format", NULL) != KEY_FILE_FORMAT)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_KEYS_MISSING,
                           _("The key file of this store is damaged or of an unknown format"));
      return NULL;
    }

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      VpKeySlot *slot;

      if (!g_str_has_prefix (groups[i], "slot "))
        continue;
      slot = slot_from_group (kf, groups[i]);
      if (slot == NULL)
        {
          g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_KEYS_MISSING,
                               _("A key slot in the key file is damaged"));
          return NULL;
        }
      g_ptr_array_add (slots, slot);
    }

  if (slots->len == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_KEYS_MISSING,
                           _("The key file of this store holds no key slots"));
      return NULL;
    }
  return g_steal_pointer (&slots);
}

static void
set_bytes (GKeyFile     *kf,
           const char   *group,
           const char   *key,
           const guint8 *data,
           gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  g_key_file_set_string (kf, group, key, b64);
}

gboolean
vp_key_slots_save (const char  *path,
                   GPtrArray   *slots,
                   GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  g_key_file_set_integer (kf, "store", "format", KEY_FILE_FORMAT);
  for (guint i = 0; i < slots->len; i++)
    {
      const VpKeySlot *slot = g_ptr_array_index (slots, i);
      g_autofree char *group = g_strdup_printf ("slot %s", slot->id);

      g_key_file_set_string (kf, group, "kind", slot->kind);
      g_key_file_set_int64 (kf, group, "account", slot->account_id);
      if (slot->name_hash != NULL)
        g_key_file_set_string (kf, group, "name-hash", slot->name_hash);
      if (slot->failures > 0)
        {
          g_key_file_set_integer (kf, group, "failed-attempts", (int) slot->failures);
          g_key_file_set_int64 (kf, group, "last-failure", slot->last_failure);
        }
      g_key_file_set_string (kf, group, "kdf", "scrypt");
      g_key_file_set_integer (kf, group, "scrypt-n-log2", (int) slot->n_log2);
      g_key_file_set_integer (kf, group, "scrypt-r", (int) slot->r);
      g_key_file_set_integer (kf, group, "scrypt-p", (int) slot->p);
      g_key_file_set_string (kf, group, "cipher", "aes-256-gcm");
      set_bytes (kf, group, "salt", slot->salt, sizeof slot->salt);
      set_bytes (kf, group, "nonce", slot->nonce, sizeof slot->nonce);
      set_bytes (kf, group, "wrapped-key", slot->wrapped, sizeof slot->wrapped);
      set_bytes (kf, group, "tag", slot->tag, sizeof slot->tag);
    }

  data = g_key_file_to_data (kf, &len, NULL);
  return g_file_set_contents_full (path, data, (gssize) len,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}
