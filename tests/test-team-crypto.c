/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Team sync's cryptography (#16): sealed blobs that open only with the
 * right team, epoch and header, and never after a change of any byte;
 * sizes that say no more than a bucket; the team key wrapped to one
 * device; a safety number that two screens agree on and a relay in the
 * middle changes; invite codes. Blobs with a wrong inner layout are made
 * here with OpenSSL directly, from the format as documented, which also
 * checks that format against the library. */
#define _GNU_SOURCE
#include "config.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "vp-team-crypto.h"
#include "vp-team-error.h"

static const guint8 plaintext_marker[] = "client label: Fake Person 0612345678";

static VpUid
uid_of (guint8 seed)
{
  VpUid uid;

  for (guint i = 0; i < VP_UID_LEN; i++)
    uid.bytes[i] = (guint8) (seed * 31 + i);
  return uid;
}

static VpTeamKey *
team_key (guint8  team_seed,
          guint32 epoch)
{
  g_autoptr(GError) error = NULL;
  VpUid team = uid_of (team_seed);
  VpTeamKey *key = vp_team_key_generate (&team, epoch, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  return key;
}

static GBytes *
seal (const VpTeamKey *key,
      const guint8    *data,
      gsize            len)
{
  g_autoptr(GError) error = NULL;
  VpUid device = uid_of (200);
  GBytes *blob = vp_team_seal (key, &device, 42, data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (blob);
  return blob;
}

static GBytes *
open_blob (const VpTeamKey *key,
           GBytes          *blob,
           GError         **error)
{
  VpBlobHeader header;

  return vp_team_open (key, blob, &header, error);
}

static GBytes *
flip (GBytes *blob,
      gsize   at,
      guint8  mask)
{
  gsize len;
  guint8 *copy = g_memdup2 (g_bytes_get_data (blob, &len), g_bytes_get_size (blob));

  copy[at] ^= mask;
  return g_bytes_new_take (copy, len);
}

static void
test_device_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpDeviceKey) a = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) b = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) again = NULL;
  guint8 raw[VP_X25519_KEY_LEN];
  static const guint8 zeros[VP_X25519_KEY_LEN];

  g_assert_no_error (error);
  g_assert_cmpmem (vp_device_key_get_public (a), 32, vp_device_key_get_public (a), 32);
  g_assert_true (memcmp (vp_device_key_get_public (a), vp_device_key_get_public (b), 32) != 0);

  g_assert_true (vp_device_key_copy_private (a, raw, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (raw, zeros, sizeof raw) != 0);
  again = vp_device_key_new_from_private (raw, &error);
  OPENSSL_cleanse (raw, sizeof raw);
  g_assert_no_error (error);
  g_assert_cmpmem (vp_device_key_get_public (again), 32, vp_device_key_get_public (a), 32);
}

static void
test_team_key_secure (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 7);
  g_autoptr(VpTeamKey) copy = NULL;
  g_autoptr(GError) error = NULL;
  guint8 secret[VP_TEAM_KEY_LEN], again[VP_TEAM_KEY_LEN];
  VpUid team = uid_of (1);

  /* In the secure heap whenever there is one (mlock may be refused). */
  if (CRYPTO_secure_malloc_initialized ())
    g_assert_true (CRYPTO_secure_allocated (key));
  else
    g_test_message ("no secure heap on this machine");
  g_assert_cmpuint (vp_team_key_get_epoch (key), ==, 7);
  g_assert_cmpmem (vp_team_key_get_team (key), VP_UID_LEN, &team, VP_UID_LEN);

  vp_team_key_copy_secret (key, secret);
  copy = vp_team_key_new (&team, 7, secret, &error);
  g_assert_no_error (error);
  vp_team_key_copy_secret (copy, again);
  g_assert_cmpmem (secret, sizeof secret, again, sizeof again);
  OPENSSL_cleanse (secret, sizeof secret);
  OPENSSL_cleanse (again, sizeof again);
}

