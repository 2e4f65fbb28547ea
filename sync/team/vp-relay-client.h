/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-team-crypto.h"

G_BEGIN_DECLS

/* The team-sync relay's client (#16): one synchronous HTTPS request per
 * call (run them in a GTask thread), with TLS as the report uploader has
 * it (system trust or a CA file, an optional pinned key and client
 * certificate). Tokens travel only in "Authorization: Bearer", never in an
 * address, a log or an error message. docs/team-relay.md lists the routes. */

#define VP_RELAY_ERROR (vp_relay_error_quark ())

typedef enum {
  VP_RELAY_ERROR_NETWORK,      /* no answer, or asked to wait: try again later */
  VP_RELAY_ERROR_UNCONFIRMED,  /* the request left, no answer came: it may have taken effect */
  VP_RELAY_ERROR_REFUSED,      /* the credential was refused (unknown token, another team's, not the admin) */
  VP_RELAY_ERROR_REMOVED,      /* this laptop was removed from the team */
  VP_RELAY_ERROR_NOT_FOUND,    /* no such invitation, device or snapshot */
  VP_RELAY_ERROR_CONFLICT,     /* against what the relay holds: once-only steps, sequences, acks */
  VP_RELAY_ERROR_EXPIRED,      /* the invitation expired */
  VP_RELAY_ERROR_INVALID,      /* the request is malformed or too large */
  VP_RELAY_ERROR_QUOTA,        /* the team's storage or number of laptops is full */
  VP_RELAY_ERROR_SERVER,       /* the relay failed, or answered nonsense */
  VP_RELAY_ERROR_PENDING,      /* this laptop is not admitted yet (the team leader must confirm) */
  VP_RELAY_ERROR_OLD_EPOCH,    /* the blob is sealed under a replaced team key: seal it again */
  VP_RELAY_ERROR_IDENTITY,     /* the relay's certificate or pinned key did not check out */
} VpRelayError;

typedef struct {
  const char *endpoint;      /* https://host[:port] */
  const char *ca_file;       /* optional extra trust anchor */
  const char *pinned_key;    /* optional, as CURLOPT_PINNEDPUBLICKEY takes it */
  const char *client_cert;   /* optional client certificate and chain, PEM */
  const char *client_key;    /* its private key, PEM */
  const char *report_token;  /* the team's report token: only for creating a team */
  const char *device_token;  /* this laptop's relay token */
  guint       timeout;       /* seconds per request; 0: 60 */
} VpRelayConfig;

typedef enum {
  VP_RELAY_MEMBER_PENDING,  /* joined, waiting for the team key */
  VP_RELAY_MEMBER_ACTIVE,
  VP_RELAY_MEMBER_REMOVED,
} VpRelayMemberState;

typedef struct {
  VpUid               device;
  VpRelayMemberState  state;
  gboolean            admin;
  gint64              last_seen;  /* Unix seconds of its last push, pull or ack; 0: never */
  guint64             acked;      /* the cursor it has applied up to */
} VpRelayDevice;

typedef struct {
  guint64  cursor;
  GBytes  *blob;
} VpRelayBlob;

void       vp_relay_blob_free       (VpRelayBlob          *blob);

GQuark     vp_relay_error_quark     (void);

/* The team leader's laptop, with report_token (or its client certificate):
 * registers team with device as its admin; *token is the device's relay
 * token, handed out once. */
gboolean   vp_relay_create_team     (const VpRelayConfig  *config,
                                     const char           *report_team,
                                     const VpUid          *team,
                                     const VpUid          *device,
                                     char                **token,
                                     GError              **error);

/* Enrolment (docs/team-sync.md): the admin puts the commitment under the
 * code; the joiner (no token) fetches it and joins with its share, getting
 * a token of a pending device; the admin fetches the joiner's share and
 * reveals its own; the joiner fetches that; the admin puts the wrapped
 * team key, which admits the device. */
gboolean   vp_relay_put_invite      (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     const char           *code,
                                     const guint8          commitment[VP_ENROL_COMMITMENT_LEN],
                                     GError              **error);
gboolean   vp_relay_get_invite      (const VpRelayConfig  *config,
                                     const char           *code,
                                     VpUid                *team,
                                     guint8                commitment[VP_ENROL_COMMITMENT_LEN],
                                     GError              **error);
gboolean   vp_relay_join            (const VpRelayConfig  *config,
                                     const char           *code,
                                     const VpUid          *device,
                                     const VpEnrolShare   *share,
                                     char                **token,
                                     GError              **error);
gboolean   vp_relay_get_joiner      (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     const char           *code,
                                     gboolean             *present,
                                     VpUid                *device,
                                     VpEnrolShare         *share,
                                     GError              **error);
gboolean   vp_relay_reveal          (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     const char           *code,
                                     const VpEnrolShare   *inviter,
                                     GError              **error);
gboolean   vp_relay_get_reveal      (const VpRelayConfig  *config,
                                     const char           *code,
                                     gboolean             *present,
                                     VpEnrolShare         *inviter,
                                     GError              **error);
gboolean   vp_relay_put_key         (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     const VpUid          *device,
                                     guint32               epoch,
                                     GBytes               *wrapped,
                                     GError              **error);
/* (element-type GBytes): every key wrapped to this laptop, by epoch. */
GPtrArray *vp_relay_get_keys        (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     GError              **error);
gboolean   vp_relay_remove_device   (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     const VpUid          *device,
                                     GError              **error);

/* A sealed blob, its sequence exactly one more than this laptop's last
 * (the first is 1); snapshot 0 for an ordinary blob, else the number of the
 * snapshot it belongs to (team leader only). Sending the same bytes again
 * answers with the cursor they got. */
gboolean   vp_relay_push            (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     GBytes               *blob,
                                     guint32               snapshot,
                                     guint64              *cursor,
                                     GError              **error);
/* (element-type VpRelayBlob): the blobs after the cursor after, in order,
 * up to about 8 MiB; *next is the last one's cursor (after when none) and
 * *more says whether to pull again from there. */
GPtrArray *vp_relay_pull            (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     guint64               after,
                                     guint64              *next,
                                     gboolean             *more,
                                     GError              **error);
gboolean   vp_relay_ack             (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     guint64               cursor,
                                     GError              **error);
/* (element-type VpRelayDevice): the team's laptops, removed ones included;
 * epoch and last_cursor (optional) get the team's newest key epoch and its
 * last cursor. */
GPtrArray *vp_relay_list_devices    (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     guint32              *epoch,
                                     guint64              *last_cursor,
                                     GError              **error);
gboolean   vp_relay_compact         (const VpRelayConfig  *config,
                                     const VpUid          *team,
                                     guint32               snapshot,
                                     guint64               covers,
                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpRelayBlob, vp_relay_blob_free)

G_END_DECLS
