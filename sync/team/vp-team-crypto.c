/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <string.h>

#include "vp-team-crypto.h"
#include "vp-team-error.h"

/* Team sync's cryptography, with OpenSSL 3 and nothing else.
 *
 * A blob is [header | nonce | AES-256-GCM (inner) | tag], where the inner
 * plaintext is [length (4 bytes, big-endian) | plaintext | zeros] and the
 * whole blob is exactly one bucket long, so the relay learns the bucket and
 * nothing finer. The header is the associated data: a relay that moves a
 * blob to another team, device, epoch or place in a device's sequence makes
 * it fail to open. A blob is opened only with the key of the team and epoch
 * its header names; everything else fails before decryption.
 *
 * Secrets live in OpenSSL's secure heap (team keys, and the private halves
 * of X25519 keys, which OpenSSL allocates there itself) or in buffers that
 * are wiped on every path (shared secrets, derived keys, padded plaintext).
 *
 * Enrolment compares a safety number on two screens. Twelve digits are 40
 * bits: had the number covered only the two public keys, a relay in the
 * middle could make up a million keys for each side and find a pair whose
 * numbers match by the birthday paradox, in seconds. So each side adds 16
 * random bytes, and the inviter commits to its key and bytes before it sees
 * the joiner's (the short-authentication-string protocol of ZRTP and of
 * Bluetooth's numeric comparison): whatever keys a relay substitutes, it
 * must fix them before the numbers can be known, and the two numbers then
 * agree by chance once in 10^12. The inviter must accept one joiner share
 * per invitation, never try again with another. */

#define NONCE_LEN 12
#define TAG_LEN 16
#define WRAP_FORMAT 2
#define WRAP_AAD_LEN (1 + VP_UID_LEN + 4 + VP_UID_LEN + VP_X25519_KEY_LEN)

static const char blob_info[] = "vindplaats blob v1";
static const char wrap_info[] = "vindplaats wrap v2";
static const char commit_domain[] = "vindplaats enrol commit v1";
static const char safety_domain[] = "vindplaats safety number v1";

struct _VpDeviceKey
{
  EVP_PKEY *pkey;
  guint8    public_key[VP_X25519_KEY_LEN];
};

/* Allocated as a whole in the secure heap. */
struct _VpTeamKey
{
  VpUid   team;
  guint32 epoch;
  guint8  secret[VP_TEAM_KEY_LEN];
  guint8  blob_key[32];
};

static void
ensure_secure_heap (void)
{
  static gsize done = 0;

  /* The same small locked heap as the store's (the first to ask makes it);
   * without it (mlock limits) OpenSSL uses ordinary memory, still wiped. */
  if (g_once_init_enter (&done))
    {
      if (!CRYPTO_secure_malloc_initialized ())
        CRYPTO_secure_malloc_init (16 * 1024, 32);
      g_once_init_leave (&done, 1);
    }
}

static void
wipe (gpointer buf,
      gsize    len)
{
  if (buf != NULL && len > 0)
    OPENSSL_cleanse (buf, len);
}

static gboolean
set_library_error (GError **error)
{
  g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_FAILED,
                       _("The encryption library failed"));
  return FALSE;
}

static gboolean
random_bytes (guint8  *buf,
              gsize    len,
              GError **error)
{
  if (RAND_bytes (buf, (int) len) != 1)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_FAILED,
                           _("The system could not provide random numbers"));
      return FALSE;
    }
  return TRUE;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  for (int i = 3; i >= 0; i--, v >>= 8)
    p[i] = (guint8) v;
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
put_be64 (guint8  *p,
          guint64  v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (guint8) v;
}

static guint64
get_be64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* HKDF-SHA256 (RFC 5869), extract and expand. */
static gboolean
hkdf (const guint8 *ikm,
      gsize         ikm_len,
      const guint8 *salt,
      gsize         salt_len,
      const char   *info,
      guint8       *out,
      gsize         out_len)
{
  EVP_KDF *kdf = EVP_KDF_fetch (NULL, "HKDF", NULL);
  EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new (kdf) : NULL;
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *) ikm, ikm_len),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, (void *) salt, salt_len),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) info, strlen (info)),
    OSSL_PARAM_construct_end (),
  };
  gboolean ok = ctx != NULL && EVP_KDF_derive (ctx, out, out_len, params) == 1;

  EVP_KDF_CTX_free (ctx);
  EVP_KDF_free (kdf);
  return ok;
}