static void
test_round_trip (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 3);
  const gsize sizes[] = { 0, 1, sizeof plaintext_marker, 1024 - VP_BLOB_OVERHEAD,
                          1024 - VP_BLOB_OVERHEAD + 1, 5000, 300000, 3 * 1024 * 1024 + 17 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = g_malloc (sizes[i] + 1);
      g_autoptr(GBytes) blob = NULL, plain = NULL;
      g_autoptr(GError) error = NULL;
      VpBlobHeader header;
      VpUid device = uid_of (200);

      for (gsize j = 0; j < sizes[i]; j++)
        data[j] = (guint8) (j * 7 + i);
      blob = seal (key, data, sizes[i]);
      g_assert_true (vp_blob_size_is_bucket (g_bytes_get_size (blob)));
      g_assert_cmpuint (g_bytes_get_size (blob), ==, vp_blob_size_for (sizes[i]));

      plain = vp_team_open (key, blob, &header, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), data, sizes[i]);
      g_assert_cmpuint (header.format, ==, VP_BLOB_FORMAT);
      g_assert_cmpuint (header.epoch, ==, 3);
      g_assert_cmpuint (header.sequence, ==, 42);
      g_assert_cmpmem (&header.team, VP_UID_LEN, vp_team_key_get_team (key), VP_UID_LEN);
      g_assert_cmpmem (&header.device, VP_UID_LEN, &device, VP_UID_LEN);
    }
}

/* The marker is not in the blob, and two seals of the same text differ. */
static void
test_sealed_is_opaque (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 0);
  g_autoptr(GBytes) a = seal (key, plaintext_marker, sizeof plaintext_marker);
  g_autoptr(GBytes) b = seal (key, plaintext_marker, sizeof plaintext_marker);

  g_assert_null (memmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "Fake Person", 11));
  g_assert_false (g_bytes_equal (a, b));
}

/* Every byte of a sealed blob, changed in three ways, makes it fail to
 * open, with an error of the team domain. */
static void
test_every_byte_flip (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 5);
  const gsize lengths[] = { sizeof plaintext_marker, 2000 };
  const guint8 masks[] = { 0x01, 0x80, 0xff };
  guint failures = 0;

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      g_autofree guint8 *data = g_malloc0 (lengths[l]);
      g_autoptr(GBytes) blob = NULL;

      memcpy (data, plaintext_marker, sizeof plaintext_marker);
      blob = seal (key, data, lengths[l]);
      for (gsize at = 0; at < g_bytes_get_size (blob); at++)
        for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
          {
            g_autoptr(GBytes) changed = flip (blob, at, masks[m]);
            g_autoptr(GError) error = NULL;
            g_autoptr(GBytes) plain = open_blob (key, changed, &error);

            g_assert_null (plain);
            g_assert_error (error, VP_TEAM_ERROR, error->code);
            g_assert_cmpstr (error->message, !=, "");
            /* Where the change was decides which check stops it. */
            if (at == 0)
              g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
            else if (at < 1 + VP_UID_LEN)
              g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_TEAM);
            else if (at >= 1 + 2 * VP_UID_LEN && at < 1 + 2 * VP_UID_LEN + 4)
              g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_EPOCH);
            else
              g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
            failures++;
          }
    }
  g_assert_cmpuint (failures, ==, 3 * (1024 + 4096));
}

