/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-uid.h"

G_BEGIN_DECLS

#define VP_X25519_KEY_LEN 32
#define VP_TEAM_KEY_LEN 32

/* ---- Device keys ------------------------------------------------------
 * Each laptop's X25519 key pair. OpenSSL keeps the private half in its
 * secure heap; what is exported into a caller's buffer, the caller wipes. */
typedef struct _VpDeviceKey VpDeviceKey;

VpDeviceKey  *vp_device_key_generate         (GError            **error);
VpDeviceKey  *vp_device_key_new_from_private (const guint8        raw[VP_X25519_KEY_LEN],
                                              GError            **error);
gboolean      vp_device_key_copy_private     (const VpDeviceKey  *key,
                                              guint8              out[VP_X25519_KEY_LEN],
                                              GError            **error);
const guint8 *vp_device_key_get_public       (const VpDeviceKey  *key);
void          vp_device_key_free             (VpDeviceKey        *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpDeviceKey, vp_device_key_free)

/* ---- The team key -----------------------------------------------------
 * 32 random bytes of one epoch of one team, in OpenSSL's secure heap
 * together with the blob key derived from it. A new epoch is a new key. */
typedef struct _VpTeamKey VpTeamKey;

VpTeamKey   *vp_team_key_generate    (const VpUid      *team,
                                      guint32           epoch,
                                      GError          **error);
VpTeamKey   *vp_team_key_new         (const VpUid      *team,
                                      guint32           epoch,
                                      const guint8      secret[VP_TEAM_KEY_LEN],
                                      GError          **error);
const VpUid *vp_team_key_get_team    (const VpTeamKey  *key);
guint32      vp_team_key_get_epoch   (const VpTeamKey  *key);
/* For keeping it in the encrypted store: the caller wipes out. */
void         vp_team_key_copy_secret (const VpTeamKey  *key,
                                      guint8            out[VP_TEAM_KEY_LEN]);
void         vp_team_key_free        (VpTeamKey        *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpTeamKey, vp_team_key_free)

/* The team key sealed to one device's public key by the team leader's
 * laptop: an ephemeral X25519 key and the leader's own key, each with the
 * device's (two ECDH results), HKDF-SHA256 (salt: the ephemeral, device's
 * and leader's public keys; info "vindplaats wrap v2"), AES-256-GCM with
 * the team id, epoch and the leader's device id as associated data. It
 * opens only with the leader's public key: a relay cannot make one. The
 * leader's device id comes out of a wrap that opens. */
#define VP_WRAPPED_KEY_LEN (1 + VP_UID_LEN + 4 + VP_UID_LEN + VP_X25519_KEY_LEN + 12 + VP_TEAM_KEY_LEN + 16)

GBytes      *vp_team_key_wrap        (const VpTeamKey   *key,
                                      const VpDeviceKey *leader,
                                      const VpUid       *leader_device,
                                      const guint8       device_public[VP_X25519_KEY_LEN],
                                      GError           **error);
VpTeamKey   *vp_team_key_unwrap      (const VpDeviceKey *device,
                                      const guint8       leader_public[VP_X25519_KEY_LEN],
                                      GBytes            *wrapped,
                                      VpUid             *leader_device,
                                      GError           **error);

/* ---- Sealed blobs -----------------------------------------------------
 * What the relay stores. A header in the clear (format, team, device,
 * epoch, sequence), a random 96-bit nonce, and AES-256-GCM under
 * HKDF-SHA256 (team key, salt = team id, info "vindplaats blob v1") with
 * the header as associated data. Inside: the plaintext's length and the
 * plaintext, padded so that the whole blob is exactly one bucket: 1, 4,
 * 16, 64 or 256 KiB, or a multiple of 256 KiB up to VP_BLOB_MAX_SIZE. */
#define VP_BLOB_FORMAT 1
#define VP_BLOB_HEADER_LEN (1 + VP_UID_LEN + VP_UID_LEN + 4 + 8)
#define VP_BLOB_OVERHEAD (VP_BLOB_HEADER_LEN + 12 + 16 + 4)
#define VP_BLOB_MAX_SIZE (256 * 256 * 1024)

typedef struct {
  guint8  format;
  VpUid   team;
  VpUid   device;
  guint32 epoch;
  guint64 sequence;
} VpBlobHeader;

/* The size of the blob that holds a plaintext of len bytes; 0 if none can. */
gsize    vp_blob_size_for             (gsize               len);
/* Whether a blob of this size can exist: the relay refuses the others. */
gboolean vp_blob_size_is_bucket       (gsize               size);

GBytes  *vp_team_seal                 (const VpTeamKey    *key,
                                       const VpUid        *device,
                                       guint64             sequence,
                                       const guint8       *plaintext,
                                       gsize               len,
                                       GError            **error);
/* The header in the clear, to choose the key (by epoch) before opening. */
gboolean vp_team_blob_read_header     (GBytes             *blob,
                                       VpBlobHeader       *header,
                                       GError            **error);
/* The plaintext, in a buffer that is wiped when the GBytes is freed; the
 * header is checked against the key (team, epoch) and authenticated. */
GBytes  *vp_team_open                 (const VpTeamKey    *key,
                                       GBytes             *blob,
                                       VpBlobHeader       *header,
                                       GError            **error);

/* ---- Enrolment --------------------------------------------------------
 * The team leader's laptop (the inviter) and the new laptop (the joiner)
 * each contribute a share: the device's public key and 16 random bytes.
 * The inviter first publishes only a commitment to its share, and reveals
 * the share after the joiner's has arrived; so a relay in the middle must
 * choose its substitute keys before it can know either number, and two
 * screens agree by chance once in 10^12 (vp-team-crypto.c explains). */
#define VP_ENROL_NONCE_LEN 16
#define VP_ENROL_COMMITMENT_LEN 32

typedef struct {
  guint8 public_key[VP_X25519_KEY_LEN];
  guint8 nonce[VP_ENROL_NONCE_LEN];
} VpEnrolShare;

gboolean vp_enrol_share_init        (VpEnrolShare       *share,
                                     const guint8        public_key[VP_X25519_KEY_LEN],
                                     GError            **error);
void     vp_enrol_commitment        (const VpUid        *team,
                                     const VpEnrolShare *inviter,
                                     guint8              out[VP_ENROL_COMMITMENT_LEN]);
gboolean vp_enrol_check_commitment  (const VpUid        *team,
                                     const VpEnrolShare *inviter,
                                     const guint8        commitment[VP_ENROL_COMMITMENT_LEN],
                                     GError            **error);
/* "1234 5678 9012": the same on both screens when both saw the same shares. */
#define VP_SAFETY_NUMBER_LEN 14
void     vp_safety_number           (const VpUid        *team,
                                     const VpEnrolShare *inviter,
                                     const VpEnrolShare *joiner,
                                     char                out[VP_SAFETY_NUMBER_LEN + 1]);

/* Invite codes: 8 Crockford base32 characters (40 random bits) that pair
 * the two screens on the relay. Canonical form: 8 upper-case characters;
 * shown as "ABCD-EFGH". */
#define VP_INVITE_CODE_LEN 8

char    *vp_invite_code_generate    (GError            **error);
char    *vp_invite_code_normalize   (const char         *text,
                                     GError            **error);
char    *vp_invite_code_format      (const char         *code);

G_END_DECLS