/* AES-256-GCM in one piece; opening returns FALSE when the tag does not
 * hold, and then out may hold garbage that the caller wipes. */
static gboolean
gcm (gboolean      encrypt,
     const guint8  key[32],
     const guint8  nonce[NONCE_LEN],
     const guint8 *aad,
     gsize         aad_len,
     const guint8 *in,
     gsize         len,
     guint8       *out,
     guint8        tag[TAG_LEN])
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n = 0, fin = 0;
  gboolean ok;

  g_return_val_if_fail (len <= G_MAXINT && aad_len <= G_MAXINT, FALSE);

  ok = ctx != NULL
       && EVP_CipherInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL, encrypt) == 1
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1
       && EVP_CipherInit_ex (ctx, NULL, NULL, key, nonce, encrypt) == 1
       && EVP_CipherUpdate (ctx, NULL, &n, aad, (int) aad_len) == 1
       && EVP_CipherUpdate (ctx, out, &n, in, (int) len) == 1;
  if (ok && encrypt)
    ok = EVP_CipherFinal_ex (ctx, out + n, &fin) == 1
         && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
  else if (ok)
    ok = EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1
         && EVP_CipherFinal_ex (ctx, out + n, &fin) == 1;
  EVP_CIPHER_CTX_free (ctx);
  return ok;
}

/* ---- Device keys ---------------------------------------------------- */

static VpDeviceKey *
device_key_take (EVP_PKEY  *pkey,
                 GError   **error)
{
  VpDeviceKey *key;
  size_t len = VP_X25519_KEY_LEN;

  if (pkey == NULL)
    {
      set_library_error (error);
      return NULL;
    }
  key = g_new0 (VpDeviceKey, 1);
  key->pkey = pkey;
  if (EVP_PKEY_get_raw_public_key (pkey, key->public_key, &len) != 1 || len != VP_X25519_KEY_LEN)
    {
      vp_device_key_free (key);
      set_library_error (error);
      return NULL;
    }
  return key;
}

VpDeviceKey *
vp_device_key_generate (GError **error)
{
  ensure_secure_heap ();
  return device_key_take (EVP_PKEY_Q_keygen (NULL, NULL, "X25519"), error);
}

VpDeviceKey *
vp_device_key_new_from_private (const guint8   raw[VP_X25519_KEY_LEN],
                                GError       **error)
{
  g_return_val_if_fail (raw != NULL, NULL);

  ensure_secure_heap ();
  return device_key_take (EVP_PKEY_new_raw_private_key (EVP_PKEY_X25519, NULL, raw,
                                                        VP_X25519_KEY_LEN),
                          error);
}

gboolean
vp_device_key_copy_private (const VpDeviceKey  *key,
                            guint8              out[VP_X25519_KEY_LEN],
                            GError            **error)
{
  size_t len = VP_X25519_KEY_LEN;

  g_return_val_if_fail (key != NULL && out != NULL, FALSE);

  if (EVP_PKEY_get_raw_private_key (key->pkey, out, &len) != 1 || len != VP_X25519_KEY_LEN)
    {
      wipe (out, VP_X25519_KEY_LEN);
      return set_library_error (error);
    }
  return TRUE;
}

const guint8 *
vp_device_key_get_public (const VpDeviceKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->public_key;
}

void
vp_device_key_free (VpDeviceKey *key)
{
  if (key == NULL)
    return;
  EVP_PKEY_free (key->pkey); /* OpenSSL wipes the private key it frees */
  g_free (key);
}

/* X25519 between our private key and a peer's public key. A peer key of
 * small order gives an all-zero secret, which OpenSSL refuses too. */
static gboolean
ecdh (EVP_PKEY     *own,
      const guint8  peer_public[VP_X25519_KEY_LEN],
      guint8        secret[32],
      GError      **error)
{
  static const guint8 zeros[32];
  EVP_PKEY *peer = EVP_PKEY_new_raw_public_key (EVP_PKEY_X25519, NULL, peer_public,
                                                VP_X25519_KEY_LEN);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (own, NULL);
  size_t len = 32;
  gboolean ok;

  ok = peer != NULL && ctx != NULL
       && EVP_PKEY_derive_init (ctx) == 1
       && EVP_PKEY_derive_set_peer (ctx, peer) == 1
       && EVP_PKEY_derive (ctx, secret, &len) == 1
       && len == 32
       && CRYPTO_memcmp (secret, zeros, 32) != 0;
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (peer);
  if (!ok)
    {
      wipe (secret, 32);
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("This public key cannot be used for a key exchange"));
    }
  return ok;
}