static void
test_wrong_size (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 0);
  g_autoptr(GBytes) blob = seal (key, plaintext_marker, sizeof plaintext_marker);
  g_autoptr(GBytes) shorter = g_bytes_new_from_bytes (blob, 0, g_bytes_get_size (blob) - 1);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plain = open_blob (key, shorter, &error);

  g_assert_null (plain);
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (open_blob (key, empty, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
}

/* A key of the same secret under another team id or epoch. */
static VpTeamKey *
same_secret (const VpTeamKey *key,
             const VpUid     *team,
             guint32          epoch)
{
  g_autoptr(GError) error = NULL;
  guint8 secret[VP_TEAM_KEY_LEN];
  VpTeamKey *other;

  vp_team_key_copy_secret (key, secret);
  other = vp_team_key_new (team, epoch, secret, &error);
  OPENSSL_cleanse (secret, sizeof secret);
  g_assert_no_error (error);
  return other;
}

/* Another team's key, another epoch's key, and a header moved to another
 * team, device, epoch or sequence all fail. */
static void
test_wrong_key_or_header (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 5);
  g_autoptr(VpTeamKey) other_team = team_key (2, 5);
  g_autoptr(VpTeamKey) other_secret = team_key (1, 5);
  g_autoptr(VpTeamKey) next_epoch = team_key (1, 6);
  g_autoptr(GBytes) blob = seal (key, plaintext_marker, sizeof plaintext_marker);
  g_autoptr(GError) error = NULL;
  VpUid team2 = uid_of (2);
  /* The worst case: a relay rewrites the header to fit a key that the
   * device holds with the very same secret. The header is authenticated,
   * so the blob still fails. */
  g_autoptr(VpTeamKey) team2_same_secret = same_secret (key, &team2, 5);
  g_autoptr(VpTeamKey) epoch4_same_secret = same_secret (key, vp_team_key_get_team (key), 4);
  g_autoptr(GBytes) moved_team = NULL;
  const struct { const char *what; gsize at; guint8 mask; VpTeamKey *opener; } moves[] = {
    { "device", 1 + VP_UID_LEN + 3, 0x01, key },
    { "epoch (5 to 4)", 1 + 2 * VP_UID_LEN + 3, 0x01, epoch4_same_secret },
    { "sequence", 1 + 2 * VP_UID_LEN + 4 + 7, 0x01, key },
    { "sequence (high byte)", 1 + 2 * VP_UID_LEN + 4, 0x80, key },
  };

  g_assert_null (open_blob (other_team, blob, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_TEAM);
  g_clear_error (&error);
  g_assert_null (open_blob (other_secret, blob, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
  g_clear_error (&error);
  g_assert_null (open_blob (next_epoch, blob, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_EPOCH);
  g_clear_error (&error);

  {
    gsize len;
    guint8 *copy = g_memdup2 (g_bytes_get_data (blob, &len), g_bytes_get_size (blob));

    memcpy (copy + 1, team2.bytes, VP_UID_LEN);
    moved_team = g_bytes_new_take (copy, len);
  }
  g_assert_null (open_blob (team2_same_secret, moved_team, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      g_autoptr(GBytes) moved = flip (blob, moves[i].at, moves[i].mask);
      g_autoptr(GBytes) plain = open_blob (moves[i].opener, moved, &error);

      g_assert_null (plain);
      g_test_message ("header's %s moved: %s", moves[i].what, error->message);
      g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
      g_clear_error (&error);
    }
}

/* Blob sizes are buckets; everything within one bucket looks the same. */
static void
test_buckets (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 0);
  static const gsize buckets[] = { 1024, 4096, 16384, 65536, 262144, 2 * 262144, 3 * 262144 };
  g_autoptr(GError) error = NULL;
  gsize prev = 0;
  VpUid device = uid_of (9);

  for (guint i = 0; i < G_N_ELEMENTS (buckets); i++)
    {
      gsize capacity = buckets[i] - VP_BLOB_OVERHEAD;
      gsize lo = prev == 0 ? 0 : prev - VP_BLOB_OVERHEAD + 1;

      g_assert_true (vp_blob_size_is_bucket (buckets[i]));
      g_assert_false (vp_blob_size_is_bucket (buckets[i] - 1));
      g_assert_false (vp_blob_size_is_bucket (buckets[i] + 1));
      g_assert_cmpuint (vp_blob_size_for (lo), ==, buckets[i]);
      g_assert_cmpuint (vp_blob_size_for (capacity), ==, buckets[i]);
      g_assert_cmpuint (vp_blob_size_for (capacity + 1), >, buckets[i]);
      prev = buckets[i];
    }

  /* The smallest and the largest plaintext of a bucket seal to the same size. */
  for (guint i = 0; i < 3; i++)
    {
      gsize capacity = buckets[i] - VP_BLOB_OVERHEAD;
      gsize lo = i == 0 ? 0 : buckets[i - 1] - VP_BLOB_OVERHEAD + 1;
      g_autofree guint8 *data = g_malloc0 (capacity);
      g_autoptr(GBytes) small = seal (key, data, lo);
      g_autoptr(GBytes) large = seal (key, data, capacity);

      g_assert_cmpuint (g_bytes_get_size (small), ==, buckets[i]);
      g_assert_cmpuint (g_bytes_get_size (large), ==, buckets[i]);
    }

  g_assert_cmpuint (vp_blob_size_for (VP_BLOB_MAX_SIZE - VP_BLOB_OVERHEAD), ==, VP_BLOB_MAX_SIZE);
  g_assert_cmpuint (vp_blob_size_for (VP_BLOB_MAX_SIZE - VP_BLOB_OVERHEAD + 1), ==, 0);
  g_assert_false (vp_blob_size_is_bucket (VP_BLOB_MAX_SIZE + 262144));
  {
    static guint8 byte;
    g_autoptr(GBytes) none = vp_team_seal (key, &device, 1, &byte, VP_BLOB_MAX_SIZE, &error);

    g_assert_null (none);
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TOO_LARGE);
  }
}

/* ---- Blobs made by hand, from the documented format ------------------ */

static void
hand_seal_key (const guint8  secret[32],
               const VpUid  *team,
               guint8        out[32])
{
  EVP_KDF *kdf = EVP_KDF_fetch (NULL, "HKDF", NULL);
  EVP_KDF_CTX *ctx = EVP_KDF_CTX_new (kdf);
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *) secret, 32),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, (void *) team->bytes, VP_UID_LEN),
    OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) "vindplaats blob v1", 18),
    OSSL_PARAM_construct_end (),
  };

  g_assert_cmpint (EVP_KDF_derive (ctx, out, 32, params), ==, 1);
  EVP_KDF_CTX_free (ctx);
  EVP_KDF_free (kdf);
}

