/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-client-cert.h"
#include "vp-relay-client.h"
#include "vp-store.h"
#include "vp-team-crypto.h"
#include "vp-team-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VpTeamIdentity, vp_team_identity_clear)

/* Team sync's blocking work (#16): each function talks to the relay and
 * the store in turn and returns when done, so it runs in a worker thread
 * on a store of its own (vp_store_open_clone()). VpTeamSync, VpTeamInvite
 * and VpTeamJoin run them; tests call them directly to put laptops through
 * a given order of events. Nothing here logs anything about records. */

/* How many changes one blob starts with; halved while the envelope is too
 * large for MAX_BLOB_BUCKET. */
#define VP_TEAM_BATCH_CHANGES 2000
/* The largest bucket a blob of changes uses: well under what the relay
 * takes, and small enough that a lost answer costs little to send again. */
#define VP_TEAM_MAX_BLOB (256 * 1024)

/* Compaction (the team leader's laptop): a snapshot is written once every
 * active laptop has acknowledged what this laptop has applied and either
 * this many blobs or bytes have gathered since the last one, or a client
 * was erased (an erasure should not linger on the relay, even sealed). */
#define VP_TEAM_COMPACT_BLOBS 512
#define VP_TEAM_COMPACT_BYTES (32 * 1024 * 1024)

typedef struct {
  guint n_sent;      /* blobs the relay stored */
  guint n_received;  /* blobs of other laptops opened */
  guint n_applied;   /* changes new to this laptop */
  guint n_rejected;  /* blobs refused (audited) */
  guint compacted;   /* the snapshot the relay compacted to in this round; 0: none */
} VpTeamRoundStats;

/* How to reach the relay of this store's team: the endpoint's URL, CA
 * file, pinned key and client certificate, as the reports use them, with
 * this laptop's device token once it is in a team, or else the report
 * token (for making a team). Secrets are wiped when it is freed. */
typedef struct {
  VpRelayConfig       config;   /* points into the fields below */
  char               *endpoint;
  char               *ca_file;
  char               *pinned_key;
  char               *report_token;
  char               *device_token;
  VpClientCredential *credential;
} VpTeamRelay;

VpTeamRelay   *_vp_team_connect          (VpStore          *store,
                                          gboolean          with_token,
                                          GError          **error);
void           _vp_team_relay_free       (VpTeamRelay      *relay);
void           _vp_team_relay_set_token  (VpTeamRelay      *relay,
                                          const char       *token);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpTeamRelay, _vp_team_relay_free)

/* One round: keys, the team leader's pending work (a rotation, the
 * roster), push, pull and apply, acknowledge. */
gboolean       _vp_team_round            (VpStore          *store,
                                          GCancellable     *cancellable,
                                          VpTeamRoundStats *stats,
                                          GError          **error);

/* The two halves of compaction, which a round runs in turn at its end on
 * the team leader's laptop (a no-op elsewhere); separate for tests, which
 * stop between them as a leader killed there would.
 *
 * _vp_team_snapshot(): if no snapshot is under way and one is due, seals
 * the roster and every change that still counts as the parts of snapshot
 * n + 1, covering the cursor C this laptop has applied up to, and sends
 * them (each queued in the store before it is sent). *number gets the
 * snapshot under way afterwards, 0 if none.
 *
 * _vp_team_compact(): sends what is queued and asks the relay to drop
 * what the snapshot under way covers; a snapshot whose writing was cut
 * short is given up (the next one replaces it). Not every laptop having
 * acknowledged C yet is no error: the next round asks again. */
gboolean       _vp_team_snapshot         (VpStore          *store,
                                          VpTeamRelay      *relay,
                                          VpTeamRoundStats *stats,
                                          guint32          *number,
                                          GError          **error);
gboolean       _vp_team_compact          (VpStore          *store,
                                          VpTeamRelay      *relay,
                                          VpTeamRoundStats *stats,
                                          GError          **error);

/* The team leader makes the team: a relay team under the report
 * credential, the keys, the store enabled, this laptop in the roster. */
gboolean       _vp_team_create           (VpStore          *store,
                                          const char       *device_name,
                                          GError          **error);

/* The team leader removes a laptop: on the relay, in the roster, and a new
 * team key for everyone else. Safe to call again after a failure. */
gboolean       _vp_team_remove_device    (VpStore          *store,
                                          const VpUid      *device,
                                          GError          **error);

/* The roster, with when each laptop was last seen on the relay (kept in
 * the store, so that an offline list still shows it). A network failure
 * is not an error here: the stored roster comes back. */
GPtrArray     *_vp_team_devices          (VpStore          *store,
                                          gboolean         *online,
                                          GError          **error);

/* Fetches every team key wrapped to this laptop that it does not hold. */
gboolean       _vp_team_fetch_keys       (VpStore          *store,
                                          VpTeamRelay      *relay,
                                          GError          **error);

/* A laptop's public key, kept (not secret) so that the team leader can
 * wrap a new team key to it after a removal. */
gboolean       _vp_team_save_public_key  (VpStore          *store,
                                          const VpUid      *device,
                                          const guint8     *public_key,
                                          GError          **error);
/* Marks the roster to be published in the next round (team leader). */
gboolean       _vp_team_roster_changed   (VpStore          *store,
                                          GError          **error);

/* The device key kept in the store. */
gboolean       _vp_team_parse_public_key (const char       *text,
                                          guint8            out[VP_X25519_KEY_LEN]);
VpDeviceKey   *_vp_team_load_device_key  (VpStore          *store,
                                          GError          **error);
/* An audit entry of team sync: record type "team", codes only. */
void           _vp_team_audit            (VpStore          *store,
                                          const char       *action,
                                          const char       *detail,
                                          const char       *outcome);
char          *_vp_team_now_iso          (void);
GBytes        *_vp_team_wiped_bytes      (const void       *data,
                                          gsize             len);
GBytes        *_vp_team_device_private   (const VpDeviceKey *key,
                                          GError          **error);
GBytes        *_vp_team_key_secret       (const VpTeamKey  *key);
VpTeamKey     *_vp_team_load_key         (VpStore          *store,
                                          const VpUid      *team,
                                          guint32           epoch,
                                          GError          **error);

G_END_DECLS
