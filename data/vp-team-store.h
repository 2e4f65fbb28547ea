/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"
#include "vp-team-change.h"
#include "vp-team-merge.h"

G_BEGIN_DECLS

/* Team sync in the store (#16, docs/team-sync.md). Once a laptop is in a
 * team, every write to a client's records (registration, consent, language
 * needs, referrals, feedback, review, correction, erasure, retention)
 * appends the changes it made to team_change in the same transaction, with
 * this laptop's clock; received changes are added to the same set, and the
 * records of every client they touch are rewritten from the merge of all
 * of that client's changes. The set, the keys and the relay token live
 * only in the encrypted store. Nothing here talks to the network: that is
 * sync/team/. */

typedef struct {
  VpUid       team;
  VpUid       device;
  VpTeamRole  role;         /* the role this laptop was enrolled with */
  char       *relay_url;    /* the endpoint that hosts the relay */
  char       *device_name;  /* this laptop's name in the team ("Laptop Fatima") */
  guint32     epoch;        /* the newest team key's */
  guint64     cursor;       /* the relay's cursor this laptop has applied up to */
  guint64     next_sequence;/* of the next blob this laptop seals */
  gboolean    reporter;     /* this laptop sends the team's monthly report */
  gboolean    removed;      /* the relay said this laptop was removed */
} VpTeamIdentity;

void          vp_team_identity_clear       (VpTeamIdentity *identity);

/* Whether this laptop is in a team; FALSE for a single laptop. */
gboolean      vp_store_team_is_enabled     (VpStore         *store);
/* In a team, enrolled as a coach's laptop: a team leader's account on it
 * still cannot make what only the leader's laptop may (reviews). */
gboolean      vp_store_team_is_coach_laptop (VpStore        *store);

/* Joins the store to a team, as its leader (who made it) or as a member
 * enrolled by the leader: keeps the identity, the device key and the first
 * team key, and turns every existing record into changes (so that the
 * rest of the team receives what this laptop already holds). Only a team
 * leader's account may make a team; any account may join one. */
gboolean      vp_store_team_enable         (VpStore              *store,
                                            const VpTeamIdentity *identity,
                                            GBytes               *device_private_key,
                                            GBytes               *team_key,
                                            GError              **error);
gboolean      vp_store_team_get_identity   (VpStore         *store,
                                            VpTeamIdentity  *identity,
                                            GError         **error);
/* Takes in a team that another connection of the store joined (a worker's
 * clone), catching up on anything this one wrote meanwhile. */
gboolean      vp_store_team_reload         (VpStore         *store,
                                            GError         **error);
/* Leaves the team: the team's records stay (they are this laptop's
 * caseload now), the keys, token and change set go. */
gboolean      vp_store_team_disable        (VpStore         *store,
                                            GError         **error);

/* Secrets, kept only in the encrypted store. name: "device-key",
 * "relay-token". The returned bytes are wiped when freed. */
gboolean      vp_store_team_set_secret     (VpStore         *store,
                                            const char      *name,
                                            GBytes          *value,
                                            GError         **error);
GBytes       *vp_store_team_get_secret     (VpStore         *store,
                                            const char      *name,
                                            GError         **error);
/* Team keys by epoch; the newest is the one to seal with. */
gboolean      vp_store_team_add_key        (VpStore         *store,
                                            guint32          epoch,
                                            GBytes          *secret,
                                            GError         **error);
GBytes       *vp_store_team_get_key        (VpStore         *store,
                                            guint32          epoch,
                                            GError         **error);

/* ---- The roster: every laptop ever enrolled ----------------------------
 * Names are the team's own (sealed on the relay, never in the clear). */
typedef struct {
  VpUid       device;
  VpTeamRole  role;
  char       *name;
  char       *enrolled_at;    /* UTC, ISO 8601 */
  char       *removed_at;     /* NULL while enrolled */
  char       *last_synced_at; /* NULL: never seen */
} VpTeamDevice;

void          vp_team_device_free          (VpTeamDevice    *device);
gboolean      vp_store_team_set_device     (VpStore            *store,
                                            const VpTeamDevice *device,
                                            GError            **error);