/* header | nonce | GCM(inner) | tag, with inner given whole. */
static GBytes *
hand_seal (const VpTeamKey *key,
           const guint8    *inner,
           gsize            inner_len)
{
  gsize size = VP_BLOB_HEADER_LEN + 12 + inner_len + 16;
  guint8 *blob = g_malloc0 (size);
  guint8 secret[32], k[32];
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n = 0;
  guint32 epoch = vp_team_key_get_epoch (key);

  blob[0] = VP_BLOB_FORMAT;
  memcpy (blob + 1, vp_team_key_get_team (key), VP_UID_LEN);
  memset (blob + 1 + VP_UID_LEN, 0xd1, VP_UID_LEN);
  for (int i = 0; i < 4; i++)
    blob[1 + 2 * VP_UID_LEN + i] = (guint8) (epoch >> (24 - 8 * i));
  blob[VP_BLOB_HEADER_LEN - 1] = 9; /* sequence 9 */
  memset (blob + VP_BLOB_HEADER_LEN, 0x5a, 12);

  vp_team_key_copy_secret (key, secret);
  hand_seal_key (secret, vp_team_key_get_team (key), k);
  g_assert_true (EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, k, blob + VP_BLOB_HEADER_LEN) == 1);
  g_assert_true (EVP_EncryptUpdate (ctx, NULL, &n, blob, VP_BLOB_HEADER_LEN) == 1);
  g_assert_true (EVP_EncryptUpdate (ctx, blob + VP_BLOB_HEADER_LEN + 12, &n, inner, (int) inner_len) == 1);
  g_assert_true (EVP_EncryptFinal_ex (ctx, blob + VP_BLOB_HEADER_LEN + 12 + n, &n) == 1);
  g_assert_true (EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, 16, blob + size - 16) == 1);
  EVP_CIPHER_CTX_free (ctx);
  OPENSSL_cleanse (secret, sizeof secret);
  OPENSSL_cleanse (k, sizeof k);
  return g_bytes_new_take (blob, size);
}

static guint8 *
inner_of (gsize        inner_len,
          guint32      declared,
          const guint8 *data,
          gsize        data_len)
{
  guint8 *inner = g_malloc0 (inner_len);

  inner[0] = (guint8) (declared >> 24);
  inner[1] = (guint8) (declared >> 16);
  inner[2] = (guint8) (declared >> 8);
  inner[3] = (guint8) declared;
  memcpy (inner + 4, data, data_len);
  return inner;
}