/* ---- The team key --------------------------------------------------- */

static VpTeamKey *
team_key_alloc (const VpUid  *team,
                guint32       epoch,
                GError      **error)
{
  VpTeamKey *key;

  ensure_secure_heap ();
  key = OPENSSL_secure_zalloc (sizeof *key);
  if (key == NULL)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_NO_SECURE_MEMORY,
                           _("There is no protected memory left for the team key; close other windows of Vindplaats and try again"));
      return NULL;
    }
  key->team = *team;
  key->epoch = epoch;
  return key;
}

/* The blob key, derived once per team key. */
static gboolean
team_key_finish (VpTeamKey  *key,
                 GError    **error)
{
  if (!hkdf (key->secret, VP_TEAM_KEY_LEN, key->team.bytes, VP_UID_LEN, blob_info,
             key->blob_key, sizeof key->blob_key))
    return set_library_error (error);
  return TRUE;
}

VpTeamKey *
vp_team_key_generate (const VpUid  *team,
                      guint32       epoch,
                      GError      **error)
{
  g_autoptr(VpTeamKey) key = NULL;

  g_return_val_if_fail (team != NULL, NULL);

  key = team_key_alloc (team, epoch, error);
  if (key == NULL || !random_bytes (key->secret, VP_TEAM_KEY_LEN, error)
      || !team_key_finish (key, error))
    return NULL;
  return g_steal_pointer (&key);
}

VpTeamKey *
vp_team_key_new (const VpUid   *team,
                 guint32        epoch,
                 const guint8   secret[VP_TEAM_KEY_LEN],
                 GError       **error)
{
  g_autoptr(VpTeamKey) key = NULL;

  g_return_val_if_fail (team != NULL && secret != NULL, NULL);

  key = team_key_alloc (team, epoch, error);
  if (key == NULL)
    return NULL;
  memcpy (key->secret, secret, VP_TEAM_KEY_LEN);
  if (!team_key_finish (key, error))
    return NULL;
  return g_steal_pointer (&key);
}

const VpUid *
vp_team_key_get_team (const VpTeamKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return &key->team;
}

guint32
vp_team_key_get_epoch (const VpTeamKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return key->epoch;
}

void
vp_team_key_copy_secret (const VpTeamKey *key,
                         guint8           out[VP_TEAM_KEY_LEN])
{
  g_return_if_fail (key != NULL && out != NULL);
  memcpy (out, key->secret, VP_TEAM_KEY_LEN);
}

void
vp_team_key_free (VpTeamKey *key)
{
  if (key != NULL)
    OPENSSL_secure_clear_free (key, sizeof *key);
}

/* ---- Wrapping the team key to a device -------------------------------
 * Two Diffie-Hellman results go into the key that seals the team key: the
 * ephemeral key's with the recipient's (forward secrecy), and the team
 * leader's laptop's own key's with the recipient's (authentication). Only
 * the holder of the leader's private key can make a wrap that opens with
 * the leader's public key, so a relay cannot hand a laptop a team key of
 * its own choosing. The leader's device id travels in the clear and is
 * authenticated, so a laptop learns from its first key which device's
 * word is the leader's. */

static gboolean
wrap_key (const guint8  first[32],
          const guint8  second[32],
          const guint8  ephemeral_public[VP_X25519_KEY_LEN],
          const guint8  recipient_public[VP_X25519_KEY_LEN],
          const guint8  leader_public[VP_X25519_KEY_LEN],
          guint8        out[32])
{
  guint8 secret[64], salt[3 * VP_X25519_KEY_LEN];
  gboolean ok;

  memcpy (secret, first, 32);
  memcpy (secret + 32, second, 32);
  memcpy (salt, ephemeral_public, VP_X25519_KEY_LEN);
  memcpy (salt + VP_X25519_KEY_LEN, recipient_public, VP_X25519_KEY_LEN);
  memcpy (salt + 2 * VP_X25519_KEY_LEN, leader_public, VP_X25519_KEY_LEN);
  ok = hkdf (secret, sizeof secret, salt, sizeof salt, wrap_info, out, 32);
  wipe (secret, sizeof secret);
  if (!ok)
    wipe (out, 32);
  return ok;
}