GPtrArray    *vp_store_team_list_devices   (VpStore         *store,
                                            GError         **error);
VpTeamRoster *vp_store_team_get_roster     (VpStore         *store,
                                            GError         **error);

/* Accounts of other laptops, named in their changes by uid: kept so that
 * a referral shows who made it. They cannot unlock this store. */
gboolean      vp_store_team_set_account    (VpStore         *store,
                                            const VpUid     *account,
                                            const VpUid     *device,
                                            const char      *name,
                                            VpTeamRole       role,
                                            GError         **error);
/* This laptop's accounts named by the given changes, for sending with
 * them: a GPtrArray of VpTeamAccount. */
typedef struct {
  VpUid       uid;
  char       *name;
  VpTeamRole  role;
} VpTeamAccount;

void          vp_team_account_free         (VpTeamAccount   *account);
GPtrArray    *vp_store_team_local_accounts (VpStore         *store,
                                            GError         **error);
/* Every account the team has named to this laptop, its own and other
 * laptops', for the team leader's snapshot (#16, compaction): a laptop
 * that joins after a compaction learns the names from it. */
GPtrArray    *vp_store_team_known_accounts (VpStore         *store,
                                            GError         **error);

/* ---- Changes out ------------------------------------------------------
 * This laptop's changes not yet in a blob the relay stored, oldest first,
 * at most max of them; *last gets the id of the last one, for
 * vp_store_team_mark_sent(). */
GPtrArray    *vp_store_team_unsent_changes (VpStore         *store,
                                            guint            max,
                                            gint64          *last,
                                            GError         **error);
/* A sealed blob is kept (under its sequence) before it is sent, so that a
 * retry after a lost answer sends the same bytes; once the relay has it,
 * its changes count as sent and the blob goes. */
gboolean      vp_store_team_queue_blob     (VpStore         *store,
                                            guint64          sequence,
                                            GBytes          *blob,
                                            gint64           last_change,
                                            GError         **error);
GBytes       *vp_store_team_queued_blob    (VpStore         *store,
                                            guint64         *sequence,
                                            GError         **error);
gboolean      vp_store_team_blob_sent      (VpStore         *store,
                                            guint64          sequence,
                                            GError         **error);

/* Every change this laptop holds (an erased client is its erasure alone),
 * for a snapshot of the team's state; in pages of max, from *after (a
 * change id, 0 to start). */
GPtrArray    *vp_store_team_snapshot_changes (VpStore       *store,
                                              gint64        *after,
                                              guint          max,
                                              GError       **error);

/* ---- Changes in -------------------------------------------------------
 * Adds received changes (duplicates count once) and rewrites the records
 * of every client they touch from the merge of that client's changes, and
 * moves the relay cursor, all in one transaction: a laptop killed halfway
 * applies the blob again after a restart. n_new gets how many changes were
 * new. The clock moves past every received stamp. */
gboolean      vp_store_team_apply          (VpStore         *store,
                                            VpChange * const *changes,
                                            guint            n_changes,
                                            guint64          cursor,
                                            guint           *n_new,
                                            GError         **error);
gboolean      vp_store_team_set_cursor     (VpStore         *store,
                                            guint64          cursor,
                                            GError         **error);
gboolean      vp_store_team_set_removed    (VpStore         *store,
                                            gboolean         removed,
                                            GError         **error);
gboolean      vp_store_team_set_reporter   (VpStore         *store,
                                            gboolean         reporter,
                                            GError         **error);

/* The records of one client as the merge of its changes says they should
 * be, and whether the store holds exactly that: for tests and for
 * checking a store after a crash. */
VpMergeView  *vp_store_team_client_view    (VpStore         *store,
                                            const VpUid     *client,
                                            GError         **error);
/* Every synced record in the store, in vp_merge_view_to_string()'s form:
 * two laptops that have seen the same changes print the same text. It
 * holds personal data: for tests only, never a log. */
char         *vp_store_team_dump           (VpStore         *store,
                                            GError         **error);

G_END_DECLS