static void
test_padding (void)
{
  g_autoptr(VpTeamKey) key = team_key (1, 2);
  const gsize inner_1k = 1024 - VP_BLOB_HEADER_LEN - 12 - 16;
  const gsize inner_4k = 4096 - VP_BLOB_HEADER_LEN - 12 - 16;
  gsize n = sizeof plaintext_marker;
  struct {
    const char *what;
    gsize inner_len;
    guint32 declared;
    gsize poke;          /* 0: none; else a non-zero byte here */
    gboolean opens;
  } cases[] = {
    { "as documented", inner_1k, (guint32) n, 0, TRUE },
    { "the whole bucket used", inner_1k, (guint32) (inner_1k - 4), 0, TRUE },
    { "length beyond the bucket", inner_1k, (guint32) (inner_1k - 3), 0, FALSE },
    { "length far beyond", inner_1k, G_MAXUINT32, 0, FALSE },
    { "a byte in the padding", inner_1k, (guint32) n, 4 + n + 10, FALSE },
    { "the last byte of the padding", inner_1k, (guint32) n, inner_1k - 1, FALSE },
    { "a larger bucket than needed", inner_4k, (guint32) n, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *inner = inner_of (cases[i].inner_len, cases[i].declared,
                                           plaintext_marker, n);
      g_autoptr(GBytes) blob = NULL, plain = NULL;
      g_autoptr(GError) error = NULL;

      if (cases[i].poke != 0)
        inner[cases[i].poke] = 1;
      blob = hand_seal (key, inner, cases[i].inner_len);
      plain = open_blob (key, blob, &error);
      if (cases[i].opens)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (plain), ==, cases[i].declared);
          g_assert_cmpmem (g_bytes_get_data (plain, NULL), n, plaintext_marker, n);
        }
      else
        {
          g_test_message ("%s: %s", cases[i].what, error != NULL ? error->message : "opened");
          g_assert_null (plain);
          g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_BAD_PADDING);
        }
    }
}

/* ---- Wrapping ------------------------------------------------------ */

/* The unwrapping written out with OpenSSL alone, from the format as
 * docs/team-sync.md gives it: ECDH of the device's key with the ephemeral
 * key, and with the team leader's key; HKDF-SHA256 (salt: the ephemeral,
 * device's and leader's public keys; info "vindplaats wrap v2"); AES-256-GCM
 * with format, team, epoch, leader's device and ephemeral key as
 * associated data. */
static void
derive (EVP_PKEY     *own,
        const guint8  peer_public[VP_X25519_KEY_LEN],
        guint8        out[32])
{
  EVP_PKEY *peer = EVP_PKEY_new_raw_public_key (EVP_PKEY_X25519, NULL, peer_public, VP_X25519_KEY_LEN);
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new (own, NULL);
  size_t len = 32;

  g_assert_true (EVP_PKEY_derive_init (pctx) == 1 && EVP_PKEY_derive_set_peer (pctx, peer) == 1
                 && EVP_PKEY_derive (pctx, out, &len) == 1 && len == 32);
  EVP_PKEY_CTX_free (pctx);
  EVP_PKEY_free (peer);
}