static void
wrap_aad (guint8        aad[WRAP_AAD_LEN],
          const VpUid  *team,
          guint32       epoch,
          const VpUid  *leader_device,
          const guint8  ephemeral_public[VP_X25519_KEY_LEN])
{
  aad[0] = WRAP_FORMAT;
  memcpy (aad + 1, team->bytes, VP_UID_LEN);
  put_be32 (aad + 1 + VP_UID_LEN, epoch);
  memcpy (aad + 1 + VP_UID_LEN + 4, leader_device->bytes, VP_UID_LEN);
  memcpy (aad + 1 + VP_UID_LEN + 4 + VP_UID_LEN, ephemeral_public, VP_X25519_KEY_LEN);
}

GBytes *
vp_team_key_wrap (const VpTeamKey   *key,
                  const VpDeviceKey *leader,
                  const VpUid       *leader_device,
                  const guint8       device_public[VP_X25519_KEY_LEN],
                  GError           **error)
{
  g_autoptr(VpDeviceKey) ephemeral = NULL;
  guint8 *out, *nonce, *ct, *tag;
  guint8 first[32], second[32], kek[32];
  gboolean ok;

  g_return_val_if_fail (key != NULL && leader != NULL && leader_device != NULL && device_public != NULL, NULL);

  ephemeral = vp_device_key_generate (error);
  if (ephemeral == NULL || !ecdh (ephemeral->pkey, device_public, first, error))
    return NULL;
  ok = ecdh (leader->pkey, device_public, second, error);
  if (ok && !wrap_key (first, second, ephemeral->public_key, device_public, leader->public_key, kek))
    ok = set_library_error (error);
  wipe (first, sizeof first);
  wipe (second, sizeof second);
  if (!ok)
    return NULL;

  out = g_malloc0 (VP_WRAPPED_KEY_LEN);
  wrap_aad (out, &key->team, key->epoch, leader_device, ephemeral->public_key);
  nonce = out + WRAP_AAD_LEN;
  ct = nonce + NONCE_LEN;
  tag = ct + VP_TEAM_KEY_LEN;
  ok = random_bytes (nonce, NONCE_LEN, error);
  if (ok && !gcm (TRUE, kek, nonce, out, WRAP_AAD_LEN, key->secret, VP_TEAM_KEY_LEN, ct, tag))
    ok = set_library_error (error);
  wipe (kek, sizeof kek);
  if (!ok)
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, VP_WRAPPED_KEY_LEN);
}

VpTeamKey *
vp_team_key_unwrap (const VpDeviceKey  *device,
                    const guint8        leader_public[VP_X25519_KEY_LEN],
                    GBytes             *wrapped,
                    VpUid              *leader_device,
                    GError            **error)
{
  g_autoptr(VpTeamKey) key = NULL;
  const guint8 *in, *ephemeral_public, *nonce, *ct, *tag;
  gsize len = 0;
  guint8 first[32], second[32], kek[32];
  VpUid team;
  gboolean ok;

  g_return_val_if_fail (device != NULL && leader_public != NULL && wrapped != NULL, NULL);

  in = g_bytes_get_data (wrapped, &len);
  if (len != VP_WRAPPED_KEY_LEN || in[0] != WRAP_FORMAT)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("This is not a wrapped team key"));
      return NULL;
    }
  memcpy (team.bytes, in + 1, VP_UID_LEN);
  ephemeral_public = in + 1 + VP_UID_LEN + 4 + VP_UID_LEN;
  nonce = in + WRAP_AAD_LEN;
  ct = nonce + NONCE_LEN;
  tag = ct + VP_TEAM_KEY_LEN;

  key = team_key_alloc (&team, get_be32 (in + 1 + VP_UID_LEN), error);
  if (key == NULL || !ecdh (device->pkey, ephemeral_public, first, error))
    return NULL;
  ok = ecdh (device->pkey, leader_public, second, error);
  if (ok && !wrap_key (first, second, ephemeral_public, device->public_key, leader_public, kek))
    ok = set_library_error (error);
  wipe (first, sizeof first);
  wipe (second, sizeof second);
  if (!ok)
    return NULL;
  ok = gcm (FALSE, kek, nonce, in, WRAP_AAD_LEN, ct, VP_TEAM_KEY_LEN, key->secret, (guint8 *) tag);
  wipe (kek, sizeof kek);
  if (!ok)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED,
                           _("The team key could not be unwrapped: it was changed, it was wrapped for another device, or not by the team leader’s laptop"));
      return NULL;
    }
  if (!team_key_finish (key, error))
    return NULL;
  if (leader_device != NULL)
    memcpy (leader_device->bytes, in + 1 + VP_UID_LEN + 4, VP_UID_LEN);
  return g_steal_pointer (&key);
}

