/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-team-change.h"
#include "vp-team-crypto.h"
#include "vp-team-store.h"

G_BEGIN_DECLS

/* What a sealed blob holds inside (#16): canonical JSON, keys in byte
 * order, no white space, strings escaped as vp-team-change.c escapes them,
 * so that an envelope has one spelling and one that does not read back to
 * the same bytes is refused. Three kinds:
 *
 *   changes  {"accounts":[...],"batch":<a canonical batch>,
 *             "format":"vindplaats.team/1","kind":"changes"}
 *            a laptop's changes, with the names of its accounts (a
 *            referral on another laptop shows who made it);
 *   roster   {"devices":[...],"epoch":N,"format":...,"kind":"roster"}
 *            every laptop ever enrolled, as the team leader's laptop
 *            knows it; honoured only from a laptop the roster lists as a
 *            team leader's;
 *   device   {"device":{...},"format":...,"kind":"device"}
 *            a laptop saying its own name and role once it has joined
 *            (the enrolment carries only keys); honoured only for the
 *            laptop that sealed it;
 *   snapshot laid out as changes, with kind "snapshot": part of the team
 *            leader's snapshot before a compaction (#16), the changes of
 *            every laptop that still count; honoured only from a laptop
 *            the roster lists as a team leader's.
 *
 * Names are personal data of the team: they travel only sealed.
 *
 * Compressed: an envelope of VP_TEAM_ENVELOPE_COMPRESS_MIN bytes or more
 * is written as the 4 bytes "\x89VZ1", its length (4 bytes, big-endian)
 * and the raw deflate stream of the canonical JSON, when that is shorter.
 * The reader inflates at most VP_TEAM_ENVELOPE_MAX_INFLATED bytes, exactly
 * the length given, and then reads the JSON as strictly as ever. See
 * vp-team-envelope.c for why this leaks nothing through the sealed size. */

#define VP_TEAM_ENVELOPE_FORMAT "vindplaats.team/1"
#define VP_TEAM_ENVELOPE_COMPRESS_MIN (16 * 1024)
#define VP_TEAM_ENVELOPE_MAX_INFLATED (16 * 1024 * 1024)

typedef enum {
  VP_ENVELOPE_CHANGES,
  VP_ENVELOPE_ROSTER,
  VP_ENVELOPE_DEVICE,
  VP_ENVELOPE_SNAPSHOT,
} VpEnvelopeKind;

typedef struct {
  VpUid       uid;
  VpTeamRole  role;
  char       *name;
  char       *enrolled_at;   /* UTC, ISO 8601; NULL in a device envelope */
  char       *removed_at;    /* NULL while enrolled */
  gboolean    has_public_key;
  guint8      public_key[VP_X25519_KEY_LEN];
} VpEnvelopeDevice;

typedef struct {
  VpEnvelopeKind  kind;
  GPtrArray      *changes;   /* VpChange: changes, snapshot */
  GPtrArray      *accounts;  /* VpTeamAccount: changes, snapshot */
  GPtrArray      *devices;   /* VpEnvelopeDevice: roster (all), device (one) */
  guint32         epoch;     /* roster: the newest team key's */
} VpTeamEnvelope;

VpEnvelopeDevice  *vp_envelope_device_new     (const VpUid       *uid,
                                               VpTeamRole         role,
                                               const char        *name,
                                               const char        *enrolled_at,
                                               const char        *removed_at,
                                               const guint8      *public_key);
void               vp_envelope_device_free    (VpEnvelopeDevice  *device);
void               vp_team_envelope_free      (VpTeamEnvelope    *envelope);

/* The canonical bytes, in a buffer that is wiped when the GBytes goes.
 * accounts and devices hold VpTeamAccount and VpEnvelopeDevice. NULL
 * with an error only for a name that is not UTF-8. */
GBytes            *vp_team_envelope_changes   (VpChange * const  *changes,
                                               guint              n_changes,
                                               GPtrArray         *accounts,
                                               GError           **error);
/* A part of a snapshot: changes of any laptop, and accounts of any. */
GBytes            *vp_team_envelope_snapshot  (VpChange * const  *changes,
                                               guint              n_changes,
                                               GPtrArray         *accounts,
                                               GError           **error);
GBytes            *vp_team_envelope_roster    (guint32            epoch,
                                               GPtrArray         *devices,
                                               GError           **error);
GBytes            *vp_team_envelope_device    (const VpEnvelopeDevice *device,
                                               GError           **error);

/* Reads an envelope, compressed or not; anything malformed or not
 * canonical, and a compressed one that inflates to more than
 * VP_TEAM_ENVELOPE_MAX_INFLATED or to another length than it says, is
 * VP_TEAM_ERROR_INVALID. */
VpTeamEnvelope    *vp_team_envelope_parse     (const guint8      *data,
                                               gsize              length,
                                               GError           **error);

gboolean           vp_team_role_from_string   (const char        *text,
                                               VpTeamRole        *role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpTeamEnvelope, vp_team_envelope_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpEnvelopeDevice, vp_envelope_device_free)

G_END_DECLS