static void
hand_unwrap (const VpDeviceKey *device,
             const guint8       leader_public[VP_X25519_KEY_LEN],
             GBytes            *wrapped,
             guint8             out[VP_TEAM_KEY_LEN])
{
  const gsize aad_len = 1 + VP_UID_LEN + 4 + VP_UID_LEN + VP_X25519_KEY_LEN;
  const guint8 *w = g_bytes_get_data (wrapped, NULL);
  const guint8 *ephemeral = w + 1 + VP_UID_LEN + 4 + VP_UID_LEN;
  guint8 raw[VP_X25519_KEY_LEN], secret[64], salt[96], kek[32];
  EVP_PKEY *own;
  EVP_KDF *kdf;
  EVP_KDF_CTX *kctx;
  EVP_CIPHER_CTX *ctx;
  int n = 0;

  g_assert_cmpuint (w[0], ==, 2);
  g_assert_true (vp_device_key_copy_private (device, raw, NULL));
  own = EVP_PKEY_new_raw_private_key (EVP_PKEY_X25519, NULL, raw, sizeof raw);
  OPENSSL_cleanse (raw, sizeof raw);
  derive (own, ephemeral, secret);
  derive (own, leader_public, secret + 32);
  EVP_PKEY_free (own);

  memcpy (salt, ephemeral, 32);
  memcpy (salt + 32, vp_device_key_get_public (device), 32);
  memcpy (salt + 64, leader_public, 32);
  kdf = EVP_KDF_fetch (NULL, "HKDF", NULL);
  kctx = EVP_KDF_CTX_new (kdf);
  {
    OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0),
      OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, secret, sizeof secret),
      OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, salt, sizeof salt),
      OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) "vindplaats wrap v2", 18),
      OSSL_PARAM_construct_end (),
    };
    g_assert_cmpint (EVP_KDF_derive (kctx, kek, sizeof kek, params), ==, 1);
  }
  EVP_KDF_CTX_free (kctx);
  EVP_KDF_free (kdf);

  ctx = EVP_CIPHER_CTX_new ();
  g_assert_true (EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, kek, w + aad_len) == 1);
  g_assert_true (EVP_DecryptUpdate (ctx, NULL, &n, w, (int) aad_len) == 1);
  g_assert_true (EVP_DecryptUpdate (ctx, out, &n, w + aad_len + 12, VP_TEAM_KEY_LEN) == 1);
  g_assert_true (EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *) (w + aad_len + 12 + VP_TEAM_KEY_LEN)) == 1);
  g_assert_true (EVP_DecryptFinal_ex (ctx, out + n, &n) == 1);
  EVP_CIPHER_CTX_free (ctx);
  OPENSSL_cleanse (secret, sizeof secret);
  OPENSSL_cleanse (kek, sizeof kek);
}