/* ---- Sealed blobs --------------------------------------------------- */

gsize
vp_blob_size_for (gsize len)
{
  static const gsize small[] = { 1024, 4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024 };
  const gsize step = 256 * 1024;
  gsize need;

  if (len > VP_BLOB_MAX_SIZE - VP_BLOB_OVERHEAD)
    return 0;
  need = len + VP_BLOB_OVERHEAD;
  for (guint i = 0; i < G_N_ELEMENTS (small); i++)
    if (need <= small[i])
      return small[i];
  return (need + step - 1) / step * step;
}

gboolean
vp_blob_size_is_bucket (gsize size)
{
  return size >= VP_BLOB_OVERHEAD && vp_blob_size_for (size - VP_BLOB_OVERHEAD) == size;
}

static void
write_header (guint8       *p,
              const VpUid  *team,
              const VpUid  *device,
              guint32       epoch,
              guint64       sequence)
{
  p[0] = VP_BLOB_FORMAT;
  memcpy (p + 1, team->bytes, VP_UID_LEN);
  memcpy (p + 1 + VP_UID_LEN, device->bytes, VP_UID_LEN);
  put_be32 (p + 1 + 2 * VP_UID_LEN, epoch);
  put_be64 (p + 1 + 2 * VP_UID_LEN + 4, sequence);
}

GBytes *
vp_team_seal (const VpTeamKey  *key,
              const VpUid      *device,
              guint64           sequence,
              const guint8     *plaintext,
              gsize             len,
              GError          **error)
{
  gsize size = vp_blob_size_for (len);
  gsize inner_len = size - VP_BLOB_HEADER_LEN - NONCE_LEN - TAG_LEN;
  guint8 *out, *inner, *nonce;
  gboolean ok;

  g_return_val_if_fail (key != NULL && device != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);

  if (size == 0)
    {
      g_set_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TOO_LARGE,
                   _("There is too much to seal in one blob (at most %u MiB)"),
                   (guint) (VP_BLOB_MAX_SIZE / (1024 * 1024)));
      return NULL;
    }

  out = g_malloc (size);
  write_header (out, &key->team, device, key->epoch, sequence);
  nonce = out + VP_BLOB_HEADER_LEN;
  if (!random_bytes (nonce, NONCE_LEN, error))
    {
      g_free (out);
      return NULL;
    }

  inner = g_malloc0 (inner_len);
  put_be32 (inner, (guint32) len);
  if (len > 0)
    memcpy (inner + 4, plaintext, len);
  ok = gcm (TRUE, key->blob_key, nonce, out, VP_BLOB_HEADER_LEN, inner, inner_len,
            nonce + NONCE_LEN, out + size - TAG_LEN);
  wipe (inner, inner_len);
  g_free (inner);
  if (!ok)
    {
      g_free (out);
      set_library_error (error);
      return NULL;
    }
  return g_bytes_new_take (out, size);
}

gboolean
vp_team_blob_read_header (GBytes        *blob,
                          VpBlobHeader  *header,
                          GError       **error)
{
  gsize size = 0;
  const guint8 *p = g_bytes_get_data (blob, &size);

  g_return_val_if_fail (header != NULL, FALSE);

  if (!vp_blob_size_is_bucket (size))
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("This is not a sealed blob of team sync: its size is not one of the sizes blobs have"));
      return FALSE;
    }
  if (p[0] != VP_BLOB_FORMAT)
    {
      g_set_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                   _("This blob has format %u of team sync, which this version of Vindplaats cannot read"),
                   p[0]);
      return FALSE;
    }
  header->format = p[0];
  memcpy (header->team.bytes, p + 1, VP_UID_LEN);
  memcpy (header->device.bytes, p + 1 + VP_UID_LEN, VP_UID_LEN);
  header->epoch = get_be32 (p + 1 + 2 * VP_UID_LEN);
  header->sequence = get_be64 (p + 1 + 2 * VP_UID_LEN + 4);
  return TRUE;
}