static void
test_wrap (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpTeamKey) key = team_key (3, 11);
  g_autoptr(VpDeviceKey) device = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) other = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) leader = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) relay = vp_device_key_generate (&error);
  g_autoptr(GBytes) wrapped = NULL, blob = NULL, plain = NULL;
  g_autoptr(VpTeamKey) unwrapped = NULL;
  guint8 a[VP_TEAM_KEY_LEN], b[VP_TEAM_KEY_LEN];
  static const guint8 low_order[VP_X25519_KEY_LEN]; /* zero: a point of small order */
  const VpUid leader_device = { { 0x1e, 0xad, 0xe4 } };
  VpUid named = { { 0 } };

  g_assert_no_error (error);
  wrapped = vp_team_key_wrap (key, leader, &leader_device, vp_device_key_get_public (device), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (wrapped), ==, VP_WRAPPED_KEY_LEN);

  unwrapped = vp_team_key_unwrap (device, vp_device_key_get_public (leader), wrapped, &named, &error);
  g_assert_no_error (error);
  g_assert_true (vp_uid_equal (&named, &leader_device));
  vp_team_key_copy_secret (key, a);
  vp_team_key_copy_secret (unwrapped, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  hand_unwrap (device, vp_device_key_get_public (leader), wrapped, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  OPENSSL_cleanse (a, sizeof a);
  OPENSSL_cleanse (b, sizeof b);
  g_assert_cmpuint (vp_team_key_get_epoch (unwrapped), ==, 11);
  g_assert_cmpmem (vp_team_key_get_team (unwrapped), VP_UID_LEN, vp_team_key_get_team (key), VP_UID_LEN);

  /* What one seals, the other opens. */
  blob = seal (key, plaintext_marker, sizeof plaintext_marker);
  plain = open_blob (unwrapped, blob, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                   plaintext_marker, sizeof plaintext_marker);

  /* Another device cannot unwrap it. */
  g_assert_null (vp_team_key_unwrap (other, vp_device_key_get_public (leader), wrapped, NULL, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
  g_clear_error (&error);

  /* A relay that knows the device's public key, the team and the leader's
   * device id wraps a key of its own: it does not open with the leader's
   * public key, so the laptop never seals with it. */
  {
    g_autoptr(VpTeamKey) planted = team_key (3, 12);
    g_autoptr(GBytes) forged = vp_team_key_wrap (planted, relay, &leader_device,
                                                 vp_device_key_get_public (device), &error);

    g_assert_no_error (error);
    g_assert_null (vp_team_key_unwrap (device, vp_device_key_get_public (leader), forged, NULL, &error));
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
    g_clear_error (&error);
  }

  /* Nor can anyone after any byte changed (team id, epoch, the leader's
   * device, keys, tag). */
  for (gsize at = 0; at < VP_WRAPPED_KEY_LEN; at++)
    {
      g_autoptr(GBytes) changed = flip (wrapped, at, 0x20);
      g_autoptr(VpTeamKey) none = vp_team_key_unwrap (device, vp_device_key_get_public (leader), changed, NULL,
                                                      &error);

      g_assert_null (none);
      g_assert_error (error, VP_TEAM_ERROR, error->code);
      g_clear_error (&error);
    }
  {
    g_autoptr(GBytes) shorter = g_bytes_new_from_bytes (wrapped, 0, VP_WRAPPED_KEY_LEN - 1);
    g_autoptr(VpTeamKey) none = vp_team_key_unwrap (device, vp_device_key_get_public (leader), shorter, NULL,
                                                    &error);

    g_assert_null (none);
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
    g_clear_error (&error);
  }
  {
    g_autoptr(GBytes) none = vp_team_key_wrap (key, leader, &leader_device, low_order, &error);

    g_assert_null (none);
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
  }
}

/* ---- Enrolment ----------------------------------------------------- */

static gboolean
is_safety_number (const char *n)
{
  if (strlen (n) != VP_SAFETY_NUMBER_LEN)
    return FALSE;
  for (guint i = 0; i < VP_SAFETY_NUMBER_LEN; i++)
    if (i % 5 == 4 ? n[i] != ' ' : !g_ascii_isdigit (n[i]))
      return FALSE;
  return TRUE;
}

static void
test_safety_number (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpDeviceKey) leader = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) laptop = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) relay1 = vp_device_key_generate (&error);
  g_autoptr(VpDeviceKey) relay2 = vp_device_key_generate (&error);
  VpEnrolShare inviter, joiner, inviter_seen, joiner_seen, fake_inviter, fake_joiner;
  guint8 commitment[VP_ENROL_COMMITMENT_LEN];
  char on_leader[VP_SAFETY_NUMBER_LEN + 1], on_laptop[VP_SAFETY_NUMBER_LEN + 1];
  char mitm_leader[VP_SAFETY_NUMBER_LEN + 1], mitm_laptop[VP_SAFETY_NUMBER_LEN + 1];
  char other_team[VP_SAFETY_NUMBER_LEN + 1];
  VpUid team = uid_of (4), team2 = uid_of (5);

  g_assert_no_error (error);
  g_assert_true (vp_enrol_share_init (&inviter, vp_device_key_get_public (leader), &error));
  g_assert_true (vp_enrol_share_init (&joiner, vp_device_key_get_public (laptop), &error));
  g_assert_no_error (error);

  /* Each screen computes from its own copies, as they came over the wire. */
  vp_enrol_commitment (&team, &inviter, commitment);
  memcpy (&inviter_seen, &inviter, sizeof inviter);
  memcpy (&joiner_seen, &joiner, sizeof joiner);
  g_assert_true (vp_enrol_check_commitment (&team, &inviter_seen, commitment, &error));
  g_assert_no_error (error);
  vp_safety_number (&team, &inviter, &joiner_seen, on_leader);
  vp_safety_number (&team, &inviter_seen, &joiner, on_laptop);
  g_assert_cmpstr (on_leader, ==, on_laptop);
  g_assert_true (is_safety_number (on_leader));

  /* A relay in the middle gives each side its own key instead of the
   * other's: the numbers differ, and the laptop sees the commitment fail. */
  g_assert_true (vp_enrol_share_init (&fake_joiner, vp_device_key_get_public (relay1), &error));
  g_assert_true (vp_enrol_share_init (&fake_inviter, vp_device_key_get_public (relay2), &error));
  vp_safety_number (&team, &inviter, &fake_joiner, mitm_leader);
  vp_safety_number (&team, &fake_inviter, &joiner, mitm_laptop);
  g_assert_cmpstr (mitm_leader, !=, on_leader);
  g_assert_cmpstr (mitm_laptop, !=, on_laptop);
  g_assert_cmpstr (mitm_leader, !=, mitm_laptop);
  g_assert_false (vp_enrol_check_commitment (&team, &fake_inviter, commitment, &error));
  g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
  g_clear_error (&error);

  /* Swapping only a public key (the nonce kept) changes it too. */
  memcpy (fake_joiner.nonce, joiner.nonce, VP_ENROL_NONCE_LEN);
  vp_safety_number (&team, &inviter, &fake_joiner, mitm_leader);
  g_assert_cmpstr (mitm_leader, !=, on_leader);
  memcpy (fake_inviter.nonce, inviter.nonce, VP_ENROL_NONCE_LEN);
  vp_safety_number (&team, &fake_inviter, &joiner, mitm_laptop);
  g_assert_cmpstr (mitm_laptop, !=, on_laptop);
  g_assert_false (vp_enrol_check_commitment (&team, &fake_inviter, commitment, &error));
  g_clear_error (&error);

  /* The roles are part of it, and so is the team. */
  vp_safety_number (&team, &joiner, &inviter, mitm_leader);
  g_assert_cmpstr (mitm_leader, !=, on_leader);
  vp_safety_number (&team2, &inviter, &joiner, other_team);
  g_assert_cmpstr (other_team, !=, on_leader);
}