typedef struct {
  guint8 *buf;
  gsize   len;
} WipedBuffer;

static void
wiped_buffer_free (gpointer data)
{
  WipedBuffer *w = data;

  wipe (w->buf, w->len);
  g_free (w->buf);
  g_free (w);
}

/* Checks the length and the zeros after it; the tag already held, so a bad
 * inner layout means the sealer itself was wrong. */
static gboolean
check_padding (const guint8  *inner,
               gsize          inner_len,
               gsize         *len,
               GError       **error)
{
  guint8 acc = 0;

  *len = get_be32 (inner);
  if (*len <= inner_len - 4)
    {
      for (gsize i = 4 + *len; i < inner_len; i++)
        acc |= inner[i];
      if (acc == 0 && vp_blob_size_for (*len) == inner_len + VP_BLOB_HEADER_LEN + NONCE_LEN + TAG_LEN)
        return TRUE;
    }
  g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_BAD_PADDING,
                       _("This blob opened, but its contents are not laid out as team sync lays them out"));
  return FALSE;
}

GBytes *
vp_team_open (const VpTeamKey  *key,
              GBytes           *blob,
              VpBlobHeader     *header,
              GError          **error)
{
  VpBlobHeader h;
  const guint8 *p, *nonce;
  gsize size = 0, inner_len, len = 0;
  WipedBuffer *w;

  g_return_val_if_fail (key != NULL && blob != NULL, NULL);

  if (!vp_team_blob_read_header (blob, &h, error))
    return NULL;
  if (vp_uid_compare (&h.team, &key->team) != 0)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_TEAM,
                           _("This blob was sealed for another team"));
      return NULL;
    }
  if (h.epoch != key->epoch)
    {
      g_set_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_EPOCH,
                   _("This blob was sealed under team key %u; the key used to open it is number %u"),
                   h.epoch, key->epoch);
      return NULL;
    }

  p = g_bytes_get_data (blob, &size);
  nonce = p + VP_BLOB_HEADER_LEN;
  inner_len = size - VP_BLOB_HEADER_LEN - NONCE_LEN - TAG_LEN;
  w = g_new0 (WipedBuffer, 1);
  w->len = inner_len;
  w->buf = g_malloc (inner_len);
  if (!gcm (FALSE, key->blob_key, nonce, p, VP_BLOB_HEADER_LEN, nonce + NONCE_LEN, inner_len,
            w->buf, (guint8 *) p + size - TAG_LEN))
    {
      wiped_buffer_free (w);
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED,
                           _("This blob could not be opened: it was changed, or it was sealed with another key"));
      return NULL;
    }
  if (!check_padding (w->buf, inner_len, &len, error))
    {
      wiped_buffer_free (w);
      return NULL;
    }
  if (header != NULL)
    *header = h;
  return g_bytes_new_with_free_func (w->buf + 4, len, wiped_buffer_free, w);
}

/* ---- Enrolment ------------------------------------------------------ */

gboolean
vp_enrol_share_init (VpEnrolShare  *share,
                     const guint8   public_key[VP_X25519_KEY_LEN],
                     GError       **error)
{
  g_return_val_if_fail (share != NULL && public_key != NULL, FALSE);

  memcpy (share->public_key, public_key, VP_X25519_KEY_LEN);
  return random_bytes (share->nonce, VP_ENROL_NONCE_LEN, error);
}