static void
test_invite_codes (void)
{
  static const char *bad[] = { "", "ABCDEFG", "ABCDEFGHJ", "ABCD-EFGU", "ABCD EF!H", "ABCDÉFGH" };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = vp_invite_code_generate (&error);
      g_autofree char *shown = NULL, *back = NULL, *typed = NULL, *lower = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (code), ==, VP_INVITE_CODE_LEN);
      g_assert_cmpuint (strspn (code, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), ==, VP_INVITE_CODE_LEN);
      shown = vp_invite_code_format (code);
      g_assert_cmpuint (strlen (shown), ==, 9);
      g_assert_cmpint (shown[4], ==, '-');
      back = vp_invite_code_normalize (shown, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, code);
      lower = g_ascii_strdown (code, -1);
      typed = g_strdup_printf (" %.2s %s ", lower, lower + 2);
      g_free (back);
      back = vp_invite_code_normalize (typed, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, code);
      g_hash_table_add (seen, g_steal_pointer (&code));
    }
  /* 40 random bits: 1,000 codes do not repeat (the chance is 5e-7). */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1000);

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *code = vp_invite_code_normalize ("oil0-1LIO", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (code, ==, "01101110");
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = vp_invite_code_normalize (bad[i], &error);

      g_assert_null (code);
      g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *code = vp_invite_code_normalize (NULL, &error);

    g_assert_null (code);
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/team-crypto/device-keys", test_device_keys);
  g_test_add_func ("/team-crypto/team-key-secure", test_team_key_secure);
  g_test_add_func ("/team-crypto/round-trip", test_round_trip);
  g_test_add_func ("/team-crypto/sealed-is-opaque", test_sealed_is_opaque);
  g_test_add_func ("/team-crypto/every-byte-flip", test_every_byte_flip);
  g_test_add_func ("/team-crypto/wrong-size", test_wrong_size);
  g_test_add_func ("/team-crypto/wrong-key-or-header", test_wrong_key_or_header);
  g_test_add_func ("/team-crypto/buckets", test_buckets);
  g_test_add_func ("/team-crypto/padding", test_padding);
  g_test_add_func ("/team-crypto/wrap", test_wrap);
  g_test_add_func ("/team-crypto/safety-number", test_safety_number);
  g_test_add_func ("/team-crypto/invite-codes", test_invite_codes);
  return g_test_run ();
}