static void
sha256_parts (guint8        out[32],
              const char   *domain,
              const VpUid  *team,
              const VpEnrolShare *a,
              const VpEnrolShare *b)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  gboolean ok;

  /* The domain string is hashed with its NUL, so it cannot run into the id. */
  ok = ctx != NULL
       && EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) == 1
       && EVP_DigestUpdate (ctx, domain, strlen (domain) + 1) == 1
       && EVP_DigestUpdate (ctx, team->bytes, VP_UID_LEN) == 1
       && EVP_DigestUpdate (ctx, a, sizeof *a) == 1
       && (b == NULL || EVP_DigestUpdate (ctx, b, sizeof *b) == 1)
       && EVP_DigestFinal_ex (ctx, out, NULL) == 1;
  EVP_MD_CTX_free (ctx);
  /* SHA-256 of a few bytes fails only when OpenSSL cannot allocate. */
  if (!ok)
    g_error ("SHA-256 failed");
}

void
vp_enrol_commitment (const VpUid        *team,
                     const VpEnrolShare *inviter,
                     guint8              out[VP_ENROL_COMMITMENT_LEN])
{
  g_return_if_fail (team != NULL && inviter != NULL && out != NULL);
  sha256_parts (out, commit_domain, team, inviter, NULL);
}

gboolean
vp_enrol_check_commitment (const VpUid         *team,
                           const VpEnrolShare  *inviter,
                           const guint8         commitment[VP_ENROL_COMMITMENT_LEN],
                           GError             **error)
{
  guint8 expected[VP_ENROL_COMMITMENT_LEN];

  g_return_val_if_fail (team != NULL && inviter != NULL && commitment != NULL, FALSE);

  vp_enrol_commitment (team, inviter, expected);
  if (CRYPTO_memcmp (expected, commitment, sizeof expected) != 0)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED,
                           _("The team leader's key is not the one announced: someone may be in between. Stop, and start the invitation again"));
      return FALSE;
    }
  return TRUE;
}

void
vp_safety_number (const VpUid        *team,
                  const VpEnrolShare *inviter,
                  const VpEnrolShare *joiner,
                  char                out[VP_SAFETY_NUMBER_LEN + 1])
{
  guint8 digest[32];
  guint64 v = 0;
  char digits[13];

  g_return_if_fail (team != NULL && inviter != NULL && joiner != NULL && out != NULL);

  sha256_parts (digest, safety_domain, team, inviter, joiner);
  /* 64 bits modulo 10^12: the bias is below one in ten million. */
  for (int i = 0; i < 8; i++)
    v = v << 8 | digest[i];
  g_snprintf (digits, sizeof digits, "%012" G_GUINT64_FORMAT, v % G_GUINT64_CONSTANT (1000000000000));
  g_snprintf (out, VP_SAFETY_NUMBER_LEN + 1, "%.4s %.4s %.4s", digits, digits + 4, digits + 8);
}

/* ---- Invite codes --------------------------------------------------- */

/* Crockford's base32: no I, L, O or U, so a code read aloud or typed from
 * another screen is hard to get wrong. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

char *
vp_invite_code_generate (GError **error)
{
  guint8 bytes[5];
  guint64 v = 0;
  char *code;

  if (!random_bytes (bytes, sizeof bytes, error))
    return NULL;
  for (guint i = 0; i < sizeof bytes; i++)
    v = v << 8 | bytes[i];
  code = g_malloc (VP_INVITE_CODE_LEN + 1);
  for (int i = VP_INVITE_CODE_LEN - 1; i >= 0; i--, v >>= 5)
    code[i] = crockford[v & 31];
  code[VP_INVITE_CODE_LEN] = '\0';
  return code;
}

/* Accepts what people type: any case, spaces and dashes, and the letters
 * that look like digits (I and L for 1, O for 0). */
char *
vp_invite_code_normalize (const char  *text,
                          GError     **error)
{
  g_autofree char *code = g_malloc0 (VP_INVITE_CODE_LEN + 1);
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t')
        continue;
      if (c == 'O')
        c = '0';
      else if (c == 'I' || c == 'L')
        c = '1';
      if (strchr (crockford, c) == NULL || n == VP_INVITE_CODE_LEN)
        {
          n = 0;
          break;
        }
      code[n++] = c;
    }
  if (n != VP_INVITE_CODE_LEN)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("An invite code is 8 letters and digits, as the team leader's screen shows it"));
      return NULL;
    }
  return g_steal_pointer (&code);
}

char *
vp_invite_code_format (const char *code)
{
  g_return_val_if_fail (code != NULL && strlen (code) == VP_INVITE_CODE_LEN, NULL);
  return g_strdup_printf ("%.4s-%.4s", code, code + 4);
}
